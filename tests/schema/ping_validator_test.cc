// Validation of submitted Glean pings: every metric type in its ping form, and each way a ping
// is refused, by name.
#include "schema/ping_validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "schema_test_util.h"

namespace homeport::schema {
namespace {

using nlohmann::json;
using testing::Describe;
using ::testing::HasSubstr;
using testing::HasViolation;
using testing::Ping;
using testing::Validate;

struct Case {
  const char* type;
  const char* name;
  json value;
  const char* ping = "metrics";
};

// One valid value of each metric type, as Glean SDKs serialize it.
std::vector<Case> ValidCases() {
  return {
      {"boolean", "sample.flag", true},
      {"counter", "sample.clicks", 3},
      {"quantity", "sample.size", 12},
      {"string", "sample.name", "hello"},
      {"string_list", "sample.tags", {"a", "b"}},
      {"text", "sample.note", "A long text.", "checkup"},
      {"uuid", "sample.install_id", "0B5E5B3C-9F1A-4C1E-8D2B-3A4B5C6D7E8F"},
      {"url", "sample.homepage", "https://example.com/?q=1"},
      {"datetime", "sample.installed_at", "2026-11-29T13:24-00:00"},
      {"timespan", "sample.startup", {{"time_unit", "millisecond"}, {"value", 1234}}},
      {"timing_distribution",
       "sample.load_time",
       {{"sum", 4612}, {"values", {{"1024", 2}, {"1116", 1}, {"1217", 0}}}}},
      {"memory_distribution", "sample.heap", {{"sum", 3}, {"values", {{"0", 1}, {"1", 3}}}}},
      {"custom_distribution", "sample.buckets", {{"sum", 34}, {"values", {{"12", 2}, {"22", 1}}}}},
      {"rate", "sample.hit_rate", {{"numerator", 22}, {"denominator", 7}}},
      {"object", "sample.layout", {{"colour", "red"}, {"size", 5.5}, {"items", {"a", "b"}}}},
      {"labeled_boolean", "sample.enabled", {{"alpha", true}, {"__other__", false}}},
      {"labeled_counter", "sample.errors", {{"timeout", 2}, {"dns failure", 1}}},
      {"labeled_quantity", "sample.levels", {{"low", 1}}},
      {"labeled_string", "sample.titles", {{"home", "Start"}}},
      {"labeled_timing_distribution",
       "sample.labeled_timing",
       {{"io", {{"sum", 1}, {"values", {{"1", 1}}}}}}},
      {"labeled_memory_distribution",
       "sample.labeled_memory",
       {{"x", {{"sum", 1}, {"values", {{"1", 1}}}}}}},
      {"labeled_custom_distribution",
       "sample.labeled_custom",
       {{"x", {{"sum", 1}, {"values", {{"1", 1}}}}}}},
      {"dual_labeled_counter", "sample.pairs", {{"x", {{"anything", 3}}}}},
  };
}

TEST(PingValidator, AcceptsAValidValueOfEveryMetricType) {
  for (const Case& c : ValidCases()) {
    SCOPED_TRACE(c.type);
    ValidationResult r = Validate(Ping({{c.type, {{c.name, c.value}}}}, nullptr,
                                       std::string(c.ping) == "checkup" ? "manual" : ""),
                                  c.ping);
    EXPECT_TRUE(r.ok()) << Describe(r);
  }
}

TEST(PingValidator, RejectsAValueOfTheWrongShapeForEveryMetricType) {
  std::vector<Case> bad = {
      {"boolean", "sample.flag", "yes"},
      {"counter", "sample.clicks", -1},
      {"quantity", "sample.size", 1.5},
      {"string", "sample.name", 5},
      {"string_list", "sample.tags", "a"},
      {"text", "sample.note", {"x"}, "checkup"},
      {"uuid", "sample.install_id", "not-a-uuid"},
      {"url", "sample.homepage", "data:text/plain,x"},
      {"datetime", "sample.installed_at", "2026-11-29 13:24"},
      {"timespan", "sample.startup", {{"time_unit", "second"}, {"value", 1}}},
      {"timing_distribution", "sample.load_time", {{"sum", 1}}},
      {"memory_distribution", "sample.heap", {{"values", {{"x", 1}}}}},
      {"custom_distribution", "sample.buckets", {{"values", {{"1", 1}}}}},
      {"rate", "sample.hit_rate", {{"numerator", 1}}},
      {"object", "sample.layout", {{"shape", "round"}}},
      {"labeled_boolean", "sample.enabled", {{"gamma", true}}},
      {"labeled_counter", "sample.errors", {{"a", "1"}}},
      {"labeled_quantity", "sample.levels", {{"low", -1}}},
      {"labeled_string", "sample.titles", {{"a", 1}}},
      {"labeled_timing_distribution", "sample.labeled_timing", {{"io", 5}}},
      {"labeled_memory_distribution", "sample.labeled_memory", {{"x", {{"sum", 1}}}}},
      {"labeled_custom_distribution", "sample.labeled_custom", {{"x", json::array()}}},
      {"dual_labeled_counter", "sample.pairs", {{"z", {{"c", 1}}}}},
  };
  for (const Case& c : bad) {
    SCOPED_TRACE(c.type);
    ValidationResult r = Validate(Ping({{c.type, {{c.name, c.value}}}}), c.ping);
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.violations[0].field,
                ::testing::StartsWith("/metrics/" + std::string(c.type) + "/" + c.name));
  }
}

TEST(PingValidator, AcceptsEventsWithDeclaredExtras) {
  json events = {{{"timestamp", 0},
                  {"category", "sample"},
                  {"name", "opened"},
                  {"extra",
                   {{"source", "menu"},
                    {"count", "3"},
                    {"ok", "true"},
                    {"glean_timestamp", "1764412345000"}}}},
                 {{"timestamp", 124}, {"category", "glean"}, {"name", "restarted"}}};
  ValidationResult r = Validate(Ping(nullptr, events), "events");
  EXPECT_TRUE(r.ok()) << Describe(r);
}

TEST(PingValidator, RejectsUndeclaredOrMistypedEventExtras) {
  json events = {{{"timestamp", 0},
                  {"category", "sample"},
                  {"name", "opened"},
                  {"extra", {{"imei", "490154203237518"}, {"count", "many"}, {"ok", true}}}}};
  ValidationResult r = Validate(Ping(nullptr, events), "events");
  EXPECT_TRUE(HasViolation(r, ViolationKind::kUnknownField, "/events/0/extra/imei")) << Describe(r);
  EXPECT_TRUE(HasViolation(r, ViolationKind::kBadValue, "/events/0/extra/count"));
  EXPECT_TRUE(HasViolation(r, ViolationKind::kBadValue, "/events/0/extra/ok"));
}

TEST(PingValidator, RejectsUnknownAppByName) {
  ValidationResult r = Validate(Ping(nullptr), "metrics", "org-unknown-app");
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].kind, ViolationKind::kUnknownApp);
  EXPECT_EQ(r.violations[0].field, "app_id");
  EXPECT_THAT(r.violations[0].message, HasSubstr("'org-unknown-app'"));
}

