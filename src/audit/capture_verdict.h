// Judging destinations against an AuditPolicy: where each address is (GeoLookup), then the
// policy's rules — hosts, countries, cleartext, private addresses, identifiers — each broken
// rule a violation on the destination it concerns.
#pragma once

#include <vector>

#include "audit/capture_analysis.h"
#include "audit/geo.h"
#include "audit/policy.h"

namespace homeport::audit {

// Fills every public address's GeoInfo, each destination's violations and each sighting's
// `allowed`, then orders the destinations: those with violations first, then by bytes sent.
// Returns the number of violations.
size_t JudgeDestinations(std::vector<Destination>& destinations, const GeoLookup& geo,
                         const AuditPolicy& policy);

}  // namespace homeport::audit
