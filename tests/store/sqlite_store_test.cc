// What is specific to the SQLite backend: the file itself. These tests reach under the Store
// interface with the sqlite3 API, as an attacker with file access (or a careless operator)
// would.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

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
 public:
  static TimePoint Day1() {
    using namespace std::chrono;
    return sys_days(2026y / 11 / 29) + 9h;
  }

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
            (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8", "9"}));
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
  ASSERT_TRUE(VerifyAccessLogChain(*store_->AccessLog()).ok());
  RawSql(path_, "UPDATE access_log SET subject = 'S9' WHERE seq = 2");
  auto log = store_->AccessLog();
  ASSERT_TRUE(log.ok());
  Status st = VerifyAccessLogChain(*log);
  ASSERT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("2"), std::string::npos) << st.message();
}

TEST_F(SqliteStore, DeletedAccessLogEntryIsDetected) {
  for (const char* serial : {"S1", "S2", "S3"}) {
    ASSERT_TRUE(store_->LookupWarranty(serial, "cli:alice", Day1()).ok());
  }
  RawSql(path_, "DELETE FROM access_log WHERE seq = 2");
  EXPECT_TRUE(VerifyAccessLogChain(*store_->AccessLog()).IsCorruption());
}

TEST_F(SqliteStore, AuditLogIsWrittenInTheLookupTransaction) {
  EnrollOne("S1");
  ASSERT_TRUE(store_->LookupWarranty("S1", "cli:alice", Day1()).ok());
  EXPECT_EQ(RawSql(path_, "SELECT seq, actor, action, subject FROM access_log"),
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

// The bytes of the database file and its WAL, as a copy of the disk would show them.
std::string FileBytes(const std::string& path) {
  auto bytes = Env::Default()->ReadFile(path);
  return bytes.ok() ? *bytes : std::string();
}

bool InTheFiles(const std::string& db, const std::string& needle) {
  return FileBytes(db).find(needle) != std::string::npos ||
         FileBytes(db + "-wal").find(needle) != std::string::npos;
}

UxpDocument Feedback(const std::string& doc_id, const std::string& client_id,
                     const std::string& text, const std::string& expires_day = "2027-02-27") {
  std::string payload = R"({"metrics":{"text":{"feedback.text":")" + text +
                        R"("},"counter":{"diagnostics.crash_count":2}}})";
  return {doc_id, "homeport-agent", "feedback", client_id, "2026-11-29", expires_day, payload, {}};
}

TEST_F(SqliteStore, ErasedTextIsGoneFromTheFileAndItsWalOnceTheErasureReturns) {
  const std::string secret = "ZEBRA-QUOKKA-erasure-marker-7731";
  WriteBatch batch;
  for (int i = 0; i < 20; ++i) {
    batch.documents.push_back(
        Feedback("d-" + std::to_string(i), "c-erased", secret + std::to_string(i)));
  }
  batch.documents.push_back(Feedback("d-kept", "c-kept", "kept-feedback-text"));
  ASSERT_TRUE(store_->Commit(batch, Day1()).ok());
  ASSERT_TRUE(InTheFiles(path_, secret)) << "the test must see the text before the erasure";

  WriteBatch erase;
  erase.erasures = {{"c-erased", "2027-02-27", ""}};
  auto r = store_->Commit(erase, Day1());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->erased, std::vector<int64_t>{20});

  EXPECT_FALSE(InTheFiles(path_, secret)) << "an erased document survives in the files";
  EXPECT_FALSE(InTheFiles(path_, "c-erased")) << "the erased client id survives in the files";
  EXPECT_TRUE(InTheFiles(path_, "kept-feedback-text")) << "the other client's data went too";
}

TEST_F(SqliteStore, RetentionLeavesNoCopyOfExpiredDocumentsOrValues) {
  const std::string expired = "EXPIRED-DOCUMENT-marker-5521";
  WriteBatch batch;
  batch.documents = {Feedback("d-old", "c-1", expired, "2026-11-30"),
                     Feedback("d-new", "c-2", "fresh-feedback-text", "2027-02-27")};
  ASSERT_TRUE(store_->Commit(batch, Day1()).ok());
  ASSERT_TRUE(InTheFiles(path_, expired));
  auto removed = store_->ExpireDocuments("2026-12-15");
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(InTheFiles(path_, expired));

  // A metric value past its own retention goes from the document and from the files.
  auto changed =
      store_->ExpireMetric("homeport-agent", "feedback", "text", "feedback.text", "2026-12-01");
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(*changed, 1);
  EXPECT_FALSE(InTheFiles(path_, "fresh-feedback-text"));
  EXPECT_TRUE(InTheFiles(path_, "diagnostics.crash_count")) << "the rest of the document stays";
}

