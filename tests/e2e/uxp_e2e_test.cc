// The User Experience Program end to end (issue 3): real `homeport serve` and `homeport agent
// uxp` processes over loopback, the operator's `uxp export` and `catalogue`, and hand-made Glean
// submissions for what the agent never sends (undeclared fields, duplicates, gzip bombs).
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/gzip.h"
#include "e2e_support.h"
#include "homeport/env.h"

namespace homeport::e2e {
namespace {

using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::vector<std::string> Serve(const Region& r, std::vector<std::string> extra = {},
                               const std::string& listen = "127.0.0.1:0") {
  std::vector<std::string> args = {"--region", "sg", "--store", r.store_url, "--listen", listen};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// One device of the region running `homeport agent uxp ...` against one manifest and state dir.
struct Device {
  const Region& region;
  int n;
  std::string manifest, state;

  CommandResult Uxp(std::vector<std::string> args, const std::string& deadline = "10") const {
    std::vector<std::string> full = {"agent", "uxp"};
    full.insert(full.end(), args.begin(), args.end());
    full.insert(full.end(), {"--profile", region.Profile(n), "--manifest", manifest, "--state",
                             state, "--deadline", deadline});
    CommandResult r = Homeport(full);
    // What the server acknowledged is in its store before the test reads the store.
    if (args[0] == "upload" || args[0] == "opt-out") {
      EXPECT_TRUE(WaitForIngestOfRunningServers());
    }
    return r;
  }
  json Status() const {
    CommandResult r = Uxp({"status"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }
  // Opts in and returns the new client id.
  std::string OptIn() const {
    CommandResult r = Uxp({"opt-in"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json s = Status();
    EXPECT_TRUE(s["enabled"].get<bool>()) << s;
    return s["client_id"].is_string() ? s["client_id"].get<std::string>() : "";
  }
};

// `homeport uxp export CLIENT_ID --store URL`, parsed.
json Export(const Region& r, const std::string& client_id) {
  EXPECT_TRUE(WaitForIngestOfRunningServers());
  CommandResult e = Homeport({"uxp", "export", client_id, "--store", r.store_url});
  EXPECT_EQ(e.exit_code, 0) << e.err;
  json j = json::parse(e.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << e.out;
  EXPECT_EQ(j["client_id"], client_id);
  return j;
}

// The exported documents of one ping.
std::vector<json> DocsOf(const json& exported, const std::string& ping) {
  std::vector<json> out;
  for (const auto& d : exported["documents"]) {
    if (d["ping"] == ping) out.push_back(d);
  }
  return out;
}

// Days from an exported document's received_day to its expires_day (both YYYY-MM-DD).
int KeptDays(const json& doc) {
  auto day = [](const std::string& ymd) {
    int y = 0;
    unsigned m = 0, d = 0;
    std::sscanf(ymd.c_str(), "%d-%u-%u", &y, &m, &d);
    return std::chrono::sys_days(std::chrono::year{y} / std::chrono::month{m} /
                                 std::chrono::day{d});
  };
  return static_cast<int>((day(doc["expires_day"]) - day(doc["received_day"])).count());
}

std::string ErrorCodeOf(const HttpResult& r) {
  json j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : "(no JSON error)";
}

// The value of one Prometheus sample line `name{labels}`, or -1 when absent.
double Sample(const std::string& metrics_text, const std::string& series) {
  size_t p = metrics_text.find(series + " ");
  if (p == std::string::npos) return -1;
  return std::stod(metrics_text.substr(p + series.size() + 1));
}

// Rows of a query on a read-only SQLite database, every column as text.
std::vector<std::vector<std::string>> Query(sqlite3* db, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    return rows;
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* v = sqlite3_column_text(stmt, i);
      row.emplace_back(v ? reinterpret_cast<const char*>(v) : "");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  return rows;
}

TEST(UxpE2E, OptInRecordFeedbackUploadIsStored) {
  Region region(1);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  Device device{region, 1, region.Manifest("sg", server.url()), region.dir.File("state")};

  std::string client_id = device.OptIn();
  ASSERT_EQ(client_id.size(), 36u);
  for (auto [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"diagnostics.crash_count", "2"},
           {"diagnostics.crash_count", "1"},  // counters add up
           {"diagnostics.battery_cycle_count", "412"},
           {"diagnostics.boot_time", "8123"},
           {"diagnostics.free_storage", "10240"},
           {"diagnostics.thermal_throttling/severe", "1"},
           {"diagnostics.thermal_shutdown", "battery_temperature=48,while_charging=true"}}) {
    CommandResult r = device.Uxp({"record", name, value});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
  }
  CommandResult fb = device.Uxp({"feedback", "The camera app is slow to open", "--rating", "4"});
  ASSERT_EQ(fb.exit_code, 0) << fb.err;
  EXPECT_EQ(device.Status()["pending_pings"], 1);  // feedback now; diagnostics at upload

  CommandResult up = device.Uxp({"upload", "--json"});
  ASSERT_EQ(up.exit_code, 0) << up.err << up.out;
  json summary = json::parse(up.out);
  EXPECT_EQ(summary["sent"], 2) << summary;
  EXPECT_EQ(summary["pending"], 0) << summary;
  json status = device.Status();
  EXPECT_EQ(status["pending_pings"], 0);
  EXPECT_EQ(status["client_id"], client_id);  // uploading does not change the id

  json exported = Export(region, client_id);
  ASSERT_EQ(exported["documents"].size(), 2u) << exported.dump(2);
  auto diagnostics = DocsOf(exported, "diagnostics");
  auto feedback = DocsOf(exported, "feedback");
  ASSERT_EQ(diagnostics.size(), 1u) << exported.dump(2);
  ASSERT_EQ(feedback.size(), 1u) << exported.dump(2);
  for (const json& d : {diagnostics[0], feedback[0]}) {
    EXPECT_EQ(d["app_id"], "homeport-agent");
    EXPECT_EQ(d["payload"]["client_info"]["client_id"], client_id);
  }
  const json& m = diagnostics[0]["payload"]["metrics"];
  EXPECT_EQ(m["counter"]["diagnostics.crash_count"], 3) << m.dump(2);
  EXPECT_EQ(m["quantity"]["diagnostics.battery_cycle_count"], 412) << m.dump(2);
  EXPECT_EQ(m["quantity"]["diagnostics.free_storage"], 10240) << m.dump(2);
  EXPECT_EQ(m["timespan"]["diagnostics.boot_time"]["value"], 8123) << m.dump(2);
  EXPECT_EQ(m["labeled_counter"]["diagnostics.thermal_throttling"]["severe"], 1) << m.dump(2);
  const json& events = diagnostics[0]["payload"]["events"];
  ASSERT_EQ(events.size(), 1u) << diagnostics[0].dump(2);
  EXPECT_EQ(events[0]["category"], "diagnostics");
  EXPECT_EQ(events[0]["name"], "thermal_shutdown");
  EXPECT_EQ(events[0]["extra"]["battery_temperature"], "48");
  EXPECT_EQ(events[0]["extra"]["while_charging"], "true");
  EXPECT_EQ(diagnostics[0]["payload"]["ping_info"]["reason"], "on_demand");
  const json& f = feedback[0]["payload"]["metrics"];
  EXPECT_EQ(f["text"]["feedback.text"], "The camera app is slow to open") << f.dump(2);
  EXPECT_EQ(f["quantity"]["feedback.rating"], 4) << f.dump(2);
  EXPECT_EQ(feedback[0]["payload"]["ping_info"]["reason"], "user_submitted");

  // Nothing more to send: a second upload sends nothing and stores nothing new.
  CommandResult again = device.Uxp({"upload", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["sent"], 0);
  EXPECT_EQ(Export(region, client_id)["documents"].size(), 2u);

  // Retention (30 days for feedback, 90 for diagnostics) removes nothing received today.
  CommandResult retention = Homeport({"retention", "run", "--store", region.store_url});
  ASSERT_EQ(retention.exit_code, 0) << retention.err;
  EXPECT_NE(retention.out.find("removed 0 documents"), std::string::npos) << retention.out;
  json kept = Export(region, client_id);
  ASSERT_EQ(kept["documents"].size(), 2u);
  EXPECT_EQ(KeptDays(DocsOf(kept, "feedback")[0]), 30);
  EXPECT_EQ(KeptDays(DocsOf(kept, "diagnostics")[0]), 90);
}

TEST(UxpE2E, OptOutSendsDeletionRequestThatErasesTheClient) {
  Region region(1);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  Device device{region, 1, region.Manifest("sg", server.url()), region.dir.File("state")};

  std::string old_id = device.OptIn();
  ASSERT_EQ(device.Uxp({"record", "diagnostics.crash_count", "1"}).exit_code, 0);
  ASSERT_EQ(device.Uxp({"feedback", "first"}).exit_code, 0);
  ASSERT_EQ(device.Uxp({"upload"}).exit_code, 0);
  ASSERT_EQ(Export(region, old_id)["documents"].size(), 2u);
  // Collected but not uploaded yet: opting out must wipe it rather than send it.
  ASSERT_EQ(device.Uxp({"record", "diagnostics.anr_count", "5"}).exit_code, 0);
  ASSERT_EQ(device.Uxp({"feedback", "never sent"}).exit_code, 0);

  CommandResult out = device.Uxp({"opt-out"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("deletion-request sent"), std::string::npos) << out.out;
  json status = device.Status();
  EXPECT_FALSE(status["enabled"].get<bool>());
  EXPECT_TRUE(status["client_id"].is_null()) << status;
  EXPECT_EQ(status["pending_pings"], 0);
  EXPECT_EQ(status["pending_deletion_requests"], 0);
  EXPECT_EQ(Export(region, old_id)["documents"].size(), 0u);
  EXPECT_EQ(Sample(HttpCall(server.admin_port(), "GET", "/metrics").body,
                   "homeport_http_requests_total{route=\"/submit/\",status=\"200\"}"),
            3);  // diagnostics, feedback, deletion-request: "never sent" never was

  // Not opted in: nothing can be recorded, and an upload sends nothing.
  EXPECT_NE(device.Uxp({"record", "diagnostics.crash_count", "1"}).exit_code, 0);
  EXPECT_EQ(device.Uxp({"upload"}).exit_code, 0);

  // Opting in again starts an unrelated participation.
  std::string new_id = device.OptIn();
  ASSERT_EQ(new_id.size(), 36u);
  EXPECT_NE(new_id, old_id);
  ASSERT_EQ(device.Uxp({"feedback", "second"}).exit_code, 0);
  ASSERT_EQ(device.Uxp({"upload"}).exit_code, 0);
  json fresh = Export(region, new_id);
  ASSERT_EQ(fresh["documents"].size(), 1u) << fresh.dump(2);
  EXPECT_EQ(fresh["documents"][0]["payload"]["metrics"]["text"]["feedback.text"], "second");
  EXPECT_EQ(fresh["documents"][0]["payload"]["ping_info"]["seq"], 0);  // a new client's first
  EXPECT_EQ(Export(region, old_id)["documents"].size(), 0u);
}

TEST(UxpE2E, OptOutWhileOfflineErasesOnceTheServerIsBack) {
  Region region(1);
  uint16_t port = UnusedPort();
  ASSERT_NE(port, 0);
  std::string listen = "127.0.0.1:" + std::to_string(port);
  Device device{region, 1, region.Manifest("sg", "http://" + listen), region.dir.File("state")};

  std::string old_id;
  {
    ServerProcess server(Serve(region, {}, listen));
    ASSERT_TRUE(server.started()) << server.output() << server.log();
    old_id = device.OptIn();
    ASSERT_EQ(device.Uxp({"feedback", "before going offline"}).exit_code, 0);
    ASSERT_EQ(device.Uxp({"upload"}).exit_code, 0);
    ASSERT_EQ(Export(region, old_id)["documents"].size(), 1u);
    EXPECT_EQ(server.Signal(SIGTERM), 0);
  }
  // Offline: opting out still succeeds locally and keeps the deletion-request.
  CommandResult out = device.Uxp({"opt-out"}, "1");
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("deletion-request queued"), std::string::npos) << out.out;
  json status = device.Status();
  EXPECT_FALSE(status["enabled"].get<bool>());
  EXPECT_EQ(status["pending_deletion_requests"], 1);
  // The user joins again before the network returns: a new id, with new pings queued.
  std::string new_id = device.OptIn();
  EXPECT_NE(new_id, old_id);
  ASSERT_EQ(device.Uxp({"feedback", "after opting in again"}).exit_code, 0);
  EXPECT_NE(device.Uxp({"upload"}, "1").exit_code, 0);
  EXPECT_EQ(device.Status()["pending_deletion_requests"], 1);

  ServerProcess server(Serve(region, {}, listen));
  ASSERT_TRUE(server.started()) << server.output() << server.log();
  CommandResult up = device.Uxp({"upload", "--json"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(json::parse(up.out)["sent"], 2);  // the deletion-request, then the new feedback
  status = device.Status();
  EXPECT_EQ(status["pending_deletion_requests"], 0);
  EXPECT_EQ(status["pending_pings"], 0);
  EXPECT_EQ(Export(region, old_id)["documents"].size(), 0u);
  json fresh = Export(region, new_id);
  ASSERT_EQ(fresh["documents"].size(), 1u) << fresh.dump(2);  // erasing the old id spared it
  EXPECT_EQ(fresh["documents"][0]["payload"]["metrics"]["text"]["feedback.text"],
            "after opting in again");
}

TEST(UxpE2E, FeedbackIsStoredWithIdentifiersScrubbed) {
  Region region(1);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  Device device{region, 1, region.Manifest("sg", server.url()), region.dir.File("state")};
  std::string client_id = device.OptIn();

  const std::string text =
      "Phone reboots. IMEI 490154203237518, call me at +65 6123 4567 or write to "
      "jane.tan@example.com";
  ASSERT_EQ(device.Uxp({"feedback", text, "--rating", "2"}).exit_code, 0);
  CommandResult up = device.Uxp({"upload"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(server.Signal(SIGTERM), 0);  // everything on disk, for the byte scan below

  CommandResult raw = Homeport({"uxp", "export", client_id, "--store", region.store_url});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  json exported = json::parse(raw.out);
  ASSERT_EQ(exported["documents"].size(), 1u);
  std::string stored = exported["documents"][0]["payload"]["metrics"]["text"]["feedback.text"];
  EXPECT_NE(stored.find("[imei]"), std::string::npos) << stored;
  EXPECT_NE(stored.find("[phone]"), std::string::npos) << stored;
  EXPECT_NE(stored.find("[email]"), std::string::npos) << stored;
  EXPECT_NE(stored.find("Phone reboots."), std::string::npos) << stored;  // the rest is kept
  EXPECT_EQ(exported["documents"][0]["payload"]["metrics"]["quantity"]["feedback.rating"], 2);

  std::string everything = raw.out;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    auto bytes = Env::Default()->ReadFile(region.dir.File("sg.db") + suffix);
    if (bytes.ok()) everything += *bytes;
  }
  for (const char* leaked :
       {"490154203237518", "6123 4567", "61234567", "jane.tan", "example.com"}) {
    EXPECT_EQ(everything.find(leaked), std::string::npos) << leaked << " was stored";
  }

  ServerProcess again(Serve(region));  // counters are per process: count once more
  ASSERT_TRUE(again.started());
  Device second{region, 1, region.Manifest("sg", again.url()), region.dir.File("state")};
  ASSERT_EQ(second.Uxp({"feedback", text}).exit_code, 0);
  ASSERT_EQ(second.Uxp({"upload"}).exit_code, 0);
  std::string metrics = HttpCall(again.admin_port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("# TYPE homeport_scrubbed_identifiers_total counter"), std::string::npos);
  EXPECT_EQ(Sample(metrics, "homeport_scrubbed_identifiers_total{kind=\"imei\"}"), 1) << metrics;
  EXPECT_EQ(Sample(metrics, "homeport_scrubbed_identifiers_total{kind=\"phone\"}"), 1) << metrics;
  EXPECT_EQ(Sample(metrics, "homeport_scrubbed_identifiers_total{kind=\"email\"}"), 1) << metrics;
}

TEST(UxpE2E, UndeclaredMetricAndPingAreRefusedByName) {
  Region region(1);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  std::string client = Uuid(4, 1);

  json undeclared_metric = {
      {"counter", {{"diagnostics.crash_count", 2}, {"diagnostics.wifi_mac_seen", 1}}}};
  HttpResult r = Submit(server.port(), "diagnostics", Uuid(4, 100),
                        GleanBody(client, undeclared_metric.dump()));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(ErrorCodeOf(r), "schema_violation");
  EXPECT_NE(r.body.find("diagnostics.wifi_mac_seen"), std::string::npos) << r.body;
  json fields = json::parse(r.body)["fields"];
  ASSERT_EQ(fields.size(), 1u) << r.body;  // the declared one is fine
  EXPECT_EQ(fields[0]["problem"], "unknown_metric") << r.body;
  EXPECT_NE(fields[0]["field"].get<std::string>().find("diagnostics.wifi_mac_seen"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(r.headers["access-control-allow-origin"], "*");  // errors reach browsers too

  json fine = {{"counter", {{"diagnostics.crash_count", 2}}}};
  r = Submit(server.port(), "location", Uuid(4, 101), GleanBody(client, fine.dump()));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(ErrorCodeOf(r), "schema_violation");
  EXPECT_NE(r.body.find("'location'"), std::string::npos) << r.body;
  json ping_fields = json::parse(r.body)["fields"];
  ASSERT_FALSE(ping_fields.empty());
  EXPECT_EQ(ping_fields[0]["field"], "doc_type") << r.body;
  EXPECT_EQ(ping_fields[0]["problem"], "unknown_ping") << r.body;

  // An unknown app is refused the same way.
  r = HttpCall(server.port(), "POST", "/submit/org-unknown-app/metrics/1/" + Uuid(4, 102),
               {{"Content-Type", "application/json"}}, GleanBody(client, "{}"));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("org-unknown-app"), std::string::npos) << r.body;

  EXPECT_EQ(Export(region, client)["documents"].size(), 0u);  // nothing of them was stored
  r = Submit(server.port(), "diagnostics", Uuid(4, 103), GleanBody(client, fine.dump()),
             {{"Content-Type", "application/json"},
              {"User-Agent", "Tracker/1.0"},
              {"X-Forwarded-For", "203.0.113.7"}});
  EXPECT_EQ(r.status, 200) << r.body;  // the same client's valid ping still goes through
  EXPECT_EQ(Export(region, client)["documents"].size(), 1u);

  // S2 for pings too: no connection metadata in the store.
  EXPECT_EQ(server.Signal(SIGTERM), 0);
  std::string stored;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    auto bytes = Env::Default()->ReadFile(region.dir.File("sg.db") + suffix);
    if (bytes.ok()) stored += *bytes;
  }
  ASSERT_NE(stored.find(Uuid(4, 103)), std::string::npos);
  const std::vector<std::string> never_stored = {"127.0.0.1", "203.0.113.7", "Tracker",
                                                 "wifi_mac_seen", Uuid(4, 100)};
  for (const std::string& leaked : never_stored) {
    EXPECT_EQ(stored.find(leaked), std::string::npos) << leaked << " was stored";
  }
}

TEST(UxpE2E, DuplicateDocIdIsStoredOnce) {
  Region region(1);
  std::string client = Uuid(5, 1), doc_id = Uuid(5, 200);
  std::string body =
      GleanBody(client, json({{"counter", {{"diagnostics.crash_count", 7}}}}).dump());
  {
    ServerProcess server(Serve(region));
    ASSERT_TRUE(server.started()) << server.output();
    HttpResult first = Submit(server.port(), "diagnostics", doc_id, body);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(json::parse(first.body)["status"], "stored");
    // A resend (the answer got lost, say) with the upper-case spelling of the same UUID.
    std::string upper = doc_id;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    HttpResult second = Submit(server.port(), "diagnostics", upper, body);
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(json::parse(second.body)["status"], "stored");  // the same answer: held once
    EXPECT_EQ(server.Signal(SIGTERM), 0);
  }
  ServerProcess restarted(Serve(region));
  ASSERT_TRUE(restarted.started()) << restarted.output();
  HttpResult third = Submit(restarted.port(), "diagnostics", doc_id, body);
  ASSERT_EQ(third.status, 200) << third.body;
  EXPECT_EQ(json::parse(third.body)["status"], "stored");
  ASSERT_TRUE(WaitForIngest(restarted.port()));
  json exported = Export(region, client);
  ASSERT_EQ(exported["documents"].size(), 1u) << exported.dump(2);
  EXPECT_EQ(exported["documents"][0]["doc_id"], doc_id);

  // The agent resending its queue (a copy restored from before the upload) is no different.
  Device device{region, 1, region.Manifest("sg", restarted.url()), region.dir.File("state")};
  std::string agent_client = device.OptIn();
  ASSERT_EQ(device.Uxp({"feedback", "sent twice"}).exit_code, 0);
  namespace fs = std::filesystem;
  fs::copy(device.state, region.dir.File("state-copy"), fs::copy_options::recursive);
  ASSERT_EQ(device.Uxp({"upload"}).exit_code, 0);
  fs::remove_all(device.state);
  fs::rename(region.dir.File("state-copy"), device.state);
  CommandResult resend = device.Uxp({"upload", "--json"});
  ASSERT_EQ(resend.exit_code, 0) << resend.err;
  EXPECT_EQ(json::parse(resend.out)["sent"], 1);  // 2xx: done, not dropped
  EXPECT_EQ(Export(region, agent_client)["documents"].size(), 1u);
}

TEST(UxpE2E, GzipAcceptedOversizeAndBombRefused) {
  Region region(1);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  std::string client = Uuid(6, 1);
  std::string body = GleanBody(client, json({{"counter", {{"diagnostics.anr_count", 4}}}}).dump());

  HttpResult r =
      Submit(server.port(), "diagnostics", Uuid(6, 300), Gzip(body),
             {{"Content-Type", "application/json; charset=utf-8"}, {"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 200) << r.body;
  json exported = Export(region, client);
  ASSERT_EQ(exported["documents"].size(), 1u);
  EXPECT_EQ(exported["documents"][0]["payload"]["metrics"]["counter"]["diagnostics.anr_count"], 4);

  // Plain, just over 1 MB on the wire: valid JSON padded with whitespace.
  std::string big = body;
  big.insert(big.size() - 1, std::string((1 << 20) - big.size() + 1, ' '));
  ASSERT_GT(big.size(), size_t{1} << 20);
  r = Submit(server.port(), "diagnostics", Uuid(6, 301), big);
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(ErrorCodeOf(r), "too_large");

  // A gzip bomb: small on the wire, over 8 MB once inflated (valid JSON all the same).
  std::string inflated = body;
  inflated.insert(inflated.size() - 1, std::string((8 << 20) + 1, ' '));
  std::string bomb = Gzip(inflated);
  ASSERT_LT(bomb.size(), size_t{64} << 10);
  r = Submit(server.port(), "diagnostics", Uuid(6, 302), bomb,
             {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(ErrorCodeOf(r), "too_large");

  // Broken gzip is a bad body, not a crash; and the server still serves afterwards.
  r = Submit(server.port(), "diagnostics", Uuid(6, 303), bomb.substr(0, bomb.size() / 2),
             {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Export(region, client)["documents"].size(), 1u);
  EXPECT_EQ(HttpCall(server.port(), "GET", "/healthz").status, 200);
}

TEST(UxpE2E, OfflineDeviceQueuesAndUploadsWhenTheServerReturns) {
  Region region(1);
  uint16_t port = UnusedPort();
  ASSERT_NE(port, 0);
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  Device device{region, 1, region.Manifest("sg", base), region.dir.File("state")};

  std::string client_id = device.OptIn();  // needs no network
  ASSERT_EQ(device.Uxp({"record", "diagnostics.crash_count", "1"}).exit_code, 0);
  ASSERT_EQ(device.Uxp({"feedback", "written on a plane"}).exit_code, 0);
  auto t0 = std::chrono::steady_clock::now();
  CommandResult offline = device.Uxp({"upload"}, "1");
  EXPECT_NE(offline.exit_code, 0) << offline.out;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(15));  // the deadline holds
  EXPECT_NE(offline.err.find("pings stay queued"), std::string::npos) << offline.err;
  json status = device.Status();
  EXPECT_EQ(status["pending_pings"], 2) << status;  // diagnostics made at upload, and feedback
  // More is recorded while offline; it joins the next diagnostics ping.
  ASSERT_EQ(device.Uxp({"record", "diagnostics.crash_count", "1"}).exit_code, 0);
  EXPECT_NE(device.Uxp({"upload"}, "1").exit_code, 0);
  EXPECT_EQ(device.Status()["pending_pings"], 3);

  ServerProcess server(Serve(region, {}, "127.0.0.1:" + std::to_string(port)));
  ASSERT_TRUE(server.started()) << server.output() << server.log();
  ASSERT_EQ(server.port(), port);
  CommandResult online = device.Uxp({"upload", "--json"});
  ASSERT_EQ(online.exit_code, 0) << online.err;
  EXPECT_EQ(json::parse(online.out)["sent"], 3);
  EXPECT_EQ(device.Status()["pending_pings"], 0);

  json exported = Export(region, client_id);
  ASSERT_EQ(exported["documents"].size(), 3u) << exported.dump(2);
  auto diagnostics = DocsOf(exported, "diagnostics");
  ASSERT_EQ(diagnostics.size(), 2u);
  std::set<int> seqs;
  for (const auto& d : diagnostics) {
    EXPECT_EQ(d["payload"]["metrics"]["counter"]["diagnostics.crash_count"], 1);
    seqs.insert(d["payload"]["ping_info"]["seq"].get<int>());
  }
  EXPECT_EQ(seqs, (std::set<int>{0, 1}));
  auto feedback = DocsOf(exported, "feedback");
  ASSERT_EQ(feedback.size(), 1u);
  EXPECT_EQ(feedback[0]["payload"]["metrics"]["text"]["feedback.text"], "written on a plane");
}

TEST(UxpE2E, NoStoredTableLinksDeviceIdentityToUxClientIds) {
  Region region(2);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  std::string manifest = region.Manifest("sg", server.url());
  std::vector<std::string> client_ids;
  for (int n = 1; n <= 2; ++n) {
    Device device{region, n, manifest, region.dir.File("state" + std::to_string(n))};
    CommandResult act = Homeport({"agent", "activate", "--profile", region.Profile(n), "--manifest",
                                  manifest, "--state", device.state, "--deadline", "10"});
    ASSERT_EQ(act.exit_code, 0) << act.err;
    client_ids.push_back(device.OptIn());
    ASSERT_EQ(device.Uxp({"record", "diagnostics.boot_time", "9000"}).exit_code, 0);
    ASSERT_EQ(device.Uxp({"feedback", "device " + std::to_string(n) + " is fine"}).exit_code, 0);
    ASSERT_EQ(device.Uxp({"upload"}).exit_code, 0);
  }
  // Operator reads of both kinds land in the access log: still no row may link the two.
  ASSERT_EQ(Homeport({"warranty", region.Serial(1), "--store", region.store_url}).exit_code, 0);
  ASSERT_EQ(Export(region, client_ids[0])["documents"].size(), 2u);
  EXPECT_EQ(server.Signal(SIGTERM), 0);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(region.dir.File("sg.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  std::set<std::string> identity_columns = {"serial", "public_key", "device_key"};
  std::set<std::string> ux_columns = {"client_id"};
  bool saw_activations = false, saw_documents = false;
  auto tables = Query(db, "SELECT name FROM sqlite_master WHERE type = 'table'");
  ASSERT_FALSE(tables.empty());
  for (const auto& t : tables) {
    const std::string& table = t[0];
    std::set<std::string> columns;
    for (const auto& c : Query(db, "SELECT name FROM pragma_table_info('" + table + "')")) {
      columns.insert(c[0]);
    }
    bool identity = false, ux = false;
    for (const auto& c : columns) {
      identity |= identity_columns.count(c) > 0;
      ux |= ux_columns.count(c) > 0 || c.find("client_id") != std::string::npos;
    }
    EXPECT_FALSE(identity && ux) << "table " << table << " has both a device identity column "
                                 << "and a UX client id column";
    saw_activations |= table == "activations";
    saw_documents |= table == "uxp_documents";
  }
  ASSERT_TRUE(saw_activations);
  ASSERT_TRUE(saw_documents);
  EXPECT_EQ(Query(db, "SELECT serial FROM activations").size(), 2u);
  auto docs = Query(db, "SELECT client_id, payload FROM uxp_documents");
  ASSERT_EQ(docs.size(), 4u);

  // And by value: no row anywhere holds a device identity next to a client id, and no UX
  // document carries a serial or a device key.
  std::vector<std::string> identities;
  for (const auto& d : Query(db, "SELECT serial, public_key FROM devices")) {
    identities.insert(identities.end(), d.begin(), d.end());
  }
  ASSERT_EQ(identities.size(), 4u);
  for (const auto& d : docs) {
    for (const auto& id : identities) {
      EXPECT_EQ(d[1].find(id), std::string::npos) << "a UX document contains " << id;
    }
    EXPECT_EQ(d[1].find("B1-"), std::string::npos) << d[1];
  }
  for (const auto& t : tables) {
    for (const auto& row : Query(db, "SELECT * FROM \"" + t[0] + "\"")) {
      std::string joined;
      for (const auto& v : row) joined += v + '\x1f';
      bool has_identity = false, has_client = false;
      for (const auto& id : identities) has_identity |= joined.find(id) != std::string::npos;
      for (const auto& c : client_ids) has_client |= joined.find(c) != std::string::npos;
      EXPECT_FALSE(has_identity && has_client) << "a row of " << t[0] << " links them: " << joined;
    }
  }
  sqlite3_close(db);
}

TEST(UxpE2E, PrivacyCatalogueMatchesTheCatalogueCommand) {
  Region region(1);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();

  HttpResult html = HttpCall(server.port(), "GET", "/privacy");
  ASSERT_EQ(html.status, 200);
  EXPECT_EQ(html.headers["content-type"].rfind("text/html", 0), 0u) << html.headers["content-type"];
  EXPECT_NE(html.body.find("<html"), std::string::npos);
  EXPECT_NE(html.body.find("feedback.text"), std::string::npos);
  EXPECT_NE(html.body.find("diagnostics.crash_count"), std::string::npos);

  HttpResult as_json = HttpCall(server.port(), "GET", "/privacy?format=json");
  ASSERT_EQ(as_json.status, 200);
  EXPECT_EQ(as_json.headers["content-type"].rfind("application/json", 0), 0u);
  json served = json::parse(as_json.body);
  HttpResult by_accept =
      HttpCall(server.port(), "GET", "/privacy", {{"Accept", "application/json"}});
  EXPECT_EQ(json::parse(by_accept.body), served);

  CommandResult cli = Homeport({"catalogue", "--json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  json printed = json::parse(cli.out);
  EXPECT_EQ(printed, served);

  auto metric_names = [](const json& catalogue) {
    std::map<std::string, json> out;
    for (const auto& app : catalogue["apps"]) {
      if (app["app_id"] != "homeport-agent") continue;
      for (const auto& m : app["metrics"]) out[m["name"].get<std::string>()] = m;
    }
    return out;
  };
  auto served_metrics = metric_names(served);
  auto printed_metrics = metric_names(printed);
  EXPECT_EQ(served_metrics, printed_metrics);
  for (const char* name :
       {"diagnostics.crash_count", "diagnostics.anr_count", "diagnostics.battery_cycle_count",
        "diagnostics.boot_time", "diagnostics.free_storage", "diagnostics.app_starts",
        "diagnostics.thermal_throttling", "diagnostics.thermal_shutdown", "feedback.text",
        "feedback.rating"}) {
    ASSERT_TRUE(served_metrics.count(name)) << name;
  }
  EXPECT_EQ(served_metrics.size(), 10u);
  const json& text = served_metrics["feedback.text"];
  EXPECT_EQ(text["type"], "text");
  EXPECT_EQ(text["retention_days"], 30);
  EXPECT_EQ(text["data_sensitivity"], json::array({"highly_sensitive"}));
  EXPECT_EQ(text["send_in_pings"], json::array({"feedback"}));
}

// DIR/org-example-app/{metrics,pings}.yaml: one string metric in Glean's built-in "metrics"
// ping and one text metric in a custom "checkup" ping.
void WriteExampleApp(const std::string& dir, const std::string& metric_type = "string") {
  const std::string owners =
      "    bugs: [https://example.com/bug/1]\n    data_reviews: [https://example.com/review/1]\n"
      "    notification_emails: [owner@example.com]\n    expires: never\n";
  std::string metrics =
      "$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\nui:\n"
      "  theme:\n    type: " +
      metric_type + "\n    description: The theme.\n" + owners +
      "  note:\n    type: text\n    description: A note.\n"
      "    send_in_pings: [checkup]\n    data_sensitivity: [highly_sensitive]\n" +
      owners;
  std::string pings =
      "$schema: moz://mozilla.org/schemas/glean/pings/2-0-0\n"
      "checkup:\n  description: A custom ping.\n  include_client_id: true\n"
      "  metadata:\n    retention_days: 14\n"
      "  bugs: [https://example.com/bug/1]\n"
      "  data_reviews: [https://example.com/review/1]\n"
      "  notification_emails: [owner@example.com]\n";
  std::filesystem::create_directories(dir + "/org-example-app");
  ASSERT_TRUE(
      Env::Default()->WriteFileAtomic(dir + "/org-example-app/metrics.yaml", metrics, 0644).ok());
  ASSERT_TRUE(
      Env::Default()->WriteFileAtomic(dir + "/org-example-app/pings.yaml", pings, 0644).ok());
}

TEST(UxpE2E, ExtraAppFromSchemasDirTakesBrowserStyleSubmissions) {
  Region region(1);
  std::string schemas = region.dir.File("schemas");
  WriteExampleApp(schemas);
  ServerProcess server(Serve(region, {"--schemas", schemas}));
  ASSERT_TRUE(server.started()) << server.output() << server.log();
  std::string client = Uuid(12, 1);
  std::string submit = "/submit/org-example-app/metrics/1/" + Uuid(12, 600);

  // fetch() with custom headers: the CORS preflight.
  HttpResult pre = HttpCall(server.port(), "OPTIONS", submit,
                            {{"Origin", "https://app.example.com"},
                             {"Access-Control-Request-Method", "POST"},
                             {"Access-Control-Request-Headers", "content-type"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.headers["access-control-allow-origin"], "*");
  EXPECT_NE(pre.headers["access-control-allow-methods"].find("POST"), std::string::npos);
  EXPECT_NE(pre.headers["access-control-allow-headers"].find("Content-Type"), std::string::npos);

  // navigator.sendBeacon: text/plain, with Glean's "-00:00" datetime forms.
  json body = json::parse(
      GleanBody(client, json({{"string", {{"ui.theme", "dark, ask bob@example.org"}}}}).dump()));
  body["ping_info"]["start_time"] = "2026-11-29T13:24-00:00";
  body["ping_info"]["end_time"] = "2026-11-29T14:24-00:00";
  body["client_info"]["first_run_date"] = "2026-11-29-00:00";
  HttpResult beacon = HttpCall(server.port(), "POST", submit,
                               {{"Content-Type", "text/plain;charset=UTF-8"}}, body.dump());
  EXPECT_EQ(beacon.status, 200) << beacon.body;
  EXPECT_EQ(beacon.headers["access-control-allow-origin"], "*");

  json custom =
      json::parse(GleanBody(client, json({{"text", {{"ui.note", "call +65 6123 4567"}}}}).dump()));
  custom["ping_info"].erase("reason");
  HttpResult checkup =
      HttpCall(server.port(), "POST", "/submit/org-example-app/checkup/1/" + Uuid(12, 601),
               {{"Content-Type", "application/json"}}, custom.dump());
  EXPECT_EQ(checkup.status, 200) << checkup.body;
  // The agent's metric is not this app's.
  HttpResult foreign =
      HttpCall(server.port(), "POST", "/submit/org-example-app/metrics/1/" + Uuid(12, 602),
               {{"Content-Type", "application/json"}},
               GleanBody(client, json({{"counter", {{"diagnostics.crash_count", 1}}}}).dump()));
  EXPECT_EQ(foreign.status, 400) << foreign.body;
  EXPECT_NE(foreign.body.find("diagnostics.crash_count"), std::string::npos) << foreign.body;

  json exported = Export(region, client);
  ASSERT_EQ(exported["documents"].size(), 2u) << exported.dump(2);
  auto metrics = DocsOf(exported, "metrics");
  auto checkups = DocsOf(exported, "checkup");
  ASSERT_EQ(metrics.size(), 1u);
  ASSERT_EQ(checkups.size(), 1u);
  EXPECT_EQ(metrics[0]["app_id"], "org-example-app");
  EXPECT_EQ(metrics[0]["payload"]["metrics"]["string"]["ui.theme"], "dark, ask [email]");
  EXPECT_EQ(checkups[0]["payload"]["metrics"]["text"]["ui.note"], "call [phone]");
  EXPECT_EQ(KeptDays(checkups[0]), 14);
  EXPECT_EQ(KeptDays(metrics[0]), 90);  // the default

  // The catalogue lists the extra app, the same through the server and the command.
  CommandResult cli = Homeport({"catalogue", "--schemas", schemas, "--json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  json printed = json::parse(cli.out);
  EXPECT_EQ(printed, json::parse(HttpCall(server.port(), "GET", "/privacy?format=json").body));
  bool listed = false;
  for (const auto& app : printed["apps"]) {
    if (app["app_id"] != "org-example-app") continue;
    for (const auto& m : app["metrics"]) listed |= m["name"] == "ui.note";
  }
  EXPECT_TRUE(listed) << printed.dump(2);
}

TEST(UxpE2E, InvalidSchemaFileStopsStartUpNamingFileAndLine) {
  Region region(1);
  std::string schemas = region.dir.File("bad-schemas");
  WriteExampleApp(schemas, "colour");  // line 4, "type: colour": not a Glean metric type
  CommandResult serve = Homeport({"serve", "--region", "sg", "--store", region.store_url,
                                  "--listen", "127.0.0.1:0", "--schemas", schemas},
                                 std::chrono::seconds(20));
  EXPECT_NE(serve.exit_code, 0);
  EXPECT_EQ(serve.out.find("listening on"), std::string::npos) << serve.out;
  EXPECT_NE(serve.err.find("org-example-app/metrics.yaml:4"), std::string::npos) << serve.err;
  EXPECT_NE(serve.err.find("colour"), std::string::npos) << serve.err;
  CommandResult catalogue = Homeport({"catalogue", "--schemas", schemas, "--json"});
  EXPECT_NE(catalogue.exit_code, 0);
  EXPECT_NE(catalogue.err.find("org-example-app/metrics.yaml:4"), std::string::npos)
      << catalogue.err;
}

TEST(UxpE2E, AdminExportNeedsTheBearerToken) {
  Region region(1);
  const std::string token = "e2e-admin-token-0123456789abcdef";
  std::string token_file = region.dir.File("admin.token");
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(token_file, token + "\n", 0600).ok());
  ServerProcess server(Serve(region, {"--admin-token-file", token_file}));
  ASSERT_TRUE(server.started()) << server.output();
  Device device{region, 1, region.Manifest("sg", server.url()), region.dir.File("state")};
  std::string client_id = device.OptIn();
  ASSERT_EQ(device.Uxp({"feedback", "hello operator", "--rating", "5"}).exit_code, 0);
  ASSERT_EQ(device.Uxp({"upload"}).exit_code, 0);

  std::string path = "/v1/admin/uxp/clients/" + client_id;
  HttpResult ok = HttpCall(server.admin_port(), "GET", path, {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  json exported = json::parse(ok.body);
  EXPECT_EQ(exported["client_id"], client_id);
  ASSERT_EQ(exported["documents"].size(), 1u);
  EXPECT_EQ(exported["documents"][0]["payload"]["metrics"]["text"]["feedback.text"],
            "hello operator");
  EXPECT_EQ(exported, Export(region, client_id));  // the same as the CLI's access request

  // Never on the devices' port: there the operator endpoints do not exist.
  EXPECT_EQ(HttpCall(server.port(), "GET", path, {{"Authorization", "Bearer " + token}}).status,
            404);
  EXPECT_EQ(HttpCall(server.port(), "GET", "/metrics").status, 404);
  EXPECT_EQ(HttpCall(server.admin_port(), "POST", "/v1/activations").status, 404);

  HttpResult none = HttpCall(server.admin_port(), "GET", path);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.headers["www-authenticate"], "Bearer");
  EXPECT_EQ(none.body.find("hello operator"), std::string::npos);
  HttpResult wrong =
      HttpCall(server.admin_port(), "GET", path, {{"Authorization", "Bearer " + token + "x"}});
  EXPECT_EQ(wrong.status, 401);
  HttpResult basic = HttpCall(server.admin_port(), "GET", path, {{"Authorization", "Basic " + token}});
  EXPECT_EQ(basic.status, 401);

  // Without --admin-token-file the operator API is off altogether.
  EXPECT_EQ(server.Signal(SIGTERM), 0);
  ServerProcess plain(Serve(region));
  ASSERT_TRUE(plain.started());
  EXPECT_EQ(HttpCall(plain.admin_port(), "GET", path, {{"Authorization", "Bearer " + token}}).status,
            404);
  EXPECT_EQ(plain.Signal(SIGTERM), 0);

  // S7: the one authorized read is in the access log under a digest of the token, never the
  // token itself; the refused ones are not reads.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(region.dir.File("sg.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  auto rows = Query(db, "SELECT actor, action, subject FROM access_log ORDER BY seq");
  int by_token = 0;
  for (const auto& row : rows) {
    EXPECT_EQ(row[0].find(token), std::string::npos);
    if (row[0].rfind("admin-token:", 0) == 0) {
      ++by_token;
      EXPECT_EQ(row[1], "uxp.export");
      EXPECT_EQ(row[2], client_id);
    }
  }
  EXPECT_EQ(by_token, 1);
  EXPECT_EQ(rows.size(), 2u);  // and the CLI export above
  sqlite3_close(db);
}

TEST(UxpE2E, PerClientRateLimitAnswers429WithRetryAfter) {
  Region region(1);
  ServerProcess server(Serve(region, {"--client-rate", "0.001", "--client-burst", "2"}));
  ASSERT_TRUE(server.started()) << server.output();
  std::string body = GleanBody(Uuid(11, 1), R"({"counter": {"diagnostics.crash_count": 1}})");
  EXPECT_EQ(Submit(server.port(), "diagnostics", Uuid(11, 500), body).status, 200);
  EXPECT_EQ(Submit(server.port(), "diagnostics", Uuid(11, 501), body).status, 200);
  HttpResult limited = Submit(server.port(), "diagnostics", Uuid(11, 502), body);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(ErrorCodeOf(limited), "rate_limited");
  ASSERT_TRUE(limited.headers.count("retry-after"));
  EXPECT_GT(std::stoi(limited.headers["retry-after"]), 0);
  // Another client is not held back by the first one.
  std::string other = GleanBody(Uuid(11, 2), R"({"counter": {"diagnostics.crash_count": 1}})");
  EXPECT_EQ(Submit(server.port(), "diagnostics", Uuid(11, 503), other).status, 200);
  EXPECT_EQ(Export(region, Uuid(11, 1))["documents"].size(), 2u);
}

}  // namespace
}  // namespace homeport::e2e
