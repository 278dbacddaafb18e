// The compiled-in copy of schemas/homeport-agent/{metrics,pings}.yaml.
#include "agent/uxp_schema.h"

#include <array>
#include <utility>

namespace homeport::agent {
namespace {

constexpr std::array<std::pair<UxpMetricType, std::string_view>, 8> kTypeNames = {{
    {UxpMetricType::kBoolean, "boolean"},
    {UxpMetricType::kCounter, "counter"},
    {UxpMetricType::kQuantity, "quantity"},
    {UxpMetricType::kString, "string"},
    {UxpMetricType::kText, "text"},
    {UxpMetricType::kTimespan, "timespan"},
    {UxpMetricType::kLabeledCounter, "labeled_counter"},
    {UxpMetricType::kEvent, "event"},
}};

UxpMetric Diagnostic(std::string name, UxpMetricType type) {
  return UxpMetric{.category = "diagnostics",
                   .name = std::move(name),
                   .type = type,
                   .send_in_pings = {"diagnostics"},
                   .time_unit = {},
                   .labels = {},
                   .extra_keys = {}};
}

std::vector<UxpMetric> BuildMetrics() {
  std::vector<UxpMetric> m;
  m.push_back(Diagnostic("crash_count", UxpMetricType::kCounter));
  m.push_back(Diagnostic("anr_count", UxpMetricType::kCounter));
  m.push_back(Diagnostic("battery_cycle_count", UxpMetricType::kQuantity));
  m.push_back(Diagnostic("boot_time", UxpMetricType::kTimespan));
  m.back().time_unit = "millisecond";
  m.push_back(Diagnostic("free_storage", UxpMetricType::kQuantity));
  m.push_back(Diagnostic("app_starts", UxpMetricType::kCounter));
  m.push_back(Diagnostic("thermal_throttling", UxpMetricType::kLabeledCounter));
  m.back().labels = {"light", "moderate", "severe", "critical", "emergency", "shutdown"};
  m.push_back(Diagnostic("thermal_shutdown", UxpMetricType::kEvent));
  m.back().extra_keys = {{"battery_temperature", UxpMetricType::kQuantity},
                         {"while_charging", UxpMetricType::kBoolean}};
  m.push_back(UxpMetric{.category = "feedback",
                        .name = "text",
                        .type = UxpMetricType::kText,
                        .send_in_pings = {"feedback"},
                        .time_unit = {},
                        .labels = {},
                        .extra_keys = {}});
  m.push_back(UxpMetric{.category = "feedback",
                        .name = "rating",
                        .type = UxpMetricType::kQuantity,
                        .send_in_pings = {"feedback"},
                        .time_unit = {},
                        .labels = {},
                        .extra_keys = {}});
  return m;
}

}  // namespace

std::string_view MetricTypeName(UxpMetricType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "unknown";
}

std::optional<UxpMetricType> ParseUxpMetricType(std::string_view name) {
  for (const auto& [t, n] : kTypeNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

const std::vector<UxpMetric>& UxpMetrics() {
  static const std::vector<UxpMetric> metrics = BuildMetrics();
  return metrics;
}

const std::vector<UxpPing>& UxpPings() {
  static const std::vector<UxpPing> pings = {
      {.name = "diagnostics", .include_client_id = true, .reasons = {"scheduled", "on_demand"}},
      {.name = "feedback", .include_client_id = true, .reasons = {"user_submitted"}},
  };
  return pings;
}

const UxpMetric* FindUxpMetric(std::string_view full_name) {
  for (const UxpMetric& m : UxpMetrics()) {
    if (m.full_name() == full_name) return &m;
  }
  return nullptr;
}

}  // namespace homeport::agent
