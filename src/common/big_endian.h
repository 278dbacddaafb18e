// Network byte order (big-endian) reads for the wire-format parsers. The caller has checked
// that the bytes are there; these only assemble them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace homeport {

inline uint16_t LoadBe16(std::string_view s, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(s[at]) << 8) | static_cast<uint8_t>(s[at + 1]));
}

inline uint32_t LoadBe32(std::string_view s, size_t at) {
  return (uint32_t{LoadBe16(s, at)} << 16) | LoadBe16(s, at + 2);
}

}  // namespace homeport
