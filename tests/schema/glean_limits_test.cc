// The Glean SDKs' own rules, held on the server: the glean.* metrics and event extras only as
// glean-core defines them, the free-form parts of a ping only in Glean's shape, and every value
// within the limit an SDK enforces (at the limit accepted, one past it refused by name).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "schema_test_util.h"

namespace homeport::schema {
namespace {

using nlohmann::json;
using testing::Describe;
using testing::HasViolation;
using testing::Ping;
using testing::Validate;

constexpr const char* kImei = "490154203237518";

ValidationResult Metrics(json metrics) { return Validate(Ping(std::move(metrics)), "metrics"); }

ValidationResult Events(json events) {
  return Validate(Ping(nullptr, std::move(events)), "events");
}

json Event(json extra) {
  return json::array({{{"timestamp", 1},
                       {"category", "sample"},
                       {"name", "opened"},
                       {"extra", std::move(extra)}}});
}

TEST(GleanSdkMetrics, AcceptsTheSdksOwnMetricsUnderTheirNameAndType) {
  json metrics = {
      {"counter", {{"glean.validation.foreground_count", 1}, {"glean.error.io", 2}}},
      {"labeled_counter",
       {{"glean.error.invalid_value", {{"sample.name", 1}}},
        {"glean.upload.ping_upload_failure", {{"status_code_4xx", 1}}}}},
      {"timing_distribution",
       {{"glean.upload.send_success", {{"sum", 40}, {"values", {{"16", 2}}}}}}},
      {"string_list", {{"glean.ping.uploader_capabilities", {"ohttp"}}}},
      {"uuid", {{"glean.health.recovered_client_id", "9f9eae08-00b0-4a91-9b08-2287d86d8353"}}}};
  ValidationResult r = Metrics(metrics);
  EXPECT_TRUE(r.ok()) << Describe(r);
}

TEST(GleanSdkMetrics, RefusesAnyOtherGleanNameAsUnknownMetric) {
  ValidationResult r = Metrics({{"text", {{"glean.error.note", kImei}}}});
  EXPECT_TRUE(HasViolation(r, ViolationKind::kUnknownMetric, "/metrics/text/glean.error.note"))
      << Describe(r);
  EXPECT_TRUE(HasViolation(Metrics({{"string", {{"glean.smuggled", kImei}}}}),
                           ViolationKind::kUnknownMetric, "/metrics/string/glean.smuggled"));
  // Glean moves its internal metrics into client_info; they never travel as metrics.
  EXPECT_TRUE(HasViolation(Metrics({{"string", {{"glean.internal.metrics.os", "Android"}}}}),
                           ViolationKind::kUnknownMetric,
                           "/metrics/string/glean.internal.metrics.os"));
}

TEST(GleanSdkMetrics, RefusesAGleanMetricSentUnderAnotherType) {
  EXPECT_TRUE(HasViolation(Metrics({{"string", {{"glean.validation.foreground_count", kImei}}}}),
                           ViolationKind::kWrongType,
                           "/metrics/string/glean.validation.foreground_count"));
}

TEST(GleanSdkMetrics, HoldsTheSdksFixedLabels) {
  ValidationResult r =
      Metrics({{"labeled_counter", {{"glean.upload.ping_upload_failure", {{kImei, 1}}}}}});
  EXPECT_TRUE(HasViolation(
      r, ViolationKind::kBadValue,
      std::string("/metrics/labeled_counter/glean.upload.ping_upload_failure/") + kImei))
      << Describe(r);
}

TEST(GleanSdkMetrics, ChecksTheSdksEventsAndTheirExtras) {
  json ok = {{{"timestamp", 6},
              {"category", "glean"},
              {"name", "session_end"},
              {"extra", {{"session_seq", "3"}, {"reason", "inactive"}}}}};
  EXPECT_TRUE(Events(ok).ok()) << Describe(Events(ok));
  json unknown = {{{"timestamp", 6}, {"category", "glean"}, {"name", "smuggle"}}};
  EXPECT_TRUE(HasViolation(Events(unknown), ViolationKind::kUnknownMetric, "/events/0"));
  json bad_extra = {{{"timestamp", 6},
                     {"category", "glean"},
                     {"name", "restarted"},
                     {"extra", {{"imei", kImei}}}}};
  EXPECT_TRUE(
      HasViolation(Events(bad_extra), ViolationKind::kUnknownField, "/events/0/extra/imei"));
}

TEST(GleanEventExtras, OnlyGleanTimestampAndAsDigits) {
  EXPECT_TRUE(Events(Event({{"glean_timestamp", "1764412800123"}})).ok());
  EXPECT_TRUE(HasViolation(Events(Event({{"glean_note", kImei}})), ViolationKind::kUnknownField,
                           "/events/0/extra/glean_note"));
  EXPECT_TRUE(HasViolation(Events(Event({{"glean_timestamp", "imei 490154203237518"}})),
                           ViolationKind::kBadValue, "/events/0/extra/glean_timestamp"));
}

TEST(GleanEnvelope, SchemaMustBeABoundedString) {
  json ping = Ping(nullptr);
  ping["$schema"] = {{"imei", kImei}};
  EXPECT_TRUE(HasViolation(Validate(ping, "metrics"), ViolationKind::kBadValue, "/$schema"));
  ping["$schema"] = std::string(255, 's');
  EXPECT_TRUE(Validate(ping, "metrics").ok());
  ping["$schema"] = std::string(256, 's');
  EXPECT_TRUE(HasViolation(Validate(ping, "metrics"), ViolationKind::kTooLong, "/$schema"));
}

TEST(GleanEnvelope, ServerKnobsOnlyInGleansShape) {
  json ping = Ping(nullptr);
  ping["ping_info"]["server_knobs_config"] = {{"metrics_enabled", {{"sample.clicks", true}}},
                                              {"pings_enabled", {{"metrics", false}}},
                                              {"event_threshold", 50},
                                              {"session_sample_rate", nullptr},
                                              {"events_ping_acceleration_factor", 1.5}};
  ValidationResult ok = Validate(ping, "metrics");
  EXPECT_TRUE(ok.ok()) << Describe(ok);
  EXPECT_FALSE(ok.stored.closed_objects.count("/ping_info/server_knobs_config/metrics_enabled"));

  ping["ping_info"]["server_knobs_config"]["imei"] = kImei;
  ping["ping_info"]["server_knobs_config"]["pings_enabled"]["x"] = kImei;
  ValidationResult r = Validate(ping, "metrics");
  EXPECT_TRUE(HasViolation(r, ViolationKind::kUnknownField, "/ping_info/server_knobs_config/imei"));
  EXPECT_TRUE(
      HasViolation(r, ViolationKind::kBadValue, "/ping_info/server_knobs_config/pings_enabled/x"));
}

TEST(GleanEnvelope, ExperimentsOnlyInGleansShapeAndLimits) {
  auto with = [](json experiments) {
    json ping = Ping(nullptr);
    ping["ping_info"]["experiments"] = std::move(experiments);
    return Validate(ping, "metrics");
  };
  EXPECT_TRUE(HasViolation(with({{"e", {{"branch", "b"}, {"extra", {{"k", {{"imei", kImei}}}}}}}}),
                           ViolationKind::kBadValue, "/ping_info/experiments/e/extra/k"));
  EXPECT_TRUE(HasViolation(with({{"e", {{"branch", "b"}, {"note", kImei}}}}),
                           ViolationKind::kUnknownField, "/ping_info/experiments/e/note"));
  EXPECT_TRUE(with({{"e", {{"branch", std::string(100, 'b')}}}}).ok());
  EXPECT_TRUE(HasViolation(with({{"e", {{"branch", std::string(101, 'b')}}}}),
                           ViolationKind::kTooLong, "/ping_info/experiments/e/branch"));
  json extra = json::object();
  for (int i = 0; i < 20; ++i) extra["k" + std::to_string(i)] = std::string(100, 'v');
  EXPECT_TRUE(with({{"e", {{"branch", "b"}, {"extra", extra}}}}).ok());
  extra["k0"] = std::string(101, 'v');
  EXPECT_TRUE(HasViolation(with({{"e", {{"branch", "b"}, {"extra", extra}}}}),
                           ViolationKind::kTooLong, "/ping_info/experiments/e/extra/k0"));
  extra["k0"] = "v";
  extra["k20"] = "v";
  EXPECT_TRUE(HasViolation(with({{"e", {{"branch", "b"}, {"extra", extra}}}}),
                           ViolationKind::kTooMany, "/ping_info/experiments/e/extra"));
}

TEST(GleanEnvelope, EventSessionOnlyInGleansShape) {
  json event = Event(json::object())[0];
  event.erase("extra");
  event["session"] = {{"session_id", "9f9eae08-00b0-4a91-9b08-2287d86d8353"},
                      {"session_seq", 3},
                      {"event_seq", 4},
                      {"session_sample_rate", 0.5},
                      {"session_start_time", "2026-11-29T10:02:11.532+01:00"}};
  EXPECT_TRUE(Events({event}).ok()) << Describe(Events({event}));
  event["session"]["imei"] = kImei;
  event["session"]["session_id"] = kImei;
  ValidationResult r = Events({event});
  EXPECT_TRUE(HasViolation(r, ViolationKind::kUnknownField, "/events/0/session/imei"));
  EXPECT_TRUE(HasViolation(r, ViolationKind::kBadValue, "/events/0/session/session_id"));
}

TEST(GleanEnvelope, ClientInfoStringsHaveTheStringLimit) {
  json ping = Ping(nullptr);
  ping["client_info"]["device_model"] = std::string(255, 'm');
  EXPECT_TRUE(Validate(ping, "metrics").ok());
  ping["client_info"]["device_model"] = std::string(256, 'm');
  EXPECT_TRUE(HasViolation(Validate(ping, "metrics"), ViolationKind::kTooLong,
                           "/client_info/device_model"));
  ping = Ping(nullptr);
  ping["client_info"]["attribution"] = {{"source", std::string(256, 's')}};
  EXPECT_TRUE(HasViolation(Validate(ping, "metrics"), ViolationKind::kTooLong,
                           "/client_info/attribution/source"));
}

struct LimitCase {
  const char* what;
  json at_limit;
  json over_limit;
  ViolationKind kind;
  std::string field;  // of the violation for `over_limit`
};

std::vector<LimitCase> MetricLimits() {
  auto list = [](size_t n, size_t bytes) {
    json l = json::array();
    for (size_t i = 0; i < n; ++i) l.push_back(std::string(bytes, 'a'));
    return l;
  };
  auto labels = [](size_t n) {
    json l = json::object();
    for (size_t i = 0; i < n; ++i) l["label" + std::to_string(i)] = 1;
    l["__other__"] = 2;
    return l;
  };
  return {
      {"string 255 bytes",
       {{"string", {{"sample.name", std::string(255, 'a')}}}},
       {{"string", {{"sample.name", std::string(256, 'a')}}}},
       ViolationKind::kTooLong,
       "/metrics/string/sample.name"},
      {"string_list 100 items",
       {{"string_list", {{"sample.tags", list(100, 1)}}}},
       {{"string_list", {{"sample.tags", list(101, 1)}}}},
       ViolationKind::kTooMany,
       "/metrics/string_list/sample.tags"},
      {"string_list items 100 bytes",
       {{"string_list", {{"sample.tags", list(1, 100)}}}},
       {{"string_list", {{"sample.tags", list(1, 101)}}}},
       ViolationKind::kTooLong,
       "/metrics/string_list/sample.tags/0"},
      {"url 8 KB",
       {{"url", {{"sample.homepage", "https://" + std::string(8192 - 8, 'a')}}}},
       {{"url", {{"sample.homepage", "https://" + std::string(8193 - 8, 'a')}}}},
       ViolationKind::kTooLong,
       "/metrics/url/sample.homepage"},
      {"labels 111 bytes",
       {{"labeled_counter", {{"sample.errors", {{std::string(111, 'l'), 1}}}}}},
       {{"labeled_counter", {{"sample.errors", {{std::string(112, 'l'), 1}}}}}},
       ViolationKind::kTooLong,
       "/metrics/labeled_counter/sample.errors/" + std::string(112, 'l')},
      {"16 dynamic labels",
       {{"labeled_counter", {{"sample.errors", labels(16)}}}},
       {{"labeled_counter", {{"sample.errors", labels(17)}}}},
       ViolationKind::kTooMany,
       "/metrics/labeled_counter/sample.errors"},
      {"counters are i32",
       {{"counter", {{"sample.clicks", 2147483647}}}},
       {{"counter", {{"sample.clicks", 352099001761481}}}},
       ViolationKind::kBadValue,
       "/metrics/counter/sample.clicks"},
      {"labeled counters are i32",
       {{"labeled_counter", {{"sample.errors", {{"x", 2147483647}}}}}},
       {{"labeled_counter", {{"sample.errors", {{"x", 2147483648}}}}}},
       ViolationKind::kBadValue,
       "/metrics/labeled_counter/sample.errors/x"},
      {"rates are i32",
       {{"rate", {{"sample.hit_rate", {{"numerator", 2147483647}, {"denominator", 1}}}}}},
       {{"rate", {{"sample.hit_rate", {{"numerator", 2147483648}, {"denominator", 1}}}}}},
       ViolationKind::kBadValue,
       "/metrics/rate/sample.hit_rate/numerator"},
      {"timing samples up to 10 minutes",
       {{"timing_distribution",
         {{"sample.load_time", {{"sum", 1}, {"values", {{"600000000000", 1}}}}}}}},
       {{"timing_distribution", {{"sample.load_time", {{"sum", 1}, {"values", {{kImei, 1}}}}}}}},
       ViolationKind::kBadValue,
       std::string("/metrics/timing_distribution/sample.load_time/values/") + kImei},
  };
}

TEST(GleanLimits, AValueAtTheLimitIsAcceptedOnePastItRefusedByName) {
  for (const LimitCase& c : MetricLimits()) {
    ValidationResult ok = Metrics(c.at_limit);
    EXPECT_TRUE(ok.ok()) << c.what << ": " << Describe(ok);
    ValidationResult over = Metrics(c.over_limit);
    EXPECT_TRUE(HasViolation(over, c.kind, c.field)) << c.what << ": " << Describe(over);
  }
}

TEST(GleanLimits, TextHasTwoHundredKilobytes) {
  auto text = [](size_t n) {
    return Validate(Ping({{"text", {{"sample.note", std::string(n, 't')}}}}, nullptr, "manual"),
                    "checkup");
  };
  EXPECT_TRUE(text(200 * 1024).ok());
  EXPECT_TRUE(
      HasViolation(text(200 * 1024 + 1), ViolationKind::kTooLong, "/metrics/text/sample.note"));
}

TEST(GleanLimits, EventExtraValuesHaveFiveHundredBytes) {
  EXPECT_TRUE(Events(Event({{"source", std::string(500, 'x')}})).ok());
  ValidationResult r = Events(Event({{"source", std::string(501, 'x')}}));
  EXPECT_TRUE(HasViolation(r, ViolationKind::kTooLong, "/events/0/extra/source")) << Describe(r);
}

TEST(GleanLimits, DynamicLabelsArePrintableAscii) {
  ValidationResult r = Metrics({{"labeled_counter", {{"sample.errors", {{"tab\there", 1}}}}}});
  EXPECT_TRUE(HasViolation(r, ViolationKind::kBadValue,
                           "/metrics/labeled_counter/sample.errors/tab\there"));
}

TEST(GleanLimits, ViolationKindsHaveTheirJsonNames) {
  EXPECT_EQ(ViolationKindName(ViolationKind::kTooLong), "too_long");
  EXPECT_EQ(ViolationKindName(ViolationKind::kTooMany), "too_many");
}

}  // namespace
}  // namespace homeport::schema
