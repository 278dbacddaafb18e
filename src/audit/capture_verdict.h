// Judging destinations against an AuditPolicy: where each address is (GeoLookup), then the
// policy's rules — hosts, countries, cleartext, private addresses, identifiers, uninspected
// data — each broken rule one Violation on the destination it concerns.
#pragma once

#include <string>
#include <vector>

#include "audit/capture/destination.h"
#include "audit/geo.h"
#include "audit/policy.h"

namespace homeport::audit {

// Fills every public address's GeoInfo. Without a policy (an inventory) that is all; with one,
// also the destination's violations and each sighting's `allowed`.
void JudgeDestination(Destination& d, const GeoLookup& geo, const AuditPolicy* policy);

// The same violation said of a group of destinations, without the one destination's name or
// address in it: how violations of destinations folded into an aggregate row are merged.
std::string GroupWording(const Violation& v);

// Violations first, then by bytes sent, then by name.
void OrderDestinations(std::vector<Destination>& destinations);

}  // namespace homeport::audit
