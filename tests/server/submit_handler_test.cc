// Glean ingestion (POST /submit/...) through the Router, over a real SQLite store: what a
// Glean SDK sends is stored, scrubbed, deduplicated or refused by name.
#include <functional>
#include <nlohmann/json.hpp>

#include "common/gzip.h"
#include "schema/schema_loader.h"
#include "server/stored_ping.h"
#include "server_test_support.h"

namespace homeport::server_testing {
namespace {

constexpr const char* kClient = "3f0b8c1e-2d4a-4b6c-9e8f-0a1b2c3d4e5f";

nlohmann::json Ping(const nlohmann::json& metrics, const std::string& client = kClient) {
  return GleanPing(metrics, client);
}

HttpRequest Submit(const std::string& ping, const std::string& body, const std::string& doc_id,
                   const std::string& app = "homeport-agent") {
  return SubmitRequest(ping, body, doc_id, app);
}

class SubmitHandler : public ServerFixture {
 protected:
  std::vector<UxpDocument> Stored(const std::string& client = kClient) {
    WaitLoaded();
    auto docs = store_->ExportClient(client, "test", Env::Default()->Now());
    EXPECT_TRUE(docs.ok());
    return docs.ok() ? *docs : std::vector<UxpDocument>{};
  }
};

TEST_F(SubmitHandler, DiagnosticsPingIsStored) {
  auto body = Ping({{"counter", {{"diagnostics.crash_count", 2}}}}).dump();
  HttpResponse r = Call(Submit("diagnostics", body, DocId(1)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["status"], "stored");
  auto docs = Stored();
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].doc_type, "diagnostics");
  EXPECT_EQ(nlohmann::json::parse(docs[0].payload)["metrics"]["counter"]["diagnostics.crash_count"],
            2);
}

TEST_F(SubmitHandler, NulCharacterIsRefusedAnEscapedBackslashIsNot) {
  auto ping = Ping({{"counter", {{"diagnostics.crash_count", 1}}}});
  ping["client_info"]["os"] = std::string("Linux\0", 6);  // serialised as \u0000
  HttpResponse r = Call(Submit("diagnostics", ping.dump(), DocId(30)));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Json(r)["error"], "bad_json");
  EXPECT_NE(r.body.find("U+0000"), std::string::npos) << r.body;
  ping["client_info"]["os"] = "C:\\u0000";  // a backslash, then the text "u0000"
  EXPECT_EQ(Call(Submit("diagnostics", ping.dump(), DocId(31))).status, 200);
  EXPECT_EQ(Stored().size(), 1u);
}

TEST_F(SubmitHandler, ResentDocIdIsStoredOnce) {
  auto body = Ping({{"counter", {{"diagnostics.crash_count", 1}}}}).dump();
  ASSERT_EQ(Call(Submit("diagnostics", body, DocId(2))).status, 200);
  HttpResponse again = Call(Submit("diagnostics", body, DocId(2)));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(Json(again)["status"], "stored");  // held once: the answer is the same
  EXPECT_EQ(Stored().size(), 1u);
  // After the first copy reached the store, too.
  EXPECT_EQ(Call(Submit("diagnostics", body, DocId(2))).status, 200);
  EXPECT_EQ(Stored().size(), 1u);
}

TEST_F(SubmitHandler, GzipBodyIsAccepted) {
  HttpRequest r = Submit(
      "diagnostics", Gzip(Ping({{"counter", {{"diagnostics.anr_count", 4}}}}).dump()), DocId(3));
  r.headers.emplace_back("content-encoding", "gzip");
  ASSERT_EQ(Call(r).status, 200);
  EXPECT_EQ(Stored().size(), 1u);
}

TEST_F(SubmitHandler, GzipBombIs413WhileInflating) {
  HttpRequest r = Submit("diagnostics", Gzip(std::string(9 << 20, ' ')), DocId(4));
  r.headers.emplace_back("content-encoding", "gzip");
  ASSERT_LT(r.body.size(), kMaxBodyBytes);  // small on the wire
  HttpResponse resp = Call(r);
  EXPECT_EQ(resp.status, 413);
  EXPECT_EQ(Json(resp)["error"], "too_large");
}

