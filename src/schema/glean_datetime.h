// Glean's datetime strings: ISO 8601 with a UTC offset, truncated to the metric's time unit.
// glean-core writes "2026-11-29T13:24:05.123+01:00" (millisecond), "...T13:24:05+01:00"
// (second), "2026-11-29T13:24-00:00" (minute), "2026-11-29T13+01:00" (hour) and
// "2026-11-29-00:00" (day); nanosecond and microsecond forms carry up to 9 fraction digits.
#pragma once

#include <string_view>

#include "common/time_format.h"
#include "homeport/status.h"

namespace homeport::schema {

// The instant `s` names (the start of the truncated period). Accepts each form above with
// "Z" or "±HH:MM" as offset and 'T' or ' ' between date and time; InvalidArgument otherwise,
// including impossible dates.
Result<TimePoint> ParseGleanDatetime(std::string_view s);

}  // namespace homeport::schema
