// FleetReport: what a simulator run did and how the server answered — throughput, latency
// percentiles, outcomes per request kind, and every error by HTTP status and homeport error
// code (or connection failure). Rendered as text for people, JSON for scripts and the benchmark,
// and as a one-line progress summary while the run goes on.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "fleet/latency_histogram.h"
#include "fleet/simulated_device.h"

namespace homeport::fleet {

// An HTTP status with homeport's JSON "error" code ("rate_limited"), or status 0 with the
// connection failure ("connect: Connection refused").
struct ErrorKey {
  int status = 0;
  std::string code;
  auto operator<=>(const ErrorKey&) const = default;
  std::string ToString() const;  // "HTTP 429 rate_limited", "connect: Connection refused"
};

struct ErrorTally {
  int64_t count = 0;    // tries that ended with this error
  int64_t retried = 0;  // ...after which the request was tried again
  int64_t gave_up = 0;  // ...after which it was given up on: the run fails
};

struct KindTally {
  int64_t ok = 0;            // requests accepted (2xx)
  int64_t failed = 0;        // requests given up on after an error
  LatencyHistogram latency;  // every try of this kind of request
};

struct FleetReport {
  // The run.
  int devices = 0;
  int concurrency = 0;
  double rate = 0;  // requests per second asked for; 0: closed loop
  std::string region;
  std::string activation_url, uxp_url;
  double elapsed_seconds = 0;

  // Every try of every request, answered or not.
  int64_t requests = 0;
  LatencyHistogram latency;  // every try of every kind
  std::array<KindTally, kRequestKinds> kinds{};
  std::map<ErrorKey, ErrorTally> errors;
  int64_t in_flight = 0;      // while running: requests sent, not answered yet
  int64_t waiting = 0;        // while running: devices waiting to retry
  int64_t unfinished = 0;     // requests cut off by the end of --duration (not failures)
  int64_t sent_late = 0;      // --rate: sent over 1 ms after their scheduled time (no free
                              // connection, or a busy loop)
  int64_t slots_skipped = 0;  // --rate: send times at which no device had a request ready

  // What the devices did.
  int64_t activated = 0;             // first activations (201)
  int64_t already_activated = 0;     // the server knew the device (200)
  int64_t checked_in = 0;            // the server recorded new versions (200)
  int64_t days = 0;                  // device days played (a day of a device outside the program
                                     // counts only when it activated)
  int64_t opt_ins = 0;               // users who joined the UX program (a new client id each)
  int64_t opt_outs = 0;              // deletion-requests accepted
  int64_t participants = 0;          // devices in the program at the end
  int64_t feedback_identifiers = 0;  // IMEIs, phone numbers, e-mails in accepted feedback

  int64_t failed() const;
  double requests_per_second() const;
  const KindTally& kind(RequestKind k) const { return kinds[static_cast<size_t>(k)]; }
  KindTally& kind(RequestKind k) { return kinds[static_cast<size_t>(k)]; }
};

// The summary a person reads at the end of a run, several lines.
std::string FormatReport(const FleetReport& report);
// The same for machines; latencies in milliseconds.
nlohmann::json ReportJson(const FleetReport& report);
// One line for the progress display: elapsed, requests and rate, latency so far, errors.
std::string ProgressLine(const FleetReport& report);

}  // namespace homeport::fleet
