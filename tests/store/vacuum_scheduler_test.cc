// The PostgreSQL store's vacuum thread: prompt after the first erasure, at most one run per
// interval after that, and nothing left pending when the store closes.
#include "store/postgres/vacuum_scheduler.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace homeport {
namespace {

using std::chrono::hours;

// Counts vacuums and lets the test wait for one without sleeping.
class CountingVacuum {
 public:
  Status Run() {
    std::lock_guard lock(mu_);
    ++runs_;
    cv_.notify_all();
    return Status::Ok();
  }
  bool WaitFor(int runs) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return runs_ >= runs; });
  }
  int runs() {
    std::lock_guard lock(mu_);
    return runs_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int runs_ = 0;
};

TEST(VacuumScheduler, FirstRequestIsServedPromptly) {
  CountingVacuum vacuum;
  VacuumScheduler scheduler([&] { return vacuum.Run(); }, hours(1));
  EXPECT_EQ(vacuum.runs(), 0) << "nothing is vacuumed before it is asked for";
  scheduler.Request();
  EXPECT_TRUE(vacuum.WaitFor(1)) << "the first erasure's vacuum did not run";
}

TEST(VacuumScheduler, ABurstWithinTheIntervalCostsOneMoreVacuumAtMost) {
  CountingVacuum vacuum;
  {
    VacuumScheduler scheduler([&] { return vacuum.Run(); }, hours(1));
    scheduler.Request();
    ASSERT_TRUE(vacuum.WaitFor(1));
    for (int i = 0; i < 100; ++i) scheduler.Request();
    EXPECT_EQ(vacuum.runs(), 1) << "a burst of erasures must wait out the interval";
  }
  // Closing the store runs the pending vacuum instead of dropping it.
  EXPECT_EQ(vacuum.runs(), 2);
}

TEST(VacuumScheduler, NothingRunsOnCloseWhenNothingIsPending) {
  CountingVacuum vacuum;
  {
    VacuumScheduler scheduler([&] { return vacuum.Run(); }, hours(1));
  }
  EXPECT_EQ(vacuum.runs(), 0);
}

}  // namespace
}  // namespace homeport
