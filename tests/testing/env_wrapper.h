// EnvWrapper: an Env that hands every call to another one (the real Env by default), so that a
// test's Env overrides only what it fakes — the clock, a failing write or sync — as LevelDB's
// EnvWrapper does.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "homeport/env.h"

namespace homeport::testing {

class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target = Env::Default()) : target_(target) {}

  TimePoint Now() override { return target_->Now(); }
  void SleepFor(std::chrono::milliseconds d) override { target_->SleepFor(d); }
  uint64_t RandomU64() override { return target_->RandomU64(); }
  Result<std::string> ReadFile(const std::string& path) override { return target_->ReadFile(path); }
  Status WriteFileAtomic(const std::string& path, std::string_view data, unsigned mode) override {
    return target_->WriteFileAtomic(path, data, mode);
  }
  bool FileExists(const std::string& path) override { return target_->FileExists(path); }
  Status CreateDirs(const std::string& path) override { return target_->CreateDirs(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    return target_->ListDir(path);
  }
  Status RemoveFile(const std::string& path) override { return target_->RemoveFile(path); }
  Result<std::unique_ptr<AppendableFile>> OpenAppendable(const std::string& path) override {
    return target_->OpenAppendable(path);
  }
  Result<std::string> ReadRange(const std::string& path, uint64_t offset,
                                size_t max_bytes) override {
    return target_->ReadRange(path, offset, max_bytes);
  }

 protected:
  Env* target() const { return target_; }

 private:
  Env* const target_;
};

}  // namespace homeport::testing
