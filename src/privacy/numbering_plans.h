// Numbering-plan tables the digit detectors check against: ITU-T E.212 mobile country codes
// and the GSMA reporting-body prefixes that begin every IMEI.
#pragma once

#include <string_view>

namespace homeport::privacy {

// True when the first three characters of `digits` are a mobile country code the ITU has
// assigned (ITU-T E.212 list, incl. 901, 902 and 991 for international networks). Test and
// private-use codes (001, 999) are not assigned and so false.
bool StartsWithAssignedMcc(std::string_view digits);

// True when the first two characters of `digits` are a reporting-body identifier under which
// GSMA issues type allocation codes (the first two digits of an IMEI's TAC), e.g. 35 (BABT),
// 86 (TAF, China), 01 (PTCRB, USA), 99 (GHA). 00 (test IMEIs) is not.
bool StartsWithImeiReportingBody(std::string_view digits);

}  // namespace homeport::privacy
