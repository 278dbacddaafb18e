// Floods against a real `homeport serve` over loopback: junk wrong-region claims cannot hide
// the 2019 alarm (a `cn` claim stays visible in /metrics and in the stored counts), and valid
// pings under ever-fresh client ids are held back by the global ingest budget while a
// deletion-request still goes through.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "e2e_support.h"

namespace homeport::e2e {
namespace {

std::vector<std::string> Serve(const Region& r, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--region",  "sg",       "--store",
                                   r.store_url, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// What an attacker without any device key can send: a well-formed activation claiming an
// arbitrary region and variant. It is refused (421) before any signature is looked at.
HttpResult ForeignClaim(HttpConnection& c, const std::string& region, const std::string& variant,
                        int n) {
  nlohmann::json body = {{"serial", "J-" + std::to_string(n)},
                         {"model", "HP7"},
                         {"sku", "HP7-64"},
                         {"variant", variant},
                         {"region", region},
                         {"client_version", "1.0.0"},
                         {"manifest_version", 1},
                         {"sequence", 1}};
  return c.Call("POST", "/v1/activations", {{"Content-Type", "application/json"}}, body.dump());
}

nlohmann::json Stats(const Region& r) {
  CommandResult stats = Homeport({"stats", "--store", r.store_url, "--json", "--min-count", "1"});
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  return stats.exit_code == 0 ? nlohmann::json::parse(stats.out) : nlohmann::json::object();
}

int64_t StoredAttempts(const nlohmann::json& stats, const std::string& region) {
  int64_t n = 0;
  if (!stats.contains("region_alarm")) return n;
  for (const auto& row : stats["region_alarm"]["series"]) {
    if (row["claimed_region"] == region) n += row["total"].get<int64_t>();
  }
  return n;
}

TEST(FloodE2E, ThreeHundredJunkWrongRegionLabelsLeaveCnVisible) {
  Region region(1);
  ServerProcess server(Serve(region, {"--wrong-region-flush-interval", "1"}));
  ASSERT_TRUE(server.started()) << server.output();
  HttpConnection c(server.port());
  ASSERT_TRUE(c.connected());

  std::mt19937 random(2019);
  auto junk = [&](size_t min_len, size_t max_len) {
    static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s(min_len + random() % (max_len - min_len + 1), 'a');
    for (char& ch : s) ch = kChars[random() % 36];
    return s;
  };
  const char* countries[] = {"de", "fr", "us", "jp", "br", "in", "ru", "za", "mx", "kr"};
  int n = 0;
  for (const std::string claim : {"x1", "zz", "q9"}) {
    ASSERT_EQ(ForeignClaim(c, claim, "global", n++).status, 421);
  }
  while (n < 150) ASSERT_EQ(ForeignClaim(c, junk(3, 16), junk(1, 64), n++).status, 421);
  // Real country codes with junk variants: enough to fill the named-pair table.
  while (n < 300) {
    ASSERT_EQ(ForeignClaim(c, countries[n % 10], junk(1, 30), n).status, 421);
    ++n;
  }

  // The 2019 case: a device of the China variant claiming region cn.
  SignedActivation cn = HandMadeActivation(region.Profile(1), "cn");
  HttpResult refused = HttpCall(server.port(), "POST", "/v1/activations", cn.headers, cn.body);
  ASSERT_EQ(refused.status, 421) << refused.body;

  HttpResult metrics = HttpCall(server.admin_port(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("homeport_wrong_region_attempts_total{claimed_region=\"cn\""),
            std::string::npos)
      << metrics.body;
  size_t series = 0;
  for (size_t at = metrics.body.find("homeport_wrong_region_attempts_total{");
       at != std::string::npos;
       at = metrics.body.find("homeport_wrong_region_attempts_total{", at + 1)) {
    ++series;
  }
  EXPECT_LE(series, 256u + 252u);

  // Within a few flush intervals the counts are in the store, while the server runs.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (StoredAttempts(Stats(region), "cn") == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(StoredAttempts(Stats(region), "cn"), 1);

  EXPECT_EQ(server.Signal(SIGTERM), 0);
  nlohmann::json stats = Stats(region);
  EXPECT_EQ(StoredAttempts(stats, "cn"), 1);
  int64_t total = 0;
  for (const auto& row : stats["region_alarm"]["series"]) {
    total += row["total"].get<int64_t>();
    std::string claimed = row["claimed_region"];
    EXPECT_TRUE(claimed == "_other" || claimed == "cn" || claimed.size() == 2) << claimed;
  }
  EXPECT_EQ(total, 301);  // every refusal counted once, none lost at shutdown
  EXPECT_EQ(StoredAttempts(stats, "_other"), 150);  // x1, zz, q9 and the random claims
}

TEST(FloodE2E, FreshClientIdsPastTheGlobalBudgetGet429AndADeletionStillGoesThrough) {
  Region region(1);
  // One document a second, ten at once; the per-client limit does not matter here.
  ServerProcess server(
      Serve(region, {"--ingest-budget-docs", "1", "--ingest-burst-seconds", "10"}));
  ASSERT_TRUE(server.started()) << server.output();
  HttpConnection c(server.port());
  ASSERT_TRUE(c.connected());

  int accepted = 0, limited = 0;
  std::string first_stored;
  auto started = std::chrono::steady_clock::now();
  for (unsigned i = 0; i < 60; ++i) {
    std::string client = Uuid(77, i);  // a fresh client id for every ping
    std::string body = GleanBody(client, R"({"counter": {"diagnostics.crash_count": 1}})");
    HttpResult r = c.Call("POST", "/submit/homeport-agent/diagnostics/1/" + Uuid(78, i),
                          {{"Content-Type", "application/json"}}, body);
    if (r.status == 200) {
      ++accepted;
      if (first_stored.empty()) first_stored = client;
      continue;
    }
    ASSERT_EQ(r.status, 429) << r.body;
    EXPECT_EQ(nlohmann::json::parse(r.body)["error"], "rate_limited");
    ASSERT_TRUE(r.headers.count("retry-after"));
    EXPECT_GE(std::stoi(r.headers["retry-after"]), 1);
    ++limited;
  }
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LE(accepted, 10 + static_cast<int>(elapsed) + 1);
  EXPECT_GE(limited, 60 - 10 - static_cast<int>(elapsed) - 1);
  ASSERT_FALSE(first_stored.empty());

  // With the budget spent, the user's right to erasure is not held back.
  nlohmann::json deletion = nlohmann::json::parse(GleanBody(first_stored, "{}"));
  deletion.erase("metrics");
  HttpResult erased = c.Call("POST", "/submit/homeport-agent/deletion-request/1/" + Uuid(79, 0),
                             {{"Content-Type", "application/json"}}, deletion.dump());
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(nlohmann::json::parse(erased.body)["documents"], 1);

  EXPECT_EQ(server.Signal(SIGTERM), 0);
  nlohmann::json stats = Stats(region);
  int64_t stored = 0;
  for (const auto& row : stats["storage"]["pings"]) stored += row["total"].get<int64_t>();
  EXPECT_EQ(stored, accepted - 1);
}

}  // namespace
}  // namespace homeport::e2e
