// SimulateFleet: many simulated devices against a region's server, in one process on one event
// loop (one Asio io_context on the calling thread): each device activates once and, when its
// user takes part in the UX program, sends its days of Glean pings. At most
// FleetOptions::concurrency requests are in flight, over as many keep-alive connections.
#pragma once

#include <chrono>
#include <functional>

#include "fleet/fleet_options.h"
#include "fleet/fleet_report.h"
#include "homeport/status.h"

namespace homeport::fleet {

struct FleetProgress {
  std::chrono::milliseconds interval{1000};
  // Called every `interval` with the report so far, on the loop's thread. May be empty.
  std::function<void(const FleetReport&)> on_progress;
};

// Loads the fleet (rule D1 per device, as the agent applies it), then runs it to the end: every
// device's day done, or --duration over and the requests in flight answered. The report comes
// back even when requests failed (FleetReport::failed()); an error means the run could not
// start: bad options, an unreadable batch, a manifest a device may not use, a server host that
// does not resolve.
Result<FleetReport> SimulateFleet(const FleetOptions& options, const FleetProgress& progress = {});

}  // namespace homeport::fleet
