// Loading a simulated fleet: the first N devices of a factory batch, each with its profile and
// secret key, and the region manifest they all verified (rule D1) before anything is sent.
#pragma once

#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "fleet/fleet_options.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport::fleet {

struct FleetDevice {
  DeviceProfile profile;  // without its key text: the key is held below, parsed once
  crypto::SecretKey device_key;
};

struct LoadedFleet {
  RegionManifest manifest;  // verified by every device against its root key, for its region
  std::vector<FleetDevice> devices;
};

// Reads options.batch_dir/enrollment.csv and the profiles of its first options.devices rows,
// checks each profile against its enrollment record, and applies D1 per device exactly as the
// agent does (the signature check once per distinct root key). Errors name the file at fault:
// a missing batch directory or enrollment.csv, a batch with fewer devices than asked for, a
// profile that does not match its record; PermissionDenied naming both regions for a
// manifest a device may not use.
Result<LoadedFleet> LoadFleet(const FleetOptions& options);

}  // namespace homeport::fleet
