// Where the build audit's bytes come from: a file of the tree, or the current member of an
// archive (which may itself be inside an archive). Read in chunks, never whole, so memory
// stays bounded whatever the size of a firmware image.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include "homeport/status.h"

namespace homeport::audit::build {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to buffer.size() bytes into `buffer`; 0 at the end.
  virtual Result<size_t> Read(std::span<char> buffer) = 0;
};

// A regular file, read from its start. Not thread-safe.
class FileSource : public ByteSource {
 public:
  static Result<std::unique_ptr<FileSource>> Open(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<size_t> Read(std::span<char> buffer) override;

 private:
  FileSource(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  std::FILE* file_;
  std::string path_;
};

}  // namespace homeport::audit::build
