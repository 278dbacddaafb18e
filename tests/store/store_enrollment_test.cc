// Store conformance: opening and migrations, enrollment import, durability across restarts.
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_conformance.h"

namespace homeport {
namespace {

using testing::StoreTest;

class StoreOpen : public StoreTest {};
class StoreEnrollment : public StoreTest {};
HOMEPORT_STORE_CONFORMANCE(StoreOpen);
HOMEPORT_STORE_CONFORMANCE(StoreEnrollment);

TEST_P(StoreOpen, MigrationsAreIdempotent) {
  auto devices = EnrollBatch("B1", 2);
  Reopen();
  Reopen();
  auto found = store_->FindEnrollment(devices[0].serial);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, devices[0]);
}

TEST_P(StoreOpen, TwoStoresOnOneUrlShareData) {
  // The CLI and a running server open the same store.
  auto second = Open();
  ASSERT_NE(second, nullptr);
  auto devices = EnrollBatch("B1", 1);
  auto found = second->FindEnrollment(devices[0].serial);
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->has_value());
}

TEST_P(StoreOpen, DataSurvivesClosingAndReopening) {
  auto devices = EnrollBatch("B1", 3);
  CommitOne(Act(devices[0].serial, "1.0.0", 1), Day1());
  CommitOne(Act(devices[1].serial, "1.0.0", 1), Day1());
  CommitOne(Act(devices[1].serial, "1.1.0", 2), Day1(std::chrono::hours(30)));
  WriteBatch wrong;
  wrong.wrong_region = {{"cn", "china"}};
  ASSERT_TRUE(store_->Commit(wrong, Day1()).ok());
  ASSERT_TRUE(Lookup(devices[0].serial, Day1()).has_value());

  Reopen();

  for (const auto& d : devices) {
    auto found = store_->FindEnrollment(d.serial);
    ASSERT_TRUE(found.ok() && found->has_value()) << d.serial;
    EXPECT_EQ(**found, d);
  }
  // The first activation's date survives a restart: a repeat still gets it.
  ActivationResult again =
      CommitOne(Act(devices[0].serial, "1.0.0", 1), Day1(std::chrono::hours(100)));
  EXPECT_EQ(again.outcome, RecordOutcome::kRepeated);
  EXPECT_EQ(again.warranty_start, "2026-11-29");
  auto rec = Lookup(devices[1].serial, Day1());
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->client_version, "1.1.0");
  EXPECT_EQ(rec->checkins, 1);
  auto counts = store_->WrongRegionCounts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].attempts, 1);
  auto log = AccessLogEntries();
  EXPECT_EQ(log.size(), 2u);
  EXPECT_TRUE(VerifyAccessLogChain(log).ok());
}

TEST(StoreOpenUrl, RefusesUnknownOrIncompleteUrls) {
  for (const char* url : {"", "mysql://localhost/homeport", "sqlite", "sqlite:", "/tmp/x.db"}) {
    auto s = Store::Open(url);
    ASSERT_FALSE(s.ok()) << url;
    EXPECT_TRUE(s.status().IsInvalidArgument()) << url << ": " << s.status().ToString();
  }
}

TEST_P(StoreEnrollment, FindsEnrolledRecord) {
  auto devices = EnrollBatch("B1", 3);
  for (const auto& d : devices) {
    auto found = store_->FindEnrollment(d.serial);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    ASSERT_TRUE(found->has_value()) << d.serial;
    EXPECT_EQ(**found, d);
  }
}

TEST_P(StoreEnrollment, UnknownSerialIsNotFoundNotAnError) {
  EnrollBatch("B1", 1);
  for (const char* serial : {"B1-000002", "", "b1-000001", "B1-000001 ", "' OR 1=1 --"}) {
    auto found = store_->FindEnrollment(serial);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_FALSE(found->has_value()) << serial;
  }
}

TEST_P(StoreEnrollment, EmptyImportIsFine) { EXPECT_TRUE(store_->Enroll({}).ok()); }

