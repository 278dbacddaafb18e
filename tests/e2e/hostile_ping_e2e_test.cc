// Hostile Glean pings against a real `homeport serve` over a SQLite store: an IMEI put in every
// place of a ping that is not a declared metric either makes the server refuse the ping, naming
// the place, or is scrubbed before storage. The proof is the bytes of the database and its WAL,
// which must never hold the IMEI's digits; and the stored times carry the day only (S4).
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e_support.h"
#include "homeport/env.h"

namespace homeport::e2e {
namespace {

using nlohmann::json;

// Luhn-valid, with the BABT reporting-body prefix 35 that nearly every handset IMEI has.
constexpr const char* kImei = "352099001761481";

json Ping(const std::string& client_id) {
  json p = json::parse(GleanBody(client_id, R"({"counter": {"diagnostics.crash_count": 1}})"));
  p["ping_info"]["start_time"] = "2026-12-03T14:37+01:00";
  p["ping_info"]["end_time"] = "2026-12-03T15:41:09.332+01:00";
  return p;
}

json ThermalEvent(json extra) {
  return json::array({{{"timestamp", 10},
                       {"category", "diagnostics"},
                       {"name", "thermal_shutdown"},
                       {"extra", std::move(extra)}}});
}

struct Smuggling {
  const char* where;
  std::function<void(json&)> put;
  const char* refused_field;  // nullptr: accepted, to be stored scrubbed
};

std::vector<Smuggling> Places() {
  return {
      {"glean.* metric of an undeclared name",
       [](json& p) { p["metrics"]["text"]["glean.imei"] = kImei; }, "/metrics/text/glean.imei"},
      {"glean.* metric under another type",
       [](json& p) { p["metrics"]["string"]["glean.validation.foreground_count"] = kImei; },
       "/metrics/string/glean.validation.foreground_count"},
      {"glean* event extra",
       [](json& p) {
         p["events"] = ThermalEvent({{"glean_serial", kImei}});
       },
       "/events/0/extra/glean_serial"},
      {"$schema as an object",
       [](json& p) {
         p["$schema"] = {{"imei", kImei}};
       },
       "/$schema"},
      {"$schema as a string", [](json& p) { p["$schema"] = kImei; }, nullptr},
      {"server_knobs_config, unknown knob",
       [](json& p) {
         p["ping_info"]["server_knobs_config"] = {{"note", kImei}};
       },
       "/ping_info/server_knobs_config/note"},
      {"server_knobs_config, metric name",
       [](json& p) {
         p["ping_info"]["server_knobs_config"] = {{"metrics_enabled", {{kImei, true}}}};
       },
       nullptr},
      {"experiments.*.extra, nested object",
       [](json& p) {
         p["ping_info"]["experiments"] = {
             {"e", {{"branch", "b"}, {"extra", {{"device", {{"imei", kImei}}}}}}}};
       },
       "/ping_info/experiments/e/extra/device"},
      {"experiments.*.extra, value and key",
       [](json& p) {
         p["ping_info"]["experiments"] = {
             {kImei, {{"branch", kImei}, {"extra", {{kImei, kImei}}}}}};
       },
       nullptr},
      {"events[].session, unknown field",
       [](json& p) {
         p["events"] = ThermalEvent({{"while_charging", "true"}});
         p["events"][0]["session"] = {{"session_id", "9f9eae08-00b0-4a91-9b08-2287d86d8353"},
                                      {"device", kImei}};
       },
       "/events/0/session/device"},
      {"a counter holding the digits",
       [](json& p) { p["metrics"]["counter"]["diagnostics.crash_count"] = 352099001761481; },
       "/metrics/counter/diagnostics.crash_count"},
      {"client_info string", [](json& p) { p["client_info"]["device_model"] = kImei; }, nullptr},
      {"client_info string past Glean's limit",
       [](json& p) { p["client_info"]["locale"] = std::string(250, ' ') + kImei; },
       "/client_info/locale"},
      {"event extra quantity",
       [](json& p) {
         p["events"] = ThermalEvent({{"battery_temperature", kImei}});
       },
       nullptr},
      {"glean.error label",
       [](json& p) {
         p["metrics"]["labeled_counter"]["glean.error.invalid_label"] = {{kImei, 1}};
       },
       nullptr},
  };
}

// Every byte of the database, its WAL (and shared-memory index) and the ingest log's segments,
// concatenated.
std::string DatabaseBytes(const Region& region) {
  std::string all;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    auto bytes = Env::Default()->ReadFile(region.dir.File("sg.db") + suffix);
    if (bytes.ok()) all += *bytes;
  }
  auto segments = Env::Default()->ListDir(region.dir.File("sg.db.ingest"));
  for (const auto& name : segments.ok() ? *segments : std::vector<std::string>{}) {
    auto bytes = Env::Default()->ReadFile(region.dir.File("sg.db.ingest/" + name));
    if (bytes.ok()) all += *bytes;
  }
  return all;
}

TEST(HostilePingE2E, ImeiInEverySmugglingPlaceNeverReachesTheDatabaseFiles) {
  Region region(1);
  ServerProcess server({"--region", "sg", "--store", region.store_url, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(server.started()) << server.output();

  unsigned n = 0, accepted = 0;
  for (const Smuggling& s : Places()) {
    ++n;
    json ping = Ping(Uuid(9, n));  // a client each, so no rate limit gets in the way
    s.put(ping);
    HttpResult r = Submit(server.port(), "diagnostics", Uuid(10, n), ping.dump());
    json body = json::parse(r.body, nullptr, false);
    if (s.refused_field != nullptr) {
      EXPECT_EQ(r.status, 400) << s.where << ": " << r.body;
      EXPECT_EQ(body.value("error", ""), "schema_violation") << s.where << ": " << r.body;
      bool named = false;
      for (const auto& f : body.value("fields", json::array())) {
        named |= f.value("field", "") == s.refused_field;
      }
      EXPECT_TRUE(named) << s.where << ": " << r.body;
    } else {
      EXPECT_EQ(r.status, 200) << s.where << ": " << r.body;
      ++accepted;
    }
  }
  // While the server runs, recent commits live in the WAL; after it stops, in the database.
  EXPECT_EQ(DatabaseBytes(region).find(kImei), std::string::npos) << "found in the live files";
  EXPECT_EQ(server.Signal(SIGTERM), 0);
  const std::string bytes = DatabaseBytes(region);
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(kImei), std::string::npos) << "found in the database files";

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(region.dir.File("sg.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT payload FROM uxp_documents", -1, &stmt, nullptr),
            SQLITE_OK);
  unsigned rows = 0, scrubbed = 0;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    ++rows;
    json doc =
        json::parse(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), nullptr, false);
    ASSERT_TRUE(doc.is_object());
    if (doc.dump().find("[imei]") != std::string::npos) ++scrubbed;
    EXPECT_EQ(doc["ping_info"]["start_time"], "2026-12-03T00:00+01:00");
    EXPECT_EQ(doc["ping_info"]["end_time"], "2026-12-03T00:00+01:00");
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_EQ(rows, accepted);
  EXPECT_EQ(scrubbed, accepted);  // each accepted ping carried the IMEI, now a tag
}

}  // namespace
}  // namespace homeport::e2e