TEST_F(SubmitHandler, FeedbackIsScrubbedBeforeStorage) {
  auto body = Ping({{"text",
                     {{"feedback.text",
                       "Phone 490154203237518 died; call +65 6123 4567 or mail jo@example.com"}}},
                    {"quantity", {{"feedback.rating", 2}}}})
                  .dump();
  ASSERT_EQ(Call(Submit("feedback", body, DocId(5))).status, 200);
  auto docs = Stored();
  ASSERT_EQ(docs.size(), 1u);
  std::string text = nlohmann::json::parse(docs[0].payload)["metrics"]["text"]["feedback.text"];
  EXPECT_EQ(text, "Phone [imei] died; call [phone] or mail [email]");
  for (const char* leaked : {"490154203237518", "6123 4567", "jo@example.com"}) {
    EXPECT_EQ(docs[0].payload.find(leaked), std::string::npos) << leaked;
  }
  std::string m = metrics_.Render();
  EXPECT_NE(m.find("homeport_scrubbed_identifiers_total{kind=\"imei\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("homeport_scrubbed_identifiers_total{kind=\"email\"} 1"), std::string::npos);
}

TEST_F(SubmitHandler, UndeclaredMetricIsRefusedByName) {
  auto body =
      Ping({{"counter", {{"diagnostics.crash_count", 1}, {"diagnostics.imei_reads", 1}}}}).dump();
  HttpResponse r = Call(Submit("diagnostics", body, DocId(6)));
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(Json(r)["error"], "schema_violation");
  EXPECT_NE(Json(r)["fields"].dump().find("diagnostics.imei_reads"), std::string::npos) << r.body;
  EXPECT_TRUE(Stored().empty());
}

TEST_F(SubmitHandler, UndeclaredPingAndAppAreRefusedByName) {
  auto body = Ping({{"counter", {{"diagnostics.crash_count", 1}}}}).dump();
  HttpResponse ping = Call(Submit("location-report", body, DocId(7)));
  EXPECT_EQ(ping.status, 400);
  EXPECT_NE(ping.body.find("location-report"), std::string::npos) << ping.body;
  HttpResponse app = Call(Submit("diagnostics", body, DocId(8), "org-nobody-app"));
  EXPECT_EQ(app.status, 400);
  EXPECT_NE(app.body.find("org-nobody-app"), std::string::npos) << app.body;
}

TEST_F(SubmitHandler, DeletionRequestErasesTheClient) {
  ASSERT_EQ(Call(Submit("diagnostics", Ping({{"counter", {{"diagnostics.crash_count", 1}}}}).dump(),
                        DocId(9)))
                .status,
            200);
  ASSERT_EQ(Stored().size(), 1u);
  nlohmann::json deletion = Ping(nlohmann::json::object());
  deletion.erase("metrics");
  HttpResponse r = Call(Submit("deletion-request", deletion.dump(), DocId(10)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["documents"], 1);
  EXPECT_TRUE(Stored().empty());
}

TEST_F(SubmitHandler, BrowserBeaconAndPreflightWork) {
  HttpRequest beacon = Submit(
      "diagnostics", Ping({{"counter", {{"diagnostics.crash_count", 1}}}}).dump(), DocId(11));
  beacon.headers[0].second = "text/plain;charset=UTF-8";
  HttpResponse r = Call(beacon);
  EXPECT_EQ(r.status, 200);
  auto has = [](const HttpResponse& resp, const std::string& name) {
    for (const auto& [k, v] : resp.headers)
      if (k == name) return true;
    return false;
  };
  EXPECT_TRUE(has(r, "Access-Control-Allow-Origin"));
  HttpRequest preflight;
  preflight.method = "OPTIONS";
  preflight.target = "/submit/homeport-agent/diagnostics/1/" + DocId(12);
  HttpResponse p = Call(preflight);
  EXPECT_EQ(p.status, 204);
  EXPECT_TRUE(has(p, "Access-Control-Allow-Methods"));
  EXPECT_TRUE(has(p, "Access-Control-Allow-Headers"));
}

TEST_F(SubmitHandler, BadDocIdAndMediaTypeAreRefused) {
  auto body = Ping({{"counter", {{"diagnostics.crash_count", 1}}}}).dump();
  EXPECT_EQ(Call(Submit("diagnostics", body, "not-a-uuid")).status, 400);
  HttpRequest xml = Submit("diagnostics", body, DocId(13));
  xml.headers[0].second = "application/xml";
  EXPECT_EQ(Call(xml).status, 415);
  EXPECT_EQ(Call(Submit("diagnostics", "{nope", DocId(14))).status, 400);
}

TEST_F(SubmitHandler, ClientOverItsRateGets429WithRetryAfter) {
  auto body = Ping({{"counter", {{"diagnostics.crash_count", 1}}}}).dump();
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(Call(Submit("diagnostics", body, DocId(20 + i))).status, 200);
  HttpResponse r = Call(Submit("diagnostics", body, DocId(30)));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Json(r)["error"], "rate_limited");
  bool retry_after = false;
  for (const auto& [k, v] : r.headers) retry_after |= k == "Retry-After";
  EXPECT_TRUE(retry_after);
  // Opting out still works at once: a deletion-request is never rate limited.
  nlohmann::json deletion = Ping(nlohmann::json::object());
  deletion.erase("metrics");
  HttpResponse erased = Call(Submit("deletion-request", deletion.dump(), DocId(31)));
  EXPECT_EQ(erased.status, 200) << erased.body;
  EXPECT_TRUE(Stored().empty());
}

TEST_F(SubmitHandler, AdminExportNeedsTheTokenAndIsAudited) {
  ASSERT_EQ(Call(Submit("diagnostics", Ping({{"counter", {{"diagnostics.crash_count", 1}}}}).dump(),
                        DocId(40)))
                .status,
            200);
  HttpRequest get;
  get.method = "GET";
  get.target = std::string("/v1/admin/uxp/clients/") + kClient;
  EXPECT_EQ(Call(get).status, 401);
  get.headers = {{"authorization", std::string("Bearer ") + kAdminToken}};
  HttpResponse r = Call(get);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["documents"].size(), 1u);
  auto log = store_->AccessLog();
  ASSERT_TRUE(log.ok());
  ASSERT_FALSE(log->empty());
  EXPECT_EQ(log->back().action, "uxp.export");
  EXPECT_EQ(log->back().actor.rfind("admin-token:", 0), 0u);
}

