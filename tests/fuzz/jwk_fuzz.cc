// JSON Web Keys (RFC 8037 OKP/Ed25519), public and secret, as key files are read, and the
// base64url key form on its own.
#include <nlohmann/json.hpp>

#include "crypto/ed25519.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)homeport::crypto::PublicKey::FromBase64Url(input);
  auto jwk = nlohmann::json::parse(input, nullptr, false);
  if (jwk.is_discarded()) return 0;
  auto pub = homeport::crypto::PublicKeyFromJwk(jwk);
  if (pub.ok()) (void)pub->Thumbprint();
  auto secret = homeport::crypto::SecretKeyFromJwk(jwk);
  if (secret.ok()) (void)secret->Public();
  return 0;
}
