// Batch and manifest loading for the simulator, with the agent's own D1 check.
#include "fleet/fleet_loader.h"

#include <map>

#include "agent/verified_device.h"
#include "provisioning/device_profile.h"
#include "provisioning/region_manifest.h"

namespace homeport::fleet {

Result<LoadedFleet> LoadFleet(const FleetOptions& options) {
  HOMEPORT_RETURN_IF_ERROR(ValidateFleetOptions(options));
  Env* env = options.env;
  const std::string& dir = options.batch_dir;
  if (!env->FileExists(dir)) {
    return Status::NotFound("--batch " + dir + ": no such directory");
  }
  const std::string csv_path = dir + "/enrollment.csv";
  auto csv_text = env->ReadFile(csv_path);
  if (!csv_text.ok()) {
    return csv_text.status().WithContext(
        "--batch " + dir + " is not a batch written by `homeport factory batch` (reading " +
        csv_path + ")");
  }
  ParsedEnrollmentCsv csv = ParseEnrollmentCsv(*csv_text);
  if (!csv.problems.empty()) {
    const EnrollmentCsvProblem& p = csv.problems.front();
    return Status::InvalidArgument(csv_path + ":" + std::to_string(p.line) + ": " + p.message);
  }
  if (csv.records.size() < static_cast<size_t>(options.devices)) {
    return Status::InvalidArgument("--devices " + std::to_string(options.devices) +
                                   " asks for more devices than the batch in " + dir + " has (" +
                                   std::to_string(csv.records.size()) + ")");
  }
  auto manifest_text = env->ReadFile(options.manifest_path);
  if (!manifest_text.ok()) {
    return manifest_text.status().WithContext("reading the region manifest");
  }

  LoadedFleet fleet;
  fleet.devices.reserve(static_cast<size_t>(options.devices));
  // Root key (as written in the profiles) -> the manifest verified with it.
  std::map<std::string, RegionManifest> verified;
  for (int i = 0; i < options.devices; ++i) {
    const EnrollmentRecord& record = csv.records[static_cast<size_t>(i)];
    const std::string path = dir + "/devices/" + record.serial + ".json";
    auto text = env->ReadFile(path);
    if (!text.ok()) return text.status().WithContext("reading the device profile");
    auto profile = ParseDeviceProfile(*text);
    if (!profile.ok()) return profile.status().WithContext(path);
    if (!options.client_version.empty()) profile->client_version = options.client_version;
    if (Status st = agent::ValidateProfileFields(*profile); !st.ok()) return st.WithContext(path);
    auto key = DeviceKey(*profile);
    if (!key.ok()) return key.status().WithContext(path);
    if (profile->serial != record.serial || profile->region != record.region ||
        key->Public() != record.device_key) {
      return Status::InvalidArgument(path + " does not match its row in " + csv_path +
                                     " (serial, region or device key differ)");
    }

    auto known = verified.find(profile->root_public_jwk);
    if (known == verified.end()) {
      auto manifest =
          agent::VerifyManifestForDevice(*profile, *manifest_text, options.manifest_path);
      if (!manifest.ok()) return manifest.status().WithContext("device " + profile->serial);
      known = verified.emplace(profile->root_public_jwk, std::move(*manifest)).first;
    } else if (Status st = CheckManifestForDevice(known->second, *profile); !st.ok()) {
      // Same root key, same signature: only the region and variant remained to check.
      return st.WithContext("device " + profile->serial);
    }
    if (i == 0) fleet.manifest = known->second;

    FleetDevice device;
    device.device_key = *key;
    device.profile = std::move(*profile);
    device.profile.device_key_jwk.clear();
    device.profile.root_public_jwk.clear();
    fleet.devices.push_back(std::move(device));
  }
  return fleet;
}

}  // namespace homeport::fleet
