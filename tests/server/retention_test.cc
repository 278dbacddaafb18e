// Retention (S6) as the server runs it: RunRetention, and the periodic pass with an injected
// clock. Expired documents and metric values past their own retention must be gone from every
// read, everything else untouched, and the reported counts right. The periodic pass also leaves
// in /metrics what the alerts of deploy/prometheus read: its interval, its last success, and
// whether the operator access log's hash chain verified.
#include "server/retention.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

#include "../common/testing_temp_dir.h"
#include "testing/clock_env.h"

namespace homeport {
namespace {

using nlohmann::json;

TimePoint At(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d} + std::chrono::hours{3};
}

using homeport::testing::ClockEnv;

constexpr const char* kTestApp = "org-example-retention";

std::string Payload(const json& metrics) { return json{{"metrics", metrics}}.dump(); }

// A store on 2027-01-20 holding: an expired feedback document, a diagnostics document with
// weeks to go, one expiring that very day, and two "checkup" documents (14 days) whose
// "checkup.note" is kept 7 days — one received 10 days before, one 2 days before.
class Retention : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open("sqlite:" + dir_.File("sg.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto schemas =
        schema::SchemaRegistry::Load({std::string(HOMEPORT_SOURCE_DIR) + "/tests/data/retention"});
    ASSERT_TRUE(schemas.ok()) << schemas.status().ToString();
    schemas_ = std::make_unique<schema::SchemaRegistry>(std::move(*schemas));

    WriteBatch b;
    b.documents = {
        {"00000000-0000-4000-8000-000000000001", "homeport-agent", "feedback", "c-expired",
         "2026-12-01", "2026-12-31", Payload({{"text", {{"feedback.text", "gone"}}}}), {}},
        {"00000000-0000-4000-8000-000000000002", "homeport-agent", "diagnostics", "c-kept",
         "2026-12-01", "2027-03-01", kDiagnostics, {}},
        {"00000000-0000-4000-8000-000000000003", "homeport-agent", "diagnostics", "c-kept",
         "2026-10-22", "2027-01-20", kDiagnostics, {}},
        {"00000000-0000-4000-8000-000000000004", kTestApp, "checkup", "c-check", "2027-01-10",
         "2027-01-24", kCheckup, {}},
        {"00000000-0000-4000-8000-000000000005", kTestApp, "checkup", "c-check", "2027-01-18",
         "2027-02-01", kCheckup, {}},
    };
    auto r = store_->Commit(b, At(2026, 12, 1));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  std::vector<UxpDocument> Export(const std::string& client) {
    auto docs = store_->ExportClient(client, "test", At(2027, 1, 20));
    EXPECT_TRUE(docs.ok()) << docs.status().ToString();
    return docs.ok() ? *docs : std::vector<UxpDocument>{};
  }

  std::vector<std::pair<std::string, int64_t>> Counts() {
    auto counts = store_->DocumentCounts();
    EXPECT_TRUE(counts.ok()) << counts.status().ToString();
    return counts.ok() ? *counts : std::vector<std::pair<std::string, int64_t>>{};
  }

  // What every read shows once retention has run on 2027-01-20.
  void ExpectRetentionApplied() {
    EXPECT_TRUE(Export("c-expired").empty()) << "an expired document is still exported";
    auto kept = Export("c-kept");
    ASSERT_EQ(kept.size(), 2u) << "a document within its retention was removed";
    for (const auto& d : kept) EXPECT_EQ(d.payload, kDiagnostics) << "a kept document changed";
    auto checkups = Export("c-check");
    ASSERT_EQ(checkups.size(), 2u);
    json old_one = json::parse(checkups[0].payload);
    json new_one = json::parse(checkups[1].payload);
    EXPECT_FALSE(old_one["metrics"]["string"].contains("checkup.note"))
        << "a value past its metric's 7 days is still there: " << old_one.dump();
    EXPECT_EQ(old_one["metrics"]["counter"]["checkup.taps"], 3) << "the rest of it must stay";
    EXPECT_EQ(new_one["metrics"]["string"]["checkup.note"], "fresh");
    EXPECT_EQ(Counts(),
              (std::vector<std::pair<std::string, int64_t>>{
                  {"homeport-agent/diagnostics", 2}, {std::string(kTestApp) + "/checkup", 2}}));
  }

  void ExpectNothingRemoved() {
    EXPECT_EQ(Export("c-expired").size(), 1u);
    EXPECT_EQ(Counts(), (std::vector<std::pair<std::string, int64_t>>{
                            {"homeport-agent/diagnostics", 2},
                            {"homeport-agent/feedback", 1},
                            {std::string(kTestApp) + "/checkup", 2}}));
    for (const auto& d : Export("c-check")) {
      EXPECT_TRUE(json::parse(d.payload)["metrics"]["string"].contains("checkup.note"));
    }
  }

  const std::string kDiagnostics = Payload({{"counter", {{"diagnostics.crash_count", 2}}}});
  const std::string kCheckup =
      Payload({{"string", {{"checkup.note", "fresh"}}}, {"counter", {{"checkup.taps", 3}}}});
  // Changes the database file behind the store's back, as a person with the file could.
  void TamperWithDatabase(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.File("sg.db").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string message = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << message;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<schema::SchemaRegistry> schemas_;
};

TEST_F(Retention, RemovesExpiredDocumentsAndShortLivedValuesOnly) {
  auto report = RunRetention(*store_, *schemas_, At(2027, 1, 20));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->documents_removed, 1);
  EXPECT_EQ(report->metric_values_removed, 1);
  ExpectRetentionApplied();

  // A second pass the same day finds nothing more to do.
  auto again = RunRetention(*store_, *schemas_, At(2027, 1, 20));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->documents_removed, 0);
  EXPECT_EQ(again->metric_values_removed, 0);
  ExpectRetentionApplied();
}

TEST_F(Retention, RemovesNothingBeforeItsTime) {
  auto report = RunRetention(*store_, *schemas_, At(2026, 12, 2));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->documents_removed, 0);
  EXPECT_EQ(report->metric_values_removed, 0);
  ExpectNothingRemoved();
}

