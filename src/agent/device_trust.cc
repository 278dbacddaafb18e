// trust.json, applying rotation statements, the rollback rule and ReadDeviceTrust.
#include "agent/device_trust.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "agent/activation_protocol.h"
#include "common/time_format.h"
#include "crypto/jws.h"
#include "provisioning/device_profile.h"
#include "provisioning/root_rotation.h"

namespace homeport::agent {
namespace {

using nlohmann::json;

constexpr const char* kActivationStateFile = "activation.json";

Status BadRecord(const std::string& what) { return Status::Corruption("trust record: " + what); }

// A key as the record holds it: a public JWK whose "kid" must be its thumbprint.
Result<crypto::PublicKey> KeyMember(const json& j, const char* name) {
  auto member = j.find(name);
  if (member == j.end()) return BadRecord(std::string("no \"") + name + "\"");
  auto key = crypto::PublicKeyFromJwk(*member);
  if (!key.ok()) return BadRecord(std::string(name) + ": " + key.status().message());
  auto kid = member->find("kid");
  if (kid != member->end() && (!kid->is_string() || *kid != key->Thumbprint())) {
    return BadRecord(std::string(name) + ": its \"kid\" is not its thumbprint");
  }
  return *key;
}

Result<RotationRecord> RotationFromJson(const json& j) {
  if (!j.is_object()) return BadRecord("a rotation is not a JSON object");
  RotationRecord r;
  HOMEPORT_ASSIGN_OR_RETURN(r.old_root, KeyMember(j, "old_root_public_key"));
  HOMEPORT_ASSIGN_OR_RETURN(r.new_root, KeyMember(j, "new_root_public_key"));
  try {
    if (j.at("old_kid").get<std::string>() != r.old_root.Thumbprint() ||
        j.at("new_kid").get<std::string>() != r.new_root.Thumbprint()) {
      return BadRecord("a rotation's key ids are not its keys' thumbprints");
    }
    r.issued_at = j.at("issued_at").get<std::string>();
    r.applied_at = j.at("applied_at").get<std::string>();
  } catch (const json::exception& e) {
    return BadRecord(std::string("a rotation: ") + e.what());
  }
  return r;
}

// The rotations must form one chain: each starts from the key the one before moved to.
Status CheckChain(const TrustRecord& t) {
  for (size_t i = 1; i < t.rotations.size(); ++i) {
    if (t.rotations[i].old_root != t.rotations[i - 1].new_root) {
      return BadRecord("rotation " + std::to_string(i + 1) + " does not start from the key " +
                       "rotation " + std::to_string(i) + " moved to");
    }
  }
  return Status::Ok();
}

// True when `key` is one this device has trusted and rotated away from.
bool WasRetired(const TrustRecord& t, const crypto::PublicKey& key) {
  return std::any_of(t.rotations.begin(), t.rotations.end(),
                     [&](const RotationRecord& r) { return r.old_root == key; });
}

// True when `jws` is a statement this device has applied already (shipped again in a later
// update): it verifies against that rotation's old key and names that rotation's new key.
bool IsApplied(const TrustRecord& t, std::string_view jws) {
  return std::any_of(t.rotations.begin(), t.rotations.end(), [&](const RotationRecord& r) {
    auto rotation = VerifyRootRotation(jws, r.old_root);
    return rotation.ok() && rotation->new_root == r.new_root;
  });
}

std::string ClaimedSigner(std::string_view jws) {
  const std::string kid = crypto::PeekKeyId(jws);
  return kid.empty() ? "names no signing key" : "claims root key " + kid;
}

// The refusal of a statement that neither verifies against the trusted key nor was applied.
Status Refusal(const TrustRecord& t, const crypto::PublicKey& root, const RotationStatement& s,
               const Status& why) {
  const std::string trusted = root.Thumbprint();
  const std::string tail = ": refused, trust unchanged, refusing to send anything";
  for (const RotationRecord& r : t.rotations) {
    if (crypto::VerifyCompact(s.jws, r.old_root).ok()) {
      // The threat rotation answers: a retired (perhaps stolen) key moving devices elsewhere.
      return Status::PermissionDenied("the rotation statement " + s.name + " is signed by " +
                                      t.DescribeKey(r.old_root.Thumbprint()) +
                                      "; only the root key this device trusts, " + trusted +
                                      ", can move its trust" + tail);
    }
  }
  return Status::PermissionDenied("the rotation statement " + s.name + " (which " +
                                  ClaimedSigner(s.jws) +
                                  ") is not a valid statement of the "
                                  "root key this device trusts, " +
                                  trusted + ": " + why.message() + tail);
}

// "a.jws" when the file holds one statement, "a.jws (statement 2 of 3)" otherwise.
std::string StatementName(const std::string& path, size_t n, size_t count) {
  if (count == 1) return path;
  return path + " (statement " + std::to_string(n + 1) + " of " + std::to_string(count) + ")";
}

std::vector<std::string> NonEmptyLines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (!line.empty()) lines.emplace_back(line);
  }
  return lines;
}

