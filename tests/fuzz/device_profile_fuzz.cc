// A device profile file (the factory's per-device JSON) and the keys inside it, as the agent
// reads them at start-up.
#include "provisioning/device_profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto profile =
      homeport::ParseDeviceProfile(std::string_view(reinterpret_cast<const char*>(data), size));
  if (profile.ok()) {
    (void)homeport::DeviceKey(*profile);
    (void)homeport::RootKey(*profile);
    (void)homeport::DeviceProfileToJson(*profile);
  }
  return 0;
}
