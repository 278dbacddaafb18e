// The scrub targets a validated ping hands to the identifier scrubber: every free-text string
// of declared metrics, and nothing else.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "schema_test_util.h"

namespace homeport::schema {
namespace {

using nlohmann::json;
using testing::Describe;
using testing::Ping;
using ::testing::UnorderedElementsAre;
using testing::Validate;

std::vector<std::string> Pointers(const ValidationResult& r, bool keys) {
  std::vector<std::string> out;
  for (const ScrubTarget& t : r.scrub_targets) {
    if (t.key == keys) out.push_back(t.pointer);
  }
  return out;
}

TEST(ScrubTargets, PointAtEveryStringAndTextValueOfDeclaredMetrics) {
  json metrics = {
      {"string", {{"sample.name", "call +65 6123 4567"}}},
      {"string_list", {{"sample.tags", {"a", "me@example.com"}}}},
      {"url", {{"sample.homepage", "https://example.com/?imei=490154203237518"}}},
      {"labeled_string", {{"sample.titles", {{"home/page", "Start"}}}}},
      {"object", {{"sample.layout", {{"colour", "red"}, {"size", 2}, {"items", {"x"}}}}}},
      {"counter", {{"sample.clicks", 4}, {"glean.validation.foreground_count", 1}}},
      {"labeled_boolean", {{"sample.enabled", {{"alpha", true}}}}},
      {"labeled_counter", {{"sample.errors", {{"bad host 10.0.0.1", 1}}}}},
      {"uuid", {{"sample.install_id", "0b5e5b3c-9f1a-4c1e-8d2b-3a4b5c6d7e8f"}}},
  };
  ValidationResult r = Validate(Ping(metrics), "metrics");
  ASSERT_TRUE(r.ok()) << Describe(r);
  EXPECT_THAT(Pointers(r, false),
              UnorderedElementsAre(
                  "/metrics/string/sample.name", "/metrics/string_list/sample.tags/0",
                  "/metrics/string_list/sample.tags/1", "/metrics/url/sample.homepage",
                  "/metrics/labeled_string/sample.titles/home~1page",
                  "/metrics/object/sample.layout/colour", "/metrics/object/sample.layout/items/0"));
  // Labels chosen at run time are free text too; declared labels are not.
  EXPECT_THAT(Pointers(r, true),
              UnorderedElementsAre("/metrics/labeled_string/sample.titles/home~1page",
                                   "/metrics/labeled_counter/sample.errors/bad host 10.0.0.1"));
}

TEST(ScrubTargets, PointersResolveToTheStringsInThePayload) {
  json ping = Ping({{"labeled_string", {{"sample.titles", {{"a~b", "x"}}}}},
                    {"string_list", {{"sample.tags", {"y"}}}}});
  ValidationResult r = Validate(ping, "metrics");
  ASSERT_TRUE(r.ok()) << Describe(r);
  for (const ScrubTarget& t : r.scrub_targets) {
    if (t.key) continue;
    EXPECT_TRUE(ping.at(json::json_pointer(t.pointer)).is_string()) << t.pointer;
  }
}

TEST(ScrubTargets, IncludeTextMetricsAndStringEventExtras) {
  ValidationResult text =
      Validate(Ping({{"text", {{"sample.note", "my IMEI is 490154203237518"}}}}, nullptr, "manual"),
               "checkup");
  ASSERT_TRUE(text.ok()) << Describe(text);
  EXPECT_THAT(Pointers(text, false), UnorderedElementsAre("/metrics/text/sample.note"));

  json events = {{{"timestamp", 0},
                  {"category", "sample"},
                  {"name", "opened"},
                  {"extra", {{"source", "menu"}, {"count", "3"}, {"glean_timestamp", "17"}}}}};
  ValidationResult r = Validate(Ping(nullptr, events), "events");
  ASSERT_TRUE(r.ok()) << Describe(r);
  EXPECT_THAT(Pointers(r, false), UnorderedElementsAre("/events/0/extra/source"));
}

TEST(ScrubTargets, AgentFeedbackTextIsATarget) {
  json metrics = {{"text", {{"feedback.text", "Screen flickers. Reach me at me@example.com"}}},
                  {"quantity", {{"feedback.rating", 2}}}};
  ValidationResult r =
      Validate(Ping(metrics, nullptr, "user_submitted"), "feedback", "homeport-agent");
  ASSERT_TRUE(r.ok()) << Describe(r);
  EXPECT_THAT(Pointers(r, false), UnorderedElementsAre("/metrics/text/feedback.text"));
  EXPECT_EQ(r.retention_days, 30);
}

}  // namespace
}  // namespace homeport::schema
