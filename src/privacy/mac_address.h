// EUI-48 (MAC) addresses: the Wi-Fi, Bluetooth and Ethernet hardware addresses of a device.
#pragma once

#include <cstddef>
#include <string_view>

namespace homeport::privacy {

// Length of the MAC address that starts at `offset` in one of the common notations, or 0:
//   aa:bb:cc:dd:ee:ff   aa-bb-cc-dd-ee-ff   aabb.ccdd.eeff (Cisco)
// Exactly two (four for Cisco) hex digits per group and one separator throughout; the address
// must stand alone (no seventh group, no adjacent letters or digits). The all-zero and
// broadcast addresses identify nobody and are not reported.
size_t MatchMacAt(std::string_view text, size_t offset);

// True for exactly 12 hex digits, the separator-less notation. That shape is also any hash or
// token prefix, so the scanner only asks this next to a MAC key.
bool IsBareMac(std::string_view token);

}  // namespace homeport::privacy
