// FleetOptions: one run of the fleet simulator, `homeport fleet simulate`. The CLI parses into
// this struct; ValidateFleetOptions checks it once, before anything is read or sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fleet/ping_mix.h"
#include "homeport/env.h"
#include "homeport/status.h"

namespace homeport::fleet {

struct FleetOptions {
  // Required: a directory written by `homeport factory batch` (enrollment.csv and
  // devices/<serial>.json, the device profiles with their secret keys).
  std::string batch_dir;
  // Required: the signed region manifest the devices ship with. Each device verifies it against
  // its built-in root key and region (rule D1) exactly as the agent does; the run refuses to
  // start otherwise.
  std::string manifest_path;
  // Required: how many devices to simulate, the first N of the batch's enrollment.csv.
  int devices = 0;
  // HTTP connections, and so requests in flight, at most. Default 16.
  int concurrency = 16;
  // The fraction (0..1) of devices whose user opts in to the User Experience Program.
  double uxp_share = 0.25;
  // Unset (the default): every device activates and plays one day, then the run ends. Set: days
  // are played over and over until this many seconds have passed.
  std::optional<double> duration_seconds;
  // With --duration: the shortest real time one simulated day of a device takes. The default,
  // 1 s, keeps a device's few pings a day under the server's default per-client limit (5 pings
  // per second); 0 plays days back to back.
  double day_seconds = 1;
  // Requests per second, sent on a fixed schedule whatever the answers (open loop), latency
  // measured from each request's scheduled time. 0 (the default): as fast as the connections
  // allow (closed loop), latency measured from the send.
  double rate = 0;
  // Empty (the default): the manifest's activation and UX-program URLs. Otherwise every request
  // goes to this base URL instead (after the manifest was verified), e.g. a test server.
  std::string server_url;
  // PEM bundle of CAs trusted for https. Default empty: the system's.
  std::string ca_file;
  // Connect-to-answer limit of one request. Default 10 s.
  double request_timeout_seconds = 10;
  // Tries of one request; 3xx, 408, 429, 5xx and connection failures are retried with the
  // agent's backoff (full jitter from 0.5 s, Retry-After honoured). Default 5.
  int max_attempts = 5;
  // Empty (the default): each device reports its profile's client version. Otherwise the
  // version every device reports, as after a firmware update: with a newer manifest, a rerun
  // of the same devices plays a fix rollout (their check-ins).
  std::string client_version;
  // Seeds what the devices' users do (the mix); client and document ids are always random.
  uint64_t seed = 1;
  PingMixOptions mix;
  Env* env = Env::Default();
};

// InvalidArgument, worded for the command line ("--devices must be at least 1"), for the
// first option out of range.
Status ValidateFleetOptions(const FleetOptions& options);

}  // namespace homeport::fleet
