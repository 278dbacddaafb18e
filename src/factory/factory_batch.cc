// Factory batch generation: fresh Ed25519 device keys, profiles and the enrollment file.
#include "factory/factory_batch.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "provisioning/device_profile.h"
#include "provisioning/region_manifest.h"

namespace homeport {

Status ValidateFactoryBatchOptions(const FactoryBatchOptions& o) {
  if (o.count < 1 || o.count > 1000000) {
    return Status::InvalidArgument("--count must be between 1 and 1000000");
  }
  struct Field {
    const char* flag;
    const std::string& value;
  };
  for (const Field& f : {Field{"--model", o.model}, Field{"--sku", o.sku},
                         Field{"--variant", o.variant}, Field{"--batch", o.batch},
                         Field{"client version", o.client_version}}) {
    if (!IsValidIdentifierField(f.value)) {
      return Status::InvalidArgument(std::string(f.flag) + " \"" + f.value +
                                     "\" must be 1-64 of A-Z a-z 0-9 . _ -");
    }
  }
  if (o.batch.size() > 56) return Status::InvalidArgument("--batch is longer than 56 characters");
  if (!IsValidRegionCode(o.region)) {
    return Status::InvalidArgument("--region \"" + o.region +
                                   "\" is not a region code (" + std::string(kRegionCodeMeaning) + ")");
  }
  if (o.out_dir.empty()) return Status::InvalidArgument("--out is required");
  if (o.require_log_proof && o.log_public_jwk.empty()) {
    return Status::InvalidArgument("--require-log-proof needs the region's log key (--log-pub)");
  }
  return Status::Ok();
}

Result<std::vector<DeviceProfile>> MakeFactoryBatch(const FactoryBatchOptions& o,
                                                    const crypto::PublicKey& root, Env* env) {
  HOMEPORT_RETURN_IF_ERROR(ValidateFactoryBatchOptions(o));
  const std::string csv_path = o.out_dir + "/enrollment.csv";
  if (env->FileExists(csv_path)) {
    return Status::AlreadyExists(csv_path + " exists: a batch directory is written once");
  }
  HOMEPORT_RETURN_IF_ERROR(env->CreateDirs(o.out_dir + "/devices"));

  const std::string root_jwk = crypto::ToJwk(root).dump();
  std::vector<DeviceProfile> profiles;
  profiles.reserve(static_cast<size_t>(o.count));
  std::string csv = std::string(kEnrollmentCsvHeader) + "\n";
  const std::string made_on = FormatDate(env->Now());
  for (int i = 1; i <= o.count; ++i) {
    char serial[80];
    std::snprintf(serial, sizeof serial, "%s-%06d", o.batch.c_str(), i);
    crypto::SecretKey key = crypto::SecretKey::Generate();
    DeviceProfile p{serial,
                    o.model,
                    o.sku,
                    o.variant,
                    o.region,
                    o.batch,
                    o.client_version,
                    crypto::ToJwk(key).dump(),
                    root_jwk,
                    made_on,
                    o.log_public_jwk,
                    o.require_log_proof};
    HOMEPORT_RETURN_IF_ERROR(env->WriteFileAtomic(o.out_dir + "/devices/" + p.serial + ".json",
                                                  DeviceProfileToJson(p), 0600));
    csv += EnrollmentCsvRow({p.serial, p.model, p.sku, p.variant, p.region, p.batch, key.Public()});
    csv += "\n";
    profiles.push_back(std::move(p));
  }
  // Written last: a batch directory with enrollment.csv is complete.
  HOMEPORT_RETURN_IF_ERROR(env->WriteFileAtomic(csv_path, csv, 0644));
  return profiles;
}

}  // namespace homeport
