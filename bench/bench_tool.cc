// homeport_bench: the pieces of bench/run.sh that need homeport's own code.
//   verify-rate  Ed25519 verifications per second on one core, over activation-sized
//                messages: the crypto ceiling of POST /v1/activations.
//   fixture      enrolls N fresh devices into a store and writes one signed activation request
//                per device (path TAB body TAB detached JWS), for bench/posts.lua.
//   count        activations committed in a store, counted after a run.
//   insert-rate  raw batched inserts of ping rows through libsqlite3 / libpq: the storage
//                ceiling of ping ingestion (insert_rate.h).
//   open-loop    requests at a fixed rate over keep-alive connections, latency from the time
//                each was due (open_loop.h).
//   hold-connections  N idle keep-alive connections, each after one request (hold_connections.h).
// Numbers go to stdout (for the script); progress and errors to stderr.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "capture_gen.h"
#include "crypto/ed25519.h"
#include "crypto/jws.h"
#include "hold_connections.h"
#include "insert_rate.h"
#include "open_loop.h"
#include "provisioning/device_profile.h"
#include "store/store.h"

namespace homeport::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kModel = "HP7";
constexpr const char* kSku = "HP7-64";
constexpr const char* kVariant = "global";
constexpr const char* kBatch = "BENCH";

std::string Serial(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "BENCH-%07zu", i);
  return buf;
}

// The exact body the device client sends: fields in a fixed order, no white space.
std::string ActivationBody(const std::string& serial, const std::string& region) {
  return R"({"serial":")" + serial + R"(","model":")" + kModel + R"(","sku":")" + kSku +
         R"(","variant":")" + kVariant + R"(","region":")" + region +
         R"(","client_version":"1.0.0","manifest_version":1,"sequence":1})";
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "homeport_bench: %s\n", message.c_str());
  return 1;
}

// One signed request: what the server verifies is the JWS signing input (protected header,
// '.', body), ~260 bytes for an activation.
struct SignedMessage {
  std::string body;
  std::string jws;        // detached: "header..signature", as in X-Homeport-Signature
  std::string input;      // the signing input: header '.' body
  std::string signature;  // its 64-byte Ed25519 signature
  crypto::PublicKey key;
};

std::vector<SignedMessage> MakeMessages(size_t n, const std::string& region) {
  std::vector<SignedMessage> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    crypto::SecretKey key = crypto::SecretKey::Generate();
    std::string body = ActivationBody(Serial(i), region);
    std::string jws = crypto::SignDetached(body, key);
    std::string input = jws.substr(0, jws.find('.')) + "." + body;
    std::string signature = key.Sign(input);  // deterministic: the same bytes as in `jws`
    out.push_back({body, jws, input, signature, key.Public()});
  }
  return out;
}

// crypto_sign_verify_detached on this thread for about `seconds`. Many distinct keys and
// messages, so nothing is warmer in cache than it would be in the server.
int VerifyRate(double seconds, bool jws) {
  if (sodium_init() < 0) return Fail("sodium_init failed");
  const std::vector<SignedMessage> messages = MakeMessages(1024, "sg");
  size_t sizes = 0;
  for (const auto& m : messages) sizes += m.input.size();
  std::fprintf(stderr, "verify-rate: %zu keys, messages of %zu bytes on average, %s, ~%.1f s\n",
               messages.size(), sizes / messages.size(),
               jws ? "crypto::VerifyDetached (JWS header parse + base64 + verify)"
                   : "crypto_sign_verify_detached",
               seconds);

  uint64_t done = 0;
  uint64_t failures = 0;
  const double cpu_start = ThreadCpuSeconds();
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  Clock::time_point now;
  do {
    for (size_t i = 0; i < messages.size(); ++i) {
      const SignedMessage& m = messages[i];
      bool ok;
      if (jws) {
        ok = crypto::VerifyDetached(m.jws, m.body, m.key).ok();
      } else {
        ok = crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(m.signature.data()),
                                         reinterpret_cast<const unsigned char*>(m.input.data()),
                                         m.input.size(), m.key.bytes.data()) == 0;
      }
      failures += !ok;
    }
    done += messages.size();
    now = Clock::now();
  } while (now < deadline);
  const double cpu = ThreadCpuSeconds() - cpu_start;
  if (failures != 0) return Fail(std::to_string(failures) + " signatures did not verify");
  const double wall = Seconds(now - start);
  // A share well below 1 means other processes took turns on this core: the rate is low.
  std::fprintf(stderr, "verify-rate: %.0f per CPU second; on_cpu=%.2f\n",
               static_cast<double>(done) / cpu, cpu / wall);
  std::printf("%.0f\n", static_cast<double>(done) / wall);
  return 0;
}

struct FixtureArgs {
  std::string store;
  std::string region = "sg";
  size_t devices = 150000;
  std::string out;
  std::string enrollment_csv;  // also write the records as `homeport enroll` reads them
  unsigned threads = 0;
};

