// Test fixtures of the schema module: a sample application ("org-example-app") declaring one
// metric of every Glean type, a fixed clock, and helpers to build and validate ping JSON.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "schema/ping_validator.h"
#include "schema/schema_loader.h"
#include "schema/schema_registry.h"

namespace homeport::schema::testing {

// 2026-11-29T12:00:00Z.
inline TimePoint Now() {
  return std::chrono::sys_days(std::chrono::year(2026) / 11 / 29) + std::chrono::hours(12);
}

// One metric of category "sample"; `extra` holds further indented "    key: value" lines.
inline std::string Metric(const std::string& name, const std::string& type,
                          const std::string& extra = "") {
  return "  " + name + ":\n    type: " + type + "\n    description: Sample " + type +
         ".\n    bugs: [https://example.com/bug/1]\n"
         "    data_reviews: [https://example.com/review/1]\n"
         "    notification_emails: [owner@example.com]\n" +
         (extra.find("expires:") == std::string::npos ? "    expires: never\n" : "") + extra;
}

inline std::string SampleMetricsYaml() {
  return "$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0\nsample:\n" +
         Metric("flag", "boolean") + Metric("clicks", "counter") +
         Metric("size", "quantity", "    unit: items\n") + Metric("name", "string") +
         Metric("tags", "string_list") +
         Metric("note", "text",
                "    send_in_pings: [checkup]\n    data_sensitivity: [highly_sensitive]\n") +
         Metric("install_id", "uuid") + Metric("homepage", "url") +
         Metric("installed_at", "datetime", "    time_unit: minute\n") +
         Metric("startup", "timespan", "    time_unit: millisecond\n") +
         Metric("load_time", "timing_distribution") +
         Metric("heap", "memory_distribution", "    memory_unit: kilobyte\n") +
         Metric("buckets", "custom_distribution",
                "    range_min: 0\n    range_max: 100\n    bucket_count: 10\n"
                "    histogram_type: linear\n") +
         Metric("hit_rate", "rate") +
         Metric(
             "opened", "event",
             "    extra_keys:\n      source:\n        description: Where.\n        type: string\n"
             "      count:\n        description: How many.\n        type: quantity\n"
             "      ok:\n        description: Whether.\n        type: boolean\n") +
         Metric("layout", "object",
                "    structure:\n      type: object\n      properties:\n"
                "        colour:\n          type: string\n        size:\n          type: number\n"
                "        items:\n          type: array\n          items:\n            type: "
                "string\n") +
         Metric("enabled", "labeled_boolean", "    labels: [alpha, beta]\n") +
         Metric("errors", "labeled_counter") +
         Metric("levels", "labeled_quantity", "    labels: [low, high]\n") +
         Metric("titles", "labeled_string") +
         Metric("labeled_timing", "labeled_timing_distribution") +
         Metric("labeled_memory", "labeled_memory_distribution", "    memory_unit: byte\n") +
         Metric("labeled_custom", "labeled_custom_distribution",
                "    range_max: 100\n    bucket_count: 10\n    histogram_type: exponential\n") +
         Metric("pairs", "dual_labeled_counter",
                "    dual_labels:\n      key:\n        description: K.\n        labels: [x, y]\n"
                "      category:\n        description: C.\n") +
         Metric("old", "counter", "    expires: 2026-01-01\n") +
         Metric("retired", "counter", "    expires: expired\n") +
         Metric("switched_off", "counter", "    disabled: true\n") +
         Metric("short_lived", "counter", "    metadata:\n      retention_days: 7\n") +
         Metric("in_custom", "counter", "    send_in_pings: [checkup]\n");
}

inline std::string SamplePingsYaml() {
  const std::string common =
      "  bugs: [https://example.com/bug/1]\n  data_reviews: [https://example.com/review/1]\n"
      "  notification_emails: [owner@example.com]\n";
  return "$schema: moz://mozilla.org/schemas/glean/pings/2-0-0\n"
         "checkup:\n  description: A custom ping.\n  include_client_id: true\n"
         "  reasons:\n    manual: Sent by hand.\n  metadata:\n    retention_days: 14\n" +
         common +
         "anonymous:\n  description: A ping without client id.\n  include_client_id: false\n" +
         common;
}

inline AppSchema SampleApp() {
  Result<AppSchema> app =
      ParseAppSchema("org-example-app", {"sample/metrics.yaml", SampleMetricsYaml()},
                     SchemaFile{"sample/pings.yaml", SamplePingsYaml()});
  EXPECT_TRUE(app.ok()) << app.status().ToString();
  return app.ok() ? std::move(app).value() : AppSchema{};
}

inline const SchemaRegistry& SampleRegistry() {
  static const SchemaRegistry* registry = [] {
    Result<SchemaRegistry> r = SchemaRegistry::Create({SampleApp()});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return new SchemaRegistry(std::move(r).value());
  }();
  return *registry;
}

// A Glean ping as an SDK sends it, with `metrics` and `events` sections when not null.
inline nlohmann::json Ping(nlohmann::json metrics, nlohmann::json events = nullptr,
                           std::string reason = "") {
  nlohmann::json ping = {
      {"ping_info",
       {{"seq", 3},
        {"start_time", "2026-11-29T10:00+01:00"},
        {"end_time", "2026-11-29T11:24-00:00"}}},
      {"client_info",
       {{"client_id", "5faffa6d-6147-4d22-a93e-c1dbd6e06171"},
        {"first_run_date", "2026-11-01-00:00"},
        {"os", "Android"},
        {"os_version", "14"},
        {"android_sdk_version", "34"},
        {"device_manufacturer", "Example"},
        {"device_model", "X7"},
        {"architecture", "arm64-v8a"},
        {"locale", "en-SG"},
        {"app_build", "1042"},
        {"app_display_version", "2.4.1"},
        {"app_channel", "release"},
        {"telemetry_sdk_build", "64.0.0"}}},
  };
  if (!reason.empty()) ping["ping_info"]["reason"] = reason;
  if (!metrics.is_null()) ping["metrics"] = std::move(metrics);
  if (!events.is_null()) ping["events"] = std::move(events);
  return ping;
}

// Validates `ping` (serialized, then parsed with simdjson as the server does).
inline ValidationResult Validate(const nlohmann::json& ping, std::string_view doc_type,
                                 std::string_view app_id = "org-example-app",
                                 const SchemaRegistry& registry = SampleRegistry()) {
  static thread_local simdjson::dom::parser parser;
  static thread_local std::string text;  // the parsed document's strings live in the parser
  text = ping.dump();
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS);
  return ValidatePing(registry, app_id, doc_type, doc, Now());
}

// "kind field: message" per violation, for failure output.
inline std::string Describe(const ValidationResult& r) {
  std::string out;
  for (const Violation& v : r.violations) {
    out += std::string(ViolationKindName(v.kind)) + " " + v.field + ": " + v.message + "\n";
  }
  return out;
}

inline bool HasViolation(const ValidationResult& r, ViolationKind kind, const std::string& field) {
  for (const Violation& v : r.violations) {
    if (v.kind == kind && v.field == field) return true;
  }
  return false;
}

}  // namespace homeport::schema::testing
