// MAC address matching.
#include "privacy/mac_address.h"

#include "privacy/ascii.h"

namespace homeport::privacy {
namespace {

// True when the 12 hex digits of the address are all '0' or all 'f'.
bool IsNonIdentifying(std::string_view text, size_t begin, size_t end) {
  bool all_zero = true;
  bool all_f = true;
  for (size_t i = begin; i < end; ++i) {
    char c = text[i];
    if (!IsHexDigit(c)) continue;
    all_zero = all_zero && c == '0';
    all_f = all_f && (c == 'f' || c == 'F');
  }
  return all_zero || all_f;
}

// Matches `groups` groups of `width` hex digits separated by `sep`, starting at `offset`.
size_t MatchGroups(std::string_view text, size_t offset, int groups, size_t width, char sep) {
  size_t i = offset;
  for (int g = 0; g < groups; ++g) {
    if (g > 0) {
      if (i >= text.size() || text[i] != sep) return 0;
      ++i;
    }
    for (size_t k = 0; k < width; ++k, ++i) {
      if (i >= text.size() || !IsHexDigit(text[i])) return 0;
    }
  }
  // Standing alone on the right: no more hex digits, letters or "<sep><hex>" groups.
  if (i < text.size()) {
    if (IsAlnum(text[i])) return 0;
    if (text[i] == sep && i + 1 < text.size() && IsHexDigit(text[i + 1])) return 0;
  }
  return i - offset;
}

// True when a group of the same shape ends just left of `offset` ("00:" before "aa:bb:..."):
// then the match is the tail of a longer colon list, not a MAC. "mac:aa:bb:..." is fine.
bool PrecededByGroup(std::string_view text, size_t offset, size_t width, char sep) {
  if (offset < width + 1 || text[offset - 1] != sep) return false;
  const size_t begin = offset - 1 - width;
  for (size_t i = begin; i < offset - 1; ++i) {
    if (!IsHexDigit(text[i])) return false;
  }
  return begin == 0 || !IsAlnum(text[begin - 1]);
}

}  // namespace

size_t MatchMacAt(std::string_view text, size_t offset) {
  if (offset + 14 > text.size()) return 0;  // the shortest notation has 14 characters
  if (offset > 0 && IsAlnum(text[offset - 1])) return 0;
  size_t len = 0;
  size_t width = 2;
  char sep = text[offset + 2];
  if (sep == ':' || sep == '-') {
    len = MatchGroups(text, offset, 6, width, sep);
  } else if (text[offset + 4] == '.') {
    sep = '.';
    width = 4;
    len = MatchGroups(text, offset, 3, width, sep);
  }
  if (len == 0 || PrecededByGroup(text, offset, width, sep)) return 0;
  if (IsNonIdentifying(text, offset, offset + len)) return 0;
  return len;
}

bool IsBareMac(std::string_view token) {
  if (token.size() != 12) return false;
  for (char c : token) {
    if (!IsHexDigit(c)) return false;
  }
  return !IsNonIdentifying(token, 0, token.size());
}

}  // namespace homeport::privacy
