// The Luhn (mod 10) check digit used by IMEIs and ICCIDs (ISO/IEC 7812-1).
#pragma once

#include <string_view>

namespace homeport::privacy {

// True when `digits` (ASCII '0'-'9' only, at least two) passes the Luhn check, i.e. its last
// digit is the check digit of the others. Any other character makes it false.
bool PassesLuhn(std::string_view digits);

// The check digit ('0'-'9') that, appended to `payload`, passes the Luhn check; '?' when
// `payload` holds anything but ASCII digits.
char LuhnCheckDigit(std::string_view payload);

}  // namespace homeport::privacy
