// Value parsing per Glean metric type, and the recorded-metrics file.
#include "agent/uxp_recorded_metrics.h"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <optional>

#include "common/text.h"

namespace homeport::agent {
namespace {

using nlohmann::json;

// A non-negative whole number of at most 18 digits (so it fits in int64 without checks).
std::optional<int64_t> ParseWholeNumber(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

Status Bad(std::string_view metric, std::string_view value, std::string_view rule) {
  std::string shown(value.substr(0, 40));
  if (value.size() > 40) shown += "...";
  return Status::InvalidArgument(std::string(metric) + ": \"" + shown + "\" is not " +
                                 std::string(rule));
}

// Milliseconds in the metric's time unit; nullopt for an unknown unit or an overflow.
std::optional<int64_t> FromMilliseconds(int64_t ms, std::string_view unit) {
  static constexpr std::array<std::pair<std::string_view, int64_t>, 3> kFiner = {
      {{"nanosecond", 1'000'000}, {"microsecond", 1'000}, {"millisecond", 1}}};
  static constexpr std::array<std::pair<std::string_view, int64_t>, 4> kCoarser = {
      {{"second", 1'000}, {"minute", 60'000}, {"hour", 3'600'000}, {"day", 86'400'000}}};
  for (const auto& [name, factor] : kFiner) {
    if (name != unit) continue;
    if (ms > std::numeric_limits<int64_t>::max() / factor) return std::nullopt;
    return ms * factor;
  }
  for (const auto& [name, divisor] : kCoarser) {
    if (name == unit) return ms / divisor;
  }
  return std::nullopt;
}

Result<json> ParseEventExtras(const UxpMetric& m, std::string_view value) {
  const std::string name = m.full_name();
  json extra = json::object();
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) return Bad(name, item, "a key=value extra");
    std::string key(item.substr(0, eq));
    std::string_view v = item.substr(eq + 1);
    auto it = std::find_if(m.extra_keys.begin(), m.extra_keys.end(),
                           [&](const UxpEventExtra& e) { return e.name == key; });
    if (it == m.extra_keys.end()) {
      std::string known;
      for (const auto& e : m.extra_keys) known += (known.empty() ? "" : ", ") + e.name;
      return Status::InvalidArgument(name + ": unknown extra key \"" + key +
                                     "\" (declared: " + known + ")");
    }
    if (it->type == UxpMetricType::kQuantity && !ParseWholeNumber(v)) {
      return Bad(name + "." + key, v, "a whole number >= 0");
    }
    if (it->type == UxpMetricType::kBoolean && v != "true" && v != "false") {
      return Bad(name + "." + key, v, "true or false");
    }
    // Glean's limit on an extra's value.
    if (it->type == UxpMetricType::kString && (v.size() > 500 || !IsValidUtf8(v))) {
      return Bad(name + "." + key, v, "UTF-8 text of at most 500 bytes");
    }
    extra[key] = std::string(v);  // Glean sends every extra as a string
  }
  return extra;
}

}  // namespace

Result<json> ParseMetricValue(const UxpMetric& m, std::string_view value) {
  const std::string name = m.full_name();
  switch (m.type) {
    case UxpMetricType::kCounter: {
      auto v = ParseWholeNumber(value);
      if (!v || *v == 0) return Bad(name, value, "a whole number > 0 to add");
      return json(std::min(*v, kMaxCounterValue));
    }
    case UxpMetricType::kQuantity: {
      auto v = ParseWholeNumber(value);
      if (!v) return Bad(name, value, "a whole number >= 0");
      return json(*v);
    }
    case UxpMetricType::kTimespan: {
      auto ms = ParseWholeNumber(value);
      if (!ms) return Bad(name, value, "a whole number of milliseconds");
      auto v = FromMilliseconds(*ms, m.time_unit);
      if (!v) return Bad(name, value, "representable in " + m.time_unit + "s");
      return json{{"time_unit", m.time_unit}, {"value", *v}};
    }
    case UxpMetricType::kBoolean:
      if (value != "true" && value != "false") return Bad(name, value, "true or false");
      return json(value == "true");
    case UxpMetricType::kString:
    case UxpMetricType::kText: {
      size_t limit = m.type == UxpMetricType::kString ? kMaxStringBytes : kMaxTextBytes;
      if (!IsValidUtf8(value)) return Bad(name, value, "valid UTF-8");
      if (value.empty() || value.size() > limit) {
        return Bad(name, value, "between 1 and " + std::to_string(limit) + " bytes long");
      }
      return json(std::string(value));
    }
    case UxpMetricType::kLabeledCounter:
    case UxpMetricType::kEvent:
      break;
  }
  return Status::Internal(name + ": no plain value form for this metric type");
}

Result<RecordedMetrics> RecordedMetrics::Parse(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("metrics") || !j["metrics"].is_object() ||
      !j.contains("events") || !j["events"].is_array()) {
    return Status::Corruption("recorded UX metrics are not the expected JSON object");
  }
  for (const auto& [type, values] : j["metrics"].items()) {
    if (!values.is_object()) return Status::Corruption("recorded UX metrics: bad " + type + " map");
  }
  for (const json& e : j["events"]) {
    if (!e.is_object() || !e.contains("timestamp") || !e["timestamp"].is_number_integer() ||
        !e.contains("category") || !e["category"].is_string() || !e.contains("name") ||
        !e["name"].is_string()) {
      return Status::Corruption("recorded UX metrics: malformed event");
    }
  }
  RecordedMetrics r;
  r.metrics_ = std::move(j["metrics"]);
  r.events_ = std::move(j["events"]);
  return r;
}

std::string RecordedMetrics::Serialize() const {
  return json{{"metrics", metrics_}, {"events", events_}}.dump() + "\n";
}

bool RecordedMetrics::empty() const { return metrics_.empty() && events_.empty(); }

Status RecordedMetrics::Record(std::string_view name, std::string_view value, Env::TimePoint now) {
  std::string_view base = name;
  std::optional<std::string> label;
  if (size_t slash = name.find('/'); slash != std::string_view::npos) {
    base = name.substr(0, slash);
    label = std::string(name.substr(slash + 1));
  }
  const UxpMetric* m = FindUxpMetric(base);
  if (m == nullptr) {
    return Status::InvalidArgument("unknown metric \"" + std::string(base) +
                                   "\": not declared in the homeport-agent schema");
  }
  const std::string full = m->full_name();
  if (std::find(m->send_in_pings.begin(), m->send_in_pings.end(), kDiagnosticsPing) ==
      m->send_in_pings.end()) {
    return Status::InvalidArgument(full + " is not sent in the diagnostics ping" +
                                   (m->category == "feedback" ? " (use feedback instead)" : ""));
  }
  if (label.has_value() != (m->type == UxpMetricType::kLabeledCounter)) {
    return Status::InvalidArgument(label ? full + " takes no label"
                                         : full + " needs a label: " + full + "/LABEL");
  }
  const std::string type_key(MetricTypeName(m->type));

  if (m->type == UxpMetricType::kEvent) {
    if (events_.size() >= kMaxEventsPerPing) {
      return Status::InvalidArgument(full + ": " + std::to_string(kMaxEventsPerPing) +
                                     " events already wait for the next diagnostics ping");
    }
    HOMEPORT_ASSIGN_OR_RETURN(json extra, ParseEventExtras(*m, value));
    json event = {
        {"timestamp",
         std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()},
        {"category", m->category},
        {"name", m->name}};
    if (!extra.empty()) event["extra"] = std::move(extra);
    events_.push_back(std::move(event));
    return Status::Ok();
  }
  if (m->type == UxpMetricType::kLabeledCounter) {
    if (std::find(m->labels.begin(), m->labels.end(), *label) == m->labels.end()) {
      std::string known;
      for (const auto& l : m->labels) known += (known.empty() ? "" : ", ") + l;
      return Status::InvalidArgument(full + ": unknown label \"" + *label +
                                     "\" (declared: " + known + ")");
    }
    UxpMetric counter = *m;
    counter.type = UxpMetricType::kCounter;
    HOMEPORT_ASSIGN_OR_RETURN(json add, ParseMetricValue(counter, value));
    json& slot = metrics_[type_key][full][*label];
    slot = std::min(
        slot.is_number_integer() ? slot.get<int64_t>() + add.get<int64_t>() : add.get<int64_t>(),
        kMaxCounterValue);
    return Status::Ok();
  }
  HOMEPORT_ASSIGN_OR_RETURN(json v, ParseMetricValue(*m, value));
  json& slot = metrics_[type_key][full];
  if (m->type == UxpMetricType::kCounter && slot.is_number_integer()) {
    slot = std::min(slot.get<int64_t>() + v.get<int64_t>(), kMaxCounterValue);
  } else {
    slot = std::move(v);
  }
  return Status::Ok();
}

json RecordedMetrics::PingEvents() const {
  json events = events_;
  std::stable_sort(events.begin(), events.end(), [](const json& a, const json& b) {
    return a["timestamp"].get<int64_t>() < b["timestamp"].get<int64_t>();
  });
  const int64_t first = events.empty() ? 0 : events.front()["timestamp"].get<int64_t>();
  for (json& e : events) e["timestamp"] = e["timestamp"].get<int64_t>() - first;
  return events;
}

}  // namespace homeport::agent