TEST(PingValidator, RejectsUnknownPingByName) {
  ValidationResult r = Validate(Ping(nullptr), "survey");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.violations[0].kind, ViolationKind::kUnknownPing);
  EXPECT_EQ(r.violations[0].field, "doc_type");
  EXPECT_THAT(r.violations[0].message, HasSubstr("unknown ping 'survey'"));
  EXPECT_EQ(r.ping, nullptr);
}

TEST(PingValidator, RejectsUnknownMetricByName) {
  ValidationResult r =
      Validate(Ping({{"counter", {{"sample.clicks", 1}, {"sample.clickz", 2}}}}), "metrics");
  ASSERT_EQ(r.violations.size(), 1u) << Describe(r);
  EXPECT_EQ(r.violations[0].kind, ViolationKind::kUnknownMetric);
  EXPECT_EQ(r.violations[0].field, "/metrics/counter/sample.clickz");
  EXPECT_THAT(r.violations[0].message, HasSubstr("unknown metric 'sample.clickz'"));
}

TEST(PingValidator, RejectsUnknownEventByName) {
  json events = {{{"timestamp", 0}, {"category", "sample"}, {"name", "closed"}}};
  ValidationResult r = Validate(Ping(nullptr, events), "events");
  EXPECT_TRUE(HasViolation(r, ViolationKind::kUnknownMetric, "/events/0")) << Describe(r);
  EXPECT_THAT(r.violations[0].message, HasSubstr("'sample.closed'"));
}

