// Options checks, profile loading, rotations and the D1 manifest check (rollback rule included)
// shared by Agent and UxProgram.
#include "agent/verified_device.h"

#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "crypto/jws.h"
#include "provisioning/device_profile.h"
#include "provisioning/region_manifest.h"
#include "tlog/inclusion_bundle.h"

namespace homeport::agent {
namespace {

// The region an unverified manifest claims, only to name it in the refusal: nothing else of
// an unverified document is used.
std::string ClaimedRegion(std::string_view jws) {
  size_t a = jws.find('.');
  size_t b = a == std::string_view::npos ? a : jws.find('.', a + 1);
  if (b == std::string_view::npos) return "an unreadable region";
  auto payload = crypto::Base64UrlDecode(jws.substr(a + 1, b - a - 1));
  if (!payload.ok()) return "an unreadable region";
  auto j = nlohmann::json::parse(*payload, nullptr, false);
  if (!j.is_object() || !j.contains("region") || !j["region"].is_string()) {
    return "no region";
  }
  return "region \"" + j["region"].get<std::string>() + "\"";
}

// For a manifest that did not verify: which key it claims and which one the device trusts,
// when they differ (a manifest of a retired key after a rotation, or of another maker).
std::string SignerMismatch(const TrustRecord& trust, const crypto::PublicKey& root,
                           std::string_view manifest_text) {
  const std::string kid = crypto::PeekKeyId(manifest_text);
  const std::string trusted = root.Thumbprint();
  if (kid == trusted) return "";
  if (kid.empty()) return "; it names no signing key, and this device trusts root key " + trusted;
  return "; it names as its signer " + trust.DescribeKey(kid) +
         ", and this device trusts root key " + trusted;
}

Result<std::string> ReadInput(Env* env, const std::string& path, const char* what) {
  auto text = env->ReadFile(path);
  if (!text.ok()) return text.status().WithContext(std::string("reading the ") + what);
  return text;
}

// The manifest's inclusion proof in the region's log (AgentOptions::require_log_proof): the
// checkpoint signed by the profile's log key, and the proven entry the manifest's own.
Status CheckManifestLogProof(Env& env, const AgentOptions& options, const DeviceProfile& profile,
                             std::string_view manifest_text) {
  const std::string path =
      options.log_proof_path.empty() ? options.manifest_path + ".proof" : options.log_proof_path;
  auto refused = [&](const std::string& why) {
    return Status::PermissionDenied("the region manifest " + options.manifest_path +
                                    " is not proven to be in region \"" + profile.region +
                                    "\"'s transparency log: " + why +
                                    "; refusing to send anything");
  };
  auto log_key = LogKey(profile);
  if (!log_key.ok()) return refused(log_key.status().message());
  auto text = env.ReadFile(path);
  if (!text.ok()) {
    return refused(text.status().IsNotFound()
                       ? "no inclusion proof " + path + " (homeport log prove writes it)"
                       : "reading " + path + ": " + text.status().message());
  }
  auto bundle = tlog::ParseInclusionBundle(*text);
  if (!bundle.ok()) return refused(path + ": " + bundle.status().message());
  auto checkpoint = tlog::VerifyInclusionBundle(*bundle, *log_key);
  if (!checkpoint.ok()) return refused(checkpoint.status().message());
  // The entry the proof is for must be this manifest: the digest of its compact JWS.
  std::string token(manifest_text);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (!tlog::IsManifestEntry(bundle->entry, crypto::Sha256Hex(token))) {
    return refused("the proof in " + path + " is of another log entry");
  }
  return Status::Ok();
}

}  // namespace

// Every field goes into the signed activation body and client_version into headers, so a
// malformed profile must stop here rather than produce a request the server rejects.
Status ValidateProfileFields(const DeviceProfile& p) {
  const std::pair<const char*, const std::string*> fields[] = {
      {"serial", &p.serial}, {"model", &p.model}, {"sku", &p.sku}, {"variant", &p.variant}};
  for (const auto& [name, value] : fields) {
    if (!IsValidIdentifierField(*value)) {
      return Status::InvalidArgument(std::string("device profile: bad ") + name + " \"" + *value +
                                     "\"");
    }
  }
  bool printable = !p.client_version.empty() && p.client_version.size() <= 64;
  for (char c : p.client_version) printable = printable && c > ' ' && c <= '~';
  if (!printable) {
    return Status::InvalidArgument("device profile: bad client_version \"" + p.client_version +
                                   "\"");
  }
  return Status::Ok();
}

Status ValidateAgentOptions(const AgentOptions& o) {
  using std::chrono::milliseconds;
  if (o.env == nullptr) return Status::InvalidArgument("AgentOptions.env must be set");
  if (o.profile_path.empty()) return Status::InvalidArgument("no device profile path given");
  if (o.manifest_path.empty()) return Status::InvalidArgument("no region manifest path given");
  if (o.state_dir.empty()) return Status::InvalidArgument("no state directory given");
  if (o.deadline <= milliseconds::zero()) {
    return Status::InvalidArgument("the deadline must be positive");
  }
  if (o.initial_backoff <= milliseconds::zero() || o.max_backoff < o.initial_backoff) {
    return Status::InvalidArgument("backoff must satisfy 0 < initial backoff <= max backoff");
  }
  if (o.request_timeout <= milliseconds::zero()) {
    return Status::InvalidArgument("the request timeout must be positive");
  }
  if (o.max_pending_pings < 1 || o.max_pending_bytes < 1) {
    return Status::InvalidArgument("the pending-ping queue bounds must be positive");
  }
  return Status::Ok();
}

Result<RegionManifest> VerifyManifestForDevice(const DeviceProfile& profile,
                                               const TrustRecord& trust,
                                               std::string_view manifest_text,
                                               const std::string& manifest_name) {
  HOMEPORT_ASSIGN_OR_RETURN(crypto::PublicKey factory_root, RootKey(profile));
  const crypto::PublicKey root = trust.Root(factory_root);
  // D1: nothing is sent under a manifest that does not verify or is for another region.
  auto manifest = VerifyManifest(manifest_text, root);
  if (!manifest.ok()) {
    return Status::PermissionDenied(
        "the region manifest " + manifest_name + " (claiming " + ClaimedRegion(manifest_text) +
        ") is not usable by this device of region \"" + profile.region +
        "\": " + manifest.status().message() + SignerMismatch(trust, root, manifest_text) +
        "; refusing to send anything");
  }
  HOMEPORT_RETURN_IF_ERROR(CheckManifestForDevice(*manifest, profile));
  return manifest;
}

Result<RegionManifest> VerifyManifestForDevice(const DeviceProfile& profile,
                                               std::string_view manifest_text,
                                               const std::string& manifest_name) {
  return VerifyManifestForDevice(profile, TrustRecord{}, manifest_text, manifest_name);
}

Result<VerifiedDevice> OpenVerifiedDevice(const AgentOptions& options) {
  HOMEPORT_RETURN_IF_ERROR(ValidateAgentOptions(options));
  Env* env = options.env;
  VerifiedDevice device;
  HOMEPORT_ASSIGN_OR_RETURN(std::string profile_text,
                            ReadInput(env, options.profile_path, "device profile"));
  HOMEPORT_ASSIGN_OR_RETURN(device.profile, ParseDeviceProfile(profile_text));
  HOMEPORT_RETURN_IF_ERROR(ValidateProfileFields(device.profile));
  HOMEPORT_ASSIGN_OR_RETURN(device.device_key, DeviceKey(device.profile));
  HOMEPORT_ASSIGN_OR_RETURN(crypto::PublicKey factory_root, RootKey(device.profile));
  HOMEPORT_ASSIGN_OR_RETURN(std::string manifest_text,
                            ReadInput(env, options.manifest_path, "region manifest"));
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<RotationStatement> statements,
                            ReadRotationStatements(*env, options.rotation_paths));

