// What a device is provisioned with at the factory: its identity (DeviceProfile) and the
// signed RegionManifest that tells it where it may report. Plain value types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace homeport {

// The signed statement of the maker: devices of `variants` in `region` report to these URLs.
struct RegionManifest {
  std::string region;                 // region code, e.g. "sg"
  std::vector<std::string> variants;  // firmware variants this region serves, e.g. {"global"}
  std::string activation_url;         // base URL of the region's activation service
  std::string uxp_url;                // base URL of the region's UX-program (Glean) ingestion
  std::vector<std::string> tls_pins;  // optional: "sha256//<base64 SPKI digest>" (curl's form)
  int64_t version = 0;                // increases with every re-issue; a check-in reports it
  std::string issued_at;              // RFC 3339, UTC
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
};

}  // namespace homeport
