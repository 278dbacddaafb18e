// Store conformance: warranty lookups and their hash-chained access log (S7), and the rollout
// report operators use to follow a fix.
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_conformance.h"

namespace homeport {
namespace {

using std::chrono::hours;
using testing::StoreTest;

class StoreAccessLog : public StoreTest {};
class StoreRollout : public StoreTest {};
HOMEPORT_STORE_CONFORMANCE(StoreAccessLog);
HOMEPORT_STORE_CONFORMANCE(StoreRollout);

TEST_P(StoreAccessLog, LookupReturnsTheActivationRecord) {
  auto d = EnrollBatch("B1", 1)[0];
  CommitOne(Act(d.serial, "1.2.3", 4), Day1());
  auto rec = Lookup(d.serial, Day1(hours(30)));
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->device, d);
  EXPECT_EQ(rec->warranty_start, "2026-11-29");
  EXPECT_EQ(rec->activated_day, "2026-11-29");
  EXPECT_EQ(rec->client_version, "1.2.3");
  EXPECT_EQ(rec->manifest_version, 4);
  EXPECT_EQ(rec->last_checkin_day, rec->activated_day);
  EXPECT_EQ(rec->checkins, 0);
}

TEST_P(StoreAccessLog, LookupAppendsAnAccessLogEntry) {
  auto d = EnrollBatch("B1", 1)[0];
  CommitOne(Act(d.serial), Day1());
  ASSERT_TRUE(AccessLogEntries().empty()) << "activations are not operator reads";
  TimePoint when = Day1(hours(10));
  Lookup(d.serial, when, "admin-token:ops1");
  auto log = AccessLogEntries();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].seq, 1);
  EXPECT_EQ(log[0].at, FormatRfc3339(when));
  EXPECT_EQ(log[0].actor, "admin-token:ops1");
  EXPECT_EQ(log[0].action, "warranty.lookup");
  EXPECT_EQ(log[0].subject, d.serial);
  EXPECT_EQ(log[0].prev_hash, std::string(64, '0'));
  EXPECT_EQ(log[0].hash, AccessLogEntryHash(log[0]));
}

TEST_P(StoreAccessLog, LookupOfUnknownSerialIsLoggedToo) {
  auto rec = Lookup("NO-SUCH-SERIAL", Day1(), "cli:alice");
  EXPECT_FALSE(rec.has_value());
  auto log = AccessLogEntries();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].subject, "NO-SUCH-SERIAL");
  EXPECT_EQ(log[0].actor, "cli:alice");
}

TEST_P(StoreAccessLog, EnrolledButNeverActivatedHasNoWarranty) {
  auto d = EnrollBatch("B1", 1)[0];
  EXPECT_FALSE(Lookup(d.serial, Day1()).has_value());
  EXPECT_EQ(AccessLogEntries().size(), 1u);
}

TEST_P(StoreAccessLog, EntriesFormAVerifiableChain) {
  auto devices = EnrollBatch("B1", 3);
  for (int i = 0; i < 5; ++i) {
    Lookup(devices[i % 3].serial, Day1(hours(i)), "cli:user" + std::to_string(i));
  }
  auto log = AccessLogEntries();
  ASSERT_EQ(log.size(), 5u);
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ(log[i].hash, AccessLogEntryHash(log[i]));
    if (i > 0) {
      EXPECT_EQ(log[i].prev_hash, log[i - 1].hash);
    }
  }
  Status st = VerifyAccessLogChain(log);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST_P(StoreAccessLog, ChainContinuesAcrossReopen) {
  Lookup("S1", Day1());
  Reopen();
  Lookup("S2", Day1(hours(1)));
  auto log = AccessLogEntries();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_TRUE(VerifyAccessLogChain(log).ok());
}

TEST_P(StoreAccessLog, VerifyDetectsAlteredEntries) {
  for (int i = 0; i < 4; ++i) Lookup("S" + std::to_string(i), Day1(hours(i)));
  const auto log = AccessLogEntries();
  ASSERT_TRUE(VerifyAccessLogChain(log).ok());

  struct Tamper {
    const char* what;
    void (*apply)(std::vector<AccessLogEntry>&);
  };
  const Tamper tampers[] = {
      {"subject changed", [](auto& l) { l[1].subject = "SOMEONE-ELSE"; }},
      {"actor changed", [](auto& l) { l[1].actor = "cli:nobody"; }},
      {"time changed", [](auto& l) { l[1].at = "2020-01-01T00:00:00.000Z"; }},
      {"action changed", [](auto& l) { l[1].action = "noop"; }},
      {"entry removed", [](auto& l) { l.erase(l.begin() + 1); }},
      {"first entry removed", [](auto& l) { l.erase(l.begin()); }},
      {"entries swapped", [](auto& l) { std::swap(l[1], l[2]); }},
      {"last hash changed", [](auto& l) { l[3].hash[0] = l[3].hash[0] == 'a' ? 'b' : 'a'; }},
      {"entry rewritten with a fresh hash",
       [](auto& l) {
         l[1].subject = "SOMEONE-ELSE";
         l[1].hash = AccessLogEntryHash(l[1]);
       }},
  };
  for (const Tamper& t : tampers) {
    std::vector<AccessLogEntry> copy = log;
    t.apply(copy);
    Status st = VerifyAccessLogChain(copy);
    EXPECT_TRUE(st.IsCorruption()) << t.what << ": " << st.ToString();
  }
  std::vector<AccessLogEntry> copy = log;
  copy[2].subject = "X";
  EXPECT_NE(VerifyAccessLogChain(copy).message().find("3"), std::string::npos)
      << "the message names the altered entry";
}

