// Daily aggregates: what the operator console and `homeport stats` plot. Each count is
// written in the same transaction as the data it counts, so the figures survive restarts and
// are equal on every server of a region. Only aggregates: no key below names a device or a
// UX client.
//
// Each process counts into rows of its own (a random writer id chosen when the store is
// opened), so servers sharing one database never contend for a counter row; reads add the
// writers up.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace homeport {

// The series and the meaning of their keys (unused keys are empty).
namespace daily {
inline constexpr std::string_view kActivations = "activations";  // batch, model, variant
inline constexpr std::string_view kCheckins = "checkins";        // batch, model, variant
// Net change of the devices of a batch on a version pair that day: +1 on a first activation,
// -1 / +1 on a check-in from one pair to another. Summed up to a day: the rollout that day.
inline constexpr std::string_view kRollout = "rollout";  // batch, manifest_version, client_version
inline constexpr std::string_view kWrongRegion = "wrong_region";    // claimed_region, variant
inline constexpr std::string_view kPings = "pings";                 // app, ping
inline constexpr std::string_view kDeletionRequests = "deletion_requests";  // (none)
inline constexpr std::string_view kScrubbed = "scrubbed";           // identifier kind
inline constexpr std::string_view kSchemaViolations = "schema_violations";  // app, ping, field,
                                                                            // problem
}  // namespace daily

using DailyKey = std::array<std::string, 4>;

// One row of a series, summed over writers.
struct DailyCount {
  std::string day;  // YYYY-MM-DD
  DailyKey key;
  int64_t count = 0;
};

// Increments gathered while a batch is committed, written at its end as one upsert per row.
class DailyTally {
 public:
  void Add(std::string_view series, const std::string& day, DailyKey key, int64_t n);
  bool empty() const { return rows_.empty(); }

  struct Row {
    std::string series, day;
    DailyKey key;
    int64_t count;
  };
  // Rows with a zero sum (a check-in and back in one batch) are left out.
  std::vector<Row> Rows() const;

 private:
  std::map<std::tuple<std::string, std::string, DailyKey>, int64_t> rows_;
};

// What an activation's outcome adds: `device` is the enrolled device's batch, model and
// variant; `before` the versions recorded before a check-in.
struct VersionPair {
  int64_t manifest_version = 0;
  std::string client_version;
};
struct DeviceLabels {
  std::string batch, model, variant;
};
void TallyFirstActivation(DailyTally& tally, const std::string& day, const DeviceLabels& device,
                          const VersionPair& now);
void TallyCheckIn(DailyTally& tally, const std::string& day, const DeviceLabels& device,
                  const VersionPair& before, const VersionPair& now);

// The writer id of this process: 16 random hex digits, fixed for its lifetime.
const std::string& DailyCountsWriterId();

}  // namespace homeport