TEST_F(SubmitHandler, PrivacyCatalogueListsDeclaredFields) {
  HttpRequest get;
  get.method = "GET";
  get.target = "/privacy";
  HttpResponse html = Call(get);
  EXPECT_EQ(html.status, 200);
  EXPECT_EQ(html.content_type.rfind("text/html", 0), 0u);
  EXPECT_NE(html.body.find("feedback.text"), std::string::npos);
  get.target = "/privacy?format=json";
  HttpResponse json = Call(get);
  EXPECT_EQ(json.status, 200);
  EXPECT_NE(json.body.find("diagnostics.crash_count"), std::string::npos);
}

// Luhn-valid with a BABT reporting-body prefix: an IMEI even without a key naming it.
constexpr const char* kImei = "352099001761481";

nlohmann::json ThermalEvent(nlohmann::json extra) {
  return nlohmann::json::array({{{"timestamp", 10},
                                 {"category", "diagnostics"},
                                 {"name", "thermal_shutdown"},
                                 {"extra", std::move(extra)}}});
}

// Each place an identifier could be smuggled into a ping outside the declared metrics. Either
// the ping is refused naming the place, or it is stored with the identifier scrubbed.
struct SmugglingCase {
  const char* where;
  std::function<void(nlohmann::json&)> put;
  const char* refused_field;  // nullptr: accepted and stored scrubbed
  const char* problem = "";
};