// Collects the periodic pass's reports; the test waits for a number of them, never sleeps.
class PassLog {
 public:
  void Add(const Result<RetentionReport>& r) {
    std::lock_guard lock(mu_);
    reports_.push_back(r);
    cv_.notify_all();
  }
  size_t WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(30), [&] { return reports_.size() >= n; });
    return reports_.size();
  }
  // Sums of the reports from index `from` on; false when any of them failed.
  bool Sum(size_t from, RetentionReport& total) {
    std::lock_guard lock(mu_);
    total = {};
    for (size_t i = from; i < reports_.size(); ++i) {
      if (!reports_[i].ok()) return false;
      total.documents_removed += reports_[i]->documents_removed;
      total.metric_values_removed += reports_[i]->metric_values_removed;
    }
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Result<RetentionReport>> reports_;
};

TEST_F(Retention, KnowsWhichStoredPingsHaveNoSchemaLoaded) {
  auto all = PingsWithoutSchema(*store_, *schemas_);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_TRUE(all->empty());
  // Without the test app's schema directory, its checkup pings could not lose their
  // short-lived metric: they are named, so that `retention run` can refuse.
  auto builtin = schema::SchemaRegistry::Load({});
  ASSERT_TRUE(builtin.ok());
  auto missing = PingsWithoutSchema(*store_, *builtin);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, std::vector<std::string>{std::string(kTestApp) + "/checkup"});
}

TEST_F(Retention, ServersPeriodicPassEnforcesItAsTheDaysGoBy) {
  ClockEnv env(At(2026, 12, 2));
  PassLog log;
  {
    PeriodicRetention periodic(*store_, *schemas_, &env, std::chrono::milliseconds(1), nullptr,
                               [&](const Result<RetentionReport>& r) { log.Add(r); });
    ASSERT_GE(log.WaitFor(1), 1u) << "the server's first pass did not run at start";
    RetentionReport early;
    ASSERT_TRUE(log.Sum(0, early));
    EXPECT_EQ(early.documents_removed, 0);
    ExpectNothingRemoved();

    env.Set(At(2027, 1, 20));
    // The pass in progress may have read the old day; the one after it reads the new one.
    size_t from = log.WaitFor(0);
    ASSERT_GE(log.WaitFor(from + 2), from + 2) << "no pass ran after the clock moved";
    RetentionReport late;
    ASSERT_TRUE(log.Sum(from, late));
    EXPECT_EQ(late.documents_removed, 1);
    EXPECT_EQ(late.metric_values_removed, 1);
  }
  ExpectRetentionApplied();
}

