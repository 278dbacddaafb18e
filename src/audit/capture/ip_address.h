// IpAddress: an IPv4 or IPv6 address as it appears on the wire, small and hashable, so flow
// keys and DNS answers hold addresses without allocating. AddressScope names the ranges that
// never leave a site (RFC 1918, CGNAT, loopback, link-local, ULA, multicast).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace homeport::audit::capture {

struct IpAddress {
  uint8_t version = 0;  // 4 or 6; 0 for "none"
  // IPv4 in bytes[0..3], the rest zero; IPv6 in all sixteen.
  std::array<uint8_t, 16> bytes{};

  static IpAddress V4(const uint8_t* four);
  static IpAddress V6(const uint8_t* sixteen);
  // Dotted quad or RFC 5952 text; nullopt when it is neither.
  static std::optional<IpAddress> Parse(std::string_view text);

  // "192.0.2.1", "2001:db8::1" (inet_ntop's canonical form).
  std::string ToString() const;

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.version == b.version && a.bytes == b.bytes;
  }
  friend auto operator<=>(const IpAddress& a, const IpAddress& b) {
    if (a.version != b.version) return a.version <=> b.version;
    return a.bytes <=> b.bytes;
  }
};

// Where an address leads: the public Internet, or a range that never leaves a site.
enum class AddressScope {
  kPublic,
  kPrivate,      // RFC 1918 10/8, 172.16/12, 192.168/16
  kCgnat,        // RFC 6598 100.64/10, the carrier's side of its NAT
  kLoopback,     // 127/8, ::1
  kLinkLocal,    // 169.254/16, fe80::/10
  kUniqueLocal,  // fc00::/7 (ULA)
  kMulticast,    // 224/4, ff00::/8, and the IPv4 broadcast address
  kUnspecified,  // 0.0.0.0/8, ::
};

AddressScope ScopeOf(const IpAddress& address);
// "public", "private (RFC 1918)", "carrier-grade NAT (RFC 6598)", "loopback", ...
const char* DescribeScope(AddressScope scope);

struct IpAddressHash {
  size_t operator()(const IpAddress& a) const {
    uint64_t lo, hi;
    std::memcpy(&lo, a.bytes.data(), 8);
    std::memcpy(&hi, a.bytes.data() + 8, 8);
    return static_cast<size_t>((lo * 0x9E3779B97F4A7C15ull) ^
                               (hi + a.version) * 0xC2B2AE3D27D4EB4Full);
  }
};

}  // namespace homeport::audit::capture
