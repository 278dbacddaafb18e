// Env: every piece of the operating system homeport depends on — wall clock, sleeping,
// randomness and files — behind one interface, so tests can run without sleeps and inject
// faults (a failed fsync, a full disk). Env::Default() is the real one; it is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "homeport/status.h"

namespace homeport {

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
};

}  // namespace homeport
