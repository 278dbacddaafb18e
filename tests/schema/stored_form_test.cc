// How a validated ping is to be stored: which strings the validator proved to be of a closed
// form (everything else is scrubbed) and which times are kept at day resolution only.
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

bool Verbatim(const ValidationResult& r, const std::string& pointer) {
  return r.stored.verbatim_values.count(pointer) > 0;
}

bool Closed(const ValidationResult& r, const std::string& pointer) {
  return r.stored.closed_objects.count(pointer) > 0;
}

TEST(StoredForm, FreeTextOfEveryKindIsScrubbed) {
  json metrics = {
      {"string", {{"sample.name", "call +65 6123 4567"}, {"glean.database.load_error", "full"}}},
      {"string_list",
       {{"sample.tags", {"a", "me@example.com"}}, {"glean.ping.uploader_capabilities", {"o"}}}},
      {"url", {{"sample.homepage", "https://example.com/?imei=490154203237518"}}},
      {"labeled_string", {{"sample.titles", {{"home/page", "Start"}}}}},
      {"object", {{"sample.layout", {{"colour", "red"}, {"size", 2}, {"items", {"x"}}}}}},
  };
  json ping = Ping(metrics);
  ping["$schema"] = "moz://mozilla.org/schemas/glean/ping/1";
  ping["ping_info"]["experiments"] = {{"exp", {{"branch", "b"}, {"extra", {{"k", "v"}}}}}};
  ValidationResult r = Validate(ping, "metrics");
  ASSERT_TRUE(r.ok()) << Describe(r);
  for (const char* p :
       {"/metrics/string/sample.name", "/metrics/string_list/sample.tags/1",
        "/metrics/url/sample.homepage", "/metrics/labeled_string/sample.titles/home~1page",
        "/metrics/object/sample.layout/colour", "/metrics/object/sample.layout/items/0",
        "/metrics/string_list/glean.ping.uploader_capabilities/0",
        "/metrics/string/glean.database.load_error", "/$schema", "/client_info/os",
        "/client_info/device_model", "/client_info/app_build", "/ping_info/experiments/exp/branch",
        "/ping_info/experiments/exp/extra/k"}) {
    EXPECT_FALSE(Verbatim(r, p)) << p;
  }
  // Names nobody declared: dynamic labels, experiment ids and their extra keys.
  EXPECT_FALSE(Closed(r, "/metrics/labeled_string/sample.titles"));
  EXPECT_FALSE(Closed(r, "/ping_info/experiments"));
  EXPECT_FALSE(Closed(r, "/ping_info/experiments/exp/extra"));
}

TEST(StoredForm, OnlyValuesOfAnExactFormAreStoredAsSent) {
  json metrics = {{"uuid", {{"sample.install_id", "0b5e5b3c-9f1a-4c1e-8d2b-3a4b5c6d7e8f"}}},
                  {"datetime", {{"sample.installed_at", "2026-11-29T13:24-00:00"}}},
                  {"timespan", {{"sample.startup", {{"time_unit", "millisecond"}, {"value", 3}}}}}};
  ValidationResult r = Validate(Ping(metrics, nullptr, "today"), "metrics");
  ASSERT_TRUE(r.ok()) << Describe(r);
  EXPECT_THAT(r.stored.verbatim_values,
              UnorderedElementsAre("/client_info/client_id", "/client_info/first_run_date",
                                   "/ping_info/start_time", "/ping_info/end_time",
                                   "/metrics/uuid/sample.install_id",
                                   "/metrics/datetime/sample.installed_at",
                                   "/metrics/timespan/sample.startup/time_unit"));
  // A built-in ping's reason is not checked, so it is free text; a declared ping's is not.
  EXPECT_FALSE(Verbatim(r, "/ping_info/reason"));
  EXPECT_TRUE(Verbatim(Validate(Ping(nullptr, nullptr, "manual"), "checkup"), "/ping_info/reason"));
}

TEST(StoredForm, NamesCheckedAgainstAClosedSetAreStoredAsSent) {
  json metrics = {{"labeled_boolean", {{"sample.enabled", {{"alpha", true}}}}},
                  {"labeled_counter", {{"sample.errors", {{"bad host 10.0.0.1", 1}}}}},
                  {"counter", {{"glean.validation.foreground_count", 1}}}};
  ValidationResult r = Validate(Ping(metrics), "metrics");
  ASSERT_TRUE(r.ok()) << Describe(r);
  for (const char* p : {"", "/client_info", "/ping_info", "/metrics", "/metrics/counter",
                        "/metrics/labeled_boolean", "/metrics/labeled_boolean/sample.enabled"}) {
    EXPECT_TRUE(Closed(r, p)) << p;
  }
  EXPECT_FALSE(Closed(r, "/metrics/labeled_counter/sample.errors"));
}

TEST(StoredForm, EventExtraValuesAreAllScrubbedAndTheirKeysAreDeclared) {
  json events = {{{"timestamp", 0},
                  {"category", "sample"},
                  {"name", "opened"},
                  {"extra", {{"source", "menu"}, {"count", "3"}, {"glean_timestamp", "17"}}}}};
  ValidationResult r = Validate(Ping(nullptr, events), "events");
  ASSERT_TRUE(r.ok()) << Describe(r);
  EXPECT_TRUE(Closed(r, "/events/0"));
  EXPECT_TRUE(Closed(r, "/events/0/extra"));
  EXPECT_TRUE(Verbatim(r, "/events/0/category"));
  EXPECT_TRUE(Verbatim(r, "/events/0/name"));
  for (const char* p : {"/events/0/extra/source", "/events/0/extra/count"}) {
    EXPECT_FALSE(Verbatim(r, p)) << p;
  }
  // The SDK's absolute event time is kept to its day.
  EXPECT_THAT(r.stored.day_millis, UnorderedElementsAre("/events/0/extra/glean_timestamp"));
}

TEST(StoredForm, EnvelopeTimesAreKeptAtDayResolution) {
  json events = {{{"timestamp", 5},
                  {"category", "sample"},
                  {"name", "opened"},
                  {"session",
                   {{"session_id", "9f9eae08-00b0-4a91-9b08-2287d86d8353"},
                    {"session_start_time", "2026-11-29T10:02:11.532+01:00"}}}},
                 {{"timestamp", 6},
                  {"category", "glean"},
                  {"name", "session_start"},
                  {"extra", {{"session_start_time", "2026-11-29T10:02:11.532+01:00"}}}}};
  json ping = Ping(nullptr, events);
  ping["client_info"]["build_date"] = "2026-10-01T12:52:08+00:00";
  ValidationResult r = Validate(ping, "events");
  ASSERT_TRUE(r.ok()) << Describe(r);
  EXPECT_THAT(r.stored.day_times,
              UnorderedElementsAre("/ping_info/start_time", "/ping_info/end_time",
                                   "/client_info/first_run_date", "/client_info/build_date",
                                   "/events/0/session/session_start_time",
                                   "/events/1/extra/session_start_time"));
}

TEST(StoredForm, AgentFeedbackTextIsScrubbed) {
  json metrics = {{"text", {{"feedback.text", "Screen flickers. Reach me at me@example.com"}}},
                  {"quantity", {{"feedback.rating", 2}}}};
  ValidationResult r =
      Validate(Ping(metrics, nullptr, "user_submitted"), "feedback", "homeport-agent");
  ASSERT_TRUE(r.ok()) << Describe(r);
  EXPECT_FALSE(Verbatim(r, "/metrics/text/feedback.text"));
  EXPECT_EQ(r.retention_days, 30);
}

}  // namespace
}  // namespace homeport::schema
