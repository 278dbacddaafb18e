// The kinds of personal identifier the detectors find, and their names in reports and scrubs.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace homeport::privacy {

enum class IdentifierKind {
  kImei,    // 15-digit device identity (3GPP TS 23.003), Luhn check digit
  kImeisv,  // 16-digit IMEI + software version, no check digit
  kImsi,    // SIM subscriber identity: MCC + MNC + MSIN, at most 15 digits
  kIccid,   // SIM card serial: "89" + ..., 19-20 digits, Luhn
  kMac,     // EUI-48 hardware address (Wi-Fi, Bluetooth, Ethernet)
  kPhone,   // a telephone number, as libphonenumber validates it
  kEmail,   // an e-mail address
  kIpv4,
  kIpv6,
  kCellId,  // a cell or location-area identifier (cellid, lac, tac, ...), found by its key
};

inline constexpr std::array<IdentifierKind, 10> kAllIdentifierKinds = {
    IdentifierKind::kImei, IdentifierKind::kImeisv, IdentifierKind::kImsi,  IdentifierKind::kIccid,
    IdentifierKind::kMac,  IdentifierKind::kPhone,  IdentifierKind::kEmail, IdentifierKind::kIpv4,
    IdentifierKind::kIpv6, IdentifierKind::kCellId};

// The placeholder word a scrub writes in brackets: "imei", "phone", ... Both IP versions are
// "ip", because the version itself tells a reader nothing worth keeping.
const char* TagOf(IdentifierKind kind);

// A distinct, stable name per kind for reports, options and JSON: like TagOf, except
// "ipv4"/"ipv6".
const char* NameOf(IdentifierKind kind);

// The kind whose NameOf is `name`, if any (for CLI flags and config files).
std::optional<IdentifierKind> KindFromName(std::string_view name);

}  // namespace homeport::privacy