TEST(PingValidator, RejectsMetricSentUnderTheWrongType) {
  ValidationResult r = Validate(Ping({{"quantity", {{"sample.clicks", 1}}}}), "metrics");
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].kind, ViolationKind::kWrongType);
  EXPECT_EQ(r.violations[0].field, "/metrics/quantity/sample.clicks");
  EXPECT_THAT(r.violations[0].message, HasSubstr("declared as counter, but was sent as quantity"));
  EXPECT_TRUE(HasViolation(Validate(Ping({{"event", {{"sample.opened", 1}}}}), "metrics"),
                           ViolationKind::kUnknownField, "/metrics/event"));
}

TEST(PingValidator, RejectsExpiredMetrics) {
  ValidationResult r =
      Validate(Ping({{"counter", {{"sample.old", 1}, {"sample.retired", 1}}}}), "metrics");
  EXPECT_TRUE(HasViolation(r, ViolationKind::kExpiredMetric, "/metrics/counter/sample.old"));
  EXPECT_TRUE(HasViolation(r, ViolationKind::kExpiredMetric, "/metrics/counter/sample.retired"));
  EXPECT_THAT(r.violations[0].message, HasSubstr("'sample.old' has expired (expires: 2026-01-01)"));
}

TEST(PingValidator, ExpiryByMajorVersionComparesWithTheAppVersion) {
  Result<AppSchema> app =
      ParseAppSchema("org-versioned-app",
                     {"m.yaml", "$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\nui:\n" +
                                    testing::Metric("taps", "counter", "    expires: 3\n")},
                     std::nullopt);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  Result<SchemaRegistry> registry = SchemaRegistry::Create({std::move(app).value()});
  ASSERT_TRUE(registry.ok());
  json ping = Ping({{"counter", {{"ui.taps", 1}}}});  // app_display_version "2.4.1"
  EXPECT_TRUE(Validate(ping, "metrics", "org-versioned-app", *registry).ok());
  ping["client_info"]["app_display_version"] = "3.0";
  EXPECT_TRUE(HasViolation(Validate(ping, "metrics", "org-versioned-app", *registry),
                           ViolationKind::kExpiredMetric, "/metrics/counter/ui.taps"));
}

TEST(PingValidator, ExpiresOnTheDayGleanParserDoes) {
  Expiry e{Expiry::Kind::kDate, std::chrono::sys_days(std::chrono::year(2026) / 11 / 30)};
  EXPECT_FALSE(e.IsExpired(testing::Now(), std::nullopt));
  EXPECT_TRUE(e.IsExpired(testing::Now() + std::chrono::hours(12), std::nullopt));
}

TEST(PingValidator, RejectsDisabledMetrics) {
  EXPECT_TRUE(HasViolation(Validate(Ping({{"counter", {{"sample.switched_off", 1}}}}), "metrics"),
                           ViolationKind::kDisabledMetric, "/metrics/counter/sample.switched_off"));
}

TEST(PingValidator, RejectsMetricNotSentInThisPing) {
  ValidationResult r =
      Validate(Ping({{"counter", {{"sample.clicks", 1}}}}, nullptr, "manual"), "checkup");
  ASSERT_EQ(r.violations.size(), 1u) << Describe(r);
  EXPECT_EQ(r.violations[0].kind, ViolationKind::kNotInPing);
  EXPECT_THAT(r.violations[0].message,
              HasSubstr("'sample.clicks' is not sent in ping 'checkup' (send_in_pings: metrics)"));
  EXPECT_TRUE(HasViolation(Validate(Ping({{"counter", {{"sample.in_custom", 1}}}}), "metrics"),
                           ViolationKind::kNotInPing, "/metrics/counter/sample.in_custom"));
}

TEST(PingValidator, AcceptsBuiltinPingsWithoutDeclaration) {
  // homeport-agent's pings.yaml declares neither ping.
  const char* app = "homeport-agent";
  ValidationResult deletion =
      Validate(Ping(nullptr, nullptr, "set_upload_enabled"), "deletion-request", app);
  EXPECT_TRUE(deletion.ok()) << Describe(deletion);
  ASSERT_NE(deletion.ping, nullptr);
  EXPECT_TRUE(deletion.ping->builtin);
  EXPECT_EQ(deletion.client_id, "5faffa6d-6147-4d22-a93e-c1dbd6e06171");

  ValidationResult baseline = Validate(
      Ping({{"timespan", {{"glean.baseline.duration", {{"time_unit", "second"}, {"value", 52}}}}},
            {"counter", {{"glean.validation.foreground_count", 1}}},
            {"labeled_counter", {{"glean.validation.pings_submitted", {{"metrics", 1}}}}}},
           nullptr, "inactive"),
      "baseline", app);
  EXPECT_TRUE(baseline.ok()) << Describe(baseline);
}

