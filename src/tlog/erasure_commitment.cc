#include "tlog/erasure_commitment.h"

#include <algorithm>

#include "crypto/ed25519.h"

namespace homeport {

std::string ErasureCommitment(std::string_view nonce, std::string_view client_id) {
  std::string bytes(nonce);
  bytes += client_id;
  return crypto::Sha256Hex(bytes);
}

bool IsErasureCommitment(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace homeport
