// Glean's own pings (baseline, metrics, events, health, deletion-request) and the names a
// pings.yaml may therefore not use. Every application accepts these without declaring them.
#pragma once

#include <string_view>
#include <vector>

#include "schema/app_schema.h"

namespace homeport::schema {

// The built-in pings as glean-core's pings.yaml defines them; all include the client id.
const std::vector<PingDefinition>& BuiltinPings();
bool IsBuiltinPing(std::string_view name);
// Names glean_parser reserves for pings ("default", "all-pings" and the built-in pings).
bool IsReservedPingName(std::string_view name);

}  // namespace homeport::schema
