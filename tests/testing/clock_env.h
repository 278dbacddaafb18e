// ClockEnv: the real Env (files, randomness) with a clock that only the test moves, so tests
// of time-driven behaviour (budgets, retention) need no sleeps. Safe to read from other threads.
#pragma once

#include <atomic>
#include <chrono>

#include "homeport/env.h"

namespace homeport::testing {

class ClockEnv final : public Env {
 public:
  explicit ClockEnv(TimePoint start = std::chrono::sys_days{std::chrono::year{2026} / 11 / 29} +
                                      std::chrono::hours{9})
      : now_(start.time_since_epoch().count()) {}

  void Set(TimePoint t) { now_ = t.time_since_epoch().count(); }
  template <class Duration>
  void Advance(Duration d) {
    now_ += std::chrono::duration_cast<TimePoint::duration>(d).count();
  }

  TimePoint Now() override { return TimePoint(TimePoint::duration(now_.load())); }
  void SleepFor(std::chrono::milliseconds d) override { Advance(d); }
  uint64_t RandomU64() override { return base_->RandomU64(); }
  Result<std::string> ReadFile(const std::string& path) override { return base_->ReadFile(path); }
  Status WriteFileAtomic(const std::string& path, std::string_view data, unsigned mode) override {
    return base_->WriteFileAtomic(path, data, mode);
  }
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  Status CreateDirs(const std::string& path) override { return base_->CreateDirs(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    return base_->ListDir(path);
  }
  Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }

 private:
  std::atomic<TimePoint::rep> now_;
  Env* base_ = Env::Default();
};

}  // namespace homeport::testing
