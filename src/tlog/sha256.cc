// SHA-256 through libsodium's incremental interface.
#include "tlog/sha256.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>

#include "crypto/base64.h"

namespace homeport::tlog {

Hash Sha256(std::initializer_list<std::string_view> parts) {
  // sodium_init is idempotent and thread-safe; libsodium asks for it before any other call.
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  for (std::string_view part : parts) {
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                              part.size());
  }
  Hash h;
  crypto_hash_sha256_final(&state, h.data());
  return h;
}

std::string HashToBase64(const Hash& h) { return crypto::Base64Encode(HashBytes(h)); }

Result<Hash> HashFromBase64(std::string_view text) {
  auto bytes = crypto::Base64Decode(text);
  Hash h{};
  if (!bytes.ok() || bytes->size() != h.size()) {
    return Status::Corruption("not the base64 of a 32-byte hash");
  }
  std::copy(bytes->begin(), bytes->end(), h.begin());
  return h;
}

}  // namespace homeport::tlog
