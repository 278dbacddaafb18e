// Spellings of the metrics.yaml enums, in the order of their C++ enums.
#include "schema/metric_type.h"

#include <array>

namespace homeport::schema {
namespace {

constexpr std::array<std::string_view, kMetricTypeCount> kMetricTypeNames = {
    "boolean",
    "counter",
    "quantity",
    "string",
    "string_list",
    "text",
    "uuid",
    "url",
    "datetime",
    "timespan",
    "timing_distribution",
    "memory_distribution",
    "custom_distribution",
    "rate",
    "event",
    "object",
    "labeled_boolean",
    "labeled_counter",
    "labeled_quantity",
    "labeled_string",
    "labeled_timing_distribution",
    "labeled_memory_distribution",
    "labeled_custom_distribution",
    "dual_labeled_counter",
};
constexpr std::array<std::string_view, 3> kLifetimeNames = {"ping", "application", "user"};
constexpr std::array<std::string_view, 5> kSensitivityNames = {
    "technical", "interaction", "stored_content", "web_activity", "highly_sensitive"};
constexpr std::array<std::string_view, 7> kTimeUnitNames = {
    "nanosecond", "microsecond", "millisecond", "second", "minute", "hour", "day"};
constexpr std::array<std::string_view, 4> kMemoryUnitNames = {"byte", "kilobyte", "megabyte",
                                                              "gigabyte"};

template <typename Enum, size_t N>
std::optional<Enum> Parse(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view MetricTypeName(MetricType t) { return kMetricTypeNames[static_cast<int>(t)]; }
std::optional<MetricType> ParseMetricType(std::string_view name) {
  return Parse<MetricType>(kMetricTypeNames, name);
}

bool IsLabeled(MetricType t) {
  switch (t) {
    case MetricType::kLabeledBoolean:
    case MetricType::kLabeledCounter:
    case MetricType::kLabeledQuantity:
    case MetricType::kLabeledString:
    case MetricType::kLabeledTimingDistribution:
    case MetricType::kLabeledMemoryDistribution:
    case MetricType::kLabeledCustomDistribution:
      return true;
    default:
      return false;
  }
}

MetricType LabeledValueType(MetricType t) {
  switch (t) {
    case MetricType::kLabeledBoolean:
      return MetricType::kBoolean;
    case MetricType::kLabeledCounter:
      return MetricType::kCounter;
    case MetricType::kLabeledQuantity:
      return MetricType::kQuantity;
    case MetricType::kLabeledString:
      return MetricType::kString;
    case MetricType::kLabeledTimingDistribution:
      return MetricType::kTimingDistribution;
    case MetricType::kLabeledMemoryDistribution:
      return MetricType::kMemoryDistribution;
    case MetricType::kLabeledCustomDistribution:
      return MetricType::kCustomDistribution;
    default:
      return t;
  }
}

std::string_view LifetimeName(Lifetime l) { return kLifetimeNames[static_cast<int>(l)]; }
std::optional<Lifetime> ParseLifetime(std::string_view name) {
  return Parse<Lifetime>(kLifetimeNames, name);
}

std::string_view DataSensitivityName(DataSensitivity s) {
  return kSensitivityNames[static_cast<int>(s)];
}
std::optional<DataSensitivity> ParseDataSensitivity(std::string_view name) {
  return Parse<DataSensitivity>(kSensitivityNames, name);
}

std::string_view TimeUnitName(TimeUnit u) { return kTimeUnitNames[static_cast<int>(u)]; }
std::optional<TimeUnit> ParseTimeUnit(std::string_view name) {
  return Parse<TimeUnit>(kTimeUnitNames, name);
}

std::string_view MemoryUnitName(MemoryUnit u) { return kMemoryUnitNames[static_cast<int>(u)]; }
std::optional<MemoryUnit> ParseMemoryUnit(std::string_view name) {
  return Parse<MemoryUnit>(kMemoryUnitNames, name);
}

}  // namespace homeport::schema
