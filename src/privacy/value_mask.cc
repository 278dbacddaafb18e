// Value masking for reports.
#include "privacy/value_mask.h"

#include <algorithm>

namespace homeport::privacy {
namespace {

size_t KeptPrefix(IdentifierKind kind) {
  switch (kind) {
    case IdentifierKind::kImei:
    case IdentifierKind::kImeisv:
    case IdentifierKind::kIccid:
    case IdentifierKind::kPhone:
    case IdentifierKind::kIpv4:
      return 4;
    case IdentifierKind::kImsi:
    case IdentifierKind::kIpv6:
      return 5;
    case IdentifierKind::kMac:
      return 8;
    case IdentifierKind::kEmail:
      return 2;
    case IdentifierKind::kCellId:
      return 0;
  }
  return 0;
}

}  // namespace

std::string MaskValue(IdentifierKind kind, std::string_view value) {
  const size_t keep = std::min(KeptPrefix(kind), value.size() / 3);
  std::string out(value.substr(0, keep));
  out += "\u2026(";
  out += std::to_string(value.size());
  out += ')';
  return out;
}

}  // namespace homeport::privacy
