// Glean's datetime strings: ISO 8601 with a UTC offset, truncated to the metric's time unit.
// glean-core writes "2026-11-29T13:24:05.123+01:00" (millisecond), "...T13:24:05+01:00"
// (second), "2026-11-29T13:24-00:00" (minute), "2026-11-29T13+01:00" (hour) and
// "2026-11-29-00:00" (day); nanosecond and microsecond forms carry up to 9 fraction digits.
#pragma once

#include <string>
#include <string_view>

#include "common/time_format.h"
#include "homeport/status.h"

namespace homeport::schema {

// The instant `s` names (the start of the truncated period). Accepts each form above with
// "Z" or "±HH:MM" as offset and 'T' or ' ' between date and time; InvalidArgument otherwise,
// including impossible dates.
Result<TimePoint> ParseGleanDatetime(std::string_view s);

// `s` at day resolution: its local date at midnight, in the offset it was written with
// ("2026-12-03T14:37:05+01:00" → "2026-12-03T00:00+01:00"). A day-form datetime
// ("2026-12-03+01:00") is returned as it is. InvalidArgument when ParseGleanDatetime would fail.
Result<std::string> GleanDatetimeAtDay(std::string_view s);

}  // namespace homeport::schema
