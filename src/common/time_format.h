// Timestamps as homeport writes them: RFC 3339 in UTC with millisecond precision, and
// calendar dates (a warranty starts on a date).
#pragma once

#include <chrono>
#include <string>

#include "homeport/status.h"

namespace homeport {

using TimePoint = std::chrono::system_clock::time_point;

// "2026-11-29T13:24:05.123Z"
std::string FormatRfc3339(TimePoint t);
// "2026-11-29" (UTC)
std::string FormatDate(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.f...](Z|±HH:MM)" (RFC 3339; "t" and "z" may be lower case).
// The fraction keeps milliseconds; anything else, signs or spaces included, is InvalidArgument,
// and so is a year a TimePoint cannot hold (before kFirstYear or after kLastYear).
Result<TimePoint> ParseRfc3339(const std::string& s);
inline constexpr int kFirstYear = 1678;
inline constexpr int kLastYear = 2261;

}  // namespace homeport
