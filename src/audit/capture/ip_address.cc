// Address text through inet_pton/inet_ntop, scopes from the IANA special-purpose registries.
#include "audit/capture/ip_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace homeport::audit::capture {

IpAddress IpAddress::V4(const uint8_t* four) {
  IpAddress a;
  a.version = 4;
  std::memcpy(a.bytes.data(), four, 4);
  return a;
}

IpAddress IpAddress::V6(const uint8_t* sixteen) {
  IpAddress a;
  a.version = 6;
  std::memcpy(a.bytes.data(), sixteen, 16);
  return a;
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  uint8_t raw[16];
  if (inet_pton(AF_INET, buf, raw) == 1) return V4(raw);
  if (inet_pton(AF_INET6, buf, raw) == 1) return V6(raw);
  return std::nullopt;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  if (version == 4) {
    // By hand: glibc's inet_ntop formats IPv4 through sprintf, ten times slower, and every
    // flow without a name (DNS to the resolver, most of all) is named by its address.
    char* p = buf;
    for (int i = 0; i < 4; ++i) {
      if (i > 0) *p++ = '.';
      p = std::to_chars(p, buf + sizeof buf, static_cast<unsigned>(bytes[i])).ptr;
    }
    return std::string(buf, p);
  }
  if (version == 6) {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  } else {
    return "-";
  }
  return buf;
}

AddressScope ScopeOf(const IpAddress& a) {
  const auto& b = a.bytes;
  if (a.version == 4) {
    if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168)) {
      return AddressScope::kPrivate;
    }
    if (b[0] == 100 && (b[1] & 0xC0) == 64) return AddressScope::kCgnat;
    if (b[0] == 127) return AddressScope::kLoopback;
    if (b[0] == 169 && b[1] == 254) return AddressScope::kLinkLocal;
    if ((b[0] & 0xF0) == 224 || (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)) {
      return AddressScope::kMulticast;
    }
    if (b[0] == 0) return AddressScope::kUnspecified;
    return AddressScope::kPublic;
  }
  if (a.version == 6) {
    // An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4 address it maps.
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (std::memcmp(b.data(), kMapped, 12) == 0) return ScopeOf(IpAddress::V4(b.data() + 12));
    bool zero_prefix = true;
    for (int i = 0; i < 15; ++i) zero_prefix = zero_prefix && b[i] == 0;
    if (zero_prefix && b[15] == 1) return AddressScope::kLoopback;
    if (zero_prefix && b[15] == 0) return AddressScope::kUnspecified;
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return AddressScope::kLinkLocal;
    if ((b[0] & 0xFE) == 0xFC) return AddressScope::kUniqueLocal;
    if (b[0] == 0xFF) return AddressScope::kMulticast;
    return AddressScope::kPublic;
  }
  return AddressScope::kUnspecified;
}

const char* DescribeScope(AddressScope scope) {
  switch (scope) {
    case AddressScope::kPublic:
      return "public";
    case AddressScope::kPrivate:
      return "private (RFC 1918)";
    case AddressScope::kCgnat:
      return "carrier-grade NAT (RFC 6598)";
    case AddressScope::kLoopback:
      return "loopback";
    case AddressScope::kLinkLocal:
      return "link-local";
    case AddressScope::kUniqueLocal:
      return "unique local (RFC 4193)";
    case AddressScope::kMulticast:
      return "multicast";
    case AddressScope::kUnspecified:
      return "unspecified";
  }
  return "public";
}

}  // namespace homeport::audit::capture
