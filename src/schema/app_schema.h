// What one application declared in its Glean metrics.yaml and pings.yaml, as the server
// needs it: which metrics and pings exist, what each carries, how sensitive it is and how
// long it may be kept. Plain values; built by LoadAppSchema (schema_loader.h), immutable after.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time_format.h"
#include "schema/metric_type.h"

namespace homeport::schema {

// homeport's retention when a metric or ping does not set `metadata: {retention_days: N}`.
inline constexpr int kDefaultRetentionDays = 90;
// The longest retention a schema may ask for (ten years).
inline constexpr int kMaxRetentionDays = 3650;

// Where a definition was read: "schemas/homeport-agent/metrics.yaml", line 12 (1-based).
struct SourceLocation {
  std::string file;
  int line = 0;
  std::string ToString() const { return file + ":" + std::to_string(line); }
};

// A metric's `expires`: when pings may no longer carry it.
struct Expiry {
  enum class Kind { kNever, kExpired, kDate, kMajorVersion };
  Kind kind = Kind::kNever;
  std::chrono::sys_days date{};  // kDate: expired from this UTC day on (as glean_parser reads it)
  int major_version = 0;         // kMajorVersion: expired in app versions whose major is >= this

  // As written in metrics.yaml: "never", "expired", "2027-06-30", "12".
  std::string ToString() const;
  // `app_major_version` is the major of client_info.app_display_version, when it has one; a
  // version-based expiry without it is not considered expired.
  bool IsExpired(TimePoint now, std::optional<int> app_major_version) const;
};

// One allowed key of an event's `extra` object.
struct EventExtraKey {
  enum class Type { kString, kBoolean, kQuantity };  // Glean's default is string
  std::string name;
  std::string description;
  Type type = Type::kString;
};

struct MetricDefinition {
  std::string category;   // "diagnostics" or "ui.settings"
  std::string name;       // "crash_count"
  std::string full_name;  // "diagnostics.crash_count": its key in a ping
  MetricType type = MetricType::kCounter;
  std::string description;
  // The pings it may appear in, "default" already resolved (to "events" for events, "metrics"
  // for everything else, as glean_parser does). Sorted, no duplicates.
  std::vector<std::string> send_in_pings;
  Lifetime lifetime = Lifetime::kPing;
  Expiry expires;
  std::vector<DataSensitivity> data_sensitivity;  // empty when the file does not say
  int retention_days = kDefaultRetentionDays;     // metadata.retention_days
  std::vector<std::string> tags;                  // metadata.tags plus the file's $tags
  bool disabled = false;

  // Labeled types: the static labels; empty means any label is accepted.
  std::vector<std::string> labels;
  // dual_labeled_counter: static labels of each dimension; empty means any.
  std::vector<std::string> dual_key_labels;
  std::vector<std::string> dual_category_labels;
  // event: the allowed extra keys.
  std::vector<EventExtraKey> extra_keys;
  // timespan, datetime, timing distributions: the declared (or Glean's default) unit.
  TimeUnit time_unit = TimeUnit::kMillisecond;
  MemoryUnit memory_unit = MemoryUnit::kByte;  // memory distributions
  std::string unit;                            // quantity (required) and others, informational
  // object: the declared `structure` (a JSON-schema subset), as JSON.
  nlohmann::json structure;

  SourceLocation source;

  bool SentIn(std::string_view ping) const;
  const EventExtraKey* FindExtraKey(std::string_view key) const;
};

struct PingDefinition {
  std::string name;  // kebab-case, also the doc_type of its submission URL
  std::string description;
  bool include_client_id = false;
  bool send_if_empty = false;
  bool include_info_sections = true;           // metadata.include_info_sections
  std::map<std::string, std::string> reasons;  // reason code → description
  int retention_days = kDefaultRetentionDays;  // metadata.retention_days
  bool builtin = false;   // one of Glean's own pings, accepted without declaration
  SourceLocation source;  // empty file for built-in pings
};

struct AppSchema {
  std::string app_id;  // as in submission URLs: "homeport-agent", "org-example-app"
  std::map<std::string, MetricDefinition, std::less<>> metrics;  // by full name
  std::map<std::string, PingDefinition, std::less<>> pings;      // declared and built-in, by name

  const MetricDefinition* FindMetric(std::string_view full_name) const;
  const PingDefinition* FindPing(std::string_view name) const;
};

}  // namespace homeport::schema
