// The diagnostics values recorded since the last diagnostics ping (state file uxp/metrics.json),
// kept in the shape they take in a Glean ping, and the per-type value rules shared with feedback.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "agent/uxp_schema.h"
#include "homeport/env.h"
#include "homeport/status.h"

namespace homeport::agent {

// Glean's limits: a string metric holds at most 255 bytes, a text metric 200 KiB; a counter
// saturates at 2^31-1; a ping carries at most 500 events.
inline constexpr size_t kMaxStringBytes = 255;
inline constexpr size_t kMaxTextBytes = 200 * 1024;
inline constexpr int64_t kMaxCounterValue = 2147483647;
inline constexpr size_t kMaxEventsPerPing = 500;

// `value` (as a person types it) as the JSON value a ping carries for metric `m`: counter and
// quantity a non-negative whole number (a counter adds, so it must be positive), timespan a
// whole number of milliseconds converted to the metric's time unit ({"time_unit", "value"}),
// boolean "true"/"false", string and text valid UTF-8 within Glean's size limits.
// InvalidArgument naming the metric otherwise; labeled counters and events are Record()'s.
Result<nlohmann::json> ParseMetricValue(const UxpMetric& m, std::string_view value);

class RecordedMetrics {
 public:
  // A file that is not what Serialize() writes is Corruption.
  static Result<RecordedMetrics> Parse(std::string_view text);
  std::string Serialize() const;

  // Records one value of a diagnostics-ping metric. `name` is "category.name", or
  // "category.name/label" for a labeled counter. Counters add (saturating); quantities,
  // timespans, strings and booleans replace; an event's value is "" or "key=value,key=value"
  // over its declared extra keys and it is stored with time `now`. InvalidArgument naming the
  // metric when it is unknown, belongs to another ping, or the value does not fit; nothing is
  // changed then.
  Status Record(std::string_view name, std::string_view value, Env::TimePoint now);

  bool empty() const;
  // The ping's "metrics" object: {"counter": {"diagnostics.crash_count": 3}, ...}.
  const nlohmann::json& PingMetrics() const { return metrics_; }
  // The ping's "events" array, oldest first, timestamps in ms relative to the first event.
  nlohmann::json PingEvents() const;

 private:
  nlohmann::json metrics_ = nlohmann::json::object();
  // As stored: "timestamp" is milliseconds since the Unix epoch.
  nlohmann::json events_ = nlohmann::json::array();
};

}  // namespace homeport::agent
