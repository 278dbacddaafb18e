// Store conformance: every method may be called from any thread, and several processes (the
// CLI beside a running server, or many stateless servers) may share one store.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store.h"
#include "store_conformance.h"

namespace homeport {
namespace {

using std::chrono::hours;
using testing::StoreTest;

class StoreConcurrency : public StoreTest {};
HOMEPORT_STORE_CONFORMANCE(StoreConcurrency);

TEST_P(StoreConcurrency, FindEnrollmentWhileCommitRuns) {
  auto devices = EnrollBatch("B1", 200);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      size_t i = static_cast<size_t>(t);
      // At least a few reads per thread even if the commits finish first.
      for (int n = 0; !done.load() || n < 20; ++n, i = (i * 7 + 13) % devices.size()) {
        auto found = store_->FindEnrollment(devices[i].serial);
        if (!found.ok() || !found->has_value() || **found != devices[i]) {
          ++failures;
          ADD_FAILURE() << devices[i].serial << ": "
                        << (found.ok() ? "wrong or missing record" : found.status().ToString());
        }
        ++reads;
      }
    });
  }
  for (int b = 0; b < 20; ++b) {
    std::vector<Activation> acts;
    for (int k = 0; k < 10; ++k)
      acts.push_back(Act(devices[static_cast<size_t>(b * 10 + k)].serial));
    auto results = CommitAll(acts, Day1(hours(b)));
    for (const auto& r : results) EXPECT_EQ(r.outcome, RecordOutcome::kCreated);
  }
  done = true;
  for (auto& th : readers) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(reads.load(), 80);
  auto report = store_->Rollout(std::nullopt);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->batches[0].activated, 200);
}

TEST_P(StoreConcurrency, RacingFirstActivationsCreateOnce) {
  auto d = EnrollBatch("B1", 1)[0];
  constexpr int kThreads = 8;
  std::atomic<int> created{0}, repeated{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      WriteBatch batch;
      batch.activations = {Act(d.serial)};
      auto r = store_->Commit(batch, Day1(hours(t * 24)));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      if (r->activations[0].outcome == RecordOutcome::kCreated) ++created;
      if (r->activations[0].outcome == RecordOutcome::kRepeated) ++repeated;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(repeated.load(), kThreads - 1);
}

TEST_P(StoreConcurrency, ConcurrentLookupsKeepTheAuditChainIntact) {
  auto d = EnrollBatch("B1", 1)[0];
  CommitOne(Act(d.serial), Day1());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto r = store_->LookupWarranty(d.serial, "cli:t" + std::to_string(t), Day1(hours(i)));
        EXPECT_TRUE(r.ok() && r->has_value()) << (r.ok() ? "not found" : r.status().ToString());
      }
    });
  }
  for (auto& th : threads) th.join();
  auto log = AccessLogEntries();
  EXPECT_EQ(log.size(), 100u);
  Status st = VerifyAccessLogChain(log);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST_P(StoreConcurrency, TwoStoresOnOneUrlCommitAndAuditSafely) {
  // Like `homeport warranty` run beside a serving process: two Store instances, one database.
  auto other = Open();
  ASSERT_NE(other, nullptr);
  auto devices = EnrollBatch("B1", 40);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    Store* s = t % 2 == 0 ? store_.get() : other.get();
    threads.emplace_back([&, s, t] {
      for (int i = t; i < 40; i += 4) {
        WriteBatch batch;
        batch.activations = {Act(devices[static_cast<size_t>(i)].serial)};
        auto r = s->Commit(batch, Day1());
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        auto lookup = s->LookupWarranty(devices[static_cast<size_t>(i)].serial, "cli:t", Day1());
        EXPECT_TRUE(lookup.ok()) << lookup.status().ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  auto report = store_->Rollout(std::nullopt);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->batches[0].activated, 40);
  auto log = AccessLogEntries();
  EXPECT_EQ(log.size(), 40u);
  EXPECT_TRUE(VerifyAccessLogChain(log).ok());
}

TEST_P(StoreConcurrency, ConcurrentIdenticalEnrollmentsBothSucceed) {
  std::vector<EnrollmentRecord> records;
  for (int i = 1; i <= 50; ++i) records.push_back(StoreTest::Device("B1", i));
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] { EXPECT_TRUE(store_->Enroll(records).ok()); });
  }
  for (auto& th : threads) th.join();
  auto report = store_->Rollout(std::nullopt);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->batches.size(), 1u);
  EXPECT_EQ(report->batches[0].enrolled, 50);
}

}  // namespace
}  // namespace homeport
