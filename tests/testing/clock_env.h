// ClockEnv: the real Env (files, randomness) with a clock that only the test moves, so tests
// of time-driven behaviour (budgets, retention) need no sleeps. Safe to read from other threads.
#pragma once

#include <atomic>
#include <chrono>

#include "testing/env_wrapper.h"

namespace homeport::testing {

class ClockEnv final : public EnvWrapper {
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

 private:
  std::atomic<TimePoint::rep> now_;
};

}  // namespace homeport::testing
