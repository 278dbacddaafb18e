// Range checks of FleetOptions, with the flag a person would change.
#include "fleet/fleet_options.h"

#include <cmath>
#include <sstream>

namespace homeport::fleet {
namespace {

// The connection bound keeps one process within a default file-descriptor limit.
constexpr int kMaxConcurrency = 4096;
constexpr int kMaxDevices = 1000000;

std::string Number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

Status OutOfRange(const char* flag, const std::string& range, double got) {
  return Status::InvalidArgument(std::string(flag) + " must be " + range + " (got " + Number(got) +
                                 ")");
}

bool IsShare(double v) { return std::isfinite(v) && v >= 0 && v <= 1; }

bool IsHttpUrl(const std::string& url) {
  for (const char* scheme : {"http://", "https://"}) {
    const std::string_view s(scheme);
    if (url.compare(0, s.size(), s) == 0 && url.size() > s.size() && url[s.size()] != '/') {
      return true;
    }
  }
  return false;
}

}  // namespace

Status ValidateFleetOptions(const FleetOptions& o) {
  if (o.env == nullptr) return Status::InvalidArgument("FleetOptions.env must be set");
  if (o.batch_dir.empty()) {
    return Status::InvalidArgument(
        "--batch is required: a directory from `homeport factory batch`");
  }
  if (o.manifest_path.empty()) {
    return Status::InvalidArgument("--manifest is required: the devices' signed region manifest");
  }
  if (o.devices < 1 || o.devices > kMaxDevices) {
    return OutOfRange("--devices", "between 1 and " + std::to_string(kMaxDevices), o.devices);
  }
  if (o.concurrency < 1 || o.concurrency > kMaxConcurrency) {
    return OutOfRange("--concurrency", "between 1 and " + std::to_string(kMaxConcurrency),
                      o.concurrency);
  }
  if (!IsShare(o.uxp_share))
    return OutOfRange("--uxp-share", "a fraction from 0 to 1", o.uxp_share);
  if (o.duration_seconds && !(std::isfinite(*o.duration_seconds) && *o.duration_seconds > 0)) {
    return OutOfRange("--duration", "a positive number of seconds", *o.duration_seconds);
  }
  if (!(std::isfinite(o.day_seconds) && o.day_seconds >= 0)) {
    return OutOfRange("--day-seconds", "a number of seconds, 0 or more", o.day_seconds);
  }
  if (!(std::isfinite(o.rate) && o.rate >= 0)) {
    return OutOfRange("--rate", "a number of requests per second (0: as fast as possible)", o.rate);
  }
  if (!(std::isfinite(o.request_timeout_seconds) && o.request_timeout_seconds > 0)) {
    return OutOfRange("--timeout", "a positive number of seconds", o.request_timeout_seconds);
  }
  if (o.max_attempts < 1) return OutOfRange("--max-attempts", "at least 1", o.max_attempts);
  if (!o.server_url.empty() && !IsHttpUrl(o.server_url)) {
    return Status::InvalidArgument("--server must be an http:// or https:// URL (got \"" +
                                   o.server_url + "\")");
  }
  const std::pair<const char*, double> shares[] = {
      {"the diagnostics share", o.mix.diagnostics_share},
      {"the feedback share", o.mix.feedback_share},
      {"the identifier share", o.mix.identifier_share},
      {"the opt-out share", o.mix.opt_out_share}};
  for (const auto& [name, value] : shares) {
    if (!IsShare(value)) return OutOfRange(name, "a fraction from 0 to 1", value);
  }
  return Status::Ok();
}

}  // namespace homeport::fleet
