// A small factory batch and its region manifests in a temp dir, for the simulator's tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "../common/testing_temp_dir.h"
#include "common/time_format.h"
#include "crypto/ed25519.h"
#include "factory/factory_batch.h"
#include "fleet/fleet_options.h"
#include "homeport/env.h"
#include "provisioning/region_manifest.h"

namespace homeport::fleet_testing {

struct TestBatch {
  testing::TempDir dir;
  crypto::SecretKey root = crypto::SecretKey::Generate();
  std::string batch_dir = dir.File("batch");

  // `count` devices of region sg, variant global, batch "B1".
  explicit TestBatch(int count = 5) {
    FactoryBatchOptions o;
    o.count = count;
    o.model = "HP7";
    o.sku = "HP7-64";
    o.variant = "global";
    o.region = "sg";
    o.batch = "B1";
    o.out_dir = batch_dir;
    auto made = MakeFactoryBatch(o, root.Public(), Env::Default());
    EXPECT_TRUE(made.ok()) << made.status().ToString();
  }

  // Signs a manifest for `region` with `key` (default: the batch's root) and returns its path.
  std::string Manifest(const std::string& region, const std::string& url = "http://127.0.0.1:9",
                       const crypto::SecretKey* key = nullptr) const {
    RegionManifest m;
    m.region = region;
    m.variants = {"global"};
    m.activation_url = url;
    m.uxp_url = url;
    m.version = 1;
    m.issued_at = FormatRfc3339(Env::Default()->Now());
    auto jws = SignManifest(m, key ? *key : root);
    EXPECT_TRUE(jws.ok()) << jws.status().ToString();
    const std::string path = dir.File("manifest-" + region + ".jws");
    EXPECT_TRUE(Env::Default()->WriteFileAtomic(path, *jws + "\n").ok());
    return path;
  }

  fleet::FleetOptions Options(int devices, const std::string& manifest) const {
    fleet::FleetOptions o;
    o.batch_dir = batch_dir;
    o.manifest_path = manifest;
    o.devices = devices;
    return o;
  }
};

}  // namespace homeport::fleet_testing
