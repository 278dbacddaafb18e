// The agent's own Glean schema (app "homeport-agent"), compiled in: every metric and custom ping
// the agent may send. It must match schemas/homeport-agent/metrics.yaml and pings.yaml exactly —
// the server validates pings against those files, and tests/agent/uxp_schema_test.cc compares.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace homeport::agent {

inline constexpr std::string_view kUxpAppId = "homeport-agent";
// The Glean ping that carries what Record() stored, and the one Feedback() sends.
inline constexpr std::string_view kDiagnosticsPing = "diagnostics";
inline constexpr std::string_view kFeedbackPing = "feedback";
inline constexpr std::string_view kDeletionRequestPing = "deletion-request";
inline constexpr std::string_view kFeedbackTextMetric = "feedback.text";
inline constexpr std::string_view kFeedbackRatingMetric = "feedback.rating";

// The metric types the agent's schema uses, spelled as in metrics.yaml; the spelling is also the
// key of the type's map in a ping's "metrics" object.
enum class UxpMetricType {
  kBoolean,
  kCounter,
  kQuantity,
  kString,
  kText,
  kTimespan,
  kLabeledCounter,
  kEvent,
};
std::string_view MetricTypeName(UxpMetricType type);
std::optional<UxpMetricType> ParseUxpMetricType(std::string_view name);

struct UxpEventExtra {
  std::string name;
  UxpMetricType type;  // kQuantity, kBoolean or kString
};

struct UxpMetric {
  std::string category;
  std::string name;
  UxpMetricType type;
  std::vector<std::string> send_in_pings;
  std::string time_unit;                  // timespan: the unit of the value sent
  std::vector<std::string> labels;        // labeled_counter: the only labels accepted
  std::vector<UxpEventExtra> extra_keys;  // event: the only extras accepted

  std::string full_name() const { return category + "." + name; }
};

struct UxpPing {
  std::string name;
  bool include_client_id = true;
  std::vector<std::string> reasons;
};

// In metrics.yaml order.
const std::vector<UxpMetric>& UxpMetrics();
// The custom pings of pings.yaml, in file order (Glean's built-in deletion-request is not one).
const std::vector<UxpPing>& UxpPings();
// The metric called `full_name` ("diagnostics.crash_count"), or nullptr.
const UxpMetric* FindUxpMetric(std::string_view full_name);

}  // namespace homeport::agent
