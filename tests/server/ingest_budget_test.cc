// The global ingest budget and the stored-size bound: a flood of valid pings with fresh
// client ids is held back (429 + Retry-After) however the ids change, a deletion-request
// always goes through, and no request stores more than 1 MB. Time moves by hand.
#include "server/ingest_budget.h"

#include "schema/schema_loader.h"
#include "server_test_support.h"
#include "testing/clock_env.h"

namespace homeport::server_testing {
namespace {

using homeport::testing::ClockEnv;

std::string ClientId(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08d-2d4a-4b6c-9e8f-0a1b2c3d4e5f", n);
  return buf;
}

std::string RetryAfter(const HttpResponse& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "Retry-After") return value;
  }
  return "";
}

std::string Diagnostics(int client) {
  return GleanPing({{"counter", {{"diagnostics.crash_count", 1}}}}, ClientId(client)).dump();
}

TEST(IngestBudget, TakesWhatFitsThenNamesTheWaitAndRefillsWithTime) {
  ClockEnv env;
  IngestBudget budget({/*documents_per_second=*/2, /*bytes_per_second=*/1000,
                       /*burst_seconds=*/5},
                      &env);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(budget.Acquire(10), 0) << i;  // the burst: 2 × 5 s
  EXPECT_EQ(budget.Acquire(10), 1);  // half a second for the next document, rounded up
  env.Advance(std::chrono::milliseconds(500));
  EXPECT_EQ(budget.Acquire(10), 0);
  EXPECT_EQ(budget.Acquire(10), 1);
  env.Advance(std::chrono::hours(1));  // an idle hour refills no more than the burst
  for (int i = 0; i < 10; ++i) ASSERT_EQ(budget.Acquire(10), 0) << i;
  EXPECT_GT(budget.Acquire(10), 0);
}

TEST(IngestBudget, BytesAreBudgetedAsWellAsDocuments) {
  ClockEnv env;
  IngestBudget budget({1000, 1000, 4}, &env);  // 4,000 bytes at once, 1,000 a second
  EXPECT_EQ(budget.Acquire(3000), 0);
  EXPECT_EQ(budget.Acquire(3000), 2);  // 1,000 left: two more seconds for 3,000
  env.Advance(std::chrono::seconds(2));
  EXPECT_EQ(budget.Acquire(3000), 0);
}

TEST(IngestBudget, AClockSteppedBackRefillsNothing) {
  ClockEnv env;
  IngestBudget budget({1, 1 << 20, 1}, &env);
  EXPECT_EQ(budget.Acquire(1), 0);
  env.Advance(-std::chrono::hours(24));
  EXPECT_EQ(budget.Acquire(1), 1);
  env.Advance(std::chrono::hours(24));  // back to where it was: still nothing new
  EXPECT_EQ(budget.Acquire(1), 1);
}

TEST(IngestBudget, OptionsThatCouldNeverAcceptAreRefusedAtStartUp) {
  EXPECT_TRUE(ValidateIngestBudget({}, kMaxDecompressedBytes).ok());
  EXPECT_FALSE(ValidateIngestBudget({0, 1e9, 10}, kMaxDecompressedBytes).ok());
  EXPECT_FALSE(ValidateIngestBudget({10, -1, 10}, kMaxDecompressedBytes).ok());
  EXPECT_FALSE(ValidateIngestBudget({10, 1e9, 0}, kMaxDecompressedBytes).ok());
  EXPECT_FALSE(ValidateIngestBudget({0.01, 1e9, 10}, kMaxDecompressedBytes).ok());
  EXPECT_FALSE(ValidateIngestBudget({1e300 * 1e300, 1e9, 10}, kMaxDecompressedBytes).ok());
  Status small = ValidateIngestBudget({10, 1 << 20, 1}, kMaxDecompressedBytes);
  ASSERT_FALSE(small.ok());
  EXPECT_NE(small.message().find("--ingest-budget-bytes"), std::string::npos) << small.message();
}

// The fixture's server with a global budget of 5 documents at once, 1 per second.
class IngestFlood : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    budget_ = std::make_unique<IngestBudget>(IngestBudgetOptions{1, 1 << 30, 5}, &env_);
    ServiceContext ctx = router_->context();
    ctx.env = &env_;
    ctx.ingest_budget = budget_.get();
    router_ = std::make_unique<Router>(std::move(ctx));
  }
  ClockEnv env_;
  std::unique_ptr<IngestBudget> budget_;
};

