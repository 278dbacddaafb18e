// Refused activations (421 wrong_region) cost no database write each: they are tallied in
// memory and reach the store as one aggregate write per flush.
#include "server/refusal_flush.h"

#include "server_test_support.h"

namespace homeport::server_testing {
namespace {

// Group commits so far, as /metrics reports them.
int64_t Commits(const ServerMetrics& metrics) {
  std::string text = metrics.Render();
  const std::string key = "homeport_commit_batch_size_count ";
  size_t at = text.find(key);
  EXPECT_NE(at, std::string::npos);
  return std::stoll(text.substr(at + key.size()));
}

HttpRequest ForeignActivation(const std::string& region, const std::string& variant) {
  TestDevice d = MakeDevice("CN-000001", region);
  nlohmann::json body = ActivationBody(d);
  body["variant"] = variant;
  return SignedActivation(d, body.dump());
}

using WrongRegionFlush = ServerFixture;

TEST_F(WrongRegionFlush, ManyRefusalsCauseOneCommitPerFlush) {
  for (int i = 0; i < 500; ++i) {
    ASSERT_EQ(Call(ForeignActivation("cn", i % 2 ? "china" : "global")).status, 421);
  }
  for (int i = 0; i < 100; ++i) ASSERT_EQ(Call(ForeignActivation("x1", "global")).status, 421);
  EXPECT_EQ(Commits(metrics_), 0);  // nothing was written per request

  ASSERT_TRUE(FlushWrongRegionTally(metrics_, *writer_));
  writer_->Stop();  // waits for the queued aggregate to commit
  EXPECT_EQ(Commits(metrics_), 1);
  auto counts = store_->WrongRegionCounts();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->size(), 3u);
  EXPECT_EQ((*counts)[0].claimed_region, "_other");
  EXPECT_EQ((*counts)[0].attempts, 100);
  EXPECT_EQ((*counts)[1].claimed_region, "cn");
  EXPECT_EQ((*counts)[1].variant, "china");
  EXPECT_EQ((*counts)[1].attempts, 250);
  EXPECT_EQ((*counts)[2].variant, "global");
  EXPECT_EQ((*counts)[2].attempts, 250);
}

TEST_F(WrongRegionFlush, ConsecutiveFlushesAddUpAndAnEmptyOneWritesNothing) {
  for (int i = 0; i < 3; ++i) Call(ForeignActivation("cn", "china"));
  ASSERT_TRUE(FlushWrongRegionTally(metrics_, *writer_));
  ASSERT_TRUE(FlushWrongRegionTally(metrics_, *writer_));  // nothing new: no write
  for (int i = 0; i < 4; ++i) Call(ForeignActivation("cn", "china"));
  ASSERT_TRUE(FlushWrongRegionTally(metrics_, *writer_));
  writer_->Stop();
  EXPECT_LE(Commits(metrics_), 2);
  auto counts = store_->WrongRegionCounts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].attempts, 7);
}

TEST_F(WrongRegionFlush, CountsRefusedByAStoppedWriterAreKept) {
  Call(ForeignActivation("cn", "china"));
  writer_->Stop();
  EXPECT_FALSE(FlushWrongRegionTally(metrics_, *writer_));
  auto kept = metrics_.TakeWrongRegionTally();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].attempts, 1);
}

TEST_F(WrongRegionFlush, StoppingTheLoopFlushesWhatIsLeft) {
  RefusalFlushLoop loop(metrics_, *writer_, std::chrono::hours(1));
  for (int i = 0; i < 20; ++i) Call(ForeignActivation("cn", "china"));
  loop.Stop();
  writer_->Stop();
  auto counts = store_->WrongRegionCounts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].attempts, 20);
  EXPECT_EQ(Commits(metrics_), 1);
}

}  // namespace
}  // namespace homeport::server_testing
