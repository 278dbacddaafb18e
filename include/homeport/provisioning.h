// What a device is provisioned with at the factory: its identity (DeviceProfile) and the
// signed RegionManifest that tells it where it may report. Plain value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace homeport {

// What a manifest declares about the device's whole data flow: where its data may go and what
// it may carry. The verifier judges builds and captures against it (docs/verifier.md), and a
// device refuses a manifest whose declaration contradicts its own endpoints (rule D1). Field
// names and meanings are those of an audit policy.
struct DataFlowDeclaration {
  // Every host the firmware may contact, the endpoints' hosts included: "time.example.org"
  // that name only, "*.sg.example.com" every name below sg.example.com, IP literals themselves.
  std::vector<std::string> allow_hosts;
  // ISO 3166-1 alpha-2 codes (upper case) of the countries its data may go to. Empty: not
  // declared (countries are then reported, not judged).
  std::vector<std::string> allow_countries;
  // Identifier kinds ("imei", "email", ... as the detectors name them) it may ever send in the
  // clear. Normally none.
  std::vector<std::string> allow_identifiers;
  // Whether it may send application data unencrypted; an http:// endpoint needs it.
  bool allow_cleartext = false;
};

// The signed statement of the maker: devices of `variants` in `region` report to these URLs.
struct RegionManifest {
  std::string region;                 // region code, e.g. "sg"
  std::vector<std::string> variants;  // firmware variants this region serves, e.g. {"global"}
  std::string activation_url;         // base URL of the region's activation service
  std::string uxp_url;                // base URL of the region's UX-program (Glean) ingestion
  std::vector<std::string> tls_pins;  // optional: "sha256//<base64 SPKI digest>" (curl's form)
  int64_t version = 0;                // increases with every re-issue; a check-in reports it
  std::string issued_at;              // RFC 3339, UTC
  // Absent from manifests signed without a declaration (and from every manifest signed before
  // there was one); such a manifest means what it always meant: the device reaches its two
  // endpoints as written and nothing else, sends no identifier, and no countries are declared.
  std::optional<DataFlowDeclaration> data_flow = std::nullopt;
  // An explicit rollback, signed as "rollback": true (absent otherwise). A device refuses a
  // manifest whose version is below the highest it has accepted unless it says this, so a
  // replayed old manifest cannot take the device back to endpoints the maker has retired.
  bool rollback = false;
};

// One device's factory identity. `device_key_jwk` is the device's secret key: it never
// leaves the device. `root_public_jwk` is the maker root key built into the firmware.
struct DeviceProfile {
  std::string serial;
  std::string model;
  std::string sku;
  std::string variant;
  std::string region;  // the factory region: the only region this device may talk to
  std::string batch;
  std::string client_version;  // version of the activation client in the firmware
  std::string device_key_jwk;
  std::string root_public_jwk;
  // "YYYY-MM-DD" (UTC): the day the factory made the device's batch. No warranty can start
  // before it. Empty in profiles written before the factory recorded it.
  std::string made_on;
  // The public key (JWK) of the region's transparency log, with which the device checks log
  // proofs: of its manifest (require_log_proof) and of its UX-program erasure receipts. Empty
  // when the factory gave none.
  std::string log_public_jwk;
  // Accept a manifest only with an inclusion proof in a checkpoint signed by that key: a
  // manifest the region never published cannot configure the device. Needs log_public_jwk.
  bool require_log_proof = false;
};

}  // namespace homeport
