// The entries of a region's transparency log (S7), as the store appends them: one JSON object
// per entry, keys sorted, no whitespace, so the bytes are the same however they are made. An
// entry says what happened, never to whom: no serial, no client id, no device key — only
// batches, counts, digests and commitments that a party holding the data can match.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/time_format.h"
#include "provisioning/device_profile.h"

namespace homeport {

struct DeviceSelection;

// The "type" of each entry.
namespace log_entry {
inline constexpr std::string_view kManifest = "manifest";
inline constexpr std::string_view kEnrollment = "enrollment";
inline constexpr std::string_view kRevocation = "revocation";
inline constexpr std::string_view kReinstatement = "reinstatement";
inline constexpr std::string_view kDeviceReset = "device_reset";
inline constexpr std::string_view kOperatorRead = "operator_read";
inline constexpr std::string_view kErasure = "erasure";
}  // namespace log_entry

// A region manifest the server serves: the SHA-256 of its compact JWS (hex), which a device
// holding the manifest recomputes, with its region, version and signing key id.
std::string ManifestEntry(std::string_view token_sha256, std::string_view region, int64_t version,
                          std::string_view key_id, TimePoint now);

// One batch of an enrollment import: its id, how many records were added, and the SHA-256
// of those records (EnrollmentRecordsDigest), which the maker recomputes from the batch file.
std::string EnrollmentEntry(std::string_view batch, int64_t records, std::string_view digest,
                            TimePoint now);
// SHA-256 (hex) of the records, one line each, sorted by serial:
// serial TAB model TAB sku TAB variant TAB region TAB batch TAB device key (base64url) LF.
std::string EnrollmentRecordsDigest(std::vector<EnrollmentRecord> records);

// A revocation or reinstatement of `devices` devices of `batch`, selected by serial or batch.
// The reason stays in the store: it is free text an operator wrote.
std::string RevocationEntry(bool revoke, const DeviceSelection& which, std::string_view batch,
                            int64_t devices, std::string_view actor, TimePoint now);

// A device of `batch` reset (refurbished, repaired, returned): its warranty period ended.
std::string DeviceResetEntry(std::string_view batch, std::string_view reason,
                             std::string_view actor, TimePoint now);

// An operator read of personal data: who and what kind of read, not whose data.
std::string OperatorReadEntry(std::string_view actor, std::string_view action, TimePoint now);

// A final erasure of a UX client: the agent's commitment to its client id (ErasureCommitment),
// which identifies nobody without the nonce the agent keeps; without a commitment (a Glean
// client that sends none) the entry says only that a client was erased that day.
std::string ErasureEntry(std::string_view commitment, TimePoint now);

}  // namespace homeport
