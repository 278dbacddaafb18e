// Root key rotation statements: a JWS compact token as an update ships it, and (so the payload
// checks are reached past the signature) the input signed as a payload with the fuzz root key
// and then verified. The first byte chooses: 's' signs the rest, anything else verifies the
// input. A statement that verifies must hand the fuzz root key over to another key.
#include "crypto/jws.h"
#include "fuzz/fuzz_root_key.h"
#include "provisioning/root_rotation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const homeport::crypto::SecretKey root = homeport::fuzzing::FuzzRootKey();
  static const homeport::crypto::PublicKey root_public = root.Public();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string token;
  if (!input.empty() && input[0] == 's') {
    token = homeport::crypto::SignCompact(input.substr(1), root,
                                          {{"typ", std::string(homeport::kRotationType)}});
  } else {
    token = std::string(input);
    (void)homeport::crypto::PeekKeyId(token);
  }
  auto rotation = homeport::VerifyRootRotation(token, root_public);
  if (rotation.ok() &&
      (rotation->new_root == root_public || rotation->old_kid != root_public.Thumbprint() ||
       rotation->new_kid != rotation->new_root.Thumbprint())) {
    abort();  // a verified statement is one hand-over from the signing key to another
  }
  return 0;
}