TEST_F(IngestFlood, FreshClientIdsCannotResetTheGlobalBudget) {
  int stored = 0;
  for (int i = 0; i < 5; ++i) {
    HttpResponse r = Call(SubmitRequest("diagnostics", Diagnostics(i), DocId(i)));
    ASSERT_EQ(r.status, 200) << r.body;
    ++stored;
  }
  for (int i = 5; i < 50; ++i) {
    HttpResponse r = Call(SubmitRequest("diagnostics", Diagnostics(i), DocId(i)));
    ASSERT_EQ(r.status, 429) << i << ": " << r.body;
    EXPECT_EQ(Json(r)["error"], "rate_limited");
    EXPECT_EQ(RetryAfter(r), "1");
  }
  // A deletion-request is never held back, even with the budget spent.
  HttpResponse erase =
      Call(SubmitRequest("deletion-request", GleanPing(nullptr, ClientId(0)).dump(), DocId(1000)));
  EXPECT_EQ(erase.status, 200) << erase.body;
  EXPECT_EQ(Json(erase)["status"], "erased");

  env_.Advance(std::chrono::seconds(2));  // the budget refills at one document a second
  EXPECT_EQ(Call(SubmitRequest("diagnostics", Diagnostics(60), DocId(60))).status, 200);
  EXPECT_EQ(Call(SubmitRequest("diagnostics", Diagnostics(61), DocId(61))).status, 200);
  EXPECT_EQ(Call(SubmitRequest("diagnostics", Diagnostics(62), DocId(62))).status, 429);
  WaitLoaded();
  auto counts = store_->DocumentCounts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ(counts->at(0).second, stored - 1 + 2);  // client 0's ping was erased
}

// Eight text metrics of ~150 KB each: valid one by one, 1.2 MB together.
TEST(StoredDocumentBound, ADocumentOver1MBToStoreIs413AndNothingIsStored) {
  testing::TempDir dir;
  std::string metrics_yaml =
      "---\n$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\nnotes:\n";
  for (int i = 0; i < 8; ++i) {
    metrics_yaml += "  n" + std::to_string(i) +
                    ":\n    type: text\n    description: A note.\n    lifetime: ping\n"
                    "    send_in_pings: [notes]\n    bugs: [https://example.com/1]\n"
                    "    data_reviews: [https://example.com/2]\n"
                    "    notification_emails: [a@example.com]\n    expires: never\n";
  }
  std::string pings_yaml =
      "---\n$schema: moz://mozilla.org/schemas/glean/pings/2-0-0\nnotes:\n"
      "  description: Notes.\n  include_client_id: true\n  bugs: [https://example.com/1]\n"
      "  data_reviews: [https://example.com/2]\n  notification_emails: [a@example.com]\n";
  auto app = schema::ParseAppSchema("org-example-notes", {"metrics.yaml", metrics_yaml},
                                    schema::SchemaFile{"pings.yaml", pings_yaml});
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  auto registry = schema::SchemaRegistry::Create({std::move(*app)});
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  auto scanner = privacy::IdentifierScanner::Create({"SG"});
  auto store = Store::Open("sqlite:" + dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  ServerMetrics metrics;
  GroupCommitWriter writer(**store, Env::Default(), &metrics);
  auto log = IngestLog::Open({.dir = dir.File("s.db.ingest")}, Env::Default());
  ASSERT_TRUE(log.ok());
  IngestLoader loader(**log, **store, Env::Default(), &metrics);
  ClientRateLimiter limiter({100, 100});
  ServiceContext ctx;
  ctx.region = "sg";
  ctx.store = store->get();
  ctx.writer = &writer;
  ctx.ingest_log = log->get();
  ctx.ingest_loader = &loader;
  ctx.metrics = &metrics;
  ctx.env = Env::Default();
  ctx.schemas = &*registry;
  ctx.scanner = &*scanner;
  ctx.rate_limiter = &limiter;
  Router router(std::move(ctx));
  auto call = [&](const HttpRequest& request) {
    std::promise<HttpResponse> answer;
    router.Handle(request, [&](HttpResponse r) { answer.set_value(std::move(r)); });
    return answer.get_future().get();
  };

  std::string note;
  while (note.size() < 150000) note += "the screen flickers when the lid opens. ";
  nlohmann::json texts;
  for (int i = 0; i < 8; ++i) texts["notes.n" + std::to_string(i)] = note;
  HttpResponse big = call(SubmitRequest("notes", GleanPing({{"text", texts}}, ClientId(1)).dump(),
                                        DocId(1), "org-example-notes"));
  EXPECT_EQ(big.status, 413) << big.body.substr(0, 300);
  EXPECT_EQ(nlohmann::json::parse(big.body)["error"], "too_large");

  texts.erase("notes.n7");
  texts.erase("notes.n6");  // six notes: 0.9 MB, within the bound
  HttpResponse fits = call(SubmitRequest("notes", GleanPing({{"text", texts}}, ClientId(2)).dump(),
                                         DocId(2), "org-example-notes"));
  EXPECT_EQ(fits.status, 200) << fits.body.substr(0, 300);
  writer.Stop();
  ASSERT_TRUE(loader.WaitLoaded(std::chrono::seconds(10)).ok());
  auto counts = (*store)->DocumentCounts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ(counts->at(0).second, 1);
}

}  // namespace
}  // namespace homeport::server_testing
