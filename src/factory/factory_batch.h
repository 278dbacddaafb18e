// A factory batch: N new device identities of one model/SKU/variant/region, written as
// DIR/enrollment.csv (public records, for the region's server) and DIR/devices/<serial>.json
// (one device profile each, secret key included, for flashing onto the device).
#pragma once

#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "homeport/env.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport {

struct FactoryBatchOptions {
  int count = 0;                         // devices to make; 1 to 1,000,000
  std::string model;                     // e.g. "HP7"
  std::string sku;                       // e.g. "HP7-64-BLK"
  std::string variant;                   // firmware variant, e.g. "global"
  std::string region;                    // factory region, e.g. "sg"
  std::string batch;                     // batch id, e.g. "B2026-11"; serials derive from it
  std::string client_version = "1.0.0";  // activation client version flashed with the firmware
  std::string out_dir;
  std::string log_public_jwk;      // the region's log key for the profiles; may be empty
  bool require_log_proof = false;  // needs log_public_jwk
};

Status ValidateFactoryBatchOptions(const FactoryBatchOptions& o);

// Writes the batch. Serials are "<batch>-<six digits>" counting from 000001 (the millionth
// has seven). Profiles carry the root's public key only, so the secret key can stay offline.
// Refuses to write into a directory that already holds an enrollment.csv.
Result<std::vector<DeviceProfile>> MakeFactoryBatch(const FactoryBatchOptions& o,
                                                    const crypto::PublicKey& root, Env* env);

}  // namespace homeport
