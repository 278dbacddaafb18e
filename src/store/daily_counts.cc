// DailyTally and the increments of an activation; the backends write the rows.
#include "store/daily_counts.h"

#include <sodium.h>

#include <cstdlib>
#include <tuple>

namespace homeport {

void DailyTally::Add(std::string_view series, const std::string& day, DailyKey key, int64_t n) {
  rows_[{std::string(series), day, std::move(key)}] += n;
}

std::vector<DailyTally::Row> DailyTally::Rows() const {
  std::vector<Row> out;
  for (const auto& [k, n] : rows_) {
    if (n != 0) out.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), n});
  }
  return out;
}

void TallyFirstActivation(DailyTally& tally, const std::string& day, const DeviceLabels& device,
                          const VersionPair& now) {
  tally.Add(daily::kActivations, day, {device.batch, device.model, device.variant, ""}, 1);
  tally.Add(daily::kRollout, day,
            {device.batch, std::to_string(now.manifest_version), now.client_version, ""}, 1);
}

void TallyCheckIn(DailyTally& tally, const std::string& day, const DeviceLabels& device,
                  const VersionPair& before, const VersionPair& now) {
  tally.Add(daily::kCheckins, day, {device.batch, device.model, device.variant, ""}, 1);
  tally.Add(daily::kRollout, day,
            {device.batch, std::to_string(before.manifest_version), before.client_version, ""},
            -1);
  tally.Add(daily::kRollout, day,
            {device.batch, std::to_string(now.manifest_version), now.client_version, ""}, 1);
}

const std::string& DailyCountsWriterId() {
  static const std::string id = [] {
    if (sodium_init() < 0) std::abort();
    unsigned char bytes[8];
    randombytes_buf(bytes, sizeof bytes);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char b : bytes) {
      hex += kHex[b >> 4];
      hex += kHex[b & 15];
    }
    return hex;
  }();
  return id;
}

}  // namespace homeport
