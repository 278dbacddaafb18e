// What is specific to the SQLite backend: the file itself. These tests reach under the Store
// interface with the sqlite3 API, as an attacker with file access (or a careless operator)
// would.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "common/testing_temp_dir.h"
#include "store/store.h"

namespace homeport {
namespace {

using std::chrono::hours;
using testing::TempDir;

// Runs `sql` on its own connection; returns every row, columns joined by '|'.
std::vector<std::string> RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> rows;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path;
    sqlite3_close(db);
    return rows;
  }
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  auto collect = [](void* out, int n, char** values, char**) {
    std::string row;
    for (int i = 0; i < n; ++i) row += (i ? "|" : "") + std::string(values[i] ? values[i] : "NULL");
    static_cast<std::vector<std::string>*>(out)->push_back(row);
    return 0;
  };
  if (sqlite3_exec(db, sql.c_str(), collect, &rows, &err) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << (err ? err : "?");
  }
  sqlite3_free(err);
  sqlite3_close(db);
  return rows;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = Open(); }
  std::unique_ptr<Store> Open() {
    auto s = Store::Open("sqlite:" + path_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  EnrollmentRecord EnrollOne(const std::string& serial) {
    EnrollmentRecord r{
        serial, "HP7", "HP7-64", "global", "sg", "B1", crypto::SecretKey::Generate().Public()};
    EXPECT_TRUE(store_->Enroll({r}).ok());
    return r;
  }
  static TimePoint Day1() {
    using namespace std::chrono;
    return sys_days(2026y / 11 / 29) + 9h;
  }

  TempDir dir_;
  std::string path_ = dir_.File("homeport.db");
  std::unique_ptr<Store> store_;
};
using SqliteStore = SqliteStoreTest;

TEST_F(SqliteStore, UsesWalJournal) {
  EXPECT_EQ(RawSql(path_, "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

TEST_F(SqliteStore, MigrationsAreRecordedOnce) {
  store_.reset();
  for (int i = 0; i < 3; ++i) ASSERT_NE(Open(), nullptr);
  EXPECT_EQ(RawSql(path_, "SELECT version FROM schema_migrations ORDER BY version"),
            (std::vector<std::string>{"1", "2"}));
}

TEST_F(SqliteStore, RefusesASchemaFromANewerHomeport) {
  store_.reset();
  RawSql(path_, "INSERT INTO schema_migrations VALUES (99)");
  auto s = Store::Open("sqlite:" + path_);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsCorruption()) << s.status().ToString();
  EXPECT_NE(s.status().message().find("99"), std::string::npos) << s.status().message();
}

TEST_F(SqliteStore, CommittedActivationIsVisibleToOtherConnections) {
  EnrollOne("S1");
  WriteBatch batch;
  batch.activations = {{"S1", "1.0.0", 1}};
  ASSERT_TRUE(store_->Commit(batch, Day1()).ok());
  // Commit returned: another process already sees the row (S5).
  EXPECT_EQ(RawSql(path_, "SELECT serial, warranty_start FROM activations"),
            std::vector<std::string>{"S1|2026-11-29"});
}

TEST_F(SqliteStore, AuditTamperingInTheFileIsDetected) {
  for (const char* serial : {"S1", "S2", "S3"}) {
    ASSERT_TRUE(store_->LookupWarranty(serial, "cli:alice", Day1()).ok());
  }
  ASSERT_TRUE(VerifyAuditChain(*store_->AuditLog()).ok());
  RawSql(path_, "UPDATE audit_log SET subject = 'S9' WHERE seq = 2");
  auto log = store_->AuditLog();
  ASSERT_TRUE(log.ok());
  Status st = VerifyAuditChain(*log);
  ASSERT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("2"), std::string::npos) << st.message();
}

TEST_F(SqliteStore, DeletedAuditEntryIsDetected) {
  for (const char* serial : {"S1", "S2", "S3"}) {
    ASSERT_TRUE(store_->LookupWarranty(serial, "cli:alice", Day1()).ok());
  }
  RawSql(path_, "DELETE FROM audit_log WHERE seq = 2");
  EXPECT_TRUE(VerifyAuditChain(*store_->AuditLog()).IsCorruption());
}

TEST_F(SqliteStore, AuditLogIsWrittenInTheLookupTransaction) {
  EnrollOne("S1");
  ASSERT_TRUE(store_->LookupWarranty("S1", "cli:alice", Day1()).ok());
  EXPECT_EQ(RawSql(path_, "SELECT seq, actor, action, subject FROM audit_log"),
            std::vector<std::string>{"1|cli:alice|warranty.lookup|S1"});
}

TEST_F(SqliteStore, StoresNoConnectionMetadata) {
  // S2: no column anywhere could hold an address, a user agent or a host name.
  auto columns =
      RawSql(path_,
             "SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p"
             " WHERE m.type = 'table'");
  ASSERT_FALSE(columns.empty());
  for (const std::string& c : columns) {
    for (const char* bad : {"ip", "addr", "agent", "host", "remote", "peer", "imei", "mac"}) {
      std::string col = c.substr(c.find('.') + 1);
      EXPECT_EQ(col.find(bad), std::string::npos) << c;
    }
  }
}

TEST_F(SqliteStore, CorruptStoredKeyIsReportedNotHidden) {
  EnrollOne("S1");
  RawSql(path_, "UPDATE devices SET public_key = 'garbage' WHERE serial = 'S1'");
  auto found = store_->FindEnrollment("S1");
  ASSERT_FALSE(found.ok()) << "a device record with an unreadable key must not look valid";
  EXPECT_TRUE(found.status().IsCorruption()) << found.status().ToString();
  EXPECT_NE(found.status().message().find("S1"), std::string::npos) << found.status().message();
}

TEST(SqliteStoreOpen, FailsInAMissingDirectory) {
  TempDir dir;
  auto s = Store::Open("sqlite:" + dir.File("no/such/dir/homeport.db"));
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsIoError()) << s.status().ToString();
}

TEST(SqliteStoreOpen, RefusesAFileThatIsNotADatabase) {
  TempDir dir;
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(dir.File("x.db"), std::string(8192, 'x')).ok());
  auto s = Store::Open("sqlite:" + dir.File("x.db"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("x.db"), std::string::npos) << s.status().message();
}

}  // namespace
}  // namespace homeport

namespace homeport::testing {
namespace {

// S4: no stored table links warranty identity (serial, device key) to UX-program client ids,
// and UX documents carry no time finer than a day.
TEST_F(SqliteStore, NoTableJoinsActivationsToUxClientIds) {
  auto tables = RawSql(path_, "SELECT name FROM sqlite_master WHERE type = 'table'");
  ASSERT_FALSE(tables.empty());
  for (const auto& table : tables) {
    auto columns = RawSql(path_, "SELECT name FROM pragma_table_info('" + table + "')");
    auto has = [&](const std::string& c) {
      return std::find(columns.begin(), columns.end(), c) != columns.end();
    };
    bool identity = has("serial") || has("public_key");
    bool ux = has("client_id") || has("doc_id");
    EXPECT_FALSE(identity && ux) << table << " holds both a device identity and a UX client id";
    if (ux) {
      for (const auto& c : columns) {
        EXPECT_EQ(c.find("_at"), std::string::npos) << table << "." << c << " is a timestamp";
      }
    }
  }
}

}  // namespace
}  // namespace homeport::testing
