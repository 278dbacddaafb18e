// Conformance: the daily aggregates behind `homeport stats` and the console — each written in
// the commit of what it counts, and the figures operator_stats builds from them.
#include <nlohmann/json.hpp>

#include "server/operator_stats.h"
#include "store_conformance.h"

namespace homeport::testing {
namespace {

using std::chrono::hours;

class StoreDailyCounts : public StoreTest {
 protected:
  std::vector<DailyCount> Series(std::string_view series, const std::string& from = "") {
    auto r = store_->DailyCounts(series, from);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<DailyCount>{};
  }
  void CommitBatch(const WriteBatch& b, TimePoint now) {
    auto r = store_->Commit(b, now);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  static UxpDocument Doc(const std::string& id, const std::string& client, const std::string& ping,
                         const std::string& day = "2026-11-29") {
    return {id, "homeport-agent", ping, client, day, "2027-02-27", R"({"metrics":{}})", {}};
  }
  nlohmann::json Stats(StatsPanel panel, const std::string& today = "2026-12-01",
                       int64_t min_count = 5) {
    StatsOptions o;
    o.today = today;
    o.days = 7;
    o.min_count = min_count;
    auto r = StatsJson(*store_, panel, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : nlohmann::json();
  }
};
HOMEPORT_STORE_CONFORMANCE(StoreDailyCounts);

TEST_P(StoreDailyCounts, FirstActivationsAndCheckInsCountOnTheirDayRepeatsAndReplaysNot) {
  auto devices = EnrollBatch("B1", 3);
  CommitAll({Act(devices[0].serial, "1.0.0", 1), Act(devices[1].serial, "1.0.0", 1)}, Day1());
  CommitOne(Act(devices[0].serial, "1.0.0", 1), Day1(hours(30)));      // repeat
  CommitOne(Act(devices[0].serial, "1.1.0", 2), Day1(hours(30)));      // check-in, next day
  CommitOne(Act(devices[1].serial, "0.9.0", 1, 1), Day1(hours(31)));   // replay: stale
  auto activations = Series(daily::kActivations);
  ASSERT_EQ(activations.size(), 1u);
  EXPECT_EQ(activations[0].day, "2026-11-29");
  EXPECT_EQ(activations[0].key, (DailyKey{"B1", "HP7", "global", ""}));
  EXPECT_EQ(activations[0].count, 2);
  auto checkins = Series(daily::kCheckins);
  ASSERT_EQ(checkins.size(), 1u);
  EXPECT_EQ(checkins[0].day, "2026-11-30");
  EXPECT_EQ(checkins[0].count, 1);

  // The rollout over time: two devices on 1/1.0.0 after the first day, one moved on the next;
  // its last day equals `homeport rollout`.
  nlohmann::json rollout = Stats(StatsPanel::kRollout, "2026-11-30");
  ASSERT_EQ(rollout["batches"].size(), 1u);
  const auto& b = rollout["batches"][0];
  EXPECT_EQ(b["activated"], 2);
  EXPECT_EQ(b["on_target"], 0.5);
  EXPECT_EQ(rollout["target"]["manifest_version"], 2);
  nlohmann::json by_manifest = b["history"]["by_manifest"];
  ASSERT_EQ(by_manifest.size(), 2u);
  EXPECT_EQ(by_manifest[0]["devices"].back(), 1);  // manifest 1 at the end of 11-30
  EXPECT_EQ(by_manifest[0]["devices"][5], 2);      // and of 11-29
  EXPECT_EQ(by_manifest[1]["devices"].back(), 1);
  EXPECT_EQ(b["history"]["activated"].back(), 2);
  EXPECT_EQ(rollout["below"].size(), 1u);
  auto report = store_->Rollout(std::nullopt);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->versions.size(), 2u);
  EXPECT_EQ(b["versions"][1]["client_version"], report->versions[1].client_version);
  EXPECT_EQ(b["versions"][1]["devices"], report->versions[1].devices);

  nlohmann::json act = Stats(StatsPanel::kActivations, "2026-11-30");
  EXPECT_EQ(act["totals"]["activations"], 2);
  EXPECT_EQ(act["totals"]["checkins"], 1);
  EXPECT_EQ(act["totals"]["activated_devices"], 2);
}

TEST_P(StoreDailyCounts, DocumentsCountOnceScrubbedKindsAddUpAndErasuresCountPerClient) {
  WriteBatch b;
  b.documents = {Doc("d-1", "c-1", "diagnostics"), Doc("d-2", "c-1", "diagnostics"),
                 Doc("d-3", "c-2", "feedback")};
  b.documents[2].scrubbed = {{"imei", 1}, {"email", 2}};
  CommitBatch(b, Day1());
  CommitBatch(b, Day1());  // resent: stored once, counted once
  auto pings = Series(daily::kPings);
  ASSERT_EQ(pings.size(), 2u);
  EXPECT_EQ(pings[0].key[1], "diagnostics");
  EXPECT_EQ(pings[0].count, 2);
  EXPECT_EQ(pings[1].count, 1);
  auto scrubbed = Series(daily::kScrubbed);
  ASSERT_EQ(scrubbed.size(), 2u);
  EXPECT_EQ(scrubbed[0].key[0], "email");
  EXPECT_EQ(scrubbed[0].count, 2);

  WriteBatch erase;
  erase.erasures = {{"c-1", "2027-03-01", ""}};
  CommitBatch(erase, Day1(hours(2)));
  CommitBatch(erase, Day1(hours(3)));  // retried: one deletion-request
  auto deletions = Series(daily::kDeletionRequests);
  ASSERT_EQ(deletions.size(), 1u);
  EXPECT_EQ(deletions[0].count, 1);
  EXPECT_EQ(Series(daily::kPings).size(), 2u) << "pings received stay counted after an erasure";

  auto active = store_->ActiveClients("2026-11-01");
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);  // c-1's documents are gone
  EXPECT_EQ(active->at(0).second, 1);
}

TEST_P(StoreDailyCounts, UxCountsBelowTheThresholdAreShownAsLessThan) {
  WriteBatch b;
  for (int i = 0; i < 6; ++i) {
    b.documents.push_back(Doc("d-" + std::to_string(i), "c-" + std::to_string(i), "baseline"));
  }
  b.documents.push_back(Doc("f-1", "c-1", "feedback"));
  CommitBatch(b, Day1());
  nlohmann::json uxp = Stats(StatsPanel::kUxp);
  ASSERT_EQ(uxp["pings"].size(), 2u);
  EXPECT_EQ(uxp["pings"][0]["ping"], "baseline");
  EXPECT_EQ(uxp["pings"][0]["total"], 6);
  EXPECT_EQ(uxp["pings"][1]["total"], "< 5");
  EXPECT_EQ(uxp["pings"][1]["documents"][4], "< 5");  // 11-29 in the week to 12-01
  EXPECT_EQ(uxp["pings"][1]["documents"][5], 0);
  EXPECT_EQ(uxp["active_clients"][4], 6);
  EXPECT_EQ(Stats(StatsPanel::kUxp, "2026-12-01", 1)["pings"][1]["total"], 1);
  nlohmann::json storage = Stats(StatsPanel::kStorage);
  EXPECT_EQ(storage["pings"][0]["retention_days"], 90);
  EXPECT_EQ(storage["pings"][0]["documents"][0], 6);  // 2 days old
  EXPECT_EQ(storage["pings"][1]["total"], "< 5");
}

TEST_P(StoreDailyCounts, WrongRegionAndSchemaViolationsGiveTheAlarmAndTheReviewSignal) {
  WriteBatch b;
  b.wrong_region = {{"cn", "china", 3}};
  b.schema_violations = {{"homeport-agent", "diagnostics", "metrics.counter.x", "unknown_metric", 7}};
  CommitBatch(b, Day1());
  WriteBatch later;
  later.wrong_region = {{"cn", "china", 2}};
  CommitBatch(later, Day1(hours(48)));
  nlohmann::json alarm = Stats(StatsPanel::kRegionAlarm);
  EXPECT_TRUE(alarm["alarm"]["active"]);
  EXPECT_EQ(alarm["alarm"]["count"], 5);
  EXPECT_EQ(alarm["alarm"]["first_seen"], "2026-11-29");
  EXPECT_EQ(alarm["alarm"]["last_seen"], "2026-12-01");
  EXPECT_EQ(alarm["series"][0]["attempts"].back(), 2);
  nlohmann::json uxp = Stats(StatsPanel::kUxp);
  ASSERT_EQ(uxp["schema_violations"].size(), 1u);
  EXPECT_EQ(uxp["schema_violations"][0]["metric"], "metrics.counter.x");
  EXPECT_EQ(uxp["schema_violations"][0]["total"], 7);
  // A week later the alarm is no longer active, but its history stays.
  nlohmann::json quiet = Stats(StatsPanel::kRegionAlarm, "2026-12-20");
  EXPECT_FALSE(quiet["alarm"]["active"]);
  EXPECT_EQ(quiet["alarm"]["count"], 5);
}

TEST_P(StoreDailyCounts, AggregatesSurviveReopeningAndRetentionRunsAreKept) {
  auto devices = EnrollBatch("B1", 1);
  CommitOne(Act(devices[0].serial), Day1());
  ASSERT_TRUE(store_->RecordRetentionRun({"2026-11-29T10:00:00Z", 3, 1}).ok());
  Reopen();
  EXPECT_EQ(Series(daily::kActivations).size(), 1u);
  auto run = store_->LastRetentionRun();
  ASSERT_TRUE(run.ok() && run->has_value());
  EXPECT_EQ((*run)->documents_removed, 3);
  nlohmann::json reads = Stats(StatsPanel::kOperatorReads);
  EXPECT_TRUE(reads["chain"]["verified"]);
  auto bytes = store_->DatabaseBytes();
  ASSERT_TRUE(bytes.ok());
  EXPECT_GT(*bytes, 0);
}

}  // namespace
}  // namespace homeport::testing