// The value of the unlabelled sample `name` in /metrics; "" when it is not exported.
std::string Sample(const ServerMetrics& metrics, const std::string& name) {
  std::string text = "\n" + metrics.Render();
  size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return "";
  at += name.size() + 2;
  return text.substr(at, text.find('\n', at) - at);
}

std::string EpochSeconds(TimePoint t) {
  return std::to_string(
             std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count()) +
         ".000";
}

TEST_F(Retention, ServersPeriodicPassExportsItsIntervalItsLastSuccessAndTheAccessLogChain) {
  ClockEnv env(At(2027, 1, 20));
  ServerMetrics metrics;
  Export("c-kept");  // an operator read: the access log has an entry to verify
  EXPECT_EQ(Sample(metrics, "homeport_retention_interval_seconds"), "0");
  EXPECT_EQ(Sample(metrics, "homeport_retention_last_run_timestamp_seconds"), "0.000");
  EXPECT_EQ(Sample(metrics, "homeport_access_log_chain_verified"), "")
      << "a chain nobody read yet is neither intact nor broken";
  PassLog log;
  {
    PeriodicRetention periodic(*store_, *schemas_, &env, std::chrono::hours(1), &metrics,
                               [&](const Result<RetentionReport>& r) { log.Add(r); });
    EXPECT_EQ(Sample(metrics, "homeport_retention_interval_seconds"), "3600");
    ASSERT_GE(log.WaitFor(1), 1u) << "the server's first pass did not run at start";
    RetentionReport report;
    ASSERT_TRUE(log.Sum(0, report));
    EXPECT_EQ(Sample(metrics, "homeport_retention_last_run_timestamp_seconds"),
              EpochSeconds(At(2027, 1, 20)));
    EXPECT_EQ(Sample(metrics, "homeport_access_log_chain_verified"), "1");
  }
}

TEST_F(Retention, ServersPeriodicPassCountsOnlySuccessesAsItsLastRun) {
  ClockEnv env(At(2027, 1, 20));
  ServerMetrics metrics;
  // The documents' table is away: every pass fails until it is back.
  TamperWithDatabase("ALTER TABLE uxp_documents RENAME TO uxp_documents_away");
  PassLog log;
  {
    PeriodicRetention periodic(*store_, *schemas_, &env, std::chrono::milliseconds(1), &metrics,
                               [&](const Result<RetentionReport>& r) { log.Add(r); });
    ASSERT_GE(log.WaitFor(3), 3u);
    RetentionReport report;
    ASSERT_FALSE(log.Sum(0, report)) << "a pass without the documents' table succeeded";
    EXPECT_EQ(Sample(metrics, "homeport_retention_last_run_timestamp_seconds"), "0.000")
        << "a failed pass was exported as a success";

    TamperWithDatabase("ALTER TABLE uxp_documents_away RENAME TO uxp_documents");
    env.Set(At(2027, 1, 21));
    // The pass in progress may have failed or read the old day; the ones after it do not.
    size_t from = log.WaitFor(0);
    ASSERT_GE(log.WaitFor(from + 2), from + 2) << "no pass ran after the table came back";
    EXPECT_EQ(Sample(metrics, "homeport_retention_last_run_timestamp_seconds"),
              EpochSeconds(At(2027, 1, 21)));
  }
}

TEST_F(Retention, ServersPeriodicPassFindsARewrittenAccessLog) {
  ClockEnv env(At(2027, 1, 20));
  ServerMetrics metrics;
  Export("c-kept");
  Export("c-check");
  ASSERT_TRUE(CheckAccessLogChain(*store_, &metrics).ok());
  EXPECT_EQ(Sample(metrics, "homeport_access_log_chain_verified"), "1");
  // Someone with the database file makes the first read look like another client's.
  TamperWithDatabase("UPDATE access_log SET subject = 'c-other' WHERE seq = 1");
  PassLog log;
  {
    PeriodicRetention periodic(*store_, *schemas_, &env, std::chrono::hours(1), &metrics,
                               [&](const Result<RetentionReport>& r) { log.Add(r); });
    ASSERT_GE(log.WaitFor(1), 1u);
    EXPECT_EQ(Sample(metrics, "homeport_access_log_chain_verified"), "0");
  }
  EXPECT_TRUE(CheckAccessLogChain(*store_, nullptr).IsCorruption());
}

}  // namespace
}  // namespace homeport
