// FileSource over a file descriptor, with SEEK_DATA/SEEK_HOLE for sparse files.
#include "audit/build/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace homeport::audit::build {
namespace {

// Zeros of a hole still read: enough to end any string the extractor has open (an ASCII run
// ends at one, a UTF-16 run at two), and an even number of skipped bytes keeps alignment.
constexpr uint64_t kHoleTail = 8;

}  // namespace

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Status::IoError(std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return Status::IoError(std::string("cannot examine: ") + std::strerror(e));
  }
  return std::unique_ptr<FileSource>(
      new FileSource(fd, S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0));
}

FileSource::~FileSource() { ::close(fd_); }

Result<size_t> FileSource::Read(std::span<char> buffer) {
  if (pos_ >= data_end_ && pos_ < size_) {
    off_t data = ::lseek(fd_, static_cast<off_t>(pos_), SEEK_DATA);
    if (data < 0 && errno == ENXIO) data = static_cast<off_t>(size_);  // a hole to the end
    if (data >= 0 && static_cast<uint64_t>(data) > pos_ + kHoleTail) {
      const uint64_t jump = (static_cast<uint64_t>(data) - pos_ - kHoleTail) & ~uint64_t{1};
      pos_ += jump;
      skipped_ += jump;
    }
    const off_t hole = data >= 0 ? ::lseek(fd_, static_cast<off_t>(data), SEEK_HOLE) : -1;
    // Unknown (a file system without holes): read on and look again a chunk later.
    data_end_ = hole > 0 ? static_cast<uint64_t>(hole) : pos_ + buffer.size();
  }
  for (;;) {
    const ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), static_cast<off_t>(pos_));
    if (n >= 0) {
      pos_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
    if (errno != EINTR) return Status::IoError(std::string("read failed: ") + std::strerror(errno));
  }
}

}  // namespace homeport::audit::build
