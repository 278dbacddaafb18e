// FileSource over stdio.
#include "audit/build/byte_source.h"

#include <cerrno>
#include <cstring>
#include <memory>

namespace homeport::audit::build {

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::IoError(std::string("cannot open: ") + std::strerror(errno));
  return std::unique_ptr<FileSource>(new FileSource(f, path));
}

FileSource::~FileSource() { std::fclose(file_); }

Result<size_t> FileSource::Read(std::span<char> buffer) {
  size_t n = std::fread(buffer.data(), 1, buffer.size(), file_);
  if (n == 0 && std::ferror(file_)) {
    return Status::IoError(std::string("read failed: ") + std::strerror(errno));
  }
  return n;
}

}  // namespace homeport::audit::build
