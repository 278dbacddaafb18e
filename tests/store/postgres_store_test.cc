// What only the PostgreSQL backend has to show: a database that is down or comes back, and
// several servers starting on one database at once. Everything else is in the conformance
// suite, which runs on both backends.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store.h"
#include "store_conformance.h"
#include "testing/postgres_test_db.h"
#include "testing/tcp_proxy.h"

namespace homeport {
namespace {

using testing::FreshPostgresUrl;
using testing::QueryOne;
using testing::StoreTest;

class PostgresStore : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshPostgresUrl();
    if (url_.empty()) GTEST_SKIP() << testing::kNoPostgres;
  }
  std::string url_;
};

TEST_F(PostgresStore, UnreachableDatabaseIsUnavailableNotFatal) {
  testing::TcpProxy proxy(testing::PostgresTestPort());
  proxy.Cut();
  auto s = Store::Open(testing::ThroughPort(url_, proxy.port()));
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsUnavailable()) << s.status().ToString();
  EXPECT_NE(s.status().message().find("cannot connect to the PostgreSQL store"), std::string::npos)
      << s.status().message();
}

TEST_F(PostgresStore, OpenExistingRefusesADatabaseWithoutAStoreAndCreatesNothing) {
  auto missing = Store::OpenExisting(url_);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("no homeport store"), std::string::npos);
  EXPECT_EQ(QueryOne(url_, "SELECT to_regclass('schema_migrations') IS NULL"), "t");
  EXPECT_TRUE(Store::ReadSchemaVersions(url_).status().IsNotFound());
  ASSERT_TRUE(Store::Open(url_).ok());
  EXPECT_TRUE(Store::OpenExisting(url_).ok());
  auto versions = Store::ReadSchemaVersions(url_);
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  EXPECT_EQ(versions->current, versions->known);
  EXPECT_FALSE(MigrationSummary(versions->known).empty());
}

TEST_F(PostgresStore, ServersStartingTogetherMigrateOnce) {
  std::vector<std::thread> servers;
  std::atomic<int> opened{0};
  for (int i = 0; i < 6; ++i) {
    servers.emplace_back([&] {
      auto s = Store::Open(url_);
      EXPECT_TRUE(s.ok()) << s.status().ToString();
      if (s.ok()) ++opened;
    });
  }
  for (auto& t : servers) t.join();
  EXPECT_EQ(opened.load(), 6);
  EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM schema_migrations"), "9");
}

// VACUUM reports to the statistics views: the erasure's dead rows have been removed once
// last_vacuum of the documents table is set.
TEST_F(PostgresStore, AnErasureIsFollowedByAVacuumOfTheDocuments) {
  auto store = Store::Open(url_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const std::string last_vacuum =
      "SELECT COALESCE(last_vacuum::text, '') FROM pg_stat_user_tables"
      " WHERE schemaname = current_schema() AND relname = 'uxp_documents'";
  WriteBatch docs;
  docs.documents = {{"00000000-0000-4000-8000-000000000001", "homeport-agent", "feedback", "c-1",
                     "2026-11-29", "2027-02-27", R"({"metrics":{}})", {}}};
  ASSERT_TRUE((*store)->Commit(docs, StoreTest::Day1()).ok());
  EXPECT_EQ(QueryOne(url_, last_vacuum), "") << "vacuumed before any erasure";

  WriteBatch erase;
  erase.erasures = {{"c-1", "2027-02-27", ""}};
  auto r = (*store)->Commit(erase, StoreTest::Day1());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->erased, std::vector<int64_t>{1});
  // Off the request path: the commit returned already; the vacuum follows within moments.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (QueryOne(url_, last_vacuum).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(QueryOne(url_, last_vacuum), "") << "no vacuum followed the erasure";
}