  HOMEPORT_ASSIGN_OR_RETURN(std::optional<TrustRecord> recorded,
                            LoadTrustRecord(*env, options.state_dir));
  TrustRecord trust = recorded ? *recorded : InitialTrustRecord(*env, options.state_dir);
  // Everything is decided on this copy; the disk changes only once all of it holds.
  const TrustRecord before = trust;
  for (const RotationStatement& statement : statements) {
    HOMEPORT_RETURN_IF_ERROR(ApplyRotation(trust, factory_root, statement, env->Now()));
  }
  HOMEPORT_ASSIGN_OR_RETURN(
      device.manifest,
      VerifyManifestForDevice(device.profile, trust, manifest_text, options.manifest_path));
  HOMEPORT_RETURN_IF_ERROR(AcceptManifestVersion(trust, device.manifest, options.manifest_path));
  if (options.require_log_proof || device.profile.require_log_proof) {
    HOMEPORT_RETURN_IF_ERROR(
        CheckManifestLogProof(*env, options, device.profile, manifest_text));
  }
  if (!recorded || trust != before) {
    HOMEPORT_RETURN_IF_ERROR(StoreTrustRecord(*env, options.state_dir, trust));
  }

  device.transport = options.transport;
  if (device.transport == nullptr) {
    device.owned_transport = NewCurlTransport({.ca_file = options.ca_file,
                                               .tls_pins = device.manifest.tls_pins,
                                               .connect_timeout = options.request_timeout,
                                               .request_timeout = options.request_timeout});
    device.transport = device.owned_transport.get();
  }
  return device;
}

RetryPolicy RetryPolicyOf(const AgentOptions& options) {
  return RetryPolicy{options.deadline, options.initial_backoff, options.max_backoff};
}

}  // namespace homeport::agent