std::vector<SmugglingCase> SmugglingCases() {
  using nlohmann::json;
  return {
      {"an undeclared glean.* string metric",
       [](json& p) { p["metrics"]["string"]["glean.imei"] = kImei; }, "/metrics/string/glean.imei",
       "unknown_metric"},
      {"a glean.* metric of another type",
       [](json& p) { p["metrics"]["string"]["glean.error.io"] = kImei; },
       "/metrics/string/glean.error.io", "wrong_type"},
      {"an event extra named glean*",
       [](json& p) {
         p["events"] = ThermalEvent({{"glean_imei", kImei}});
       },
       "/events/0/extra/glean_imei", "unknown_field"},
      {"glean_timestamp",
       [](json& p) {
         p["events"] = ThermalEvent({{"glean_timestamp", std::string("x") + kImei}});
       },
       "/events/0/extra/glean_timestamp", "bad_value"},
      {"$schema as an object",
       [](json& p) {
         p["$schema"] = {{"imei", kImei}};
       },
       "/$schema", "bad_value"},
      {"$schema as text", [](json& p) { p["$schema"] = std::string("imei ") + kImei; }, nullptr},
      {"an unknown server knob",
       [](json& p) {
         p["ping_info"]["server_knobs_config"] = {{"imei", kImei}};
       },
       "/ping_info/server_knobs_config/imei", "unknown_field"},
      {"a server knob's metric name",
       [](json& p) {
         p["ping_info"]["server_knobs_config"] = {{"metrics_enabled", {{kImei, true}}}};
       },
       nullptr},
      {"an object in an experiment's extra",
       [](json& p) {
         p["ping_info"]["experiments"] = {
             {"e", {{"branch", "b"}, {"extra", {{"k", {{"imei", kImei}}}}}}}};
       },
       "/ping_info/experiments/e/extra/k", "bad_value"},
      {"an experiment's extra value",
       [](json& p) {
         p["ping_info"]["experiments"] = {{"e", {{"branch", "b"}, {"extra", {{"k", kImei}}}}}};
       },
       nullptr},
      {"an experiment id and branch",
       [](json& p) {
         p["ping_info"]["experiments"] = {{kImei, {{"branch", kImei}}}};
       },
       nullptr},
      {"an unknown field of an event's session",
       [](json& p) {
         p["events"] = ThermalEvent({{"while_charging", "true"}});
         p["events"][0]["session"] = {{"session_id", "9f9eae08-00b0-4a91-9b08-2287d86d8353"},
                                      {"imei", kImei}};
       },
       "/events/0/session/imei", "unknown_field"},
      {"a session id",
       [](json& p) {
         p["events"] = ThermalEvent({{"while_charging", "true"}});
         p["events"][0]["session"] = {{"session_id", kImei}};
       },
       "/events/0/session/session_id", "bad_value"},
      {"a counter holding the digits",
       [](json& p) { p["metrics"]["counter"]["diagnostics.crash_count"] = 352099001761481; },
       "/metrics/counter/diagnostics.crash_count", "bad_value"},
      {"a client_info string", [](json& p) { p["client_info"]["device_model"] = kImei; }, nullptr},
      {"an over-long client_info string",
       [](json& p) { p["client_info"]["os_version"] = std::string(300, 'x') + kImei; },
       "/client_info/os_version", "too_long"},
      {"client_info attribution",
       [](json& p) {
         p["client_info"]["attribution"] = {{"term", kImei}};
       },
       nullptr},
      {"ping_info.ping_type", [](json& p) { p["ping_info"]["ping_type"] = kImei; }, nullptr},
      {"a glean.error label",
       [](json& p) {
         p["metrics"]["labeled_counter"]["glean.error.invalid_value"] = {{kImei, 1}};
       },
       nullptr},
      {"a quantity event extra",
       [](json& p) {
         p["events"] = ThermalEvent({{"battery_temperature", kImei}});
       },
       nullptr},
  };
}