TEST(PingValidator, AcceptsGleanSdkMetricsInAnyPingButChecksTheirShape) {
  json metrics = {
      {"counter", {{"diagnostics.crash_count", 2}}},
      {"labeled_counter", {{"glean.error.invalid_value", {{"diagnostics.boot_time", 1}}}}},
      {"string_list", {{"glean.ping.uploader_capabilities", json::array()}}}};
  ValidationResult r =
      Validate(Ping(metrics, nullptr, "scheduled"), "diagnostics", "homeport-agent");
  EXPECT_TRUE(r.ok()) << Describe(r);

  json bad = {{"labeled_counter", {{"glean.error.invalid_value", "oops"}}}};
  EXPECT_TRUE(
      HasViolation(Validate(Ping(bad, nullptr, "scheduled"), "diagnostics", "homeport-agent"),
                   ViolationKind::kBadValue, "/metrics/labeled_counter/glean.error.invalid_value"));
}

TEST(PingValidator, ExtractsClientIdAndEnforcesIncludeClientId) {
  json ping = Ping(nullptr);
  ping["client_info"]["client_id"] = "5FAFFA6D-6147-4D22-A93E-C1DBD6E06171";
  EXPECT_EQ(Validate(ping, "metrics").client_id, "5faffa6d-6147-4d22-a93e-c1dbd6e06171");

  ping["client_info"].erase("client_id");
  ValidationResult missing = Validate(ping, "metrics");
  EXPECT_TRUE(HasViolation(missing, ViolationKind::kMissingField, "/client_info/client_id"));
  EXPECT_FALSE(missing.client_id.has_value());
  EXPECT_TRUE(Validate(ping, "anonymous").ok());

  EXPECT_TRUE(HasViolation(Validate(Ping(nullptr), "anonymous"), ViolationKind::kUnknownField,
                           "/client_info/client_id"));
  ping["client_info"]["client_id"] = "12345";
  EXPECT_TRUE(
      HasViolation(Validate(ping, "metrics"), ViolationKind::kBadValue, "/client_info/client_id"));
}

TEST(PingValidator, RejectsUnknownClientInfoAndPingInfoKeys) {
  json ping = Ping(nullptr);
  ping["client_info"]["imei"] = "490154203237518";
  ping["ping_info"]["cell_id"] = 4321;
  ping["location"] = "1.29,103.85";
  ValidationResult r = Validate(ping, "metrics");
  EXPECT_TRUE(HasViolation(r, ViolationKind::kUnknownField, "/client_info/imei")) << Describe(r);
  EXPECT_TRUE(HasViolation(r, ViolationKind::kUnknownField, "/ping_info/cell_id"));
  EXPECT_TRUE(HasViolation(r, ViolationKind::kUnknownField, "/location"));
}

TEST(PingValidator, AcceptsEveryOptionalFieldGleanSdksSend) {
  json ping = Ping({{"timing_distribution",
                     {{"sample.load_time",
                       {{"range", {1, 60000}},
                        {"bucket_count", 50},
                        {"count", 4},
                        {"histogram_type", "exponential"},
                        {"values", {{"16", 2}, {"31", 0}}},
                        {"underflow", 1},
                        {"overflow", 0},
                        {"sum", 40},
                        {"time_unit", "nanosecond"}}}}}});
  ping["$schema"] = "moz://mozilla.org/schemas/glean/ping/1";
  ping["client_info"]["build_date"] = "2026-10-01T12:52:08+00:00";
  ping["client_info"]["session_id"] = "16044baf-b881-45c8-860f-00f14f144e2e";
  ping["client_info"]["session_count"] = 7;
  ping["client_info"]["attribution"] = {{"source", "store"}, {"campaign", "launch"}};
  ping["client_info"]["distribution"] = {{"name", "partner"}};
  ping["ping_info"]["ping_type"] = "metrics";
  ping["ping_info"]["reason"] = "today";
  ping["ping_info"]["experiments"] = {
      {"new-ui", {{"branch", "treatment"}, {"extra", {{"type", "rollout"}}}}},
      {"old", {{"branch", "control"}, {"extra", nullptr}}}};
  ValidationResult r = Validate(ping, "metrics");
  EXPECT_TRUE(r.ok()) << Describe(r);

  json events = {{{"timestamp", 5},
                  {"category", "sample"},
                  {"name", "opened"},
                  {"session",
                   {{"session_id", "9f9eae08-00b0-4a91-9b08-2287d86d8353"},
                    {"session_seq", 3},
                    {"event_seq", 42},
                    {"session_sample_rate", 1.0}}}},
                 {{"timestamp", 6},
                  {"category", "glean"},
                  {"name", "session_start"},
                  {"extra", {{"session_seq", "3"}, {"sampled_in", "true"}}}}};
  EXPECT_TRUE(Validate(Ping(nullptr, events), "events").ok());
}