TEST_P(StoreEnrollment, ReEnrollingTheIdenticalRecordIsANoOp) {
  auto devices = EnrollBatch("B1", 3);
  Status again = store_->Enroll(devices);
  EXPECT_TRUE(again.ok()) << again.ToString();
  // Mixed with new records: the known ones are skipped, the new ones added.
  std::vector<EnrollmentRecord> mixed = devices;
  mixed.push_back(StoreTest::Device("B1", 4));
  ASSERT_TRUE(store_->Enroll(mixed).ok());
  auto report = store_->Rollout(std::string("B1"));
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->batches.size(), 1u);
  EXPECT_EQ(report->batches[0].enrolled, 4);
}

TEST_P(StoreEnrollment, ConflictingRecordAbortsTheWholeImport) {
  auto existing = EnrollBatch("B1", 1)[0];
  EnrollmentRecord conflicting = existing;
  conflicting.device_key = crypto::SecretKey::Generate().Public();  // same serial, other key
  std::vector<EnrollmentRecord> import = {StoreTest::Device("B2", 1), StoreTest::Device("B2", 2),
                                          conflicting, StoreTest::Device("B2", 3)};
  Status st = store_->Enroll(import);
  ASSERT_TRUE(st.IsAlreadyExists()) << st.ToString();
  EXPECT_NE(st.message().find(existing.serial), std::string::npos) << st.message();

  for (const auto& r : import) {
    auto found = store_->FindEnrollment(r.serial);
    ASSERT_TRUE(found.ok());
    if (r.serial == existing.serial) {
      ASSERT_TRUE(found->has_value());
      EXPECT_EQ(**found, existing) << "the enrolled record is not replaced";
    } else {
      EXPECT_FALSE(found->has_value()) << r.serial << " was stored from a failed import";
    }
  }
}

TEST_P(StoreEnrollment, AnyFieldDifferenceIsAConflict) {
  auto existing = EnrollBatch("B1", 1)[0];
  std::vector<std::function<void(EnrollmentRecord&)>> changes = {
      [](EnrollmentRecord& r) { r.model = "HP8"; },
      [](EnrollmentRecord& r) { r.sku = "X"; },
      [](EnrollmentRecord& r) { r.variant = "china"; },
      [](EnrollmentRecord& r) { r.region = "cn"; },
      [](EnrollmentRecord& r) { r.batch = "B9"; },
  };
  for (auto& change : changes) {
    EnrollmentRecord r = existing;
    change(r);
    EXPECT_TRUE(store_->Enroll({r}).IsAlreadyExists());
  }
  auto found = store_->FindEnrollment(existing.serial);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(**found, existing);
}

TEST_P(StoreEnrollment, ConflictWithinOneImportAbortsIt) {
  EnrollmentRecord a = StoreTest::Device("B1", 1);
  EnrollmentRecord a2 = a;
  a2.device_key = crypto::SecretKey::Generate().Public();
  EnrollmentRecord b = StoreTest::Device("B1", 2);
  EXPECT_TRUE(store_->Enroll({a, b, a2}).IsAlreadyExists());
  EXPECT_FALSE(store_->FindEnrollment(a.serial)->has_value());
  EXPECT_FALSE(store_->FindEnrollment(b.serial)->has_value());
  // An identical duplicate within one import is fine.
  EXPECT_TRUE(store_->Enroll({a, b, a}).ok());
  EXPECT_TRUE(store_->FindEnrollment(a.serial)->has_value());
}

TEST_P(StoreEnrollment, LargeImport) {
  auto devices = EnrollBatch("BIG", 2000);
  for (int i : {0, 999, 1999}) {
    auto found = store_->FindEnrollment(devices[i].serial);
    ASSERT_TRUE(found.ok() && found->has_value());
    EXPECT_EQ(**found, devices[i]);
  }
}

}  // namespace
}  // namespace homeport
