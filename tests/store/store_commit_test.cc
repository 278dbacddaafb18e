// Store conformance: committing activations (D2, S5) and wrong-region counters (S1).
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_conformance.h"

namespace homeport {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using testing::StoreTest;

class StoreCommit : public StoreTest {};
HOMEPORT_STORE_CONFORMANCE(StoreCommit);

TEST_P(StoreCommit, FirstActivationStartsTheWarrantyToday) {
  auto d = EnrollBatch("B1", 1)[0];
  // The last millisecond of the UTC day still counts as that day.
  TimePoint now =
      Day1(hours(23)) + std::chrono::minutes(59) + std::chrono::seconds(59) + milliseconds(999);
  ActivationResult r = CommitOne(Act(d.serial, "1.0.0", 1), now);
  EXPECT_EQ(r.outcome, RecordOutcome::kCreated);
  EXPECT_EQ(r.warranty_start, FormatDate(now));
  EXPECT_EQ(r.warranty_start, "2026-11-29");
}

TEST_P(StoreCommit, RepeatKeepsTheOriginalWarrantyStart) {
  auto d = EnrollBatch("B1", 1)[0];
  CommitOne(Act(d.serial), Day1());
  for (int days : {0, 1, 400}) {
    ActivationResult r = CommitOne(Act(d.serial), Day1() + hours(24 * days));
    EXPECT_EQ(r.outcome, RecordOutcome::kRepeated) << days;
    EXPECT_EQ(r.warranty_start, "2026-11-29") << "a repeat " << days << " days later";
  }
  auto rec = Lookup(d.serial, Day1());
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->checkins, 0);
  EXPECT_EQ(rec->last_checkin_day, rec->activated_day) << "a repeat is not a check-in";
}

TEST_P(StoreCommit, ChangedClientVersionIsACheckIn) {
  auto d = EnrollBatch("B1", 1)[0];
  CommitOne(Act(d.serial, "1.0.0", 1), Day1());
  TimePoint later = Day1() + hours(24 * 30);
  ActivationResult r = CommitOne(Act(d.serial, "1.0.1", 1), later);
  EXPECT_EQ(r.outcome, RecordOutcome::kCheckedIn);
  EXPECT_EQ(r.warranty_start, "2026-11-29");

  auto rec = Lookup(d.serial, later);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->client_version, "1.0.1");
  EXPECT_EQ(rec->manifest_version, 1);
  EXPECT_EQ(rec->checkins, 1);
  EXPECT_EQ(rec->activated_day, "2026-11-29");
  EXPECT_EQ(rec->last_checkin_day, "2026-12-29");
  EXPECT_EQ(rec->warranty_start, "2026-11-29");

  // The new versions reported again: nothing changed any more.
  EXPECT_EQ(CommitOne(Act(d.serial, "1.0.1", 1), later + hours(1)).outcome,
            RecordOutcome::kRepeated);
  EXPECT_EQ(Lookup(d.serial, later)->checkins, 1);
}

TEST_P(StoreCommit, ChangedManifestVersionIsACheckIn) {
  auto d = EnrollBatch("B1", 1)[0];
  CommitOne(Act(d.serial, "1.0.0", 1), Day1());
  ActivationResult r = CommitOne(Act(d.serial, "1.0.0", 2), Day1(hours(48)));
  EXPECT_EQ(r.outcome, RecordOutcome::kCheckedIn);
  EXPECT_EQ(r.warranty_start, "2026-11-29");
  EXPECT_EQ(Lookup(d.serial, Day1())->manifest_version, 2);
  // Going back is refused: devices never install an older manifest, so a request with one is
  // a replay of an earlier request, and the rollout report must keep showing the fix.
  ActivationResult back = CommitOne(Act(d.serial, "1.0.0", 1), Day1(hours(72)));
  EXPECT_EQ(back.outcome, RecordOutcome::kStale);
  EXPECT_EQ(back.recorded_manifest_version, 2);
  EXPECT_EQ(Lookup(d.serial, Day1())->manifest_version, 2);
  EXPECT_EQ(Lookup(d.serial, Day1())->checkins, 1);
}

TEST_P(StoreCommit, AServedRollbackManifestMayReportALowerVersionWithANewSequence) {
  auto d = EnrollBatch("B1", 1)[0];
  CommitOne(Act(d.serial, "1.0.0", 1, 1), Day1());
  CommitOne(Act(d.serial, "1.0.0", 3, 2), Day1(hours(24)));
  Activation back = Act(d.serial, "1.0.0", 2, 3);
  back.rollback = true;  // version 2 is served as an explicit rollback
  ActivationResult r = CommitOne(back, Day1(hours(48)));
  EXPECT_EQ(r.outcome, RecordOutcome::kCheckedIn);
  EXPECT_EQ(Lookup(d.serial, Day1())->manifest_version, 2);
  // Still no replay: the same request again, or one under an old sequence, changes nothing.
  EXPECT_EQ(CommitOne(back, Day1(hours(72))).outcome, RecordOutcome::kRepeated);
  Activation replayed = Act(d.serial, "1.0.1", 2, 2);
  replayed.rollback = true;
  EXPECT_EQ(CommitOne(replayed, Day1(hours(72))).outcome, RecordOutcome::kStale);
  EXPECT_EQ(Lookup(d.serial, Day1())->client_version, "1.0.0");
}