TEST_F(SubmitHandler, SmuggledIdentifierIsRefusedByNameOrStoredScrubbed) {
  int n = 100;
  for (const SmugglingCase& c : SmugglingCases()) {
    const std::string client = DocId(++n);  // one client each: no rate limit in the way
    auto ping = Ping({{"counter", {{"diagnostics.crash_count", 1}}}}, client);
    c.put(ping);
    HttpResponse r = Call(Submit("diagnostics", ping.dump(), DocId(n)));
    if (c.refused_field != nullptr) {
      ASSERT_EQ(r.status, 400) << c.where << ": " << r.body;
      bool named = false;
      const nlohmann::json answer = Json(r);
      for (const auto& f : answer["fields"]) {
        named |= f["field"] == c.refused_field && f["problem"] == c.problem;
      }
      EXPECT_TRUE(named) << c.where << ": " << r.body;
      EXPECT_TRUE(Stored(client).empty()) << c.where;
      continue;
    }
    ASSERT_EQ(r.status, 200) << c.where << ": " << r.body;
    auto docs = Stored(client);
    ASSERT_EQ(docs.size(), 1u) << c.where;
    EXPECT_EQ(docs[0].payload.find(kImei), std::string::npos) << c.where << ": " << docs[0].payload;
    EXPECT_NE(docs[0].payload.find("[imei]"), std::string::npos)
        << c.where << ": " << docs[0].payload;
  }
}

TEST_F(SubmitHandler, StoredPingKeepsTheDayOfItsTimesOnly) {
  auto ping = Ping({{"counter", {{"diagnostics.crash_count", 1}}}});
  ping["ping_info"]["start_time"] = "2026-12-03T14:37+01:00";
  ping["ping_info"]["end_time"] = "2026-12-03T15:02:17.123+01:00";
  ping["client_info"]["build_date"] = "2026-10-01T12:52:08+00:00";
  ping["events"] = ThermalEvent({{"glean_timestamp", "1796308625123"}});
  ASSERT_EQ(Call(Submit("diagnostics", ping.dump(), DocId(60))).status, 200);
  auto docs = Stored();
  ASSERT_EQ(docs.size(), 1u);
  auto stored = nlohmann::json::parse(docs[0].payload);
  EXPECT_EQ(stored["ping_info"]["start_time"], "2026-12-03T00:00+01:00");
  EXPECT_EQ(stored["ping_info"]["end_time"], "2026-12-03T00:00+01:00");
  EXPECT_EQ(stored["client_info"]["build_date"], "2026-10-01T00:00+00:00");
  EXPECT_EQ(stored["client_info"]["first_run_date"], "2026-11-29+00:00");
  // The SDK's absolute event time keeps its UTC day only (2026-12-03T14:37:05.123Z here).
  EXPECT_EQ(stored["events"][0]["extra"]["glean_timestamp"], "1796256000000");
  // Everything else is as sent.
  EXPECT_EQ(stored["client_info"]["client_id"], kClient);
  EXPECT_EQ(stored["metrics"], ping["metrics"]);
  EXPECT_EQ(stored["events"][0]["timestamp"], 10);
}

TEST_F(SubmitHandler, ValueOverItsGleanLimitIsRefusedByName) {
  auto ping = Ping({{"counter", {{"diagnostics.crash_count", 1}}}});
  ping["client_info"]["device_model"] = std::string(255, 'm');
  EXPECT_EQ(Call(Submit("diagnostics", ping.dump(), DocId(70))).status, 200);
  ping["client_info"]["device_model"] = std::string(256, 'm');
  HttpResponse r = Call(Submit("diagnostics", ping.dump(), DocId(71)));
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Json(r)["fields"][0]["field"], "/client_info/device_model");
  EXPECT_EQ(Json(r)["fields"][0]["problem"], "too_long");
  EXPECT_EQ(Stored().size(), 1u);
}

