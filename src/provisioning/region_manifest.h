// Signing and verifying region manifests (JWS compact, EdDSA, "typ": "homeport-manifest+jws"),
// and rule D1: a device may use a manifest only if it verifies against the built-in root key,
// names the device's factory region and declares a data flow its own endpoints keep to.
#pragma once

#include <string>
#include <string_view>

#include "crypto/ed25519.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport {

// Checks the fields a manifest must have: a region code, at least one variant, http(s) URLs,
// and a consistent data-flow declaration when it has one (CheckDataFlowDeclaration).
Status ValidateManifest(const RegionManifest& m);

// A data-flow declaration's form and its consistency with the manifest's own endpoints:
//  - hosts are host patterns (common/host_pattern.h), never "*" (a declaration names hosts);
//    countries ISO 3166-1 alpha-2 in upper case; identifier kinds lower-case names (which
//    names exist is the detectors' business: `manifest sign` and the verifier check them);
//    at most kMaxDeclared entries each;
//  - each endpoint's host is among the declared hosts;
//  - an http:// endpoint needs allow_cleartext.
// Countries cannot be checked against the endpoints from the manifest alone: a host name's
// country is wherever its addresses are when it is resolved, which a signed document cannot
// know, and a top-level domain is no location. The capture verifier judges them, with geo
// data. Ok for a manifest without a declaration.
Status CheckDataFlowDeclaration(const RegionManifest& m);
inline constexpr size_t kMaxDeclared = 1000;
bool IsCountryCode(std::string_view code);  // "SG": two upper-case ASCII letters

// What the manifest allows, declared or not: its declaration with the endpoints' hosts added
// where no declared host covers them (a consistent declaration already covers them); for a
// manifest without one, what it always meant: its endpoints' hosts, cleartext only if an
// endpoint is http://, no identifiers, no countries.
DataFlowDeclaration EffectiveDataFlow(const RegionManifest& m);

// The host an endpoint URL ("https://user@Act.Example.com:8443/x") reaches: "act.example.com",
// normalised (common/host_pattern.h). InvalidArgument when it has none a host pattern allows.
Result<std::string> EndpointHost(std::string_view url);
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
