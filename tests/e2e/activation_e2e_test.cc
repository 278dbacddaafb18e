// Activation end to end: real `homeport` processes — maker tooling, `serve` on SQLite, the
// agent — talking over loopback sockets.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "crypto/jws.h"
#include "homeport/env.h"
#include "e2e_support.h"
#include "provisioning/device_profile.h"
#include "store/store.h"

namespace homeport::e2e {
namespace {

std::vector<std::string> Serve(const Region& r, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--region",  "sg",       "--store",
                                   r.store_url, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::vector<std::string> Activate(const Region& r, int n, const std::string& manifest,
                                  const std::string& state) {
  return {"agent",  "activate", "--profile", r.Profile(n), "--manifest",
          manifest, "--state",  state,       "--deadline", "20"};
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(ActivationE2E, BatchActivatesOnceAndRepeatsReturnTheOriginalStart) {
  Region region(3);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  std::string manifest = region.Manifest("sg", server.url());

  std::vector<std::string> starts;
  for (int n = 1; n <= 3; ++n) {
    CommandResult r =
        Homeport(Activate(region, n, manifest, region.dir.File("state" + std::to_string(n))));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string date = Trim(r.out);
    ASSERT_EQ(date.size(), 10u) << r.out;  // YYYY-MM-DD
    starts.push_back(date);
  }
  // Again from its state: same answer, and the server sees no new request (D2).
  std::string before = HttpCall(server.admin_port(), "GET", "/metrics").body;
  CommandResult again = Homeport(Activate(region, 1, manifest, region.dir.File("state1")));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Trim(again.out), starts[0]);
  std::string after = HttpCall(server.admin_port(), "GET", "/metrics").body;
  auto created = [](const std::string& m) {
    size_t p = m.find("homeport_http_requests_total{route=\"/v1/activations\",status=\"201\"}");
    return m.substr(p, m.find('\n', p) - p);
  };
  EXPECT_EQ(created(before), created(after));

  // A wiped device asks the server, which answers 200 with the original start.
  CommandResult wiped = Homeport(Activate(region, 2, manifest, region.dir.File("state2-wiped")));
  ASSERT_EQ(wiped.exit_code, 0) << wiped.err;
  EXPECT_EQ(Trim(wiped.out), starts[1]);

  CommandResult w = Homeport({"warranty", region.Serial(3), "--store", region.store_url});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(nlohmann::json::parse(w.out)["warranty_start"], starts[2]);
}

TEST(ActivationE2E, AgentRefusesManifestOfAnotherRegionWithoutConnecting) {
  Region region(1);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started());
  std::string cn = region.Manifest("cn", server.url(), 1, "global");
  CommandResult r = Homeport(Activate(region, 1, cn, region.dir.File("state")));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("\"cn\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"sg\""), std::string::npos) << r.err;
  // Not one request reached the server.
  std::string metrics = HttpCall(server.admin_port(), "GET", "/metrics").body;
  EXPECT_EQ(metrics.find("route=\"/v1/activations\""), std::string::npos) << metrics;
}

TEST(ActivationE2E, HandMadeRequestForAnotherRegionIs421AndStoresNothing) {
  Region region(1);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started());
  SignedActivation s = HandMadeActivation(region.Profile(1), "cn");
  HttpResult r = HttpCall(server.port(), "POST", "/v1/activations", s.headers, s.body);
  EXPECT_EQ(r.status, 421);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"], "wrong_region");
  EXPECT_EQ(server.Signal(SIGTERM), 0);

  CommandResult w = Homeport({"warranty", region.Serial(1), "--store", region.store_url});
  EXPECT_EQ(w.exit_code, 1);
  EXPECT_NE(w.err.find("no activation"), std::string::npos) << w.err;
  CommandResult rollout = Homeport({"rollout", "--store", region.store_url, "--json"});
  ASSERT_EQ(rollout.exit_code, 0) << rollout.err;
  EXPECT_EQ(nlohmann::json::parse(rollout.out)["batches"][0]["activated"], 0);
}