TEST_P(StoreAccessLog, EmptyLogVerifies) { EXPECT_TRUE(VerifyAccessLogChain(AccessLogEntries()).ok()); }

TEST_P(StoreRollout, GroupsPerBatchAndVersionPair) {
  auto b1 = EnrollBatch("B1", 4);
  auto b2 = EnrollBatch("B2", 2);
  EnrollBatch("B3", 1);  // enrolled, nothing activated
  CommitAll({Act(b1[0].serial, "1.0.0", 1), Act(b1[1].serial, "1.0.0", 1),
             Act(b1[2].serial, "1.1.0", 2), Act(b2[0].serial, "1.0.0", 1)},
            Day1());

  auto report = store_->Rollout(std::nullopt);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->batches.size(), 3u);
  EXPECT_EQ(report->batches[0].batch, "B1");
  EXPECT_EQ(report->batches[0].enrolled, 4);
  EXPECT_EQ(report->batches[0].activated, 3);
  EXPECT_EQ(report->batches[1].batch, "B2");
  EXPECT_EQ(report->batches[1].enrolled, 2);
  EXPECT_EQ(report->batches[1].activated, 1);
  EXPECT_EQ(report->batches[2].batch, "B3");
  EXPECT_EQ(report->batches[2].enrolled, 1);
  EXPECT_EQ(report->batches[2].activated, 0);

  ASSERT_EQ(report->versions.size(), 3u);
  auto expect_row = [&](size_t i, const char* batch, int64_t manifest, const char* client,
                        int64_t devices) {
    SCOPED_TRACE(i);
    EXPECT_EQ(report->versions[i].batch, batch);
    EXPECT_EQ(report->versions[i].manifest_version, manifest);
    EXPECT_EQ(report->versions[i].client_version, client);
    EXPECT_EQ(report->versions[i].devices, devices);
  };
  expect_row(0, "B1", 1, "1.0.0", 2);
  expect_row(1, "B1", 2, "1.1.0", 1);
  expect_row(2, "B2", 1, "1.0.0", 1);
}

TEST_P(StoreRollout, CheckInsMoveDevicesBetweenRows) {
  auto b1 = EnrollBatch("B1", 2);
  CommitAll({Act(b1[0].serial, "1.0.0", 1), Act(b1[1].serial, "1.0.0", 1)}, Day1());
  CommitOne(Act(b1[0].serial, "1.0.1", 2), Day1(hours(24)));  // the fix reached one device
  auto report = store_->Rollout(std::nullopt);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->versions.size(), 2u);
  EXPECT_EQ(report->versions[0].manifest_version, 1);
  EXPECT_EQ(report->versions[0].devices, 1);
  EXPECT_EQ(report->versions[1].manifest_version, 2);
  EXPECT_EQ(report->versions[1].client_version, "1.0.1");
  EXPECT_EQ(report->versions[1].devices, 1);
}

TEST_P(StoreRollout, OrdersManifestVersionsNumerically) {
  auto b1 = EnrollBatch("B1", 2);
  CommitAll({Act(b1[0].serial, "1.0.0", 10), Act(b1[1].serial, "1.0.0", 2)}, Day1());
  auto report = store_->Rollout(std::nullopt);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->versions.size(), 2u);
  EXPECT_EQ(report->versions[0].manifest_version, 2);
  EXPECT_EQ(report->versions[1].manifest_version, 10);
}

TEST_P(StoreRollout, BatchFilterShowsOnlyThatBatch) {
  auto b1 = EnrollBatch("B1", 2);
  auto b2 = EnrollBatch("B2", 3);
  CommitAll({Act(b1[0].serial), Act(b2[0].serial, "2.0.0", 3), Act(b2[1].serial, "2.0.0", 3)},
            Day1());

  auto report = store_->Rollout(std::string("B2"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->batches.size(), 1u);
  EXPECT_EQ(report->batches[0].batch, "B2");
  EXPECT_EQ(report->batches[0].enrolled, 3);
  EXPECT_EQ(report->batches[0].activated, 2);
  ASSERT_EQ(report->versions.size(), 1u);
  EXPECT_EQ(report->versions[0].batch, "B2");
  EXPECT_EQ(report->versions[0].client_version, "2.0.0");
  EXPECT_EQ(report->versions[0].manifest_version, 3);
  EXPECT_EQ(report->versions[0].devices, 2);

  auto none = store_->Rollout(std::string("B9"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->batches.empty());
  EXPECT_TRUE(none->versions.empty());
}

TEST_P(StoreRollout, RolloutIsNotALoggedRead) {
  EnrollBatch("B1", 1);
  ASSERT_TRUE(store_->Rollout(std::nullopt).ok());
  EXPECT_TRUE(AccessLogEntries().empty()) << "aggregates hold no personal data";
}

}  // namespace
}  // namespace homeport