// The floor a device reached before it kept trust.json: the manifest version activation.json
// last reported. An unreadable or unparsable file gives none, as it gives no activation.
int64_t VersionFromActivationState(Env& env, const std::string& state_dir) {
  auto text = env.ReadFile(state_dir + "/" + kActivationStateFile);
  if (!text.ok()) return 0;
  auto state = ParseActivationState(*text);
  return state.ok() ? std::max<int64_t>(state->manifest_version, 0) : 0;
}

}  // namespace

crypto::PublicKey TrustRecord::Root(const crypto::PublicKey& factory_root) const {
  return rotations.empty() ? factory_root : rotations.back().new_root;
}

std::string TrustRecord::DescribeKey(const std::string& kid) const {
  for (const RotationRecord& r : rotations) {
    if (r.old_root.Thumbprint() == kid) {
      return "root key " + kid + ", which this device rotated away from on " + r.applied_at +
             " (to " + r.new_root.Thumbprint() + ")";
    }
  }
  return "root key " + kid;
}

std::string SerializeTrustRecord(const TrustRecord& t) {
  json rotations = json::array();
  for (const RotationRecord& r : t.rotations) {
    rotations.push_back({{"old_kid", r.old_root.Thumbprint()},
                         {"old_root_public_key", crypto::ToJwk(r.old_root)},
                         {"new_kid", r.new_root.Thumbprint()},
                         {"new_root_public_key", crypto::ToJwk(r.new_root)},
                         {"issued_at", r.issued_at},
                         {"applied_at", r.applied_at}});
  }
  json j = {{"rotations", std::move(rotations)},
            {"highest_manifest_version", t.highest_manifest_version}};
  // Before any rotation the profile names the trusted key; saying it here too could only
  // disagree with it.
  if (!t.rotations.empty()) {
    j["root_kid"] = t.rotations.back().new_root.Thumbprint();
    j["root_public_key"] = crypto::ToJwk(t.rotations.back().new_root);
  }
  return j.dump(2) + "\n";
}

Result<TrustRecord> ParseTrustRecord(std::string_view text) {
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return BadRecord("not a JSON object");
  TrustRecord t;
  auto rotations = j.find("rotations");
  if (rotations == j.end() || !rotations->is_array()) return BadRecord("no \"rotations\" array");
  for (const json& r : *rotations) {
    HOMEPORT_ASSIGN_OR_RETURN(RotationRecord record, RotationFromJson(r));
    t.rotations.push_back(std::move(record));
  }
  HOMEPORT_RETURN_IF_ERROR(CheckChain(t));
  auto highest = j.find("highest_manifest_version");
  if (highest == j.end() || !highest->is_number_integer() || highest->get<int64_t>() < 0) {
    return BadRecord("\"highest_manifest_version\" is not a whole number of 0 or more");
  }
  t.highest_manifest_version = highest->get<int64_t>();
  if (t.rotations.empty()) {
    if (j.contains("root_public_key") || j.contains("root_kid")) {
      return BadRecord("a root key without a rotation that moved trust to it");
    }
    return t;
  }
  HOMEPORT_ASSIGN_OR_RETURN(crypto::PublicKey root, KeyMember(j, "root_public_key"));
  auto root_kid = j.find("root_kid");
  if (root != t.rotations.back().new_root || root_kid == j.end() ||
      *root_kid != root.Thumbprint()) {
    return BadRecord("root_public_key and root_kid are not the key the last rotation moved to");
  }
  return t;
}

Result<std::optional<TrustRecord>> LoadTrustRecord(Env& env, const std::string& state_dir) {
  const std::string path = state_dir + "/" + kTrustFile;
  auto text = env.ReadFile(path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return std::optional<TrustRecord>();
    return text.status().WithContext("reading " + path);
  }
  auto trust = ParseTrustRecord(*text);
  if (!trust.ok()) {
    return Status::Corruption(path + " is damaged (" + trust.status().message() +
                              "): refusing to send anything rather than fall back to the "
                              "profile's root key, which would undo the rotations and the "
                              "rollback protection it records");
  }
  return std::optional<TrustRecord>(std::move(*trust));
}

