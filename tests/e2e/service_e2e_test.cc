// `homeport serve` as a service: its configuration file (flags on the command line win),
// `--check`, and systemd's readiness protocol (Type=notify).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sqlite3.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "e2e_support.h"
#include "homeport/env.h"

namespace homeport::e2e {
namespace {

void Write(const std::string& path, const std::string& text) {
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(path, text, 0644).ok()) << path;
}

std::string Config(const Region& region, const std::string& more = "") {
  return "region = \"sg\"\nstore = \"" + region.store_url + "\"\n" +
         "listen = \"256.0.0.1:8443\"  # overridden on the command line\n" + more;
}

TEST(ServiceE2E, ServesFromItsConfigFileAndAFlagWins) {
  Region region(1);
  const std::string file = region.dir.File("homeport.toml");
  Write(file, Config(region, "known-region = [\"zz-lab\"]\n[serve]\nclient-rate = 50\n"));
  ServerProcess server({"--config", file, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(server.started()) << server.output() << server.log();
  HttpResult health = HttpCall(server.port(), "GET", "/healthz");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body)["region"], "sg");  // from the file
  EXPECT_EQ(server.Signal(SIGTERM), 0) << server.log();
}

TEST(ServiceE2E, CheckNamesWhatIsWrongAndStartsNothing) {
  Region region(1);
  const std::string file = region.dir.File("homeport.toml");
  Write(file, "region = \"sg\"\nstore = \"" + region.store_url + "\"\nlisten = \"127.0.0.1:0\"\n");
  CommandResult ok = Homeport({"serve", "--config", file, "--check"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("configuration OK (region sg"), std::string::npos) << ok.out;

  struct Case {
    std::string more, expected;
  };
  for (const Case& c : {Case{"listne = \"127.0.0.1:0\"\n", "unknown setting \"listne\""},
                        Case{"listen = \"127.0.0.1:0\"\nmanifest = [\"/nonexistent.jws\"]\n",
                             "--manifest"},
                        Case{"listen = \"127.0.0.1:0\"\nclient-burst = 0\n", "client-burst"},
                        Case{"listen = \"127.0.0.1:0\"\ntls-cert = \"/nonexistent.pem\"\n"
                             "tls-key = \"/nonexistent.key\"\n",
                             "cannot load TLS certificate /nonexistent.pem"}}) {
    Write(file, "region = \"sg\"\nstore = \"" + region.store_url + "\"\n" + c.more);
    CommandResult r = Homeport({"serve", "--config", file, "--check"});
    EXPECT_NE(r.exit_code, 0) << c.more;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.more << ": " << r.err;
  }
  CommandResult missing = Homeport({"serve", "--check"});
  EXPECT_NE(missing.err.find("--region is required"), std::string::npos) << missing.err;
}

// A datagram socket standing in for systemd's notification socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() { close(fd_); }
  std::string Next() {
    char buf[1024];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  std::string path_;
  int fd_ = -1;
};

TEST(ServiceE2E, TellsSystemdWhenItIsReadyReloadingAndStopping) {
  Region region(1);
  NotifySocket systemd(region.dir.File("notify"));
  setenv("NOTIFY_SOCKET", region.dir.File("notify").c_str(), 1);
  ServerProcess server({"--region", "sg", "--store", region.store_url, "--listen", "127.0.0.1:0"});
  unsetenv("NOTIFY_SOCKET");
  ASSERT_TRUE(server.started()) << server.output() << server.log();
  EXPECT_NE(systemd.Next().find("READY=1"), std::string::npos);
  kill(server.pid(), SIGHUP);
  EXPECT_NE(systemd.Next().find("RELOADING=1"), std::string::npos);
  EXPECT_NE(systemd.Next().find("READY=1"), std::string::npos);
  EXPECT_EQ(HttpCall(server.port(), "GET", "/healthz").status, 200);
  kill(server.pid(), SIGTERM);
  EXPECT_NE(systemd.Next().find("STOPPING=1"), std::string::npos);
  EXPECT_EQ(server.Signal(SIGTERM), 0) << server.log();
}

// A backup taken while the server takes activations holds every acknowledged one, and a
// store restored from it serves them; neither command overwrites anything.
TEST(ServiceE2E, BackupWhileServingThenRestoreKeepsEveryAcknowledgedActivation) {
  Region region(6);
  ServerProcess server({"--region", "sg", "--store", region.store_url, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(server.started()) << server.output() << server.log();
  for (int n = 1; n <= 3; ++n) {
    SignedActivation a = HandMadeActivation(region.Profile(n), "sg");
    ASSERT_EQ(HttpCall(server.port(), "POST", "/v1/activations", a.headers, a.body).status, 201);
  }
  const std::string backup = region.dir.File("sg.backup");
  CommandResult taken = Homeport({"backup", "--store", region.store_url, "--out", backup});
  ASSERT_EQ(taken.exit_code, 0) << taken.err;
  EXPECT_EQ(testing::FileMode(backup), 0600);
  // Activations after the backup are not in it.
  SignedActivation later = HandMadeActivation(region.Profile(4), "sg");
  ASSERT_EQ(HttpCall(server.port(), "POST", "/v1/activations", later.headers, later.body).status,
            201);
  EXPECT_EQ(server.Signal(SIGTERM), 0);

  CommandResult again = Homeport({"backup", "--store", region.store_url, "--out", backup});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("refusing to overwrite"), std::string::npos) << again.err;
  CommandResult onto = Homeport({"restore", "--from", backup, "--store", region.store_url});
  EXPECT_NE(onto.exit_code, 0);
  EXPECT_NE(onto.err.find("refusing to overwrite"), std::string::npos) << onto.err;

  const std::string restored = "sqlite:" + region.dir.File("restored.db");
  CommandResult r = Homeport({"restore", "--from", backup, "--store", restored});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (int n = 1; n <= 3; ++n) {
    EXPECT_EQ(Homeport({"warranty", region.Serial(n), "--store", restored}).exit_code, 0) << n;
  }
  EXPECT_NE(Homeport({"warranty", region.Serial(4), "--store", restored}).exit_code, 0);

  CommandResult postgres =
      Homeport({"backup", "--store", "postgresql://db.example/sg", "--out", backup + "2"});
  EXPECT_NE(postgres.exit_code, 0);
  EXPECT_NE(postgres.err.find("pg_dump"), std::string::npos) << postgres.err;
  CommandResult garbage = Homeport({"restore", "--from", region.Profile(1), "--store",
                                    "sqlite:" + region.dir.File("x.db")});
  EXPECT_NE(garbage.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(region.dir.File("x.db")));
}

std::string SqlOne(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string out;
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  EXPECT_TRUE(rc == SQLITE_ROW || rc == SQLITE_DONE) << sql << ": " << sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

// A store of the previous schema (the access log still called audit_log): --dry-run says what
// will change and changes nothing; migrate applies it once; a newer schema is refused by name.
TEST(ServiceE2E, MigrateShowsThenAppliesWhatAnOlderStoreLacks) {
  Region region(1);
  const std::string db = region.dir.File("sg.db");
  SqlOne(db, "ALTER TABLE access_log RENAME TO audit_log");
  SqlOne(db, "DROP TABLE daily_counts");
  SqlOne(db, "DROP TABLE retention_runs");
  SqlOne(db, "DROP INDEX uxp_documents_day_client");
  for (const char* table : {"revocations", "warranty_history", "tlog_entries", "tlog_hashes",
                            "tlog_manifests", "tlog_cosignatures", "erasure_fence"}) {
    SqlOne(db, std::string("DROP TABLE ") + table);
  }
  SqlOne(db, "ALTER TABLE erased_clients DROP COLUMN log_index");
  SqlOne(db, "DELETE FROM schema_migrations WHERE version >= 5");

  CommandResult dry = Homeport({"migrate", "--store", region.store_url, "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("schema version 4 -> 9"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("5. the log of operator reads renamed access_log"), std::string::npos)
      << dry.out;
  EXPECT_NE(dry.out.find("6. daily aggregates"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("7. device lifecycle"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("8. the transparency-log entry of each erased UX client"),
            std::string::npos)
      << dry.out;
  EXPECT_NE(dry.out.find("9. the erasure fence"), std::string::npos) << dry.out;
  EXPECT_EQ(SqlOne(db, "SELECT MAX(version) FROM schema_migrations"), "4");  // unchanged

  CommandResult applied = Homeport({"migrate", "--store", region.store_url});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_EQ(SqlOne(db, "SELECT MAX(version) FROM schema_migrations"), "9");
  EXPECT_EQ(SqlOne(db, "SELECT count(*) FROM sqlite_master WHERE name = 'access_log'"), "1");
  EXPECT_NE(Homeport({"migrate", "--store", region.store_url}).out.find("up to date"),
            std::string::npos);

  SqlOne(db, "INSERT INTO schema_migrations VALUES (99)");
  CommandResult newer = Homeport({"migrate", "--store", region.store_url, "--dry-run"});
  EXPECT_NE(newer.exit_code, 0);
  EXPECT_NE(newer.err.find("newer than this homeport"), std::string::npos) << newer.err;
  CommandResult serve = Homeport({"serve", "--region", "sg", "--store", region.store_url,
                                  "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"});
  EXPECT_NE(serve.exit_code, 0);
  EXPECT_NE(serve.err.find("homeport migrate --store URL --dry-run"), std::string::npos)
      << serve.err;
}

// Log pipelines read one event per line: JSON lines or logfmt, each with its time, level and
// message, and nothing of what a request carried.
TEST(ServiceE2E, LogsJsonLinesOrLogfmtAtTheChosenLevel) {
  Region region(1);
  ServerProcess json_log({"--region", "sg", "--store", region.store_url, "--listen",
                          "127.0.0.1:0", "--log-format", "json"});
  ASSERT_TRUE(json_log.started()) << json_log.output() << json_log.log();
  SignedActivation a = HandMadeActivation(region.Profile(1), "cn");  // refused, counted
  EXPECT_EQ(HttpCall(json_log.port(), "POST", "/v1/activations", a.headers, a.body).status, 421);
  EXPECT_EQ(json_log.Signal(SIGTERM), 0);
  std::istringstream lines(json_log.log());
  int events = 0;
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_TRUE(j["time"].is_string() && j["level"].is_string() && j["msg"].is_string()) << line;
    EXPECT_EQ(line.find("127.0.0.1"), std::string::npos) << line;  // no peer address (S2)
    EXPECT_EQ(line.find(region.Serial(1)), std::string::npos) << line;
    ++events;
  }
  EXPECT_GE(events, 2);  // ready, stopping

  ServerProcess logfmt({"--region", "sg", "--store", region.store_url, "--listen", "127.0.0.1:0",
                        "--log-format", "logfmt", "--log-level", "warn"});
  ASSERT_TRUE(logfmt.started()) << logfmt.output() << logfmt.log();
  EXPECT_EQ(logfmt.Signal(SIGTERM), 0);
  EXPECT_EQ(logfmt.log(), "");  // start and stop are info: below warn

  ServerProcess info({"--region", "sg", "--store", region.store_url, "--listen", "127.0.0.1:0",
                      "--log-format", "logfmt"});
  ASSERT_TRUE(info.started());
  EXPECT_EQ(info.Signal(SIGTERM), 0);
  EXPECT_EQ(info.log().rfind("time=", 0), 0u) << info.log();
  EXPECT_NE(info.log().find(" level=info msg=\"region sg ready"), std::string::npos) << info.log();
}

// The catalogue names every column the store keeps about a device's warranty, with its
// purpose, legal basis and retention, and the controller to ask, through the server and the
// command alike.
TEST(ServiceE2E, CatalogueListsTheWarrantyDataTheStoreKeepsAndTheController) {
  Region region(1);
  const std::string contact = "Example Devices Ltd, privacy@example.com";
  ServerProcess server({"--region", "sg", "--store", region.store_url, "--listen", "127.0.0.1:0",
                        "--controller-contact", contact});
  ASSERT_TRUE(server.started()) << server.output() << server.log();
  HttpResult page = HttpCall(server.port(), "GET", "/privacy?format=json");
  ASSERT_EQ(page.status, 200);
  nlohmann::json cat = nlohmann::json::parse(page.body);
  EXPECT_EQ(cat["controller"]["contact"], contact);
  EXPECT_NE(cat["warranty"]["legal_basis"].get<std::string>().find("Art. 6(1)(b)"),
            std::string::npos);
  EXPECT_FALSE(cat["warranty"]["retention"].get<std::string>().empty());
  EXPECT_NE(cat["ux_program"]["legal_basis"].get<std::string>().find("consent"),
            std::string::npos);
  std::set<std::string> listed;
  for (const auto& f : cat["warranty"]["fields"]) listed.insert(f["name"].get<std::string>());
  EXPECT_EQ(server.Signal(SIGTERM), 0);

  std::set<std::string> columns;
  for (const char* table : {"devices", "activations"}) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(region.dir.File("sg.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, ("PRAGMA table_info(" + std::string(table) + ")").c_str(),
                                 -1, &stmt, nullptr),
              SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      columns.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
  EXPECT_EQ(listed, columns) << "the catalogue and the store disagree on the warranty data";

  CommandResult cli = Homeport({"catalogue", "--controller-contact", contact});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("Controller: Example Devices Ltd, privacy@example.com"), std::string::npos);
  EXPECT_NE(cli.out.find("<h2>Warranty activation</h2>"), std::string::npos);
}

}  // namespace
}  // namespace homeport::e2e
