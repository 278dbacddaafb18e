// Names of identifier kinds.
#include "privacy/identifier_kind.h"

namespace homeport::privacy {

const char* TagOf(IdentifierKind kind) {
  switch (kind) {
    case IdentifierKind::kIpv4:
    case IdentifierKind::kIpv6:
      return "ip";
    default:
      return NameOf(kind);
  }
}

const char* NameOf(IdentifierKind kind) {
  switch (kind) {
    case IdentifierKind::kImei:
      return "imei";
    case IdentifierKind::kImeisv:
      return "imeisv";
    case IdentifierKind::kImsi:
      return "imsi";
    case IdentifierKind::kIccid:
      return "iccid";
    case IdentifierKind::kMac:
      return "mac";
    case IdentifierKind::kPhone:
      return "phone";
    case IdentifierKind::kEmail:
      return "email";
    case IdentifierKind::kIpv4:
      return "ipv4";
    case IdentifierKind::kIpv6:
      return "ipv6";
    case IdentifierKind::kCellId:
      return "cell_id";
  }
  return "unknown";
}

std::optional<IdentifierKind> KindFromName(std::string_view name) {
  for (IdentifierKind k : kAllIdentifierKinds) {
    if (name == NameOf(k)) return k;
  }
  return std::nullopt;
}

}  // namespace homeport::privacy
