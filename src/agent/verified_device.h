// What every device-side client starts from: its options checked, its factory profile loaded,
// the rotation statements it was shipped applied and its region manifest verified against the
// root key it trusts (rule D1, rollback protection included), plus the transport it may use only
// after all that held. Shared by the activation client and the UX-program client so both refuse
// alike.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "agent/device_trust.h"
#include "agent/http_retry.h"
#include "crypto/ed25519.h"
#include "homeport/agent.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport::agent {

struct VerifiedDevice {
  DeviceProfile profile;
  RegionManifest manifest;  // verified against the trusted root key, for the device's region
  crypto::SecretKey device_key;
  std::unique_ptr<HttpTransport> owned_transport;  // set when the options gave none
  HttpTransport* transport = nullptr;              // never null in a returned VerifiedDevice
};

// InvalidArgument for unusable options (missing paths, non-positive deadline, backoff or queue
// bounds).
Status ValidateAgentOptions(const AgentOptions& options);

// The profile fields every request carries (serial, model, SKU, variant, client version):
// InvalidArgument naming the malformed one.
Status ValidateProfileFields(const DeviceProfile& profile);

// D1 for a loaded profile: `manifest_text` must verify against the root key the device trusts
// (`trust.Root` of the profile's key) and name the device's region and variant, otherwise
// PermissionDenied naming both regions, and for a manifest signed by another key both key ids.
// `manifest_name` (its path) only names it in the refusal. The rollback rule is not applied.
Result<RegionManifest> VerifyManifestForDevice(const DeviceProfile& profile,
                                               const TrustRecord& trust,
                                               std::string_view manifest_text,
                                               const std::string& manifest_name);
// The same for a device that has applied no rotation: the profile's key.
Result<RegionManifest> VerifyManifestForDevice(const DeviceProfile& profile,
                                               std::string_view manifest_text,
                                               const std::string& manifest_name);

// Checks the options, loads the profile and applies D1: the rotation statements of the options
// are applied to the device's trust record in order, then the manifest must verify against the
// trusted root key, name the device's region and variant, and pass the rollback rule
// (AcceptManifestVersion); otherwise PermissionDenied (Corruption for a damaged trust.json).
// Only when everything holds is a changed trust record stored (the Env's error if it cannot
// be), and no transport is created, let alone used, before that.
Result<VerifiedDevice> OpenVerifiedDevice(const AgentOptions& options);

// The retry policy the options describe.
RetryPolicy RetryPolicyOf(const AgentOptions& options);

}  // namespace homeport::agent
