// The ingest log under a real `homeport serve` over SQLite: `kill -9` at any moment of intake
// and loading loses nothing acknowledged and stores nothing twice; a database that stops taking
// writes leaves /healthz and ping intake working until the log is full, then pings get 503 +
// Retry-After, and when the database is back everything acknowledged is stored.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "e2e_support.h"
#include "store/store.h"

namespace homeport::e2e {
namespace {

using nlohmann::json;

std::vector<std::string> Serve(const Region& region, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--region",
                                   "sg",
                                   "--store",
                                   region.store_url,
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--ingest-budget-docs",
                                   "1000000",
                                   "--ingest-budget-bytes",
                                   "1000000000000",
                                   "--client-rate",
                                   "1000000",
                                   "--client-burst",
                                   "1000000"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string PingPath(const std::string& doc_id) {
  return "/submit/homeport-agent/diagnostics/1/" + doc_id;
}

std::set<std::string> StoredDocIds(const Region& region, const std::vector<std::string>& clients) {
  std::set<std::string> out;
  auto store = Store::Open(region.store_url);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return out;
  for (const auto& c : clients) {
    auto docs = (*store)->ExportClient(c, "test:e2e", std::chrono::system_clock::now());
    EXPECT_TRUE(docs.ok());
    if (docs.ok()) {
      for (const auto& d : *docs) out.insert(d.doc_id);
    }
  }
  return out;
}

// Senders post pings, each its own client, until told to stop; the doc_ids answered 200 are
// what the server promised to keep.
class Senders {
 public:
  Senders(uint16_t port, unsigned tag, int senders) {
    // Every client id before the first thread reads one: a push_back could move them.
    for (int s = 0; s < senders; ++s) clients_.push_back(Uuid(tag, static_cast<unsigned>(s)));
    for (int s = 0; s < senders; ++s) {
      threads_.emplace_back([this, port, tag, s] {
        const std::string body = GleanBody(clients_[static_cast<size_t>(s)],
                                           R"({"counter": {"diagnostics.crash_count": 2}})");
        for (unsigned n = 0; !stop_; ++n) {
          std::string doc = Uuid(tag + 1 + static_cast<unsigned>(s), n);
          HttpResult r =
              HttpCall(port, "POST", PingPath(doc), {{"Content-Type", "application/json"}}, body);
          if (r.status == 0) break;  // the server is gone
          if (r.status == 200) {
            std::lock_guard lock(mu_);
            acknowledged_.push_back(doc);
          }
        }
      });
    }
  }
  ~Senders() { Join(); }
  void Join() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  size_t count() {
    std::lock_guard lock(mu_);
    return acknowledged_.size();
  }
  std::vector<std::string> acknowledged() {
    std::lock_guard lock(mu_);
    return acknowledged_;
  }
  const std::vector<std::string>& clients() const { return clients_; }

 private:
  std::vector<std::string> clients_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::string> acknowledged_;
  std::vector<std::thread> threads_;
};

TEST(IngestLogE2E, KillNineDuringIntakeLosesNothingAcknowledgedAndStoresNothingTwice) {
  Region region(1);
  std::vector<std::string> acknowledged, clients;
  // Three kills, each after a different amount of traffic, land in different phases: a write
  // and its sync, a load into the store, a segment's deletion, a checkpoint.
  for (int round = 0; round < 3; ++round) {
    ServerProcess server(Serve(region));
    ASSERT_TRUE(server.started()) << server.output() << server.log();
    Senders senders(server.port(), 100 + 10 * static_cast<unsigned>(round), 4);
    const size_t target = 200 + 300 * static_cast<size_t>(round);
    for (int i = 0; i < 3000 && senders.count() < target; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(server.Signal(SIGKILL), 128 + SIGKILL);
    senders.Join();
    auto acked = senders.acknowledged();
    EXPECT_GT(acked.size(), 0u);
    acknowledged.insert(acknowledged.end(), acked.begin(), acked.end());
    clients.insert(clients.end(), senders.clients().begin(), senders.clients().end());
  }

  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output() << server.log();
  ASSERT_TRUE(WaitForIngest(server.port()));
  std::set<std::string> stored = StoredDocIds(region, clients);
  for (const auto& doc : acknowledged) EXPECT_EQ(stored.count(doc), 1u) << doc << " was lost";

  // Every acknowledged document sent again (the devices never got some answers): still one each.
  const std::string body = GleanBody(clients[0], R"({"counter": {"diagnostics.crash_count": 2}})");
  for (size_t i = 0; i < acknowledged.size(); i += 7) {
    ASSERT_EQ(HttpCall(server.port(), "POST", PingPath(acknowledged[i]),
                       {{"Content-Type", "application/json"}}, body)
                  .status,
              200);
  }
  ASSERT_TRUE(WaitForIngest(server.port()));
  auto store = Store::Open(region.store_url);
  ASSERT_TRUE(store.ok());
  auto counts = (*store)->DocumentCounts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ(static_cast<size_t>(counts->at(0).second), stored.size());
  EXPECT_EQ(server.Signal(SIGTERM), 0) << server.log();
}

// Holds SQLite's write lock, as a stuck writer or a database on a frozen disk would.
class LockedDatabase {
 public:
  explicit LockedDatabase(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    // The server's start-up retention run may hold the lock for a moment: wait it out.
    sqlite3_busy_timeout(db_, 10'000);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  void Release() {
    if (!db_) return;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
  }
  ~LockedDatabase() { Release(); }

 private:
  sqlite3* db_ = nullptr;
};

std::string FeedbackBody(const std::string& client) {
  json feedback = json::parse(
      GleanBody(client, json({{"text", {{"feedback.text", std::string(150'000, 'n')}}}}).dump()));
  feedback["ping_info"].erase("reason");  // the feedback ping declares none
  return feedback.dump();
}

int64_t UnloadedBytes(uint16_t port) {
  HttpResult health = HttpCall(port, "GET", "/healthz");
  json j = json::parse(health.body, nullptr, false);
  if (!j.is_object() || !j.contains("ingest")) return -1;
  return j["ingest"]["unloaded_bytes"].get<int64_t>();
}

TEST(IngestLogE2E, StuckDatabaseKeepsPingsComingUntilTheLogIsFullThen503) {
  Region region(1);
  ServerProcess server(Serve(region, {"--ingest-log-max-bytes", std::to_string(16 << 20)}));
  ASSERT_TRUE(server.started()) << server.output() << server.log();
  LockedDatabase locked(region.dir.File("sg.db"));

  const std::string client = Uuid(40, 1);
  const std::string body = FeedbackBody(client);
  std::vector<std::string> acknowledged;
  HttpResult refused;
  for (unsigned n = 0; n < 300; ++n) {
    std::string doc = Uuid(41, n);
    HttpResult r = HttpCall(server.port(), "POST", "/submit/homeport-agent/feedback/1/" + doc,
                            {{"Content-Type", "application/json"}}, body);
    if (r.status != 200) {
      refused = r;
      break;
    }
    acknowledged.push_back(doc);
  }
  EXPECT_GT(acknowledged.size(), 50u);  // 16 MiB of 150 KB pings went to the log meanwhile
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["error"], "unavailable");
  EXPECT_FALSE(refused.headers["retry-after"].empty());
  HttpResult health = HttpCall(server.port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_GT(json::parse(health.body)["ingest"]["unloaded_bytes"].get<int64_t>(), 10 << 20);

  locked.Release();
  ASSERT_TRUE(WaitForIngest(server.port()));
  EXPECT_EQ(StoredDocIds(region, {client}).size(), acknowledged.size());
  // And pings are taken again.
  EXPECT_EQ(HttpCall(server.port(), "POST", "/submit/homeport-agent/feedback/1/" + Uuid(42, 1),
                     {{"Content-Type", "application/json"}}, body)
                .status,
            200);
  EXPECT_EQ(server.Signal(SIGTERM), 0) << server.log();
}

// A backlog held back by a locked database, then released: the loader moves it into the store
// in several 8 MB batches, applies an erasure between them and has SQLite checkpoint its WAL
// after it. Each round is killed at a different depth of that work; after a restart, every
// acknowledged document is stored once, and the erasure recorded in the log holds although its
// answer was never sent.
TEST(IngestLogE2E, KillNineWhileLoadingABacklogLosesNothingAndStoresNothingTwice) {
  Region region(1);
  const std::string keep = Uuid(50, 1), erase = Uuid(50, 2);
  const std::string keep_body = FeedbackBody(keep), erase_body = FeedbackBody(erase);
  json deletion = json::parse(GleanBody(erase, "{}"));
  deletion.erase("metrics");
  std::vector<std::string> acknowledged;
  unsigned next = 0;
  auto send = [&](uint16_t port, const std::string& body, int n, bool keep_it) {
    for (int i = 0; i < n; ++i) {
      std::string doc = Uuid(51, next++);
      HttpResult r = HttpCall(port, "POST", "/submit/homeport-agent/feedback/1/" + doc,
                              {{"Content-Type", "application/json"}}, body);
      ASSERT_EQ(r.status, 200) << r.body;
      if (keep_it) acknowledged.push_back(doc);
    }
  };
  for (int round = 0; round < 3; ++round) {
    ServerProcess server(Serve(region, {"--ingest-log-max-bytes", std::to_string(64 << 20)}));
    ASSERT_TRUE(server.started()) << server.output() << server.log();
    std::thread deletion_request;
    int64_t backlog = 0;
    {
      LockedDatabase locked(region.dir.File("sg.db"));
      send(server.port(), keep_body, 40, true);
      send(server.port(), erase_body, 10, false);
      deletion_request = std::thread([&, port = server.port()] {
        HttpCall(port, "POST", "/submit/homeport-agent/deletion-request/1/" + Uuid(52, round),
                 {{"Content-Type", "application/json"}}, deletion.dump());
      });
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the erasure is in the log
      send(server.port(), keep_body, 120, true);
      backlog = UnloadedBytes(server.port());
      ASSERT_GT(backlog, 20 << 20);
    }
    // Killed once 15%, 50% and 85% of the backlog is in the store.
    const int64_t kill_below = backlog * (17 - 7 * round) / 20;
    for (int i = 0; i < 20000; ++i) {
      int64_t left = UnloadedBytes(server.port());
      if (left >= 0 && left <= kill_below) break;
    }
    EXPECT_EQ(server.Signal(SIGKILL), 128 + SIGKILL);
    deletion_request.join();
  }

  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output() << server.log();
  ASSERT_TRUE(WaitForIngest(server.port()));
  std::set<std::string> stored = StoredDocIds(region, {keep});
  EXPECT_EQ(stored.size(), acknowledged.size());
  for (const auto& doc : acknowledged) EXPECT_EQ(stored.count(doc), 1u) << doc << " was lost";
  EXPECT_TRUE(StoredDocIds(region, {erase}).empty());
  auto store = Store::Open(region.store_url);
  ASSERT_TRUE(store.ok());
  auto counts = (*store)->DocumentCounts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ(static_cast<size_t>(counts->at(0).second), acknowledged.size());
  EXPECT_EQ(server.Signal(SIGTERM), 0) << server.log();
}

}  // namespace
}  // namespace homeport::e2e