TEST_P(StoreCommit, ReplayedEarlierRequestAfterACheckInChangesNothing) {
  auto d = EnrollBatch("B1", 1)[0];
  const Activation earlier = Act(d.serial, "1.0.0", 1, 1);
  ASSERT_EQ(CommitOne(earlier, Day1()).outcome, RecordOutcome::kCreated);
  ASSERT_EQ(CommitOne(Act(d.serial, "1.0.1", 1, 2), Day1(hours(24))).outcome,
            RecordOutcome::kCheckedIn);

  ActivationResult replay = CommitOne(earlier, Day1(hours(48)));
  EXPECT_EQ(replay.outcome, RecordOutcome::kStale);
  EXPECT_EQ(replay.recorded_sequence, 2);
  EXPECT_EQ(replay.warranty_start, "2026-11-29");
  // Another request under an already used sequence is refused the same way.
  EXPECT_EQ(CommitOne(Act(d.serial, "1.0.2", 1, 2), Day1(hours(48))).outcome,
            RecordOutcome::kStale);

  auto rec = Lookup(d.serial, Day1(hours(48)));
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->client_version, "1.0.1");
  EXPECT_EQ(rec->sequence, 2);
  EXPECT_EQ(rec->checkins, 1);
  EXPECT_EQ(rec->last_checkin_day, "2026-11-30");

  // The device's next real contact goes through.
  EXPECT_EQ(CommitOne(Act(d.serial, "1.0.2", 2, 3), Day1(hours(72))).outcome,
            RecordOutcome::kCheckedIn);
  EXPECT_EQ(Lookup(d.serial, Day1(hours(72)))->sequence, 3);
}

TEST_P(StoreCommit, RepeatOfTheRecordedVersionsNeedsNoNewSequence) {
  auto d = EnrollBatch("B1", 1)[0];
  CommitOne(Act(d.serial, "1.0.0", 1, 5), Day1());
  // A retried request, or a device whose counter went with a state wipe: answered, unchanged.
  ActivationResult r = CommitOne(Act(d.serial, "1.0.0", 1, 5), Day1(hours(1)));
  EXPECT_EQ(r.outcome, RecordOutcome::kRepeated);
  EXPECT_EQ(CommitOne(Act(d.serial, "1.0.0", 1, 1), Day1(hours(2))).outcome,
            RecordOutcome::kRepeated);
  EXPECT_EQ(Lookup(d.serial, Day1())->sequence, 5);
}

TEST_P(StoreCommit, SameSerialTwiceInOneBatch) {
  auto devices = EnrollBatch("B1", 2);
  auto results = CommitAll({Act(devices[0].serial, "1.0.0", 1), Act(devices[0].serial, "1.0.0", 1),
                            Act(devices[1].serial, "1.0.0", 1), Act(devices[1].serial, "2.0.0", 1)},
                           Day1());
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].outcome, RecordOutcome::kCreated);
  EXPECT_EQ(results[1].outcome, RecordOutcome::kRepeated);
  EXPECT_EQ(results[2].outcome, RecordOutcome::kCreated);
  EXPECT_EQ(results[3].outcome, RecordOutcome::kCheckedIn);
  for (const auto& r : results) EXPECT_EQ(r.warranty_start, "2026-11-29");
  EXPECT_EQ(Lookup(devices[1].serial, Day1())->client_version, "2.0.0");
}

TEST_P(StoreCommit, ResultsComeInBatchOrder) {
  auto devices = EnrollBatch("B1", 3);
  CommitOne(Act(devices[1].serial), Day1());
  CommitOne(Act(devices[2].serial), Day1());
  auto results = CommitAll(
      {Act(devices[2].serial, "9.9.9", 1), Act(devices[0].serial), Act(devices[1].serial)},
      Day1(hours(24)));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].outcome, RecordOutcome::kCheckedIn);
  EXPECT_EQ(results[0].warranty_start, "2026-11-29");
  EXPECT_EQ(results[1].outcome, RecordOutcome::kCreated);
  EXPECT_EQ(results[1].warranty_start, "2026-11-30");
  EXPECT_EQ(results[2].outcome, RecordOutcome::kRepeated);
  EXPECT_EQ(results[2].warranty_start, "2026-11-29");
}