TEST(SqliteStoreFiles, AreReadableByTheirOwnerOnlyWhateverTheUmask) {
  TempDir dir;
  const std::string path = dir.File("homeport.db");
  mode_t old = ::umask(022);
  {
    auto store = Store::Open("sqlite:" + path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)
                    ->Enroll({{"S1", "HP7", "HP7-64", "global", "sg", "B1",
                               crypto::SecretKey::Generate().Public()}})
                    .ok());
    EXPECT_EQ(testing::FileMode(path), 0600);
    EXPECT_EQ(testing::FileMode(path + "-wal"), 0600);
    EXPECT_EQ(testing::FileMode(path + "-shm"), 0600);
  }
  ::umask(old);
}

// A database written by the previous schema: times to the second, no sequence.
TEST(SqliteStoreUpgrade, CutsStoredActivationTimesToTheDay) {
  TempDir dir;
  const std::string path = dir.File("old.db");
  RawSql(path, R"sql(
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY);
INSERT INTO schema_migrations VALUES (1), (2);
CREATE TABLE devices (serial TEXT PRIMARY KEY, model TEXT NOT NULL, sku TEXT NOT NULL,
  variant TEXT NOT NULL, region TEXT NOT NULL, batch TEXT NOT NULL, public_key TEXT NOT NULL);
CREATE TABLE activations (serial TEXT PRIMARY KEY REFERENCES devices(serial),
  warranty_start TEXT NOT NULL, activated_at TEXT NOT NULL, client_version TEXT NOT NULL,
  manifest_version INTEGER NOT NULL, last_checkin_at TEXT NOT NULL,
  checkins INTEGER NOT NULL DEFAULT 0);
CREATE TABLE wrong_region_attempts (claimed_region TEXT NOT NULL, variant TEXT NOT NULL,
  attempts INTEGER NOT NULL, PRIMARY KEY (claimed_region, variant));
CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,
  action TEXT NOT NULL, subject TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE uxp_documents (doc_id TEXT PRIMARY KEY, app_id TEXT NOT NULL,
  doc_type TEXT NOT NULL, client_id TEXT NOT NULL, received_day TEXT NOT NULL,
  expires_day TEXT NOT NULL, payload TEXT NOT NULL);
)sql");
  const std::string key = crypto::SecretKey::Generate().Public().ToBase64Url();
  RawSql(path,
         "INSERT INTO devices VALUES ('S1', 'HP7', 'HP7-64', 'global', 'sg', 'B1', '" + key + "')");
  RawSql(path,
         "INSERT INTO activations VALUES ('S1', '2026-11-29', '2026-11-29T09:17:42.123Z', '1.0.1',"
         " 2, '2026-12-01T23:59:58.000Z', 1)");

  auto store = Store::Open("sqlite:" + path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto rec = (*store)->LookupWarranty("S1", "cli:test", SqliteStoreTest::Day1());
  ASSERT_TRUE(rec.ok() && rec->has_value()) << rec.status().ToString();
  EXPECT_EQ((*rec)->activated_day, "2026-11-29");
  EXPECT_EQ((*rec)->last_checkin_day, "2026-12-01");
  EXPECT_EQ((*rec)->sequence, 0);
  EXPECT_EQ((*rec)->checkins, 1);
  EXPECT_EQ(FileBytes(path).find("09:17:42"), std::string::npos) << "the old time survives";
  EXPECT_EQ(FileBytes(path + "-wal").find("09:17:42"), std::string::npos);
  // The device's next contact is accepted with any sequence: nothing was recorded before.
  WriteBatch b;
  b.activations = {{"S1", "1.0.2", 2, 1}};
  auto r = (*store)->Commit(b, SqliteStoreTest::Day1());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->activations[0].outcome, RecordOutcome::kCheckedIn);
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
