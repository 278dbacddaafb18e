#include "store/log_append.h"

namespace homeport {

Result<int64_t> AppendLogEntry(LogAppendTarget& target, std::string_view entry) {
  HOMEPORT_ASSIGN_OR_RETURN(int64_t n, target.LockedLogSize());
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<tlog::Hash> hashes,
                            tlog::StoredHashesForAppend(n, entry, target));
  HOMEPORT_RETURN_IF_ERROR(target.WriteLogEntry(n, entry, tlog::StoredHashIndex(0, n), hashes));
  return n;
}

std::string HashToHex(const tlog::Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(hash.size() * 2);
  for (unsigned char b : hash) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xF];
  }
  return out;
}

Result<tlog::Hash> HashFromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  tlog::Hash out{};
  if (hex.size() != out.size() * 2) {
    return Status::Corruption("a stored log hash is not 64 hex digits");
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::Corruption("a stored log hash is not 64 hex digits");
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return out;
}

}  // namespace homeport
