// The Glean SDK's own metrics (glean.error.*, glean.validation.*, glean.upload.*, ...): the ones
// an application never declares but every Glean ping may carry. Each is accepted only under the
// name and type glean-core's metrics.yaml gives it, with its declared labels, extra keys and
// units, so a `glean.*` name is no way around S3.
#pragma once

#include <string_view>

#include "schema/app_schema.h"

namespace homeport::schema {

// The SDK's definition of `full_name` ("glean.validation.foreground_count"), or nullptr when
// the Glean SDK sends no metric of that name. The definitions live as long as the program.
// glean.internal.metrics.* are absent on purpose: the SDK moves them into client_info and
// ping_info, never into "metrics".
const MetricDefinition* FindGleanSdkMetric(std::string_view full_name);

// Extra keys the SDK adds to any event by itself ("glean_timestamp", the event's time in
// milliseconds since the epoch, written as a decimal string).
bool IsGleanEventExtra(std::string_view key);

// Extras of the SDK's own events that hold a wall-clock datetime (glean.session_start's
// session_start_time, RFC 3339): checked as Glean datetimes and stored at day resolution.
bool IsGleanWallClockExtra(std::string_view event, std::string_view key);

}  // namespace homeport::schema