// A database written by the previous schema: times to the second, no sequence.
TEST_F(PostgresStore, UpgradeCutsStoredActivationTimesToTheDay) {
  ASSERT_TRUE(Store::Open(url_).ok());
  // Back to the previous schema, as an older homeport left it.
  QueryOne(url_,
           "ALTER TABLE activations DROP COLUMN sequence;"
           " ALTER TABLE activations RENAME COLUMN activated_day TO activated_at;"
           " ALTER TABLE activations RENAME COLUMN last_checkin_day TO last_checkin_at;"
           " DROP TABLE erased_clients; DROP TABLE daily_counts; DROP TABLE retention_runs;"
           " DROP INDEX uxp_documents_day_client;"
           " DROP TABLE revocations; DROP TABLE warranty_history; DROP TABLE tlog_head;"
           " DROP TABLE tlog_entries; DROP TABLE tlog_hashes; DROP TABLE tlog_manifests;"
           " DROP TABLE tlog_cosignatures; DROP TABLE erasure_fence;"
           " DELETE FROM schema_migrations WHERE version >= 3;"
           " ALTER TABLE access_log RENAME TO audit_log;"
           " ALTER TABLE access_log_head RENAME TO audit_head");
  const std::string key = crypto::SecretKey::Generate().Public().ToBase64Url();
  QueryOne(url_, "INSERT INTO devices VALUES ('S1', 'HP7', 'HP7-64', 'global', 'sg', 'B1', '" +
                     key + "')");
  QueryOne(url_,
           "INSERT INTO activations VALUES ('S1', '2026-11-29', '2026-11-29T09:17:42.123Z',"
           " '1.0.1', 2, '2026-12-01T23:59:58.000Z', 1)");

  auto store = Store::Open(url_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto rec = (*store)->LookupWarranty("S1", "cli:test", StoreTest::Day1());
  ASSERT_TRUE(rec.ok() && rec->has_value()) << rec.status().ToString();
  EXPECT_EQ((*rec)->activated_day, "2026-11-29");
  EXPECT_EQ((*rec)->last_checkin_day, "2026-12-01");
  EXPECT_EQ((*rec)->sequence, 0);
}

TEST_F(PostgresStore, RefusesASchemaFromANewerHomeport) {
  ASSERT_TRUE(Store::Open(url_).ok());
  QueryOne(url_, "INSERT INTO schema_migrations VALUES (99)");
  auto s = Store::Open(url_);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsCorruption()) << s.status().ToString();
}

TEST_F(PostgresStore, ServiceResumesByItselfWhenTheDatabaseReturns) {
  testing::TcpProxy proxy(testing::PostgresTestPort());
  auto opened = Store::Open(testing::ThroughPort(url_, proxy.port()));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& store = **opened;
  auto d1 = StoreTest::Device("B1", 1), d2 = StoreTest::Device("B1", 2);
  ASSERT_TRUE(store.Enroll({d1, d2}).ok());
  WriteBatch first;
  first.activations = {{d1.serial, "1.0.0", 1}};
  auto committed = store.Commit(first, StoreTest::Day1());
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();

  proxy.Cut();
  WriteBatch second;
  second.activations = {{d2.serial, "1.0.0", 1}};
  auto failed = store.Commit(second, StoreTest::Day1());
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.status().IsUnavailable()) << failed.status().ToString();
  auto read = store.FindEnrollment(d1.serial);
  ASSERT_FALSE(read.ok());
  EXPECT_TRUE(read.status().IsUnavailable()) << read.status().ToString();

  // Back: within the second the pool waits before connecting again, calls work on fresh
  // connections, and nothing committed was lost.
  proxy.Restore();
  auto retried = store.Commit(second, StoreTest::Day1());
  for (int i = 0; i < 30 && !retried.ok(); ++i) {
    EXPECT_TRUE(retried.status().IsUnavailable()) << retried.status().ToString();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    retried = store.Commit(second, StoreTest::Day1());
  }
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(retried->activations[0].outcome, RecordOutcome::kCreated);
  auto found = store.FindEnrollment(d1.serial);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_TRUE(found->has_value());
  auto rollout = store.Rollout(std::nullopt);
  ASSERT_TRUE(rollout.ok());
  EXPECT_EQ(rollout->batches[0].activated, 2);
}

TEST_F(PostgresStore, IdleConnectionsClosedByTheServerAreReplacedUnnoticed) {
  // Its own application_name, so that only this store's sessions are ended, not those of
  // tests running beside it on the same server.
  const std::string app = "homeport_idle_" + std::to_string(getpid());
  auto opened = Store::Open(url_ + "&application_name=" + app);
  ASSERT_TRUE(opened.ok());
  auto d = StoreTest::Device("B1", 1);
  ASSERT_TRUE((*opened)->Enroll({d}).ok());
  // A restart or failover ends every session of the store while it is idle.
  const std::string sessions = " FROM pg_stat_activity WHERE application_name = '" + app + "'";
  QueryOne(url_, "SELECT COUNT(pg_terminate_backend(pid))" + sessions);
  for (int i = 0; i < 100 && QueryOne(url_, "SELECT COUNT(*)" + sessions) != "0"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto found = (*opened)->FindEnrollment(d.serial);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_TRUE(found->has_value());
}

}  // namespace
}  // namespace homeport
