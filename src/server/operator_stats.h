// Operator statistics: the figures of the console's panels, as JSON, from the store's daily
// aggregates and a few reads. One function per panel, shared by GET /v1/admin/stats/… and
// `homeport stats --json`, so both always show the same numbers. docs/console.md documents
// every field.
//
// Aggregates only: a count over UX-program data that is above 0 and below min_count is the
// string "< N" instead of its number, and nothing here joins UX-program data to activations
// (S4): they are separate panels.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "homeport/status.h"
#include "store/store.h"

namespace homeport {

struct StatsOptions {
  std::string today;  // YYYY-MM-DD, UTC: the last day of every series
  int days = 30;      // days in the series, 1..366
  // A UX-program count above 0 and below this is shown as "< min_count". 1..1000.
  int64_t min_count = 5;
  // Rollout: the manifest version a fixed device runs (default: the highest any device
  // reports), and the share of a batch's devices on it below which the batch is listed.
  std::optional<int64_t> target_manifest_version;
  double below = 0.9;
  int access_log_entries = 50;  // operator reads: the newest entries shown, 1..1000
};

enum class StatsPanel { kActivations, kRollout, kRegionAlarm, kUxp, kStorage, kOperatorReads };
inline constexpr StatsPanel kAllStatsPanels[] = {
    StatsPanel::kActivations, StatsPanel::kRollout, StatsPanel::kRegionAlarm,
    StatsPanel::kUxp,         StatsPanel::kStorage, StatsPanel::kOperatorReads};

// The panel's name in URLs and on the command line ("region-alarm"), and its key in the
// combined object ("region_alarm").
std::string_view StatsPanelName(StatsPanel panel);
std::string StatsPanelKey(StatsPanel panel);
std::optional<StatsPanel> StatsPanelFromName(std::string_view name);

// InvalidArgument naming the first option out of range.
Status ValidateStatsOptions(const StatsOptions& options);

// Applies a URL query ("days=7&below=0.5"): days, min_count, below, manifest_version, limit.
// InvalidArgument for an unknown parameter or a value out of range.
Status ApplyStatsQuery(std::string_view query, StatsOptions& options);

Result<nlohmann::json> StatsJson(Store& store, StatsPanel panel,
                                 const StatsOptions& options);
// Every panel, each under its StatsPanelKey.
Result<nlohmann::json> AllStatsJson(Store& store, const StatsOptions& options);

}  // namespace homeport
