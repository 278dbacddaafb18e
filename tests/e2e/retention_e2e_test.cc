// Retention end to end through `homeport retention run`: documents stored weeks ago (as a
// server that ran then stored them) are removed when their ping's retention has passed, a
// metric kept shorter than its ping loses its value while the document stays, nothing else
// changes, and the command reports exactly what it removed. Reads go through `uxp export`
// and the store's document counts.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "e2e_support.h"
#include "store/store.h"

namespace homeport::e2e {
namespace {

using nlohmann::json;

const std::string kSchemas = std::string(HOMEPORT_SOURCE_DIR) + "/tests/data/retention";
constexpr const char* kApp = "org-example-retention";

std::string DaysAgo(int days) {
  return FormatDate(Env::Default()->Now() - std::chrono::days(days));
}

std::string Payload(const json& metrics) { return json{{"metrics", metrics}}.dump(); }

json Export(const Region& r, const std::string& client_id) {
  EXPECT_TRUE(WaitForIngestOfRunningServers());
  CommandResult e = Homeport({"uxp", "export", client_id, "--store", r.store_url});
  EXPECT_EQ(e.exit_code, 0) << e.err;
  json j = json::parse(e.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << e.out;
  return j;
}

std::vector<std::pair<std::string, int64_t>> Counts(const Region& r) {
  EXPECT_TRUE(WaitForIngestOfRunningServers());
  auto store = Store::Open(r.store_url);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return {};
  auto counts = (*store)->DocumentCounts();
  EXPECT_TRUE(counts.ok()) << counts.status().ToString();
  return counts.ok() ? *counts : std::vector<std::pair<std::string, int64_t>>{};
}

TEST(RetentionE2E, RunRemovesWhatIsPastRetentionAndNothingElse) {
  Region region(1);
  const std::string diagnostics = Payload({{"counter", {{"diagnostics.crash_count", 2}}}});
  const std::string checkup =
      Payload({{"string", {{"checkup.note", "short-lived"}}}, {"counter", {{"checkup.taps", 3}}}});
  {
    auto store = Store::Open(region.store_url);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    WriteBatch b;
    b.documents = {
        // Feedback is kept 30 days: received 40 days ago, it expired 10 days ago.
        {"00000000-0000-4000-8000-000000000001", "homeport-agent", "feedback", "0c000000-0000-4000-8000-00000000000e",
         DaysAgo(40), DaysAgo(10), Payload({{"text", {{"feedback.text", "old feedback"}}}}), {}},
        // Diagnostics are kept 90 days; one of them expires today and stays until tomorrow.
        {"00000000-0000-4000-8000-000000000002", "homeport-agent", "diagnostics", "0c000000-0000-4000-8000-00000000000a",
         DaysAgo(40), DaysAgo(-50), diagnostics, {}},
        {"00000000-0000-4000-8000-000000000003", "homeport-agent", "diagnostics", "0c000000-0000-4000-8000-00000000000a",
         DaysAgo(90), DaysAgo(0), diagnostics, {}},
        // checkup is kept 14 days, its checkup.note only 7.
        {"00000000-0000-4000-8000-000000000004", kApp, "checkup", "0c000000-0000-4000-8000-00000000000c", DaysAgo(10),
         DaysAgo(-4), checkup, {}},
        {"00000000-0000-4000-8000-000000000005", kApp, "checkup", "0c000000-0000-4000-8000-00000000000c", DaysAgo(2),
         DaysAgo(-12), checkup, {}},
    };
    auto committed = (*store)->Commit(b, Env::Default()->Now());
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  }

  CommandResult run =
      Homeport({"retention", "run", "--store", region.store_url, "--schemas", kSchemas});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("removed 1 documents past retention; removed expired metric values from "
                         "1 documents"),
            std::string::npos)
      << run.out;

  EXPECT_TRUE(Export(region, "0c000000-0000-4000-8000-00000000000e")["documents"].empty()) << "an expired document is read";
  json kept = Export(region, "0c000000-0000-4000-8000-00000000000a")["documents"];
  ASSERT_EQ(kept.size(), 2u) << "a document within its retention was removed";
  for (const auto& d : kept) EXPECT_EQ(d["payload"], json::parse(diagnostics)) << d;
  json checkups = Export(region, "0c000000-0000-4000-8000-00000000000c")["documents"];
  ASSERT_EQ(checkups.size(), 2u);
  const json& older = checkups[0]["payload"]["metrics"];
  const json& newer = checkups[1]["payload"]["metrics"];
  EXPECT_FALSE(older.contains("string") && older["string"].contains("checkup.note"))
      << "a value past its 7 days is still read: " << older;
  EXPECT_EQ(older["counter"]["checkup.taps"], 3) << older;
  EXPECT_EQ(newer["string"]["checkup.note"], "short-lived") << newer;
  EXPECT_EQ(Counts(region),
            (std::vector<std::pair<std::string, int64_t>>{{"homeport-agent/diagnostics", 2},
                                                          {std::string(kApp) + "/checkup", 2}}));

  // Run again: nothing left to remove, and it says so.
  CommandResult again =
      Homeport({"retention", "run", "--store", region.store_url, "--schemas", kSchemas});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("removed 0 documents past retention; removed expired metric values "
                           "from 0 documents"),
            std::string::npos)
      << again.out;
  EXPECT_EQ(Export(region, "0c000000-0000-4000-8000-00000000000c")["documents"].size(), 2u);
}

}  // namespace
}  // namespace homeport::e2e
