// The fleet simulator end to end: `homeport fleet simulate` against a real `homeport serve` on
// SQLite over loopback, checked from the server's side — rollout, stored documents, scrubbed
// identifiers — as well as from the simulator's summary.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "e2e_support.h"
#include "store/store.h"

namespace homeport::e2e {
namespace {

using nlohmann::json;

std::vector<std::string> Serve(const Region& r, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--region",  "sg",       "--store",
                                   r.store_url, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::vector<std::string> Simulate(const Region& r, const std::string& manifest,
                                  std::vector<std::string> extra) {
  std::vector<std::string> args = {"fleet",      "simulate", "--batch", r.batch_dir,
                                   "--manifest", manifest,   "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

json Parse(const CommandResult& r) {
  json j = json::parse(r.out, nullptr, false);
  EXPECT_TRUE(j.is_object()) << "stdout: " << r.out << "\nstderr: " << r.err;
  return j;
}

// The value of one Prometheus sample `series` in GET /metrics, or -1 when absent.
double Sample(uint16_t port, const std::string& series) {
  HttpResult metrics = HttpCall(port, "GET", "/metrics");
  size_t p = metrics.body.find(series + " ");
  if (p == std::string::npos) return -1;
  return std::stod(metrics.body.substr(p + series.size() + 1));
}

std::string PingSeries(const std::string& ping, const std::string& outcome) {
  return "homeport_uxp_pings_total{app=\"homeport-agent\",ping=\"" + ping + "\",outcome=\"" +
         outcome + "\"}";
}

// Every stored feedback text, read straight from the SQLite file.
std::vector<std::string> StoredFeedback(const Region& r) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  const std::string path = r.store_url.substr(std::string("sqlite:").size());
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path;
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT payload FROM uxp_documents WHERE doc_type = 'feedback'", -1, &stmt,
                     nullptr);
  while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
    json doc = json::parse(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    out.push_back(doc["metrics"]["text"]["feedback.text"]);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

TEST(FleetE2E, TwoHundredDevicesActivateAndTheirPingsAreStoredScrubbed) {
  Region region(200);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  const std::string manifest = region.Manifest("sg", server.url());

  CommandResult run = Homeport(Simulate(region, manifest,
                                        {"--devices", "200", "--concurrency", "16", "--uxp-share",
                                         "0.5", "--feedback-share", "0.5"}),
                               std::chrono::seconds(120));
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  json summary = Parse(run);
  EXPECT_EQ(summary["devices"], 200);
  EXPECT_EQ(summary["requests_by_kind"]["activation"]["ok"], 200) << summary.dump(2);
  EXPECT_EQ(summary["activations"]["activated"], 200);
  EXPECT_EQ(summary["failed"], 0);
  EXPECT_TRUE(summary["errors"].empty()) << summary["errors"].dump(2);
  const int opt_ins = summary["uxp"]["opt_ins"];
  EXPECT_GT(opt_ins, 60) << "about half of 200 devices opt in";
  EXPECT_LT(opt_ins, 140);
  EXPECT_EQ(summary["requests_by_kind"]["baseline"]["ok"], opt_ins);
  EXPECT_GT(summary["requests_by_kind"]["feedback"]["ok"].get<int>(), 0);
  EXPECT_GT(summary["requests"].get<int>(), 200 + opt_ins);
  EXPECT_GT(summary["requests_per_s"].get<double>(), 0);
  EXPECT_GT(summary["latency_ms"]["p99"].get<double>(), 0);
  EXPECT_GE(summary["latency_ms"]["max"].get<double>(), summary["latency_ms"]["p99"].get<double>());

  // The server's view: every device activated, every accepted ping stored, every identifier
  // typed into feedback scrubbed before storage (S3).
  CommandResult rollout = Homeport({"rollout", "--store", region.store_url, "--json"});
  ASSERT_EQ(rollout.exit_code, 0) << rollout.err;
  json batches = json::parse(rollout.out)["batches"];
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0]["activated"], 200);
  for (const char* ping : {"baseline", "diagnostics", "feedback"}) {
    EXPECT_EQ(Sample(server.admin_port(), PingSeries(ping, "stored")),
              summary["requests_by_kind"][ping]["ok"].get<double>())
        << ping;
  }
  const int opt_outs = summary["uxp"]["opt_outs"];
  EXPECT_EQ(Sample(server.admin_port(), PingSeries("deletion-request", "erased")),
            opt_outs > 0 ? opt_outs : -1);
  double scrubbed = 0;
  for (const char* kind : {"imei", "phone", "email"}) {
    double n = Sample(server.admin_port(),
                      "homeport_scrubbed_identifiers_total{kind=\"" + std::string(kind) + "\"}");
    scrubbed += n > 0 ? n : 0;
  }
  EXPECT_EQ(scrubbed, summary["uxp"]["feedback_identifiers"].get<double>());

  ASSERT_TRUE(WaitForIngest(server.port()));
  auto store = Store::Open(region.store_url);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto counts = (*store)->DocumentCounts();
  ASSERT_TRUE(counts.ok());
  int64_t stored = 0;
  for (const auto& [name, n] : *counts) stored += n;
  EXPECT_GT(stored, 0) << "documents were stored";
  std::vector<std::string> feedback = StoredFeedback(region);
  EXPECT_FALSE(feedback.empty());
  for (const std::string& text : feedback) {
    EXPECT_EQ(text.find("@example.com"), std::string::npos) << text;
    EXPECT_EQ(text.find("+65 61"), std::string::npos) << text;
    EXPECT_EQ(text.find("IMEI 35"), std::string::npos) << text;
    EXPECT_EQ(text.find("IMEI is 35"), std::string::npos) << text;
  }

  // A second run finds every device already activated (activation is idempotent).
  CommandResult again = Homeport(
      Simulate(region, manifest, {"--devices", "50", "--concurrency", "8", "--uxp-share", "0"}));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  json second = Parse(again);
  EXPECT_EQ(second["activations"]["already_activated"], 50);
  EXPECT_EQ(second["requests"], 50) << "devices outside the UX program send nothing else (D3)";
}

TEST(FleetE2E, AManifestOfAnotherRegionSendsNothing) {
  Region region(5);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  // The 2019 mistake, pointed at the sg server so that any request would show up there.
  const std::string manifest = region.Manifest("cn", server.url());
  CommandResult run = Homeport(Simulate(region, manifest, {"--devices", "5"}));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("homeport: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("\"cn\""), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("\"sg\""), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
  // Not one request reached the server (its own /metrics aside).
  HttpResult metrics = HttpCall(server.admin_port(), "GET", "/metrics");
  EXPECT_EQ(metrics.body.find("route=\"/v1/activations\""), std::string::npos) << metrics.body;
  EXPECT_EQ(metrics.body.find("route=\"/submit/\""), std::string::npos) << metrics.body;
  CommandResult rollout = Homeport({"rollout", "--store", region.store_url, "--json"});
  EXPECT_EQ(json::parse(rollout.out)["batches"][0]["activated"], 0);
}

TEST(FleetE2E, PacedRunKeepsPlayingDaysUntilTheDurationEnds) {
  Region region(40);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  // The manifest names production; --server points the run at the test server instead.
  const std::string manifest = region.Manifest("sg", "https://activation.sg.example.com");
  CommandResult run =
      Homeport(Simulate(region, manifest,
                        {"--devices", "40", "--concurrency", "4", "--uxp-share", "1", "--duration",
                         "3", "--day-seconds", "0.5", "--rate", "60", "--server", server.url()}));
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  json summary = Parse(run);
  EXPECT_EQ(summary["rate"], 60.0);
  EXPECT_EQ(summary["activation_url"], server.url());
  EXPECT_EQ(summary["uxp_url"], server.url());
  EXPECT_GE(summary["elapsed_s"].get<double>(), 3.0);
  EXPECT_EQ(summary["requests_by_kind"]["activation"]["ok"], 40);
  // 60 requests/s for 3 s, give or take the send times cut off at the end.
  EXPECT_GE(summary["requests"].get<int>(), 100) << summary.dump(2);
  EXPECT_LE(summary["requests"].get<int>(), 185) << summary.dump(2);
  EXPECT_GT(summary["days"].get<int>(), 40) << "devices played more than one day";
  EXPECT_EQ(summary["failed"], 0);
}

TEST(FleetE2E, UnreachableServerFailsTheRunWithConnectionErrors) {
  Region region(3);
  const std::string manifest =
      region.Manifest("sg", "http://127.0.0.1:" + std::to_string(UnusedPort()));
  CommandResult run = Homeport(Simulate(
      region, manifest,
      {"--devices", "3", "--uxp-share", "0", "--max-attempts", "2", "--timeout", "2", "--quiet"}));
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("requests failed"), std::string::npos) << run.err;
  json summary = Parse(run);
  EXPECT_EQ(summary["requests_by_kind"]["activation"]["failed"], 3);
  ASSERT_FALSE(summary["errors"].empty());
  EXPECT_EQ(summary["errors"][0]["status"], 0);
  EXPECT_NE(summary["errors"][0]["code"].get<std::string>().find("connect"), std::string::npos);
  EXPECT_EQ(summary["errors"][0]["retried"], 3);
  EXPECT_EQ(summary["errors"][0]["gave_up"], 3);
}

TEST(FleetE2E, BadOptionsAreRefusedBeforeAnythingIsRead) {
  Region region(1);
  const std::string manifest = region.Manifest("sg", "http://127.0.0.1:9");
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--devices", "0"}, "--devices"},
      {{"--devices", "1", "--uxp-share", "1.5"}, "--uxp-share"},
      {{"--devices", "2"}, "more devices than the batch"},
  };
  for (const auto& [args, expected] : cases) {
    CommandResult run = Homeport(Simulate(region, manifest, args));
    EXPECT_EQ(run.exit_code, 1) << expected;
    EXPECT_NE(run.err.find("homeport: "), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(expected), std::string::npos) << run.err;
  }
  CommandResult missing = Homeport({"fleet", "simulate", "--batch", region.dir.File("nope"),
                                    "--manifest", manifest, "--devices", "1"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no such directory"), std::string::npos) << missing.err;
}

// A CA, a server certificate for 127.0.0.1 signed by it, and the curl-style pins of the server
// key and of the CA key (the wrong one for the server), in `dir`.
struct TestPki {
  std::string ca, cert, key, server_pin, ca_pin;
  explicit TestPki(const std::string& dir) {
    const std::string cmd =
        "cd " + dir +
        " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-keyout ca.key -out ca.pem -days 2 -subj /CN=homeport-test-ca 2>/dev/null && "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key "
        "-out server.csr -subj /CN=127.0.0.1 2>/dev/null && "
        "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "-extfile san.ext -out server.pem 2>/dev/null && "
        "for k in server ca; do openssl pkey -in $k.key -pubout -outform der 2>/dev/null | "
        "openssl dgst -sha256 -binary | base64 > $k.pin; done";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    ca = dir + "/ca.pem";
    cert = dir + "/server.pem";
    key = dir + "/server.key";
    auto pin = [&dir](const char* name) {
      auto text = Env::Default()->ReadFile(dir + "/" + name);
      std::string b64 = text.ok() ? *text : "";
      while (!b64.empty() && b64.back() == '\n') b64.pop_back();
      return "sha256//" + b64;
    };
    server_pin = pin("server.pin");
    ca_pin = pin("ca.pin");
  }
};

std::string PinnedManifest(Region& r, const std::string& url, const std::string& pin,
                           const std::string& name) {
  const std::string path = r.dir.File(name);
  CommandResult made = Homeport({"manifest", "sign", "--root-key", r.root_key, "--region", "sg",
                                 "--variant", "global", "--activation-url", url, "--uxp-url", url,
                                 "--version", "1", "--tls-pin", pin, "--out", path});
  EXPECT_EQ(made.exit_code, 0) << made.err;
  return path;
}

TEST(FleetE2E, HttpsWithTheManifestsPinAndTheOperatorsCa) {
  Region region(20);
  TestPki pki(region.dir.path());
  ServerProcess server(Serve(region, {"--tls-cert", pki.cert, "--tls-key", pki.key}));
  ASSERT_TRUE(server.started()) << server.output();
  ASSERT_EQ(server.url().rfind("https://", 0), 0u);

  const std::string pinned = PinnedManifest(region, server.url(), pki.server_pin, "pinned.jws");
  CommandResult ok = Homeport(
      Simulate(region, pinned,
               {"--devices", "20", "--concurrency", "4", "--uxp-share", "0.5", "--ca", pki.ca}));
  ASSERT_EQ(ok.exit_code, 0) << ok.err << ok.out;
  EXPECT_EQ(Parse(ok)["activations"]["activated"], 20);

  // An unknown CA and a key the manifest does not pin are refused, and not retried.
  CommandResult untrusted =
      Homeport(Simulate(region, pinned, {"--devices", "2", "--uxp-share", "0", "--quiet"}));
  EXPECT_EQ(untrusted.exit_code, 1);
  json refused = Parse(untrusted);
  ASSERT_EQ(refused["errors"].size(), 1u) << refused.dump(2);
  EXPECT_NE(refused["errors"][0]["code"].get<std::string>().find("TLS handshake"),
            std::string::npos)
      << refused.dump(2);
  EXPECT_EQ(refused["errors"][0]["retried"], 0);

  const std::string mispinned = PinnedManifest(region, server.url(), pki.ca_pin, "mispinned.jws");
  CommandResult wrong_pin = Homeport(Simulate(
      region, mispinned, {"--devices", "2", "--uxp-share", "0", "--ca", pki.ca, "--quiet"}));
  EXPECT_EQ(wrong_pin.exit_code, 1);
  json pin_refused = Parse(wrong_pin);
  ASSERT_EQ(pin_refused["errors"].size(), 1u) << pin_refused.dump(2);
  EXPECT_NE(pin_refused["errors"][0]["code"].get<std::string>().find("tls_pins"), std::string::npos)
      << pin_refused.dump(2);
}

}  // namespace
}  // namespace homeport::e2e
