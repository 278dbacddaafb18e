// WorkerPool: jobs run off the caller's thread, a full queue refuses at once, Stop finishes
// what was queued.
#include "server/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

namespace homeport {
namespace {

// Holds every job that reaches it until the test opens it.
class Gate {
 public:
  void Wait() {
    std::unique_lock lock(mu_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  void WaitForWaiting(int n) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return waiting_ >= n; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

TEST(WorkerPool, RunsJobsOnItsOwnThreads) {
  WorkerPool pool(2);
  std::promise<std::thread::id> ran_on;
  ASSERT_TRUE(pool.Post([&] { ran_on.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
}

TEST(WorkerPool, FullQueueRefusesAtOnceAndLosesNothingItTook) {
  WorkerPool pool(1, /*max_queued=*/3);
  Gate gate;
  std::atomic<int> done{0};
  // One job holds the only thread (a database that does not answer); three wait behind it.
  ASSERT_TRUE(pool.Post([&] {
    gate.Wait();
    ++done;
  }));
  gate.WaitForWaiting(1);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.Post([&] { ++done; }));
  EXPECT_FALSE(pool.Post([&] { ++done; })) << "a fourth waiting job must be refused";
  gate.Open();
  pool.Stop();
  EXPECT_EQ(done.load(), 4);
  EXPECT_FALSE(pool.Post([&] { ++done; })) << "a stopped pool takes nothing";
}

}  // namespace
}  // namespace homeport
