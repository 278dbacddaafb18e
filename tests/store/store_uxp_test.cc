// Conformance: UX-program documents — deduplication, erasure, access export, retention.
#include <nlohmann/json.hpp>

#include "store_conformance.h"

namespace homeport::testing {
namespace {

using StoreUxp = StoreTest;

TimePoint Day1() {
  using namespace std::chrono;
  return sys_days(2026y / 11 / 29) + hours(9);
}

UxpDocument Doc(const std::string& doc_id, const std::string& client_id,
                const std::string& received_day = "2026-11-29",
                const std::string& expires_day = "2027-02-27") {
  nlohmann::json payload = {
      {"client_info", {{"client_id", client_id}}},
      {"metrics",
       {{"counter", {{"diagnostics.crash_count", 2}}}, {"text", {{"feedback.text", "[imei] broke"}}}}}};
  return {doc_id, "homeport-agent", "diagnostics", client_id, received_day, expires_day,
          payload.dump(), {}};
}

BatchResult Commit(Store& store, WriteBatch batch) {
  auto r = store.Commit(batch, Day1());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : BatchResult{};
}

std::vector<UxpDocument> Export(Store& store, const std::string& client) {
  auto r = store.ExportClient(client, "cli:operator", Day1());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<UxpDocument>{};
}

TEST_P(StoreUxp, DuplicateDocIdIsStoredOnce) {
  WriteBatch b;
  b.documents = {Doc("d-1", "c-1"), Doc("d-1", "c-1")};
  BatchResult r = Commit(*store_, b);
  ASSERT_EQ(r.documents_stored.size(), 2u);
  EXPECT_TRUE(r.documents_stored[0]);
  EXPECT_FALSE(r.documents_stored[1]);
  WriteBatch again;
  again.documents = {Doc("d-1", "c-1")};
  EXPECT_FALSE(Commit(*store_, again).documents_stored[0]);
  EXPECT_EQ(Export(*store_, "c-1").size(), 1u);
}

TEST_P(StoreUxp, ErasureRemovesEveryDocumentOfTheClientOnly) {
  WriteBatch b;
  b.documents = {Doc("d-1", "c-1"), Doc("d-2", "c-1"), Doc("d-3", "c-2")};
  Commit(*store_, b);
  WriteBatch erase;
  erase.documents = {Doc("d-4", "c-1")};  // same batch: erasure wins
  erase.erasures = {{"c-1", "2027-02-27", ""}};
  BatchResult r = Commit(*store_, erase);
  ASSERT_EQ(r.erased.size(), 1u);
  EXPECT_EQ(r.erased[0], 3);
  EXPECT_TRUE(Export(*store_, "c-1").empty());
  EXPECT_EQ(Export(*store_, "c-2").size(), 1u);
}

// Documents reach the store in any order with an erasure (another server's ingest log, a
// resend): once a client is erased, none of its documents is stored again until the erased id
// is forgotten.
TEST_P(StoreUxp, DocumentOfAnErasedClientIsNotStoredLater) {
  WriteBatch erase;
  erase.erasures = {{"c-1", "2027-02-27", ""}};
  Commit(*store_, erase);
  Reopen();
  WriteBatch late;
  late.documents = {Doc("d-1", "c-1"), Doc("d-2", "c-2")};
  BatchResult r = Commit(*store_, late);
  ASSERT_EQ(r.documents_stored.size(), 2u);
  EXPECT_FALSE(r.documents_stored[0]);
  EXPECT_TRUE(r.documents_stored[1]);
  EXPECT_TRUE(Export(*store_, "c-1").empty());
  EXPECT_EQ(Export(*store_, "c-2").size(), 1u);
}

TEST_P(StoreUxp, ErasedClientIsForgottenAfterItsDay) {
  WriteBatch erase;
  erase.erasures = {{"c-1", "2026-12-01", ""}};
  Commit(*store_, erase);
  ASSERT_TRUE(store_->ExpireDocuments("2026-12-01").ok());
  WriteBatch still;
  still.documents = {Doc("d-1", "c-1")};
  EXPECT_FALSE(Commit(*store_, still).documents_stored[0]);
  ASSERT_TRUE(store_->ExpireDocuments("2026-12-02").ok());
  WriteBatch after;
  after.documents = {Doc("d-2", "c-1")};
  EXPECT_TRUE(Commit(*store_, after).documents_stored[0]);
}

TEST_P(StoreUxp, ExportIsLoggedAndSurvivesReopen) {
  WriteBatch b;
  b.documents = {Doc("d-1", "c-1"), Doc("d-2", "c-1")};
  Commit(*store_, b);
  Reopen();
  auto docs = Export(*store_, "c-1");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(docs[0].payload)["metrics"]["counter"]["diagnostics.crash_count"], 2);
  auto log = AccessLogEntries();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().action, "uxp.export");
  EXPECT_EQ(log.back().subject, "c-1");
  EXPECT_TRUE(VerifyAccessLogChain(log).ok());
}

TEST_P(StoreUxp, ExpiredDocumentsAreRemoved) {
  WriteBatch b;
  b.documents = {Doc("old", "c-1", "2026-08-01", "2026-10-30"), Doc("new", "c-1")};
  Commit(*store_, b);
  auto n = store_->ExpireDocuments("2026-11-29");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  auto docs = Export(*store_, "c-1");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].doc_id, "new");
}

TEST_P(StoreUxp, MetricRetentionRemovesOnlyThatMetricFromOlderDocuments) {
  WriteBatch b;
  b.documents = {Doc("old", "c-1", "2026-10-01"), Doc("new", "c-1", "2026-11-28")};
  Commit(*store_, b);
  auto n = store_->ExpireMetric("homeport-agent", "diagnostics", "text", "feedback.text", "2026-10-30");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  for (const auto& d : Export(*store_, "c-1")) {
    auto j = nlohmann::json::parse(d.payload);
    EXPECT_EQ(j["metrics"]["counter"]["diagnostics.crash_count"], 2);  // other metrics stay
    EXPECT_EQ(j["metrics"]["text"].contains("feedback.text"), d.doc_id == "new") << d.doc_id;
  }
}

TEST_P(StoreUxp, DocumentCountsAreAggregates) {
  WriteBatch b;
  b.documents = {Doc("d-1", "c-1"), Doc("d-2", "c-2")};
  Commit(*store_, b);
  auto counts = store_->DocumentCounts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].first, "homeport-agent/diagnostics");
  EXPECT_EQ((*counts)[0].second, 2);
}

HOMEPORT_STORE_CONFORMANCE(StoreUxp);

}  // namespace
}  // namespace homeport::testing