TEST_P(StoreCommit, UnknownSerialFailsTheWholeBatch) {
  auto devices = EnrollBatch("B1", 2);
  WriteBatch batch;
  batch.activations = {Act(devices[0].serial), Act("NOT-ENROLLED-1"), Act(devices[1].serial)};
  batch.wrong_region = {{"cn", "china"}};
  auto r = store_->Commit(batch, Day1());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("NOT-ENROLLED-1"), std::string::npos) << r.status().message();

  // Nothing of the batch was committed.
  EXPECT_FALSE(Lookup(devices[0].serial, Day1()).has_value());
  EXPECT_FALSE(Lookup(devices[1].serial, Day1()).has_value());
  EXPECT_TRUE(store_->WrongRegionCounts()->empty());
  EXPECT_TRUE(store_->Rollout(std::nullopt)->versions.empty());
  // The devices still activate for the first time afterwards, on their own day.
  EXPECT_EQ(CommitOne(Act(devices[0].serial), Day1(hours(48))).outcome,
            RecordOutcome::kCreated);
  EXPECT_EQ(Lookup(devices[0].serial, Day1())->warranty_start, "2026-12-01");
}

TEST_P(StoreCommit, FailedBatchLeavesEarlierCommitsAlone) {
  auto devices = EnrollBatch("B1", 1);
  CommitOne(Act(devices[0].serial, "1.0.0", 1), Day1());
  WriteBatch batch;
  batch.activations = {Act(devices[0].serial, "2.0.0", 2), Act("UNKNOWN")};
  ASSERT_FALSE(store_->Commit(batch, Day1(hours(24))).ok());
  auto rec = Lookup(devices[0].serial, Day1());
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->client_version, "1.0.0") << "the rolled-back check-in must not show";
  EXPECT_EQ(rec->checkins, 0);
}

TEST_P(StoreCommit, EmptyBatchCommits) {
  auto r = store_->Commit(WriteBatch{}, Day1());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->activations.empty());
}

TEST_P(StoreCommit, WrongRegionCountsAccumulatePerRegionAndVariant) {
  WriteBatch first;
  first.wrong_region = {{"cn", "china"}, {"eu", "global"}, {"cn", "china"}, {"cn", "global"}};
  auto r1 = store_->Commit(first, Day1());
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_TRUE(r1->activations.empty());
  WriteBatch second;
  second.wrong_region = {{"cn", "china"}};
  ASSERT_TRUE(store_->Commit(second, Day1(hours(1))).ok());

  auto counts = store_->WrongRegionCounts();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->size(), 3u);
  EXPECT_EQ((*counts)[0].claimed_region, "cn");
  EXPECT_EQ((*counts)[0].variant, "china");
  EXPECT_EQ((*counts)[0].attempts, 3);
  EXPECT_EQ((*counts)[1].claimed_region, "cn");
  EXPECT_EQ((*counts)[1].variant, "global");
  EXPECT_EQ((*counts)[1].attempts, 1);
  EXPECT_EQ((*counts)[2].claimed_region, "eu");
  EXPECT_EQ((*counts)[2].variant, "global");
  EXPECT_EQ((*counts)[2].attempts, 1);
}

TEST_P(StoreCommit, WrongRegionAggregatesAddTheirAttempts) {
  WriteBatch first;
  first.wrong_region = {{"cn", "china", 1000}, {"_other", "_other", 42}};
  ASSERT_TRUE(store_->Commit(first, Day1()).ok());
  WriteBatch second;
  second.wrong_region = {{"cn", "china", 7}, {"cn", "china"}};
  ASSERT_TRUE(store_->Commit(second, Day1(hours(1))).ok());
  auto counts = store_->WrongRegionCounts();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0].claimed_region, "_other");
  EXPECT_EQ((*counts)[0].attempts, 42);
  EXPECT_EQ((*counts)[1].claimed_region, "cn");
  EXPECT_EQ((*counts)[1].attempts, 1008);
}

TEST_P(StoreCommit, WrongRegionAttemptsStoreNoDevice) {
  WriteBatch batch;
  batch.wrong_region = {{"cn", "china"}};
  ASSERT_TRUE(store_->Commit(batch, Day1()).ok());
  auto report = store_->Rollout(std::nullopt);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->batches.empty());
  EXPECT_TRUE(report->versions.empty());
}

TEST_P(StoreCommit, ActivationsAndWrongRegionInOneBatch) {
  auto d = EnrollBatch("B1", 1)[0];
  WriteBatch batch;
  batch.activations = {Act(d.serial)};
  batch.wrong_region = {{"cn", "china"}};
  auto r = store_->Commit(batch, Day1());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->activations.size(), 1u);
  EXPECT_EQ(r->activations[0].outcome, RecordOutcome::kCreated);
  EXPECT_EQ(store_->WrongRegionCounts()->size(), 1u);
}

TEST_P(StoreCommit, ManyActivationsInOneBatch) {
  auto devices = EnrollBatch("B1", 500);
  std::vector<Activation> acts;
  for (const auto& d : devices) acts.push_back(Act(d.serial));
  auto results = CommitAll(acts, Day1());
  ASSERT_EQ(results.size(), 500u);
  for (const auto& r : results) EXPECT_EQ(r.outcome, RecordOutcome::kCreated);
  auto report = store_->Rollout(std::nullopt);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->batches.size(), 1u);
  EXPECT_EQ(report->batches[0].activated, 500);
}

}  // namespace
}  // namespace homeport