TEST(StoredPing, KeepsNumbersEscapesAndEveryLabel) {
  auto scanner = privacy::IdentifierScanner::Create({"SG"});
  ASSERT_TRUE(scanner.ok());
  const std::string text =
      R"({"a":[1,-2,18446744073709551615,2.0,0.5,1e300,true,null],"b":"q\"\\\n\u0001é",)"
      R"("labels":{"352099001761481":1,"867534021337811":2,"[imei]":3}})";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS);
  schema::StoredForm form;
  form.closed_objects = {""};
  form.verbatim_values = {"/b"};
  StoredPing stored = MakeStoredPing(doc, form, *scanner);
  auto sent = nlohmann::json::parse(text);
  auto got = nlohmann::json::parse(stored.json);
  EXPECT_EQ(got["a"], sent["a"]);
  EXPECT_TRUE(got["a"][3].is_number_float());
  EXPECT_EQ(got["b"], sent["b"]);
  EXPECT_EQ(got["labels"], nlohmann::json({{"[imei]", 1}, {"[imei]#2", 2}, {"[imei]#3", 3}}));
  EXPECT_EQ(stored.replaced.at(privacy::IdentifierKind::kImei), 2);
}

// A field no validator rule knows of is scrubbed, not stored: the stored form is built from
// what the validator vouches for, not from a list of what it remembered to scrub.
TEST(StoredPing, ScrubsEveryStringAndNameTheFormDoesNotVouchFor) {
  auto scanner = privacy::IdentifierScanner::Create({"SG"});
  ASSERT_TRUE(scanner.ok());
  const std::string text =
      R"({"new_section":{"352099001761481":["imei 352099001761481",{"deep":"352099001761481"}]},)"
      R"("client_info":{"client_id":"352099001761481"}})";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS);
  StoredPing stored = MakeStoredPing(doc, schema::StoredForm{}, *scanner);
  EXPECT_EQ(stored.json.find("352099001761481"), std::string::npos) << stored.json;
  EXPECT_EQ(stored.replaced.at(privacy::IdentifierKind::kImei), 4);
}

// A labeled_string with dynamic labels: the label and its value are both free text.
TEST(SubmitScrubbing, DynamicLabelAndItsValueAreBothScrubbed) {
  testing::TempDir dir;
  const char* metrics_yaml = R"(---
$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0
support:
  contact:
    type: labeled_string
    description: How the user wants to be contacted.
    lifetime: ping
    send_in_pings: [metrics]
    bugs: [https://example.com/1]
    data_reviews: [https://example.com/2]
    notification_emails: [a@example.com]
    expires: never
)";
  auto app =
      schema::ParseAppSchema("org-example-app", {"metrics.yaml", metrics_yaml}, std::nullopt);
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
  Router router(ServiceContext{"sg",
                               store->get(),
                               &writer,
                               log->get(),
                               &loader,
                               &metrics,
                               Env::Default(),
                               {},
                               &*registry,
                               &*scanner,
                               &limiter,
                               ""});
  auto body =
      Ping({{"labeled_string", {{"support.contact", {{"+65 6123 4567", "call +65 6123 4567"}}}}}});
  std::promise<HttpResponse> answer;
  router.Handle(Submit("metrics", body.dump(), DocId(50), "org-example-app"),
                [&](HttpResponse r) { answer.set_value(std::move(r)); });
  HttpResponse r = answer.get_future().get();
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(loader.WaitLoaded(std::chrono::seconds(10)).ok());
  auto docs = (*store)->ExportClient(kClient, "test", Env::Default()->Now());
  ASSERT_TRUE(docs.ok());
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ(docs->at(0).payload.find("6123"), std::string::npos) << docs->at(0).payload;
  auto stored =
      nlohmann::json::parse(docs->at(0).payload)["metrics"]["labeled_string"]["support.contact"];
  EXPECT_EQ(stored, nlohmann::json({{"[phone]", "call [phone]"}}));
  writer.Stop();
}

}  // namespace
}  // namespace homeport::server_testing
