// The vocabulary of Glean's metrics.yaml (schema moz://mozilla.org/schemas/glean/metrics/2-0-0):
// metric types, lifetimes, data-sensitivity categories and units, each with its YAML spelling.
// Names parse exactly as Glean spells them; anything else is not a Glean value.
#pragma once

#include <optional>
#include <string_view>

namespace homeport::schema {

// Every type a metrics.yaml may declare. (`jwe` is refused: Glean removed it.)
enum class MetricType {
  kBoolean,
  kCounter,
  kQuantity,
  kString,
  kStringList,
  kText,
  kUuid,
  kUrl,
  kDatetime,
  kTimespan,
  kTimingDistribution,
  kMemoryDistribution,
  kCustomDistribution,
  kRate,
  kEvent,
  kObject,
  kLabeledBoolean,
  kLabeledCounter,
  kLabeledQuantity,
  kLabeledString,
  kLabeledTimingDistribution,
  kLabeledMemoryDistribution,
  kLabeledCustomDistribution,
  kDualLabeledCounter,
};
inline constexpr int kMetricTypeCount = 24;

// "labeled_counter" for kLabeledCounter; also the key of the type's map in a ping's "metrics".
std::string_view MetricTypeName(MetricType t);
std::optional<MetricType> ParseMetricType(std::string_view name);
// labeled_* types (a map label → value in a ping), not dual_labeled_counter.
bool IsLabeled(MetricType t);
// The type of one value of a labeled type: kCounter for kLabeledCounter. Identity otherwise.
MetricType LabeledValueType(MetricType t);

enum class Lifetime { kPing, kApplication, kUser };
std::string_view LifetimeName(Lifetime l);
std::optional<Lifetime> ParseLifetime(std::string_view name);

// Mozilla's data collection categories; `stored_content` is the current name of category 3,
// `web_activity` its former one.
enum class DataSensitivity {
  kTechnical,
  kInteraction,
  kStoredContent,
  kWebActivity,
  kHighlySensitive
};
std::string_view DataSensitivityName(DataSensitivity s);
std::optional<DataSensitivity> ParseDataSensitivity(std::string_view name);

enum class TimeUnit { kNanosecond, kMicrosecond, kMillisecond, kSecond, kMinute, kHour, kDay };
std::string_view TimeUnitName(TimeUnit u);
std::optional<TimeUnit> ParseTimeUnit(std::string_view name);

enum class MemoryUnit { kByte, kKilobyte, kMegabyte, kGigabyte };
std::string_view MemoryUnitName(MemoryUnit u);
std::optional<MemoryUnit> ParseMemoryUnit(std::string_view name);

}  // namespace homeport::schema