TEST(ActivationE2E, ServerRefusesBadRequestsWithJsonErrors) {
  Region region(1);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started());
  uint16_t port = server.port();

  SignedActivation s = HandMadeActivation(region.Profile(1), "sg");
  auto forged = s.headers;
  SignedActivation other =
      HandMadeActivation(region.Profile(1), "eu");  // valid JWS over other bytes
  forged[1].second = other.headers[1].second;
  HttpResult r = HttpCall(port, "POST", "/v1/activations", forged, s.body);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"], "bad_signature");

  std::string unknown = s.body;
  unknown.replace(unknown.find("B1-000001"), 9, "B1-999999");
  r = HttpCall(port, "POST", "/v1/activations", s.headers, unknown);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"], "unknown_device");

  r = HttpCall(port, "POST", "/v1/activations", s.headers, "{\"serial\":");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"], "bad_json");

  r = HttpCall(port, "POST", "/v1/activations", {{"Content-Type", "text/plain"}}, s.body);
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"], "unsupported_media_type");

  r = HttpCall(port, "POST", "/v1/activations", s.headers, std::string((1 << 20) + 10, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"], "too_large");

  r = HttpCall(port, "DELETE", "/v1/activations");
  EXPECT_EQ(r.status, 405);
  r = HttpCall(port, "GET", "/nowhere");
  EXPECT_EQ(r.status, 404);

  // None of it was stored, and the good request still works afterwards.
  r = HttpCall(port, "POST", "/v1/activations", s.headers, s.body);
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST(ActivationE2E, RestartKeepsEveryAcknowledgedActivation) {
  Region region(3);
  std::string start;
  {
    ServerProcess server(Serve(region));
    ASSERT_TRUE(server.started());
    std::string manifest = region.Manifest("sg", server.url());
    for (int n = 1; n <= 3; ++n) {
      CommandResult r =
          Homeport(Activate(region, n, manifest, region.dir.File("s" + std::to_string(n))));
      ASSERT_EQ(r.exit_code, 0) << r.err;
      start = Trim(r.out);
    }
    EXPECT_EQ(server.Signal(SIGTERM), 0);  // graceful stop exits 0
  }
  ServerProcess again(Serve(region));
  ASSERT_TRUE(again.started());
  for (int n = 1; n <= 3; ++n) {
    SignedActivation s = HandMadeActivation(region.Profile(n), "sg");
    HttpResult r = HttpCall(again.port(), "POST", "/v1/activations", s.headers, s.body);
    EXPECT_EQ(r.status, 200) << r.body;  // known already: not a new activation
    EXPECT_EQ(nlohmann::json::parse(r.body)["warranty_start"], start);
  }
}

TEST(ActivationE2E, KillNineDuringABurstLosesNoAcknowledgedActivation) {
  constexpr int kDevices = 300;
  Region region(kDevices);
  std::vector<SignedActivation> requests;
  for (int n = 1; n <= kDevices; ++n)
    requests.push_back(HandMadeActivation(region.Profile(n), "sg"));

  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started());
  std::atomic<int> next{0}, acked_count{0};
  std::vector<std::vector<std::string>> acked(8);
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      HttpConnection conn(server.port());
      for (int i; (i = next++) < kDevices;) {
        HttpResult r = conn.Call("POST", "/v1/activations", requests[i].headers, requests[i].body);
        if (r.status == 0) return;  // the server is gone
        if (r.status == 201) {
          acked[t].push_back(region.Serial(i + 1));
          ++acked_count;
        }
      }
    });
  }
  while (acked_count < kDevices / 4) std::this_thread::yield();
  server.Signal(SIGKILL);
  for (auto& c : clients) c.join();

  auto store = Store::Open(region.store_url);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  int checked = 0;
  for (const auto& list : acked) {
    for (const auto& serial : list) {
      auto record = (*store)->LookupWarranty(serial, "test", Env::Default()->Now());
      ASSERT_TRUE(record.ok());
      EXPECT_TRUE(record->has_value()) << serial << " was acknowledged but is not stored";
      ++checked;
    }
  }
  EXPECT_GE(checked, kDevices / 4);
}

