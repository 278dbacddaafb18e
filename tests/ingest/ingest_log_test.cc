// IngestLog: durability before acknowledgement, recovery after a crash, bounds.
#include "ingest/ingest_log.h"

#include <gtest/gtest.h>

#include "ingest/ingest_record.h"
#include "ingest_test_support.h"

namespace homeport {
namespace {

using ingest_testing::AppendNow;
using ingest_testing::Doc;
using ingest_testing::ReadAll;
using ingest_testing::SegmentFiles;

class IngestLogTest : public ::testing::Test {
 protected:
  IngestLogOptions Options() {
    IngestLogOptions o;
    o.dir = dir_.File("log");
    return o;
  }
  std::unique_ptr<IngestLog> Open(IngestLogOptions o, Env* env = Env::Default()) {
    auto log = IngestLog::Open(std::move(o), env);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(*log) : nullptr;
  }
  testing::TempDir dir_;
};

std::string DocIdOf(const IngestRecord& r) { return std::get<UxpDocument>(r).doc_id; }

TEST_F(IngestLogTest, AcknowledgedRecordsAreReadBackInOrderAfterReopen) {
  {
    auto log = Open(Options());
    ASSERT_TRUE(AppendNow(*log, Doc("d-1", "c-1")).ok());
    ASSERT_TRUE(AppendNow(*log, Doc("d-2", "c-2")).ok());
    ASSERT_TRUE(AppendNow(*log, ClientErasure{"c-1", "2027-02-27", ""}).ok());
    ASSERT_TRUE(AppendNow(*log, Doc("d-3", "c-2")).ok());
  }
  auto log = Open(Options());
  auto records = ReadAll(*log);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(DocIdOf(records[0]), "d-1");
  EXPECT_EQ(DocIdOf(records[1]), "d-2");
  EXPECT_EQ(std::get<ClientErasure>(records[2]).client_id, "c-1");
  EXPECT_EQ(std::get<ClientErasure>(records[2]).expires_day, "2027-02-27");
  EXPECT_EQ(std::get<UxpDocument>(records[3]).payload, Doc("d-3", "c-2").payload);
}

TEST_F(IngestLogTest, AnErasureKeepsItsCommitmentAndOneWrittenWithoutStillReads) {
  const std::string commitment(64, 'a');
  std::string framed;
  AppendFrame(ClientErasure{"c-1", "2027-02-27", commitment}, framed);
  DecodedFrame with = DecodeFrame(framed);
  ASSERT_EQ(with.outcome, DecodedFrame::kRecord);
  EXPECT_EQ(std::get<ClientErasure>(with.record).commitment, commitment);

  std::string old_form;  // as written before erasures carried a commitment
  AppendFrame(ClientErasure{"c-1", "2027-02-27", ""}, old_form);
  DecodedFrame without = DecodeFrame(old_form);
  ASSERT_EQ(without.outcome, DecodedFrame::kRecord);
  EXPECT_TRUE(std::get<ClientErasure>(without.record).commitment.empty());

  std::string bad;  // a commitment that is no SHA-256 is damage
  AppendFrame(ClientErasure{"c-1", "2027-02-27", "not hex"}, bad);
  EXPECT_EQ(DecodeFrame(bad).outcome, DecodedFrame::kCorrupt);
}

TEST_F(IngestLogTest, ReadReturnsARecordLargerThanItsByteBudgetWhole) {
  auto log = Open(Options());
  const std::string big(100'000, 'b');
  ASSERT_TRUE(AppendNow(*log, Doc("d-big", "c-1", big)).ok());
  ASSERT_TRUE(AppendNow(*log, Doc("d-2", "c-1")).ok());
  auto read = log->Read({}, 1000);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->entries.size(), 1u);
  EXPECT_EQ(std::get<UxpDocument>(read->entries[0].record).payload, Doc("d-big", "c-1", big).payload);
  auto next = log->Read(read->next, 1000);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->entries.size(), 1u);
  EXPECT_EQ(DocIdOf(next->entries[0].record), "d-2");
}

TEST_F(IngestLogTest, WriteTornByACrashIsCutOffOnReopen) {
  {
    auto log = Open(Options());
    ASSERT_TRUE(AppendNow(*log, Doc("d-1", "c-1")).ok());
  }
  auto files = SegmentFiles(Options().dir);
  ASSERT_EQ(files.size(), 1u);
  const auto intact = std::filesystem::file_size(files[0]);
  std::string half;
  AppendFrame(Doc("d-2", "c-1"), half);
  half.resize(half.size() / 2);
  std::ofstream(files[0], std::ios::app | std::ios::binary) << half;

  auto log = Open(Options());
  ASSERT_NE(log, nullptr);
  auto records = ReadAll(*log);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(DocIdOf(records[0]), "d-1");
  EXPECT_EQ(std::filesystem::file_size(files[0]), intact);
  ASSERT_TRUE(AppendNow(*log, Doc("d-3", "c-1")).ok());  // and the log goes on
  EXPECT_EQ(ReadAll(*log).size(), 2u);
}

TEST_F(IngestLogTest, DamageBeforeTheLastSegmentIsAnErrorNamingTheFile) {
  {
    auto log = Open(Options());
    ASSERT_TRUE(AppendNow(*log, Doc("d-1", "c-1")).ok());
    ASSERT_TRUE(AppendNow(*log, ClientErasure{"c-9", "2027-02-27", ""}).ok());  // seals
    ASSERT_TRUE(AppendNow(*log, Doc("d-2", "c-1")).ok());
  }
  auto files = SegmentFiles(Options().dir);
  ASSERT_EQ(files.size(), 2u);
  {
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('#');
  }
  auto log = IngestLog::Open(Options(), Env::Default());
  ASSERT_FALSE(log.ok());
  EXPECT_TRUE(log.status().IsCorruption());
  EXPECT_NE(log.status().message().find(files[0]), std::string::npos) << log.status().ToString();
}

TEST_F(IngestLogTest, FailedSyncAcknowledgesNothingAndTheLogGoesOn) {
  ingest_testing::FailingSyncEnv env;
  {
    auto log = Open(Options(), &env);
    ASSERT_TRUE(AppendNow(*log, Doc("d-1", "c-1")).ok());
    env.failing_syncs = 1;
    auto failed = AppendNow(*log, Doc("d-2", "c-1"));
    EXPECT_FALSE(failed.ok());
    ASSERT_TRUE(AppendNow(*log, Doc("d-3", "c-1")).ok());
  }
  auto log = Open(Options());
  auto records = ReadAll(*log);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(DocIdOf(records[0]), "d-1");
  EXPECT_EQ(DocIdOf(records[1]), "d-3");
}

TEST_F(IngestLogTest, AppendsPastTheSizeLimitAreRefusedUntilSegmentsAreReleased) {
  IngestLogOptions o = Options();
  o.max_bytes = 16 << 20;
  o.segment_bytes = 2 << 20;
  auto log = Open(o);
  const std::string big(900'000, 'x');
  int accepted = 0;
  LogPosition last;
  for (; accepted < 100; ++accepted) {
    auto end = AppendNow(*log, Doc("d-" + std::to_string(accepted), "c-1", big));
    if (!end.ok()) break;
    last = *end;
  }
  EXPECT_GT(accepted, 10);
  EXPECT_LT(accepted, 19);  // 16 MiB of 0.9 MB records
  EXPECT_LE(log->Bytes(), o.max_bytes);
  ASSERT_TRUE(log->Release(last).ok());  // everything sealed is loaded
  EXPECT_LT(log->Bytes(), uint64_t{4} << 20);
  EXPECT_TRUE(AppendNow(*log, Doc("d-more", "c-1", big)).ok());
}

TEST_F(IngestLogTest, ReleaseDeletesSealedSegmentsOnly) {
  auto log = Open(Options());
  ASSERT_TRUE(AppendNow(*log, Doc("d-1", "c-1")).ok());
  auto erased = AppendNow(*log, ClientErasure{"c-1", "2027-02-27", ""});  // seals its segment
  ASSERT_TRUE(erased.ok());
  auto open = AppendNow(*log, Doc("d-2", "c-2"));
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(SegmentFiles(Options().dir).size(), 2u);
  ASSERT_TRUE(log->Release(*open).ok());
  EXPECT_EQ(SegmentFiles(Options().dir).size(), 1u);  // the open one stays
  EXPECT_GT(log->FirstSegment(), erased->segment);
}

TEST_F(IngestLogTest, IdleSegmentIsSealedSoItCanBeReleased) {
  IngestLogOptions o = Options();
  o.seal_after = std::chrono::milliseconds(50);
  auto log = Open(o);
  auto end = AppendNow(*log, Doc("d-1", "c-1"));
  ASSERT_TRUE(end.ok());
  for (int i = 0; i < 200 && !SegmentFiles(o.dir).empty(); ++i) {
    ASSERT_TRUE(log->Release(*end).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(SegmentFiles(o.dir).empty());
}

TEST_F(IngestLogTest, SecondProcessCannotOpenALogInUse) {
  auto log = Open(Options());
  auto second = IngestLog::Open(Options(), Env::Default());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
}

TEST_F(IngestLogTest, SegmentsAreTheOwnersOnly) {
  auto log = Open(Options());
  ASSERT_TRUE(AppendNow(*log, Doc("d-1", "c-1")).ok());
  EXPECT_EQ(testing::FileMode(Options().dir), 0700);
  for (const auto& f : SegmentFiles(Options().dir)) EXPECT_EQ(testing::FileMode(f), 0600);
}

TEST(IngestRecord, DamagedOrTruncatedFramesAreRecognised) {
  std::string frame;
  AppendFrame(Doc("d-1", "c-1"), frame);
  EXPECT_EQ(DecodeFrame(frame).outcome, DecodedFrame::kRecord);
  EXPECT_EQ(DecodeFrame(frame).size, frame.size());
  EXPECT_EQ(DecodeFrame(std::string_view(frame).substr(0, frame.size() - 1)).outcome,
            DecodedFrame::kIncomplete);
  std::string flipped = frame;
  flipped[frame.size() - 3] ^= 1;
  EXPECT_EQ(DecodeFrame(flipped).outcome, DecodedFrame::kCorrupt);
  std::string huge = frame;
  huge[3] = '\x7f';  // a length of about 2 GB
  EXPECT_EQ(DecodeFrame(huge).outcome, DecodedFrame::kCorrupt);
}

}  // namespace
}  // namespace homeport
