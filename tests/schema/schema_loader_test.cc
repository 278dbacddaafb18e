// Loading metrics.yaml / pings.yaml: what a valid file yields, and that every kind of invalid
// file fails with "file:line: what is wrong".
#include "schema/schema_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "schema/builtin_pings.h"
#include "schema_test_util.h"

namespace homeport::schema {
namespace {

using ::testing::HasSubstr;
using testing::Metric;

const std::string kMetricsHeader = "$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\n";
const std::string kPingsHeader = "$schema: moz://mozilla.org/schemas/glean/pings/2-0-0\n";

// The error of parsing `metrics` (and `pings`, when given) as application "org-example-app".
std::string ErrorOf(const std::string& metrics, const std::string& pings = "") {
  std::optional<SchemaFile> p;
  if (!pings.empty()) p = SchemaFile{"app/pings.yaml", pings};
  Result<AppSchema> r = ParseAppSchema("org-example-app", {"app/metrics.yaml", metrics}, p);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

TEST(SchemaLoader, ParsesEveryMetricTypeOfTheSampleApp) {
  AppSchema app = testing::SampleApp();
  EXPECT_EQ(app.app_id, "org-example-app");
  std::set<MetricType> types;
  for (const auto& [name, m] : app.metrics) types.insert(m.type);
  EXPECT_EQ(types.size(), static_cast<size_t>(kMetricTypeCount));

  const MetricDefinition* clicks = app.FindMetric("sample.clicks");
  ASSERT_NE(clicks, nullptr);
  EXPECT_EQ(clicks->category, "sample");
  EXPECT_EQ(clicks->name, "clicks");
  EXPECT_EQ(clicks->type, MetricType::kCounter);
  EXPECT_EQ(clicks->description, "Sample counter.");
  EXPECT_EQ(clicks->lifetime, Lifetime::kPing);
  EXPECT_EQ(clicks->retention_days, kDefaultRetentionDays);
  EXPECT_EQ(clicks->expires.kind, Expiry::Kind::kNever);
  EXPECT_EQ(clicks->source.file, "sample/metrics.yaml");
  EXPECT_EQ(clicks->source.line, 10);
}

TEST(SchemaLoader, ResolvesDefaultPingAsGleanParserDoes) {
  AppSchema app = testing::SampleApp();
  EXPECT_EQ(app.FindMetric("sample.clicks")->send_in_pings, std::vector<std::string>{"metrics"});
  EXPECT_EQ(app.FindMetric("sample.opened")->send_in_pings, std::vector<std::string>{"events"});
  EXPECT_EQ(app.FindMetric("sample.in_custom")->send_in_pings, std::vector<std::string>{"checkup"});
}

TEST(SchemaLoader, ReadsUnitsLabelsExtrasAndExpiry) {
  AppSchema app = testing::SampleApp();
  EXPECT_EQ(app.FindMetric("sample.installed_at")->time_unit, TimeUnit::kMinute);
  EXPECT_EQ(app.FindMetric("sample.load_time")->time_unit, TimeUnit::kNanosecond);
  EXPECT_EQ(app.FindMetric("sample.heap")->memory_unit, MemoryUnit::kKilobyte);
  EXPECT_EQ(app.FindMetric("sample.size")->unit, "items");
  EXPECT_EQ(app.FindMetric("sample.enabled")->labels, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_TRUE(app.FindMetric("sample.errors")->labels.empty());
  EXPECT_EQ(app.FindMetric("sample.pairs")->dual_key_labels, (std::vector<std::string>{"x", "y"}));
  const MetricDefinition* opened = app.FindMetric("sample.opened");
  ASSERT_EQ(opened->extra_keys.size(), 3u);
  EXPECT_EQ(opened->FindExtraKey("count")->type, EventExtraKey::Type::kQuantity);
  EXPECT_EQ(app.FindMetric("sample.old")->expires.ToString(), "2026-01-01");
  EXPECT_EQ(app.FindMetric("sample.retired")->expires.kind, Expiry::Kind::kExpired);
  EXPECT_TRUE(app.FindMetric("sample.switched_off")->disabled);
  EXPECT_EQ(app.FindMetric("sample.note")->data_sensitivity,
            std::vector<DataSensitivity>{DataSensitivity::kHighlySensitive});
}

TEST(SchemaLoader, ReadsRetentionFromMetadata) {
  AppSchema app = testing::SampleApp();
  EXPECT_EQ(app.FindMetric("sample.short_lived")->retention_days, 7);
  EXPECT_EQ(app.FindPing("checkup")->retention_days, 14);
  EXPECT_EQ(app.FindPing("anonymous")->retention_days, kDefaultRetentionDays);
}

TEST(SchemaLoader, ReadsPingsAndAddsBuiltinOnes) {
  AppSchema app = testing::SampleApp();
  const PingDefinition* ping = app.FindPing("checkup");
  ASSERT_NE(ping, nullptr);
  EXPECT_TRUE(ping->include_client_id);
  EXPECT_FALSE(ping->builtin);
  EXPECT_EQ(ping->reasons.at("manual"), "Sent by hand.");
  EXPECT_EQ(ping->source.ToString(), "sample/pings.yaml:2");
  EXPECT_FALSE(app.FindPing("anonymous")->include_client_id);
  for (const char* name : {"baseline", "metrics", "events", "deletion-request", "health"}) {
    ASSERT_NE(app.FindPing(name), nullptr) << name;
    EXPECT_TRUE(app.FindPing(name)->builtin);
  }
}

TEST(SchemaLoader, PingsFileIsOptional) {
  Result<AppSchema> r = ParseAppSchema(
      "org-example-app", {"m.yaml", kMetricsHeader + "ui:\n" + Metric("taps", "counter")},
      std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->pings.size(), BuiltinPings().size());
}

TEST(SchemaLoader, RejectsUnknownMetricTypeWithFileAndLine) {
  std::string err = ErrorOf(kMetricsHeader + "ui:\n" + Metric("taps", "countr"));
  EXPECT_THAT(err, HasSubstr("app/metrics.yaml:4: ui.taps: unknown metric type 'countr'"));
}

TEST(SchemaLoader, RejectsMissingDescriptionWithFileAndLine) {
  std::string yaml = kMetricsHeader + "ui:\n" + Metric("taps", "counter");
  yaml.erase(yaml.find("    description:"), yaml.find("    bugs:") - yaml.find("    description:"));
  EXPECT_THAT(ErrorOf(yaml), HasSubstr("app/metrics.yaml:3: ui.taps: missing required key "
                                       "'description'"));
}

TEST(SchemaLoader, RejectsBadExpiresWithFileAndLine) {
  std::string err =
      ErrorOf(kMetricsHeader + "ui:\n" + Metric("taps", "counter", "    expires: 2026-02-30\n") +
              Metric("swipes", "counter", "    expires: soon\n"));
  EXPECT_THAT(err, HasSubstr("app/metrics.yaml:9: ui.taps: expires must be a date YYYY-MM-DD"));
  EXPECT_THAT(err, HasSubstr("not '2026-02-30'"));
  EXPECT_THAT(err, HasSubstr("app/metrics.yaml:16: ui.swipes: expires must be"));
}

TEST(SchemaLoader, ReadsExpiryByMajorVersionButNotMixedWithDates) {
  Result<AppSchema> r = ParseAppSchema(
      "org-example-app",
      {"m.yaml", kMetricsHeader + "ui:\n" + Metric("taps", "counter", "    expires: 3\n")},
      std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->FindMetric("ui.taps")->expires.kind, Expiry::Kind::kMajorVersion);
  EXPECT_EQ(r->FindMetric("ui.taps")->expires.major_version, 3);
  EXPECT_THAT(ErrorOf(kMetricsHeader + "ui:\n" + Metric("taps", "counter", "    expires: 3\n") +
                      Metric("swipes", "counter", "    expires: 2027-01-01\n")),
              HasSubstr("app/metrics.yaml:3: ui.taps: expires by major version, but ui.swipes "
                        "expires by date"));
}

TEST(SchemaLoader, ReportsYamlSyntaxErrorsWithLine) {
  EXPECT_THAT(ErrorOf(kMetricsHeader + "ui:\n  taps: [unclosed\n  other: 1\n"),
              HasSubstr("app/metrics.yaml:4: YAML syntax"));
}

TEST(SchemaLoader, RequiresTheGlean2SchemaId) {
  EXPECT_THAT(ErrorOf("$schema: moz://mozilla.org/schemas/glean/metrics/1-0-0\n"),
              HasSubstr("app/metrics.yaml:1: $schema is 'moz://mozilla.org/schemas/glean/"
                        "metrics/1-0-0', expected moz://mozilla.org/schemas/glean/metrics/2-0-0"));
  EXPECT_THAT(ErrorOf("ui: {}\n"), HasSubstr("app/metrics.yaml:1: missing $schema"));
}

TEST(SchemaLoader, RejectsUnknownAndMisplacedParameters) {
  std::string err = ErrorOf(kMetricsHeader + "ui:\n" +
                            Metric("taps", "counter", "    labels: [a]\n    colour: red\n"));
  EXPECT_THAT(err, HasSubstr("app/metrics.yaml:10: ui.taps: 'labels' does not apply to a counter"));
  EXPECT_THAT(err, HasSubstr("app/metrics.yaml:11: ui.taps: unknown metric parameter 'colour'"));
}

TEST(SchemaLoader, RejectsWrongValueTypes) {
  std::string err = ErrorOf(kMetricsHeader + "ui:\n" +
                            Metric("taps", "counter",
                                   "    disabled: \"yes\"\n    lifetime: forever\n"
                                   "    data_sensitivity: [secret]\n    send_in_pings: metrics\n"));
  EXPECT_THAT(err, HasSubstr(":10: ui.taps: disabled must be true or false"));
  EXPECT_THAT(err, HasSubstr(":11: ui.taps: lifetime must be ping, application or user"));
  EXPECT_THAT(err, HasSubstr(":12: ui.taps: data_sensitivity 'secret' is not one of"));
  EXPECT_THAT(err, HasSubstr(":13: ui.taps: send_in_pings must be a list"));
}

TEST(SchemaLoader, RejectsTypeSpecificOmissions) {
  std::string err = ErrorOf(kMetricsHeader + "ui:\n" + Metric("size", "quantity") +
                            Metric("shape", "object") + Metric("dist", "custom_distribution"));
  EXPECT_THAT(err, HasSubstr(":3: ui.size: missing required key 'unit'"));
  EXPECT_THAT(err, HasSubstr(":10: ui.shape: missing required key 'structure'"));
  EXPECT_THAT(err, HasSubstr(":17: ui.dist: missing required key 'range_max'"));
  EXPECT_THAT(ErrorOf(kMetricsHeader + "ui:\n" + Metric("old", "jwe")),
              HasSubstr("Glean removed the jwe metric type"));
}

TEST(SchemaLoader, EnforcesGleanRulesForTextAndEvents) {
  std::string err =
      ErrorOf(kMetricsHeader + "ui:\n" +
              Metric("comment", "text",
                     "    send_in_pings: [metrics]\n    data_sensitivity: [technical]\n") +
              Metric("tap", "event", "    lifetime: user\n"));
  EXPECT_THAT(err, HasSubstr("ui.comment: text metrics can only be sent in custom pings, not in "
                             "'metrics'"));
  EXPECT_THAT(err, HasSubstr("ui.comment: text metrics require data_sensitivity"));
  EXPECT_THAT(err, HasSubstr("ui.tap: event metrics must have ping lifetime"));
}

TEST(SchemaLoader, RejectsSendInPingsNamingAnUndeclaredPing) {
  EXPECT_THAT(ErrorOf(kMetricsHeader + "ui:\n" +
                      Metric("taps", "counter", "    send_in_pings: [survey]\n")),
              HasSubstr("app/metrics.yaml:10: ui.taps: send_in_pings names ping 'survey', which is "
                        "neither declared in pings.yaml nor built into Glean"));
}

TEST(SchemaLoader, RejectsReservedNames) {
  EXPECT_THAT(ErrorOf(kMetricsHeader + "glean:\n" + Metric("taps", "counter")),
              HasSubstr(":2: category 'glean': categories beginning with 'glean' are reserved"));
  EXPECT_THAT(ErrorOf(kMetricsHeader + "UI:\n" + Metric("taps", "counter")),
              HasSubstr(":2: category 'UI': category names are snake_case"));
  EXPECT_THAT(
      ErrorOf(kMetricsHeader,
              kPingsHeader + "baseline:\n  description: Mine.\n  include_client_id: true\n"),
      HasSubstr("app/pings.yaml:2: ping 'baseline': the name is reserved"));
}

TEST(SchemaLoader, ValidatesRetentionDays) {
  std::string err =
      ErrorOf(kMetricsHeader + "ui:\n" +
              Metric("taps", "counter", "    metadata:\n      retention_days: 0\n") +
              Metric("swipes", "counter", "    metadata:\n      retension_days: 30\n"));
  EXPECT_THAT(err, HasSubstr(":11: ui.taps: metadata.retention_days must be between 1 and 3650"));
  EXPECT_THAT(err, HasSubstr(":20: ui.swipes: unknown metadata key 'retension_days'"));
}

TEST(SchemaLoader, RejectsInvalidPingDefinitions) {
  std::string err = ErrorOf(kMetricsHeader, kPingsHeader +
                                                "survey:\n  description: A survey.\n"
                                                "  include_client_id: maybe\n  unknown: 1\n"
                                                "Bad_Name:\n  description: x\n");
  EXPECT_THAT(err, HasSubstr("app/pings.yaml:4: ping 'survey': include_client_id must be true or "
                             "false"));
  EXPECT_THAT(err, HasSubstr("app/pings.yaml:5: ping 'survey': unknown key 'unknown'"));
  EXPECT_THAT(err, HasSubstr("app/pings.yaml:2: ping 'survey': missing required key 'bugs'"));
  EXPECT_THAT(err, HasSubstr("app/pings.yaml:6: ping 'Bad_Name': name must be kebab-case"));
}

TEST(SchemaLoader, RejectsDuplicateKeys) {
  EXPECT_THAT(
      ErrorOf(kMetricsHeader + "ui:\n" + Metric("taps", "counter") + Metric("taps", "counter")),
      HasSubstr("app/metrics.yaml:10: category 'ui': duplicate key 'taps'"));
}

TEST(SchemaLoader, RejectsBadApplicationIds) {
  for (const char* id : {"", "Org.Example", "-x", "has space"}) {
    EXPECT_FALSE(ParseAppSchema(id, {"m.yaml", kMetricsHeader}, std::nullopt).ok()) << id;
  }
}

TEST(SchemaLoader, LoadsFromFilesAndNamesMissingOnes) {
  Result<AppSchema> r = LoadAppSchema(
      "homeport-agent", std::string(HOMEPORT_SOURCE_DIR) + "/schemas/homeport-agent/metrics.yaml",
      std::string(HOMEPORT_SOURCE_DIR) + "/schemas/homeport-agent/pings.yaml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r->FindMetric("feedback.text"), nullptr);
  Result<AppSchema> missing = LoadAppSchema("x", "/nonexistent/metrics.yaml", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/metrics.yaml"));
}

}  // namespace
}  // namespace homeport::schema
