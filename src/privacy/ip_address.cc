// IP address matching: a cheap shape scan, then inet_pton on the candidate.
#include "privacy/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "privacy/ascii.h"

namespace homeport::privacy {
namespace {

constexpr size_t kMaxIpv6Text = 45;  // INET6_ADDRSTRLEN - 1: "ffff:...:255.255.255.255"

bool Pton(int family, std::string_view s) {
  char buf[kMaxIpv6Text + 1];
  if (s.size() > kMaxIpv6Text) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  unsigned char out[16];
  return inet_pton(family, buf, out) == 1;
}

bool IsZoneChar(char c) { return IsAlnum(c) || c == '_' || c == '-' || c == '.'; }

// The shape rule for compressed addresses described in the header.
bool PlausibleIpv6(std::string_view s) {
  int colons = 0;
  size_t group = 0;
  size_t longest_group = 0;
  for (char c : s) {
    if (c == ':') {
      ++colons;
      group = 0;
    } else if (c == '.') {
      return true;  // embedded IPv4 ("::ffff:192.0.2.1") is unmistakable
    } else {
      longest_group = std::max(longest_group, ++group);
    }
  }
  if (s.find("::") == std::string_view::npos) return colons == 7;
  return longest_group >= 3;
}

}  // namespace

size_t MatchIpv4At(std::string_view text, size_t offset) {
  if (offset > 0) {
    char p = text[offset - 1];
    if (IsAlnum(p) || p == '.') return 0;
  }
  size_t i = offset;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (i >= text.size() || text[i] != '.') return 0;
      ++i;
    }
    size_t start = i;
    while (i < text.size() && IsDigit(text[i]) && i - start < 4) ++i;
    if (i == start || i - start > 3) return 0;
  }
  if (i < text.size()) {
    char n = text[i];
    if (IsAlnum(n)) return 0;
    if (n == '.' && i + 1 < text.size() && IsDigit(text[i + 1])) return 0;  // fifth part
  }
  return Pton(AF_INET, text.substr(offset, i - offset)) ? i - offset : 0;
}

size_t MatchIpv6At(std::string_view text, size_t offset) {
  if (offset > 0) {
    char p = text[offset - 1];
    if (IsAlnum(p) || p == ':' || p == '.' || p == '_') return 0;
  }
  size_t i = offset;
  int colons = 0;
  while (i < text.size() && i - offset <= kMaxIpv6Text &&
         (IsHexDigit(text[i]) || text[i] == ':' || text[i] == '.')) {
    colons += text[i] == ':';
    ++i;
  }
  if (colons < 2 || i - offset > kMaxIpv6Text) return 0;
  std::string_view addr = text.substr(offset, i - offset);
  // A sentence or a "host:port" may end right after the address.
  if (!Pton(AF_INET6, addr) && (addr.back() == '.' || addr.back() == ':')) {
    addr.remove_suffix(1);
    i = offset + addr.size();
  }
  if (!PlausibleIpv6(addr) || !Pton(AF_INET6, addr)) return 0;
  if (i < text.size() && text[i] == '%') {  // zone: names an interface, part of the address
    size_t z = i + 1;
    while (z < text.size() && IsZoneChar(text[z])) ++z;
    while (z > i + 1 && text[z - 1] == '.') --z;
    if (z > i + 1) i = z;
  }
  if (i < text.size() && (IsAlpha(text[i]) || text[i] == '_')) return 0;
  return i - offset;
}

}  // namespace homeport::privacy
