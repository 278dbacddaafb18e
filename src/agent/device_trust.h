// What a device trusts beyond its factory profile, kept in state_dir/trust.json: the root key
// rotations it has applied (so a manifest signed by a retired, possibly compromised key is
// refused) and the highest manifest version it has accepted (so a replayed older manifest
// cannot take it back to endpoints the maker has retired). The file is written atomically and
// only when either changes; a device without one trusts its profile's key, as before rotations
// existed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "homeport/agent.h"
#include "homeport/env.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport::agent {

inline constexpr const char* kTrustFile = "trust.json";

// One applied rotation, with both keys: a statement shipped again in a later update is then
// recognised as applied by its signature, not merely by the key ids it claims.
struct RotationRecord {
  crypto::PublicKey old_root;
  crypto::PublicKey new_root;
  std::string issued_at;   // as the statement says
  std::string applied_at;  // this device's clock when it applied the statement
  bool operator==(const RotationRecord&) const = default;
};

struct TrustRecord {
  // Oldest first; each one's old_root is the previous one's new_root, the first one's the
  // profile's key when it was applied.
  std::vector<RotationRecord> rotations;
  int64_t highest_manifest_version = 0;
  bool operator==(const TrustRecord&) const = default;

  // The key trusted now: the last rotation's new key, or `factory_root` (the profile's key)
  // before any rotation.
  crypto::PublicKey Root(const crypto::PublicKey& factory_root) const;
  // How a refusal names the key `kid`: "root key <kid>", plus, for a key this device rotated
  // away from, when it did.
  std::string DescribeKey(const std::string& kid) const;
};

// trust.json: {"root_kid", "root_public_key" (both only once a rotation is applied),
// "rotations": [{"old_kid", "old_root_public_key", "new_kid", "new_root_public_key",
// "issued_at", "applied_at"}], "highest_manifest_version"}. Parsing checks that the rotations
// form one chain ending at root_public_key: Corruption otherwise.
std::string SerializeTrustRecord(const TrustRecord& trust);
Result<TrustRecord> ParseTrustRecord(std::string_view text);

// state_dir/trust.json; nullopt when there is none. Corruption when the file exists but is not
// a valid record: falling back to the profile's key would undo every rotation and the rollback
// floor it records.
Result<std::optional<TrustRecord>> LoadTrustRecord(Env& env, const std::string& state_dir);
// The record of a device without trust.json: no rotation, and as highest manifest version the
// one activation.json last reported, so a device that ran an agent without rollback protection
// keeps the floor it had reached.
TrustRecord InitialTrustRecord(Env& env, const std::string& state_dir);
// Creates state_dir if needed and replaces trust.json atomically.
Status StoreTrustRecord(Env& env, const std::string& state_dir, const TrustRecord& trust);

// A rotation statement from the firmware and how messages name it: its file, and which
// statement of the file when it holds several.
struct RotationStatement {
  std::string name;
  std::string jws;
};
// The statements of `paths` in order; a file holds one per non-empty line. InvalidArgument for
// a file without any, the Env's error for one that cannot be read.
Result<std::vector<RotationStatement>> ReadRotationStatements(
    Env& env, const std::vector<std::string>& paths);

// Applies `statement`: a statement signed by the key trusted now is appended (applied at `now`);
// one already applied is skipped. Anything else — a bad signature, another typ, a malformed
// payload, a statement signed by a key this device has rotated away from, or one handing trust
// back to such a key — is PermissionDenied naming the statement and the trusted key, and
// `trust` is left as it was.
Status ApplyRotation(TrustRecord& trust, const crypto::PublicKey& factory_root,
                     const RotationStatement& statement, Env::TimePoint now);

// The rollback rule for a manifest that verified against the trusted key: a version below the
// highest accepted is PermissionDenied naming both versions unless the manifest is signed as an
// explicit rollback. A higher version becomes the new highest; an explicit rollback leaves it,
// so the older manifests it replaces stay refused.
Status AcceptManifestVersion(TrustRecord& trust, const RegionManifest& manifest,
                             const std::string& manifest_name);

// The public view of `trust` for a device whose profile carries `factory_root`.
DeviceTrust ToDeviceTrust(const TrustRecord& trust, const crypto::PublicKey& factory_root);

}  // namespace homeport::agent
