// Masking identifier values for reports, so a finding can be shown without disclosing it.
#pragma once

#include <string>
#include <string_view>

#include "privacy/identifier_kind.h"

namespace homeport::privacy {

// Keeps a few leading characters that tell a reader what the value is without identifying
// anyone, then "…" and the full length in parentheses: the reporting body and two TAC digits
// of an IMEI ("4901…(15)"), MCC+MNC of an IMSI ("31015…(15)"), "89" and the country of an
// ICCID, the first two (vendor) octets of a MAC, the country code of a phone number. Never
// more than a third of the value; nothing of a cell ID.
std::string MaskValue(IdentifierKind kind, std::string_view value);

}  // namespace homeport::privacy
