// Scale-out end to end: several real `homeport serve` processes sharing one PostgreSQL database
// (the throwaway server of `make test`), and a database that goes away under a running server
// and comes back.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "e2e_support.h"
#include "store/store.h"
#include "testing/postgres_test_db.h"
#include "testing/private_postgres.h"
#include "testing/tcp_proxy.h"

namespace homeport::e2e {
namespace {

using nlohmann::json;

// Servers share the database; each has an ingest log of its own.
std::vector<std::string> Serve(const std::string& store_url, const std::string& ingest_log,
                               std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--region", "sg",          "--store",      store_url,
                                   "--listen", "127.0.0.1:0", "--ingest-log", ingest_log};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

HttpResult Activate(uint16_t port, const SignedActivation& a) {
  return HttpCall(port, "POST", "/v1/activations", a.headers, a.body);
}

std::string Field(const HttpResult& r, const char* name) {
  json j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : "";
}

const char* kDiagnostics = R"({"counter": {"diagnostics.crash_count": 3}})";

// While the database does not answer: twenty pings of `client` (doc_ids tagged `tag`) are
// acknowledged, and /healthz answers, each in under a second.
void TwentyPingsAnsweredAtOnce(uint16_t port, const std::string& client, unsigned tag) {
  for (unsigned n = 0; n < 20; ++n) {
    auto started = std::chrono::steady_clock::now();
    HttpResult ping = HttpCall(port, "POST",
                               "/submit/homeport-agent/diagnostics/1/" + Uuid(tag, 100 + n),
                               {{"Content-Type", "application/json"}},
                               GleanBody(client, kDiagnostics));
    EXPECT_EQ(ping.status, 200) << ping.body;
    EXPECT_EQ(HttpCall(port, "GET", "/healthz").status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  }
}

std::string DeletionBody(const std::string& client) {
  json deletion = json::parse(GleanBody(client, "{}"));
  deletion.erase("metrics");
  return deletion.dump();
}

class ScaleOutE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::FreshPostgresUrl();
    if (url_.empty()) GTEST_SKIP() << testing::kNoPostgres;
  }
  std::unique_ptr<Store> OpenStore() {
    auto s = Store::Open(url_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::string url_;
};

TEST_F(ScaleOutE2E, SameDeviceThroughTwoServersAtOnceGetsOneWarrantyStart) {
  constexpr int kDevices = 16;
  Region region(kDevices, url_);
  ServerProcess a(Serve(url_, region.dir.File("a.ingest"))),
      b(Serve(url_, region.dir.File("b.ingest")));
  ASSERT_TRUE(a.started()) << a.output() << a.log();
  ASSERT_TRUE(b.started()) << b.output() << b.log();

  for (int n = 1; n <= kDevices; ++n) {
    SignedActivation request = HandMadeActivation(region.Profile(n), "sg");
    // Both servers get the same first activation at the same instant.
    std::atomic<int> ready{0};
    HttpResult via_a, via_b;
    auto fire = [&](uint16_t port, HttpResult& out) {
      ++ready;
      while (ready.load() < 2) std::this_thread::yield();
      out = Activate(port, request);
    };
    std::thread ta(fire, a.port(), std::ref(via_a)), tb(fire, b.port(), std::ref(via_b));
    ta.join();
    tb.join();
    std::multiset<int> statuses = {via_a.status, via_b.status};
    EXPECT_EQ(statuses, (std::multiset<int>{200, 201}))
        << "device " << n << ": " << via_a.body << " / " << via_b.body;
    EXPECT_FALSE(Field(via_a, "warranty_start").empty()) << via_a.body;
    EXPECT_EQ(Field(via_a, "warranty_start"), Field(via_b, "warranty_start"));
  }

  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto rollout = store->Rollout(std::nullopt);
  ASSERT_TRUE(rollout.ok());
  ASSERT_EQ(rollout->batches.size(), 1u);
  EXPECT_EQ(rollout->batches[0].activated, kDevices);
}

TEST_F(ScaleOutE2E, DocumentResentToTheOtherServerIsStoredOnce) {
  Region region(1, url_);
  ServerProcess a(Serve(url_, region.dir.File("a.ingest"))),
      b(Serve(url_, region.dir.File("b.ingest")));
  ASSERT_TRUE(a.started()) << a.output() << a.log();
  ASSERT_TRUE(b.started()) << b.output() << b.log();
  const std::string client = Uuid(21, 1), doc = Uuid(21, 100);
  std::string body = GleanBody(client, kDiagnostics);

  HttpResult first = Submit(a.port(), "diagnostics", doc, body);
  EXPECT_EQ(first.status / 100, 2) << first.body;
  // The device's retry, after a lost answer, lands on the other server behind the balancer.
  HttpResult resent = Submit(b.port(), "diagnostics", doc, body);
  EXPECT_EQ(resent.status / 100, 2) << resent.body;

  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto docs = store->ExportClient(client, "test:e2e", std::chrono::system_clock::now());
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0].doc_id, doc);
}

TEST_F(ScaleOutE2E, DatabaseOutageAnswersActivations503KeepsPingsAndResumesByItself) {
  Region region(2, url_);
  testing::TcpProxy proxy(testing::PostgresTestPort());
  ServerProcess server(
      Serve(testing::ThroughPort(url_, proxy.port()), region.dir.File("sg.ingest")));
  ASSERT_TRUE(server.started()) << server.output() << server.log();

  SignedActivation first = HandMadeActivation(region.Profile(1), "sg");
  HttpResult before = Activate(server.port(), first);
  ASSERT_EQ(before.status, 201) << before.body;
  const std::string start = Field(before, "warranty_start");
  const std::string client = Uuid(22, 1);
  ASSERT_EQ(
      Submit(server.port(), "diagnostics", Uuid(22, 100), GleanBody(client, kDiagnostics)).status /
          100,
      2);

  proxy.Cut();
  SignedActivation second = HandMadeActivation(region.Profile(2), "sg");
  HttpResult during = Activate(server.port(), second);
  EXPECT_EQ(during.status, 503) << during.body;
  EXPECT_EQ(Field(during, "error"), "unavailable") << during.body;
  EXPECT_FALSE(during.headers["retry-after"].empty());
  // Pings need no database to be acknowledged: the ingest log holds them meanwhile.
  HttpResult ping = HttpCall(server.port(), "POST",
                             "/submit/homeport-agent/diagnostics/1/" + Uuid(22, 101),
                             {{"Content-Type", "application/json"}}, GleanBody(client, kDiagnostics));
  EXPECT_EQ(ping.status, 200) << ping.body;
  // The process stays up and answers what needs no database, and says the store is behind.
  HttpResult health = HttpCall(server.port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_GT(json::parse(health.body)["ingest"]["unloaded_bytes"].get<int64_t>(), 0) << health.body;

  // Back: the server reconnects by itself within a second or two, as the device's retries
  // after Retry-After find.
  proxy.Restore();
  HttpResult after = Activate(server.port(), second);
  for (int i = 0; i < 30 && after.status == 503; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = Activate(server.port(), second);
  }
  EXPECT_EQ(after.status, 201) << after.body;
  HttpResult again = Activate(server.port(), first);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Field(again, "warranty_start"), start);  // acknowledged before the outage: kept
  ASSERT_TRUE(WaitForIngest(server.port()));  // the ping taken during the outage is stored

  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto docs = store->ExportClient(client, "test:e2e", std::chrono::system_clock::now());
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ(docs->size(), 2u);
  EXPECT_EQ(server.Signal(SIGTERM), 0) << server.log();
}

// A database that stops answering without closing anything (SIGSTOP, a frozen VM): no I/O
// thread waits for it, so /healthz answers and pings are acknowledged into the ingest log; when
// it answers again, every acknowledged ping is stored.
TEST_F(ScaleOutE2E, PausedDatabaseKeepsHealthzAndPingIntakeAndLosesNothing) {
  Region region(1, url_);
  testing::TcpProxy proxy(testing::PostgresTestPort());
  ServerProcess server(
      Serve(testing::ThroughPort(url_, proxy.port()), region.dir.File("sg.ingest")));
  ASSERT_TRUE(server.started()) << server.output() << server.log();
  const std::string client = Uuid(23, 1);

  proxy.Pause();
  TwentyPingsAnsweredAtOnce(server.port(), client, 23);
  HttpResult health = HttpCall(server.port(), "GET", "/healthz");
  EXPECT_GT(json::parse(health.body)["ingest"]["unloaded_bytes"].get<int64_t>(), 0) << health.body;

  proxy.Resume();
  ASSERT_TRUE(WaitForIngest(server.port()));
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto docs = store->ExportClient(client, "test:e2e", std::chrono::system_clock::now());
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ(docs->size(), 20u);
  EXPECT_EQ(server.Signal(SIGTERM), 0) << server.log();
}

// A deletion-request through one server while the client's pings keep arriving at the other,
// whose loader moves them into the store meanwhile: once the erasure is answered, nothing of the
// client is in the store, neither what the other server held in its log then nor what came after.
TEST_F(ScaleOutE2E, DeletionThroughOneServerRacingTheOthersLoaderLeavesNothingOfTheClient) {
  Region region(1, url_);
  // One client sending as fast as it can: its rate limit is out of the way.
  const std::vector<std::string> unlimited = {"--client-rate", "1000000", "--client-burst",
                                              "1000000"};
  ServerProcess a(Serve(url_, region.dir.File("a.ingest"), unlimited)),
      b(Serve(url_, region.dir.File("b.ingest"), unlimited));
  ASSERT_TRUE(a.started()) << a.output() << a.log();
  ASSERT_TRUE(b.started()) << b.output() << b.log();
  const std::string client = Uuid(25, 1);
  const std::string body = GleanBody(client, kDiagnostics);

  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  std::thread sender([&] {
    for (unsigned n = 0; !stop; ++n) {
      HttpResult r = HttpCall(a.port(), "POST",
                              "/submit/homeport-agent/diagnostics/1/" + Uuid(26, n),
                              {{"Content-Type", "application/json"}}, body);
      if (r.status == 200) ++acknowledged;
    }
  });
  auto wait_for = [&](int n) {
    for (int i = 0; i < 2000 && acknowledged < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  wait_for(100);
  HttpResult erased =
      HttpCall(b.port(), "POST", "/submit/homeport-agent/deletion-request/1/" + Uuid(27, 1),
               {{"Content-Type", "application/json"}}, DeletionBody(client));
  const int before = acknowledged;
  wait_for(before + 100);
  stop = true;
  sender.join();
  EXPECT_EQ(erased.status, 200) << erased.body;
  EXPECT_GE(before, 100);
  EXPECT_GE(acknowledged.load(), before + 100);

  ASSERT_TRUE(WaitForIngest(a.port()));
  ASSERT_TRUE(WaitForIngest(b.port()));
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto docs = store->ExportClient(client, "test:e2e", std::chrono::system_clock::now());
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  EXPECT_EQ(docs->size(), 0u);
  EXPECT_EQ(a.Signal(SIGTERM), 0) << a.log();
  EXPECT_EQ(b.Signal(SIGTERM), 0) << b.log();
}

// Every process of the database stopped with SIGSTOP: connections stay open and the kernel
// acknowledges what is sent, but nothing answers and nothing fails. /healthz and pings are
// answered at once, an activation gets 503 + Retry-After within its limit instead of hanging,
// and once the database goes on, every acknowledged ping is stored.
TEST(PausedPostgresE2E, StoppedDatabaseKeepsPingsAnswersActivations503AndLosesNothing) {
  if (testing::PostgresTestServer().empty()) GTEST_SKIP() << testing::kNoPostgres;
  testing::PrivatePostgres postgres;
  ASSERT_FALSE(postgres.url().empty()) << "the test's own PostgreSQL server did not start";
  Region region(2, postgres.url());
  ServerProcess server(Serve(postgres.url(), region.dir.File("sg.ingest")));
  ASSERT_TRUE(server.started()) << server.output() << server.log();
  ASSERT_EQ(Activate(server.port(), HandMadeActivation(region.Profile(1), "sg")).status, 201);
  const std::string client = Uuid(24, 1);

  postgres.Pause();
  SignedActivation second = HandMadeActivation(region.Profile(2), "sg");
  auto asked = std::chrono::steady_clock::now();
  HttpResult during = Activate(server.port(), second);
  EXPECT_EQ(during.status, 503) << during.body;
  EXPECT_FALSE(during.headers["retry-after"].empty());
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(10));
  TwentyPingsAnsweredAtOnce(server.port(), client, 24);

  postgres.Resume();
  ASSERT_TRUE(WaitForIngest(server.port()));
  // The device's retry: activated now, or found activated by the commit that outlived its 503.
  HttpResult after = Activate(server.port(), second);
  EXPECT_TRUE(after.status == 201 || after.status == 200) << after.body;
  EXPECT_FALSE(Field(after, "warranty_start").empty()) << after.body;
  auto store = Store::Open(postgres.url());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto docs = (*store)->ExportClient(client, "test:e2e", std::chrono::system_clock::now());
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  EXPECT_EQ(docs->size(), 20u);
  EXPECT_EQ(server.Signal(SIGTERM), 0) << server.log();
}

}  // namespace
}  // namespace homeport::e2e
