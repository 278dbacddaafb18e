// Signing and verifying region manifests (JWS compact, EdDSA, "typ": "homeport-manifest+jws"),
// and rule D1: a device may use a manifest only if it verifies against the built-in root key
// and names the device's factory region.
#pragma once

#include <string>
#include <string_view>

#include "crypto/ed25519.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport {

// Checks the fields a manifest must have: a region code, at least one variant, http(s) URLs.
Status ValidateManifest(const RegionManifest& m);
bool IsValidRegionCode(std::string_view code);
// What a region code is, for messages that refuse one.
inline constexpr std::string_view kRegionCodeMeaning =
    "a region code is the name a maker gives one region's deployment, 2-16 of a-z, 0-9 and -, "
    "such as \"sg\" or \"eu-west\"";
// A public-key pin as the agent (and curl) take it: "sha256//" and the padded Base64 of the
// 32-byte SHA-256 of the server's SubjectPublicKeyInfo.
bool IsValidTlsPin(std::string_view pin);
// Where devices send activations, given the manifest's base URL.
inline constexpr std::string_view kActivationPath = "/v1/activations";

Result<std::string> SignManifest(const RegionManifest& m, const crypto::SecretKey& root);
// Verifies the signature and the fields; the manifest is returned only if both hold.
Result<RegionManifest> VerifyManifest(std::string_view jws, const crypto::PublicKey& root);

// D1. PermissionDenied naming both regions when the manifest is for another region than the
// device's, or does not list the device's variant.
Status CheckManifestForDevice(const RegionManifest& m, const DeviceProfile& device);

}  // namespace homeport
