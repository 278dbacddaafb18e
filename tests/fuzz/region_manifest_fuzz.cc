// Region manifests: a JWS compact token as a device downloads it, and (so the payload parser is
// reached past the signature) the input signed as a payload with the fuzz root key and then
// verified. The first byte chooses: 's' signs the rest, anything else verifies the input. A
// verified manifest's data-flow declaration is then read as the verifier reads it.
#include "crypto/jws.h"
#include "fuzz/fuzz_root_key.h"
#include "provisioning/region_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const homeport::crypto::SecretKey root = homeport::fuzzing::FuzzRootKey();
  static const homeport::crypto::PublicKey root_public = root.Public();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string token;
  if (!input.empty() && input[0] == 's') {
    token =
        homeport::crypto::SignCompact(input.substr(1), root, {{"typ", "homeport-manifest+jws"}});
  } else {
    token = std::string(input);
    (void)homeport::crypto::PeekHeader(token);
  }
  auto manifest = homeport::VerifyManifest(token, root_public);
  if (manifest.ok()) {
    homeport::DeviceProfile device;
    device.region = "sg";
    device.variant = "global";
    (void)homeport::CheckManifestForDevice(*manifest, device);
    // What the verifier reads of it: the declaration, or what a manifest without one means.
    const homeport::DataFlowDeclaration flow = homeport::EffectiveDataFlow(*manifest);
    if (manifest->data_flow && flow.allow_hosts.size() < manifest->data_flow->allow_hosts.size()) {
      abort();  // the effective declaration only ever adds the endpoints' hosts
    }
  }
  return 0;
}
