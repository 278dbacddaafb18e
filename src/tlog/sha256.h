// SHA-256 for the tree's hashes and the notes' key ids (libsodium), over parts given in order.
#pragma once

#include <initializer_list>
#include <string_view>

#include "tlog/merkle.h"

namespace homeport::tlog {

// SHA-256 of the concatenation of `parts`.
Hash Sha256(std::initializer_list<std::string_view> parts);

// The bytes of a hash, for passing one as a part.
inline std::string_view HashBytes(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

}  // namespace homeport::tlog
