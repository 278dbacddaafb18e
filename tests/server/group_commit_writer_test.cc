// GroupCommitWriter: batching, answers only after commit, back-pressure, failure, drain.
#include "server/group_commit_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "server/refusal_flush.h"

namespace homeport {
namespace {

// A commit path whose Commit blocks until the test opens the gate, and can be made to fail.
class GatedStore final : public CommitStore {
 public:
  Result<std::optional<EnrollmentRecord>> FindEnrollment(const std::string&) override {
    return std::optional<EnrollmentRecord>();
  }
  Result<BatchResult> Commit(const WriteBatch& batch, TimePoint) override {
    {
      std::unique_lock lock(mu_);
      ++commits_entered;
      entered_cv_.notify_all();
      cv_.wait(lock, [&] { return open_; });
      batch_sizes.push_back(batch.size());
    }
    if (fail) return Status::Unavailable("database is down");
    BatchResult r;
    r.documents_stored.assign(batch.documents.size(), true);
    r.erased.assign(batch.erasures.size(), 0);
    r.erasure_log_index.assign(batch.erasures.size(), 0);
    for (size_t i = 0; i < batch.activations.size(); ++i) {
      r.activations.push_back({RecordOutcome::kCreated, "2026-11-29"});
    }
    return r;
  }

  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void WaitUntilCommitting(int n) {
    std::unique_lock lock(mu_);
    entered_cv_.wait(lock, [&] { return commits_entered >= n; });
  }

  std::atomic<bool> fail{false};
  std::vector<size_t> batch_sizes;
  int commits_entered = 0;

 private:
  std::mutex mu_;
  std::condition_variable cv_, entered_cv_;
  bool open_ = false;
};

TEST(GroupCommitWriter, AnswersOnlyAfterCommitAndBatchesWhatWaited) {
  GatedStore store;
  GroupCommitWriter writer(store, Env::Default(), nullptr, {100, 100});
  std::atomic<int> answered{0};
  auto done = [&](Result<ActivationResult> r) {
    EXPECT_TRUE(r.ok());
    ++answered;
  };
  ASSERT_TRUE(writer.SubmitActivation({"A", "1", 1}, done));
  store.WaitUntilCommitting(1);  // the first batch (one write) is blocked in its commit
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(writer.SubmitActivation({"B", "1", 1}, done));
  EXPECT_EQ(answered, 0);  // nothing is acknowledged before its commit returns
  store.Open();
  writer.Stop();
  EXPECT_EQ(answered, 11);
  ASSERT_EQ(store.batch_sizes.size(), 2u);
  EXPECT_EQ(store.batch_sizes[0], 1u);
  EXPECT_EQ(store.batch_sizes[1], 10u);  // everything that waited went into one commit
}

TEST(GroupCommitWriter, FullQueueRefusesAtOnce) {
  GatedStore store;
  GroupCommitWriter writer(store, Env::Default(), nullptr, {3, 100});
  auto done = [](Result<ActivationResult>) {};
  ASSERT_TRUE(writer.SubmitActivation({"A", "1", 1}, done));
  store.WaitUntilCommitting(1);
  EXPECT_TRUE(writer.SubmitActivation({"B", "1", 1}, done));
  EXPECT_TRUE(writer.SubmitActivation({"C", "1", 1}, done));
  EXPECT_TRUE(writer.SubmitWrongRegionCounts({{"cn", "cn", 5}}, nullptr));
  EXPECT_FALSE(writer.SubmitActivation({"D", "1", 1}, done));  // bounded: no unbounded memory
  store.Open();
}

TEST(GroupCommitWriter, FailedCommitReachesEveryWaiter) {
  GatedStore store;
  store.fail = true;
  store.Open();
  GroupCommitWriter writer(store, Env::Default(), nullptr);
  std::promise<Status> result;
  ASSERT_TRUE(writer.SubmitActivation({"A", "1", 1}, [&](Result<ActivationResult> r) {
    result.set_value(r.status());
  }));
  EXPECT_TRUE(result.get_future().get().IsUnavailable());
}

TEST(GroupCommitWriter, WrongRegionCountsOfAFailedCommitGoBackToTheTally) {
  GatedStore store;
  store.fail = true;
  store.Open();
  ServerMetrics metrics;
  GroupCommitWriter writer(store, Env::Default(), &metrics);
  for (int i = 0; i < 10; ++i) metrics.CountWrongRegion("cn", "china");
  ASSERT_TRUE(FlushWrongRegionTally(metrics, writer));
  writer.Stop();  // the commit failed; its counts wait for the next flush
  auto kept = metrics.TakeWrongRegionTally();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].claimed_region, "cn");
  EXPECT_EQ(kept[0].attempts, 10);
  EXPECT_EQ(store.batch_sizes.size(), 1u);  // ten refusals, one write
}

TEST(GroupCommitWriter, StopCommitsEverythingQueuedThenRefuses) {
  GatedStore store;
  store.Open();
  GroupCommitWriter writer(store, Env::Default(), nullptr);
  std::atomic<int> answered{0};
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(writer.SubmitActivation({"A", "1", 1}, [&](Result<ActivationResult>) { ++answered; }));
  }
  writer.Stop();
  EXPECT_EQ(answered, 50);
  EXPECT_FALSE(writer.SubmitActivation({"A", "1", 1}, [](Result<ActivationResult>) {}));
}

}  // namespace
}  // namespace homeport