TEST(ActivationE2E, UpdateChecksInOnceAndRolloutShowsIt) {
  Region region(2);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started());
  std::string v1 = region.Manifest("sg", server.url(), 1);
  for (int n = 1; n <= 2; ++n) {
    ASSERT_EQ(Homeport(Activate(region, n, v1, region.dir.File("s" + std::to_string(n)))).exit_code,
              0);
  }
  // Device 1 gets the update: a new manifest version. It checks in once, then stays quiet.
  std::string v2 = region.Manifest("sg", server.url(), 2);
  auto args = Activate(region, 1, v2, region.dir.File("s1"));
  args.push_back("--json");
  CommandResult first = Homeport(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(nlohmann::json::parse(first.out)["outcome"], "checked_in");
  CommandResult second = Homeport(args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(nlohmann::json::parse(second.out)["outcome"], "cached");

  CommandResult rollout =
      Homeport({"rollout", "--store", region.store_url, "--batch", "B1", "--json"});
  ASSERT_EQ(rollout.exit_code, 0) << rollout.err;
  auto batch = nlohmann::json::parse(rollout.out)["batches"][0];
  EXPECT_EQ(batch["activated"], 2);
  ASSERT_EQ(batch["versions"].size(), 2u);
  EXPECT_EQ(batch["versions"][0]["manifest_version"], 1);
  EXPECT_EQ(batch["versions"][0]["devices"], 1);
  EXPECT_EQ(batch["versions"][1]["manifest_version"], 2);
  EXPECT_EQ(batch["versions"][1]["devices"], 1);
}

TEST(ActivationE2E, NoConnectionMetadataInStoreOrLog) {
  Region region(2);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started());
  std::string manifest = region.Manifest("sg", server.url());
  ASSERT_EQ(Homeport(Activate(region, 1, manifest, region.dir.File("s1"))).exit_code, 0);
  SignedActivation cn = HandMadeActivation(region.Profile(2), "cn");
  auto headers = cn.headers;
  headers.push_back({"User-Agent", "Tracker/1.0 (IMEI 490154203237518)"});
  headers.push_back({"X-Forwarded-For", "203.0.113.7"});
  EXPECT_EQ(HttpCall(server.port(), "POST", "/v1/activations", headers, cn.body).status, 421);
  EXPECT_EQ(server.Signal(SIGTERM), 0);

  std::string everything = server.log();
  for (const char* suffix : {"", "-wal", "-shm"}) {
    auto bytes = Env::Default()->ReadFile(region.dir.File("sg.db") + suffix);
    if (bytes.ok()) everything += *bytes;
  }
  ASSERT_NE(everything.find("B1-000001"), std::string::npos);  // the activation is there
  for (const char* leaked :
       {"127.0.0.1", "203.0.113.7", "homeport-agent", "Tracker", "490154203237518"}) {
    EXPECT_EQ(everything.find(leaked), std::string::npos) << leaked << " was stored or logged";
  }
}

// A test CA (ca.pem) and a certificate for 127.0.0.1 it signed (server.pem, server.key) in `d`;
// returns the serve flags that use them.
std::vector<std::string> MakeServerCertificate(const std::string& d) {
  std::string cmd =
      "cd " + d +
      " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
      "-keyout ca.key -out ca.pem -days 2 -subj /CN=homeport-test-ca 2>/dev/null && "
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key "
      "-out server.csr -subj /CN=127.0.0.1 2>/dev/null && "
      "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
      "-extfile san.ext -out server.pem 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return {"--tls-cert", d + "/server.pem", "--tls-key", d + "/server.key"};
}