TEST(PingValidator, RequiresTheEnvelopeGleanAlwaysSends) {
  json ping = Ping(nullptr);
  ping["client_info"].erase("os");
  ping["ping_info"].erase("seq");
  ValidationResult r = Validate(ping, "metrics");
  EXPECT_TRUE(HasViolation(r, ViolationKind::kMissingField, "/client_info/os")) << Describe(r);
  EXPECT_TRUE(HasViolation(r, ViolationKind::kMissingField, "/ping_info/seq"));
  ping.erase("ping_info");
  EXPECT_TRUE(HasViolation(Validate(ping, "metrics"), ViolationKind::kMissingField, "/ping_info"));
}

TEST(PingValidator, AcceptsGleanDatetimeFormsInTheEnvelope) {
  json ping = Ping(nullptr);
  ping["client_info"]["build_date"] = "2026-11-29T13:24:05.123456789+08:00";
  ping["ping_info"]["start_time"] = "2026-11-29T13+01:00";
  EXPECT_TRUE(Validate(ping, "metrics").ok());
  ping["client_info"]["first_run_date"] = "2026-11-29";
  EXPECT_TRUE(HasViolation(Validate(ping, "metrics"), ViolationKind::kBadDatetime,
                           "/client_info/first_run_date"));
}

TEST(PingValidator, ChecksTheReasonOfDeclaredPings) {
  json metrics = {{"counter", {{"sample.in_custom", 1}}}};
  EXPECT_TRUE(Validate(Ping(metrics, nullptr, "manual"), "checkup").ok());
  EXPECT_TRUE(HasViolation(Validate(Ping(metrics, nullptr, "automatic"), "checkup"),
                           ViolationKind::kBadValue, "/ping_info/reason"));
}

TEST(PingValidator, RetentionIsTheShortestOfThePingAndItsMetrics) {
  EXPECT_EQ(Validate(Ping({{"counter", {{"sample.clicks", 1}}}}), "metrics").retention_days, 90);
  EXPECT_EQ(
      Validate(Ping({{"counter", {{"sample.clicks", 1}, {"sample.short_lived", 1}}}}), "metrics")
          .retention_days,
      7);
  EXPECT_EQ(Validate(Ping(nullptr, nullptr, "manual"), "checkup").retention_days, 14);
}

TEST(PingValidator, RejectsDuplicateKeys) {
  const std::string text = Ping(nullptr).dump();
  const std::string dup = text.substr(0, text.size() - 1) +
                          R"(,"metrics":{"counter":{"sample.clicks":1,"sample.clicks":2}}})";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(dup).get(doc), simdjson::SUCCESS);
  ValidationResult r =
      ValidatePing(testing::SampleRegistry(), "org-example-app", "metrics", doc, testing::Now());
  EXPECT_TRUE(HasViolation(r, ViolationKind::kDuplicateKey, "/metrics/counter/sample.clicks"))
      << Describe(r);
}

TEST(PingValidator, RejectsDocumentsThatAreNotObjects) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(std::string_view("[1,2]")).get(doc), simdjson::SUCCESS);
  ValidationResult r =
      ValidatePing(testing::SampleRegistry(), "org-example-app", "metrics", doc, testing::Now());
  EXPECT_TRUE(HasViolation(r, ViolationKind::kBadValue, ""));
}

TEST(PingValidator, ListsAtMostAHundredViolations) {
  json counters = json::object();
  for (int i = 0; i < 150; ++i) counters["sample.unknown_" + std::to_string(i)] = 1;
  ValidationResult r = Validate(Ping({{"counter", counters}}), "metrics");
  EXPECT_EQ(r.violations.size(), kMaxViolations);
  EXPECT_EQ(r.omitted_violations, 50u);
}

}  // namespace
}  // namespace homeport::schema
