// Store conformance: device lifecycle — revocation refuses a device's activations and
// check-ins and keeps its history, reinstatement lifts it, a reset starts a new warranty
// period and keeps the old one; the rollout counts revoked devices apart.
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_conformance.h"

namespace homeport {
namespace {

using std::chrono::hours;
using testing::StoreTest;

class StoreLifecycle : public StoreTest {
 protected:
  int64_t Revoke(const DeviceSelection& which, TimePoint now = Day1()) {
    auto n = store_->Revoke(which, "stolen", "cli:ops", now);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }
  int64_t Reinstate(const DeviceSelection& which) {
    auto n = store_->Reinstate(which, "found", "cli:ops", Day1());
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }
};
HOMEPORT_STORE_CONFORMANCE(StoreLifecycle);

TEST_P(StoreLifecycle, ARevokedDeviceIsRefusedAndItsRecordKept) {
  auto d = EnrollBatch("B1", 1)[0];
  ASSERT_EQ(CommitOne(Act(d.serial, "1.0.0", 1), Day1()).outcome, RecordOutcome::kCreated);
  EXPECT_EQ(Revoke(DeviceSelection::Serial(d.serial), Day1(hours(24))), 1);

  // A check-in with new versions and a higher sequence changes nothing.
  EXPECT_EQ(CommitOne(Act(d.serial, "1.0.1", 2), Day1(hours(48))).outcome,
            RecordOutcome::kRevoked);
  auto rec = Lookup(d.serial, Day1(hours(49)));
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->client_version, "1.0.0");
  EXPECT_EQ(rec->manifest_version, 1);
  EXPECT_EQ(rec->warranty_start, "2026-11-29");
  ASSERT_TRUE(rec->revocation.has_value());
  EXPECT_EQ(rec->revocation->reason, "stolen");
  EXPECT_EQ(rec->revocation->day, "2026-11-30");
}

TEST_P(StoreLifecycle, ARevokedDeviceNeverActivatedCannotActivate) {
  auto d = EnrollBatch("B1", 1)[0];
  EXPECT_EQ(Revoke(DeviceSelection::Serial(d.serial)), 1);
  EXPECT_EQ(CommitOne(Act(d.serial), Day1()).outcome, RecordOutcome::kRevoked);
  EXPECT_FALSE(Lookup(d.serial, Day1()).has_value());
}

TEST_P(StoreLifecycle, ReinstatementLiftsTheRevocation) {
  auto d = EnrollBatch("B1", 1)[0];
  CommitOne(Act(d.serial, "1.0.0", 1), Day1());
  Revoke(DeviceSelection::Serial(d.serial));
  EXPECT_EQ(Revoke(DeviceSelection::Serial(d.serial)), 0) << "already revoked";
  EXPECT_EQ(Reinstate(DeviceSelection::Serial(d.serial)), 1);
  EXPECT_EQ(Reinstate(DeviceSelection::Serial(d.serial)), 0) << "not revoked any more";
  EXPECT_EQ(CommitOne(Act(d.serial, "1.0.1", 2), Day1(hours(24))).outcome,
            RecordOutcome::kCheckedIn);
  auto rec = Lookup(d.serial, Day1(hours(25)));
  ASSERT_TRUE(rec.has_value());
  EXPECT_FALSE(rec->revocation.has_value());
}

TEST_P(StoreLifecycle, ABatchIsRevokedWholeAndCountedApartInTheRollout) {
  auto b1 = EnrollBatch("B1", 4);
  EnrollBatch("B2", 2);
  for (int i = 0; i < 3; ++i) CommitOne(Act(b1[i].serial, "1.0.0", 1), Day1());
  EXPECT_EQ(Revoke(DeviceSelection::Serial(b1[0].serial)), 1);
  auto rollout = store_->Rollout(std::nullopt);
  ASSERT_TRUE(rollout.ok());
  ASSERT_EQ(rollout->batches.size(), 2u);
  EXPECT_EQ(rollout->batches[0].enrolled, 4);
  EXPECT_EQ(rollout->batches[0].activated, 2) << "the revoked device is not counted as active";
  EXPECT_EQ(rollout->batches[0].revoked, 1);
  ASSERT_EQ(rollout->versions.size(), 1u);
  EXPECT_EQ(rollout->versions[0].devices, 2);

  EXPECT_EQ(Revoke(DeviceSelection::Batch("B1")), 3) << "one was revoked already";
  rollout = store_->Rollout(std::string("B1"));
  ASSERT_TRUE(rollout.ok());
  EXPECT_EQ(rollout->batches[0].revoked, 4);
  EXPECT_EQ(rollout->batches[0].activated, 0);
  EXPECT_TRUE(rollout->versions.empty());
  EXPECT_EQ(Reinstate(DeviceSelection::Batch("B1")), 4);
}

TEST_P(StoreLifecycle, UnknownSerialsAndBatchesAreNotFound) {
  EnrollBatch("B1", 1);
  EXPECT_TRUE(store_->Revoke(DeviceSelection::Serial("NOPE"), "x", "cli:ops", Day1())
                  .status()
                  .IsNotFound());
  EXPECT_TRUE(store_->Revoke(DeviceSelection::Batch("B9"), "x", "cli:ops", Day1())
                  .status()
                  .IsNotFound());
  EXPECT_TRUE(store_->Reinstate(DeviceSelection::Batch("B9"), "x", "cli:ops", Day1())
                  .status()
                  .IsNotFound());
  EXPECT_TRUE(store_->ResetDevice("NOPE", "refurbished", "cli:ops", Day1()).status().IsNotFound());
}

TEST_P(StoreLifecycle, AResetStartsANewWarrantyPeriodAndKeepsTheOld) {
  auto d = EnrollBatch("B1", 1)[0];
  CommitOne(Act(d.serial, "1.0.0", 1), Day1());
  auto ended = store_->ResetDevice(d.serial, "refurbished", "cli:ops", Day1(hours(24 * 30)));
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  EXPECT_EQ(ended->warranty_start, "2026-11-29");
  EXPECT_EQ(ended->ended_day, "2026-12-29");
  EXPECT_FALSE(Lookup(d.serial, Day1(hours(24 * 30))).has_value()) << "no current period";

  // The next activation is a first one again, on its own day.
  auto again = CommitOne(Act(d.serial, "2.0.0", 3), Day1(hours(24 * 40)));
  EXPECT_EQ(again.outcome, RecordOutcome::kCreated);
  EXPECT_EQ(again.warranty_start, "2027-01-08");
  auto rec = Lookup(d.serial, Day1(hours(24 * 41)));
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->warranty_start, "2027-01-08");
  ASSERT_EQ(rec->earlier.size(), 1u);
  EXPECT_EQ(rec->earlier[0].warranty_start, "2026-11-29");
  EXPECT_EQ(rec->earlier[0].ended_day, "2026-12-29");
  EXPECT_EQ(rec->earlier[0].reason, "refurbished");
  EXPECT_EQ(rec->earlier[0].client_version, "1.0.0");

  // Twice in a day is two periods, kept in order.
  ASSERT_TRUE(store_->ResetDevice(d.serial, "returned", "cli:ops", Day1(hours(24 * 41))).ok());
  CommitOne(Act(d.serial, "2.0.1", 4), Day1(hours(24 * 41)));
  rec = Lookup(d.serial, Day1(hours(24 * 42)));
  ASSERT_TRUE(rec.has_value());
  ASSERT_EQ(rec->earlier.size(), 2u);
  EXPECT_EQ(rec->earlier[1].reason, "returned");
}

TEST_P(StoreLifecycle, ResettingADeviceWithoutActivationIsRefused) {
  auto d = EnrollBatch("B1", 1)[0];
  EXPECT_TRUE(store_->ResetDevice(d.serial, "repaired", "cli:ops", Day1()).status().IsInvalidArgument());
}

}  // namespace
}  // namespace homeport