int Fixture(const FixtureArgs& a) {
  if (sodium_init() < 0) return Fail("sodium_init failed");
  const auto start = Clock::now();
  const unsigned threads =
      a.threads != 0 ? a.threads : std::max(1u, std::thread::hardware_concurrency());

  // Key generation and signing dominate (~50 µs a device); split them over the cores.
  std::vector<EnrollmentRecord> records(a.devices);
  std::vector<std::string> lines(a.devices);
  {
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (size_t i = t; i < a.devices; i += threads) {
          crypto::SecretKey key = crypto::SecretKey::Generate();
          std::string serial = Serial(i);
          std::string body = ActivationBody(serial, a.region);
          lines[i] = "/v1/activations\t" + body + "\t" + crypto::SignDetached(body, key) + "\n";
          records[i] = {serial, kModel, kSku, kVariant, a.region, kBatch, key.Public()};
        }
      });
    }
    for (auto& w : workers) w.join();
  }
  const auto signed_at = Clock::now();

  auto store = Store::Open(a.store);
  if (!store.ok()) return Fail("--store: " + store.status().ToString());
  if (Status st = (*store)->Enroll(records); !st.ok()) return Fail("enroll: " + st.ToString());
  const auto enrolled_at = Clock::now();

  std::ofstream out(a.out, std::ios::binary | std::ios::trunc);
  for (const auto& line : lines) out << line;
  out.close();
  if (!out) return Fail("cannot write " + a.out);
  if (!a.enrollment_csv.empty()) {
    std::ofstream csv(a.enrollment_csv, std::ios::binary | std::ios::trunc);
    csv << kEnrollmentCsvHeader << "\n";
    for (const auto& r : records) csv << EnrollmentCsvRow(r) << "\n";
    csv.close();
    if (!csv) return Fail("cannot write " + a.enrollment_csv);
  }

  std::fprintf(stderr,
               "fixture: %zu devices: keys+signatures %.1f s (%u threads), enroll %.1f s, "
               "requests in %s\n",
               a.devices, Seconds(signed_at - start), threads, Seconds(enrolled_at - signed_at),
               a.out.c_str());
  return 0;
}

// Activations committed for the bench's devices, through the Store interface itself.
int Count(const std::string& store_url) {
  auto store = Store::Open(store_url);
  if (!store.ok()) return Fail("--store: " + store.status().ToString());
  auto report = (*store)->Rollout(std::string(kBatch));
  if (!report.ok()) return Fail("rollout: " + report.status().ToString());
  int64_t activated = 0;
  for (const auto& b : report->batches) activated += b.activated;
  std::printf("%lld\n", static_cast<long long>(activated));
  return 0;
}

}  // namespace
}  // namespace homeport::bench

int main(int argc, char** argv) {
  using namespace homeport::bench;
  CLI::App app{"homeport benchmark helper (see bench/README.md)"};
  app.require_subcommand(1);
  int rc = 0;

  double seconds = 2.0;
  bool jws = false;
  auto* verify = app.add_subcommand("verify-rate", "Ed25519 verifications per second, one core");
  verify->add_option("--seconds", seconds, "how long to measure")->capture_default_str();
  verify->add_flag("--jws", jws, "time crypto::VerifyDetached (the server's whole check) instead");
  verify->callback([&] { rc = VerifyRate(seconds, jws); });

  FixtureArgs f;
  auto* fixture = app.add_subcommand("fixture", "enroll N devices, write their signed requests");
  fixture->add_option("--store", f.store, "store URL, e.g. sqlite:bench.db")->required();
  fixture->add_option("--region", f.region, "region of the devices")->capture_default_str();
  fixture->add_option("--devices", f.devices, "how many devices")->capture_default_str();
  fixture->add_option("--out", f.out, "requests file: body TAB jws, one per line")->required();
  fixture->add_option("--enrollment-csv", f.enrollment_csv,
                      "also write the devices' enrollment.csv, for `homeport enroll`");
  fixture->add_option("--threads", f.threads, "key generation threads (0 = one per core)");
  fixture->callback([&] { rc = Fixture(f); });

  std::string count_store;
  auto* count = app.add_subcommand("count", "activations committed for the bench's devices");
  count->add_option("--store", count_store, "store URL")->required();
  count->callback([&] { rc = Count(count_store); });

  InsertRateOptions ir;
  auto* insert = app.add_subcommand("insert-rate", "batched inserts of ping rows, raw, durable");
  insert->add_option("--store", ir.store, "sqlite:PATH or postgresql://... (a fresh database)")
      ->required();
  insert->add_option("--requests", ir.requests, "diagnostics pings from bench/pings.py")
      ->required();
  insert->add_option("--method", ir.method, "PostgreSQL: pipeline, multirow or copy")
      ->capture_default_str();
  insert->add_option("--batch", ir.batch, "rows per transaction")->capture_default_str();
  insert->add_option("--seconds", ir.seconds, "how long to insert")->capture_default_str();
  insert->add_option("--retention-days", ir.retention_days, "expires_day = today + this")
      ->capture_default_str();
  insert->callback([&] { rc = InsertRate(ir); });

  OpenLoopOptions ol;
  auto* open_loop =
      app.add_subcommand("open-loop", "fixed-rate requests, latency from their due time");
  open_loop->add_option("--host", ol.host, "server address")->capture_default_str();
  open_loop->add_option("--port", ol.port, "server port")->required();
  open_loop->add_option("--requests", ol.requests, "path TAB body lines, each sent once")
      ->required();
  open_loop->add_option("--rate", ol.rate, "requests per second")->required();
  open_loop->add_option("--seconds", ol.seconds, "how long requests are due")
      ->capture_default_str();
  open_loop->add_option("--connections", ol.connections, "keep-alive connections")
      ->capture_default_str();
  open_loop->callback([&] { rc = OpenLoop(ol); });

  HoldConnectionsOptions hc;
  auto* hold = app.add_subcommand("hold-connections",
                                  "open N connections, one request each, hold them until SIGTERM");
  hold->add_option("--host", hc.host, "server address")->capture_default_str();
  hold->add_option("--port", hc.port, "server port")->required();
  hold->add_option("--connections", hc.connections, "how many")->capture_default_str();
  hold->add_option("--path", hc.path, "the one GET request on each")->capture_default_str();
  hold->add_option("--parallel", hc.parallel, "connections being opened at once")
      ->capture_default_str();
  hold->callback([&] { rc = HoldConnections(hc); });

  AddCaptureGenCommand(app, rc);

  CLI11_PARSE(app, argc, argv);
  return rc;
}
