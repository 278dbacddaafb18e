// Env: every piece of the operating system homeport depends on — wall clock, sleeping,
// randomness and files — behind one interface, so tests can run without sleeps and inject
// faults (a failed fsync, a full disk). Env::Default() is the real one; it is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "homeport/status.h"

namespace homeport {

// A file written only at its end, as a log is. Not thread-safe: one writer.
class AppendableFile {
 public:
  virtual ~AppendableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  // Cuts the file back to `size` bytes: what a failed append may have left goes.
  virtual Status Truncate(uint64_t size) = 0;
};

class Env {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  virtual ~Env() = default;

  // The process-wide real environment. Never deleted.
  static Env* Default();

  virtual TimePoint Now() = 0;
  virtual void SleepFor(std::chrono::milliseconds d) = 0;
  // Uniformly random 64 bits from a cryptographic source.
  virtual uint64_t RandomU64() = 0;

  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Writes `data` to a temporary file beside `path`, fsyncs it, renames it over `path` and
  // fsyncs the directory: readers see the old content or the new one, never a mix.
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data,
                                 unsigned mode = 0644) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // Creates `path` and missing parents; ok when it already exists.
  virtual Status CreateDirs(const std::string& path) = 0;
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;

  // The two below default to the real file system, so an Env that fakes only the clock or
  // some files need not implement them.
  //
  // Opens `path` for appending; a file it creates is owner-only and its directory is fsynced,
  // so a record synced into it survives a crash.
  virtual Result<std::unique_ptr<AppendableFile>> OpenAppendable(const std::string& path);
  // Up to `max_bytes` of `path` from `offset`; shorter at the end of the file.
  virtual Result<std::string> ReadRange(const std::string& path, uint64_t offset,
                                        size_t max_bytes);
};

}  // namespace homeport
