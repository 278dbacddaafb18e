// The all-digit identifiers: IMEI, IMEISV, IMSI, ICCID and cell IDs, told apart by length,
// check digit, numbering-plan prefix and the key next to them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "privacy/context_key.h"
#include "privacy/identifier_kind.h"

namespace homeport::privacy {

// Classifies one standalone number: ASCII digits only, not glued to letters and not part of
// a decimal or dotted number (the scanner checks that). `key` is what the nearest key says.
//
// The rules, and why:
//  - ICCID: 19-20 digits starting "89" (the telecom industry identifier of ISO/IEC 7812)
//    passing Luhn over all digits. Structure alone is enough: a random 19-digit number is
//    1 in 1000 an ICCID.
//  - IMEI: 15 digits passing Luhn AND either an IMEI key (imei, deviceid, meid, ...) or a
//    GSMA reporting-body prefix (35, 86, 01, 99, ... see numbering_plans.h). Luhn alone
//    passes one random 15-digit number in ten; the prefix cuts that to about one in 60 and
//    covers nearly every real handset, so bare IMEIs in free text and captures are found
//    while most order numbers, nanosecond timestamps and the like are not.
//  - IMEISV: 16 digits (no check digit exists) with an IMEI key or a reporting-body prefix.
//    Payment card numbers with the same prefixes are reported as IMEISVs; for a scrubber
//    and an auditor that is the right direction to err in.
//  - IMSI: only beside an IMSI key (imsi, subscriberid, supi, ...), 10-15 digits, starting
//    with an ITU-assigned MCC. Never without the key: an IMSI has no check digit, and about
//    a quarter of all 3-digit prefixes are assigned MCCs, so structure alone would flag
//    every fourth long number. An IMSI key beats an IMEI reading of the same digits.
//  - Cell ID: any number of 1-20 digits beside a cell key (cellid, lac, ci, tac, mcc, ...),
//    unless one of the rules above claims it.
std::optional<IdentifierKind> ClassifyDigits(std::string_view digits, KeyClass key);

// An IMEI or IMEISV printed in groups, as on boxes, labels and settings screens:
// "35 209900 176148 1", "35-209900-176148-1" (RBI-TAC-SNR-CD) or "35209900-176148-1"
// (TAC-SNR-CD); an IMEISV ends in two digits instead of one.
struct GroupedDigits {
  size_t length = 0;   // of the whole printed form in the text
  std::string digits;  // the 15 or 16 digits without separators
};

// The grouped form starting at `offset`, standing alone; nullopt if there is none. The
// digits still have to pass ClassifyDigits.
std::optional<GroupedDigits> MatchGroupedImei(std::string_view text, size_t offset);

}  // namespace homeport::privacy
