#include "store/log_entries.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "crypto/ed25519.h"
#include "store/store.h"

namespace homeport {
namespace {

using nlohmann::json;

// nlohmann's objects keep their keys sorted, and dump() writes no whitespace. Text that is not
// valid UTF-8 (an actor name is whatever a token or account is called) gets U+FFFD. The time
// is the day only, as every time the store keeps about a device (S4).
std::string Entry(std::string_view type, json fields, TimePoint now) {
  fields["type"] = type;
  fields["day"] = FormatDate(now);
  return fields.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string ManifestEntry(std::string_view token_sha256, std::string_view region, int64_t version,
                          std::string_view key_id, TimePoint now) {
  return Entry(log_entry::kManifest,
               {{"sha256", token_sha256}, {"region", region}, {"version", version},
                {"kid", key_id}},
               now);
}

std::string EnrollmentEntry(std::string_view batch, int64_t records, std::string_view digest,
                            TimePoint now) {
  return Entry(log_entry::kEnrollment,
               {{"batch", batch}, {"records", records}, {"records_sha256", digest}}, now);
}

std::string EnrollmentRecordsDigest(std::vector<EnrollmentRecord> records) {
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.serial < b.serial; });
  std::string lines;
  for (const auto& r : records) {
    lines += r.serial + '\t' + r.model + '\t' + r.sku + '\t' + r.variant + '\t' + r.region + '\t' +
             r.batch + '\t' + r.device_key.ToBase64Url() + '\n';
  }
  return crypto::Sha256Hex(lines);
}

std::string RevocationEntry(bool revoke, const DeviceSelection& which, std::string_view batch,
                            int64_t devices, std::string_view actor, TimePoint now) {
  return Entry(revoke ? log_entry::kRevocation : log_entry::kReinstatement,
               {{"batch", batch},
                {"selected_by", which.batch.empty() ? "serial" : "batch"},
                {"devices", devices},
                {"actor", actor}},
               now);
}

std::string DeviceResetEntry(std::string_view batch, std::string_view reason,
                             std::string_view actor, TimePoint now) {
  return Entry(log_entry::kDeviceReset, {{"batch", batch}, {"reason", reason}, {"actor", actor}},
               now);
}

std::string OperatorReadEntry(std::string_view actor, std::string_view action, TimePoint now) {
  return Entry(log_entry::kOperatorRead, {{"actor", actor}, {"action", action}}, now);
}

std::string ErasureEntry(std::string_view commitment, TimePoint now) {
  json fields = json::object();
  if (!commitment.empty()) fields["commitment"] = commitment;
  return Entry(log_entry::kErasure, std::move(fields), now);
}

}  // namespace homeport
