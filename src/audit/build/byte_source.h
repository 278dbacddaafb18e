// Where the build audit's bytes come from: a file of the tree, or the current member of an
// archive (which may itself be inside an archive). Read in chunks, never whole, so memory
// stays bounded whatever the size of a firmware image.
#pragma once

#include <cstddef>
#include <cstdint>
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
  // Bytes passed over without being returned because they are known to be zeros (a sparse
  // file's holes); offsets in the source are bytes returned plus these.
  virtual uint64_t Skipped() const { return 0; }
};

// A regular file, read from its start. The holes of a sparse file (SEEK_DATA/SEEK_HOLE) are
// zeros that hold no string: all but the last few bytes of each are passed over, keeping the
// parity of offsets, so a 10 GB sparse image costs what its data costs. Not thread-safe.
class FileSource : public ByteSource {
 public:
  static Result<std::unique_ptr<FileSource>> Open(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<size_t> Read(std::span<char> buffer) override;
  uint64_t Skipped() const override { return skipped_; }

 private:
  FileSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t data_end_ = 0;  // up to here the file is known to be data: no need to look for holes
  uint64_t skipped_ = 0;
};

}  // namespace homeport::audit::build