TEST(ActivationE2E, TlsRoundTripWithCa) {
  Region region(1);
  std::string d = region.dir.path();
  ServerProcess server(Serve(region, MakeServerCertificate(d)));
  ASSERT_TRUE(server.started()) << server.output();
  ASSERT_EQ(server.url().rfind("https://", 0), 0u);
  std::string manifest = region.Manifest("sg", server.url());

  std::vector<std::string> args = Activate(region, 1, manifest, region.dir.File("state"));
  std::vector<std::string> untrusted = args;
  untrusted[9] = "3";  // --deadline 3: an unknown CA is not worth retrying for long
  CommandResult refused = Homeport(untrusted);
  EXPECT_NE(refused.exit_code, 0);

  args.insert(args.end(), {"--ca", d + "/ca.pem"});
  CommandResult r = Homeport(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Trim(r.out).size(), 10u);
}

// Whether `openssl s_client` completes a handshake with these options.
bool Handshakes(uint16_t port, const std::string& options) {
  std::string cmd = "openssl s_client -connect 127.0.0.1:" + std::to_string(port) + " " +
                    options + " </dev/null >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

TEST(ActivationE2E, TlsFollowsMozillasIntermediateProfileAndTheConfiguredMinimum) {
  Region region(1);
  std::string d = region.dir.path();
  const std::vector<std::string> tls = MakeServerCertificate(d);
  {
    ServerProcess server(Serve(region, tls));
    ASSERT_TRUE(server.started()) << server.output();
    EXPECT_TRUE(Handshakes(server.port(), "-tls1_3"));
    EXPECT_TRUE(Handshakes(server.port(), "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256"));
    EXPECT_TRUE(Handshakes(server.port(), "-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305"));
    // CBC with SHA-1 or SHA-256 MACs: offered by old clients, refused.
    EXPECT_FALSE(Handshakes(server.port(), "-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA"));
    EXPECT_FALSE(Handshakes(server.port(), "-tls1_2 -cipher ECDHE-ECDSA-AES256-SHA384"));
  }
  auto only13 = tls;
  only13.insert(only13.end(), {"--tls-min-version", "1.3"});
  ServerProcess server(Serve(region, only13));
  ASSERT_TRUE(server.started()) << server.output();
  EXPECT_TRUE(Handshakes(server.port(), "-tls1_3"));
  EXPECT_FALSE(Handshakes(server.port(), "-tls1_2"));
}

// The SHA-256 fingerprint of the certificate a TLS server on `port` presents.
std::string ServedCertificate(uint16_t port) {
  std::string cmd = "openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                    " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    pclose(p);
  }
  return out;
}

// systemctl reload: SIGHUP makes new connections get the certificate now on disk, while a
// connection already open goes on, and the process stays the same.
TEST(ActivationE2E, SighupReadsTheTlsCertificateAgainWithoutDroppingConnections) {
  Region region(1);
  std::string d = region.dir.path();
  ServerProcess server(Serve(region, MakeServerCertificate(d)));
  ASSERT_TRUE(server.started()) << server.output();
  const std::string before = ServedCertificate(server.port());
  ASSERT_NE(before.find("Fingerprint"), std::string::npos) << before;
  HttpConnection kept(server.admin_port());
  ASSERT_EQ(kept.Call("GET", "/healthz", {}, "").status, 200);

  // A renewed certificate (a new key too) replaces the files, as certbot does.
  ASSERT_EQ(std::system(("cd " + d + " && rm -f server.pem server.key").c_str()), 0);
  MakeServerCertificate(d);
  EXPECT_EQ(ServedCertificate(server.port()), before);  // nothing changes until told
  kill(server.pid(), SIGHUP);
  std::string after;
  for (int i = 0; i < 50 && (after = ServedCertificate(server.port())) == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(after, before);
  EXPECT_NE(after.find("Fingerprint"), std::string::npos) << after;
  EXPECT_EQ(kept.Call("GET", "/healthz", {}, "").status, 200);  // the old connection lives on

  // A broken file on reload keeps the certificate in force and the server up.
  Env::Default()->WriteFileAtomic(d + "/server.pem", "not a certificate\n", 0644);
  kill(server.pid(), SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(ServedCertificate(server.port()), after);
  EXPECT_NE(server.log().find("kept the previous TLS certificate"), std::string::npos)
      << server.log();
  EXPECT_EQ(server.Signal(SIGTERM), 0) << server.log();
}

}  // namespace
}  // namespace homeport::e2e
