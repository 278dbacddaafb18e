// IPv4 and IPv6 addresses in text, validated by the C library's inet_pton.
#pragma once

#include <cstddef>
#include <string_view>

namespace homeport::privacy {

// Length of the dotted-quad IPv4 address starting at `offset`, or 0. Exactly four decimal
// octets, each 0-255 without leading zeros (inet_pton's rule), standing alone: "1.2.3" and
// "10.0.19041.1" (version numbers), "1.2.3.4.5" (an OID) and "v1.2.3.4" are not addresses.
// A bare "1.2.3.4" is: the same text can be a version or an address, and a scrubber should
// rather remove a version number than keep an address. The scanner exempts values under a
// version key ("version": "1.2.3.4").
size_t MatchIpv4At(std::string_view text, size_t offset);

// Length of the IPv6 address starting at `offset` (a hex digit or ':'), zone ("%eth0")
// included, or 0. Besides passing inet_pton it must have all eight groups or, when
// compressed with "::", a group of 3-4 hex digits: that keeps C++ "a::b", times and
// other colon lists out, at the price of tiny literals like "::1" (loopback, which identifies
// nobody anyway).
size_t MatchIpv6At(std::string_view text, size_t offset);

}  // namespace homeport::privacy