TrustRecord InitialTrustRecord(Env& env, const std::string& state_dir) {
  TrustRecord fresh;
  fresh.highest_manifest_version = VersionFromActivationState(env, state_dir);
  return fresh;
}

Status StoreTrustRecord(Env& env, const std::string& state_dir, const TrustRecord& trust) {
  HOMEPORT_RETURN_IF_ERROR(env.CreateDirs(state_dir));
  Status written =
      env.WriteFileAtomic(state_dir + "/" + kTrustFile, SerializeTrustRecord(trust), 0600);
  return written.ok() ? written : written.WithContext("storing the device's trust record");
}

Result<std::vector<RotationStatement>> ReadRotationStatements(
    Env& env, const std::vector<std::string>& paths) {
  std::vector<RotationStatement> statements;
  for (const std::string& path : paths) {
    auto text = env.ReadFile(path);
    if (!text.ok()) return text.status().WithContext("reading the rotation statement " + path);
    const std::vector<std::string> lines = NonEmptyLines(*text);
    if (lines.empty()) return Status::InvalidArgument(path + " holds no rotation statement");
    for (size_t i = 0; i < lines.size(); ++i) {
      statements.push_back({StatementName(path, i, lines.size()), lines[i]});
    }
  }
  return statements;
}

Status ApplyRotation(TrustRecord& trust, const crypto::PublicKey& factory_root,
                     const RotationStatement& statement, Env::TimePoint now) {
  const crypto::PublicKey root = trust.Root(factory_root);
  auto rotation = VerifyRootRotation(statement.jws, root);
  if (!rotation.ok()) {
    if (IsApplied(trust, statement.jws)) return Status::Ok();
    return Refusal(trust, root, statement, rotation.status());
  }
  // A retired key may be the compromised one: no statement hands trust back to it.
  if (WasRetired(trust, rotation->new_root)) {
    return Status::PermissionDenied("the rotation statement " + statement.name +
                                    " hands trust back to " + trust.DescribeKey(rotation->new_kid) +
                                    ": a key once rotated away from is never trusted again; "
                                    "refused, trust unchanged, refusing to send anything");
  }
  trust.rotations.push_back({root, rotation->new_root, rotation->issued_at, FormatRfc3339(now)});
  return Status::Ok();
}

Status AcceptManifestVersion(TrustRecord& trust, const RegionManifest& manifest,
                             const std::string& manifest_name) {
  if (manifest.version < trust.highest_manifest_version) {
    if (manifest.rollback) return Status::Ok();
    return Status::PermissionDenied(
        "the region manifest " + manifest_name + " has version " +
        std::to_string(manifest.version) + ", lower than version " +
        std::to_string(trust.highest_manifest_version) +
        " which this device has already accepted, and is not signed as an explicit rollback "
        "(manifest sign --rollback); refusing to send anything");
  }
  trust.highest_manifest_version = manifest.version;
  return Status::Ok();
}

DeviceTrust ToDeviceTrust(const TrustRecord& trust, const crypto::PublicKey& factory_root) {
  DeviceTrust out;
  const crypto::PublicKey root = trust.Root(factory_root);
  out.root_kid = root.Thumbprint();
  out.root_public_jwk = crypto::ToJwk(root).dump();
  for (const RotationRecord& r : trust.rotations) {
    out.rotations.push_back(
        {r.old_root.Thumbprint(), r.new_root.Thumbprint(), r.issued_at, r.applied_at});
  }
  out.highest_manifest_version = trust.highest_manifest_version;
  return out;
}

}  // namespace homeport::agent

namespace homeport {

Result<DeviceTrust> ReadDeviceTrust(const AgentOptions& options) {
  if (options.env == nullptr) return Status::InvalidArgument("AgentOptions.env must be set");
  if (options.profile_path.empty()) return Status::InvalidArgument("no device profile path given");
  if (options.state_dir.empty()) return Status::InvalidArgument("no state directory given");
  Env& env = *options.env;
  auto profile_text = env.ReadFile(options.profile_path);
  if (!profile_text.ok()) return profile_text.status().WithContext("reading the device profile");
  HOMEPORT_ASSIGN_OR_RETURN(DeviceProfile profile, ParseDeviceProfile(*profile_text));
  HOMEPORT_ASSIGN_OR_RETURN(crypto::PublicKey factory_root, RootKey(profile));
  HOMEPORT_ASSIGN_OR_RETURN(std::optional<agent::TrustRecord> recorded,
                            agent::LoadTrustRecord(env, options.state_dir));
  const agent::TrustRecord trust =
      recorded ? *recorded : agent::InitialTrustRecord(env, options.state_dir);
  return agent::ToDeviceTrust(trust, factory_root);
}

}  // namespace homeport
