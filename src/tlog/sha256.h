// SHA-256 for the tree's hashes and the notes' key ids (libsodium), over parts given in order.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "homeport/status.h"

#include "tlog/merkle.h"

namespace homeport::tlog {

// SHA-256 of the concatenation of `parts`.
Hash Sha256(std::initializer_list<std::string_view> parts);

// The bytes of a hash, for passing one as a part.
inline std::string_view HashBytes(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

// A hash in standard base64, as checkpoints and the log's API write it, and back: Corruption
// unless `text` is the base64 of 32 bytes.
std::string HashToBase64(const Hash& h);
Result<Hash> HashFromBase64(std::string_view text);

}  // namespace homeport::tlog
