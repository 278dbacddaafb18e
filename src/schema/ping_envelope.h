// The envelope of a Glean ping (internal to the validator): client_info and ping_info.
#pragma once

#include <simdjson.h>

#include <optional>

#include "schema/app_schema.h"
#include "schema/ping_validator.h"

namespace homeport::schema {

// Checks client_info against Glean's format and the ping's include_client_id (`ping` may be
// nullptr when the ping is unknown). Sets r.client_id. Returns the major version of
// client_info.app_display_version, when it starts with a number.
std::optional<int> CheckClientInfo(simdjson::dom::element client_info, const PingDefinition* ping,
                                   ValidationResult& r);
// Checks ping_info against Glean's format; a declared ping's reason must be one it declares.
void CheckPingInfo(simdjson::dom::element ping_info, const PingDefinition* ping,
                   ValidationResult& r);

}  // namespace homeport::schema
