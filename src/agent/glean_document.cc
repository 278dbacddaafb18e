// UUIDs, Glean datetimes, client_info, document assembly and the (gzipped) upload request.
#include "agent/glean_document.h"

#include "common/gzip.h"
#include "common/text.h"

#include <sys/utsname.h>

#include <chrono>
#include <cstdio>

#include "agent/uxp_schema.h"
#include "common/time_format.h"

#ifndef HOMEPORT_VERSION
#error "HOMEPORT_VERSION must be defined by the build"
#endif

namespace homeport::agent {
namespace {

using nlohmann::json;

constexpr std::string_view kOs =
#if defined(__ANDROID__)
    "Android";
#elif defined(__linux__)
    "Linux";
#elif defined(__APPLE__)
    "Darwin";
#else
    "Unknown";
#endif

// Rust's std::env::consts::ARCH spelling, which Glean's Rust core reports.
constexpr std::string_view kArchitecture =
#if defined(__x86_64__)
    "x86_64";
#elif defined(__aarch64__)
    "aarch64";
#elif defined(__arm__)
    "arm";
#elif defined(__i386__)
    "x86";
#elif defined(__riscv)
        "riscv64";
#else
        "Unknown";
#endif

// The kernel release ("6.1.0-18-arm64"): the same on every unit running that firmware.
std::string OsVersion() {
  struct utsname u {};
  if (::uname(&u) != 0 || u.release[0] == '\0') return "Unknown";
  return u.release;
}

}  // namespace

std::string NewUuidV4(Env& env) {
  unsigned char b[16];
  for (int half = 0; half < 2; ++half) {
    uint64_t r = env.RandomU64();
    for (int i = 0; i < 8; ++i) b[half * 8 + i] = static_cast<unsigned char>(r >> (8 * i));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

bool IsUuidV4(std::string_view s) {
  // Lower-case only: the form this agent writes and Glean's pipeline keys documents by.
  return IsUuid(s) && AsciiLower(s) == s && s[14] == '4' &&
         (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

std::string GleanMinuteTime(Env::TimePoint t) {
  return FormatRfc3339(t).substr(0, 16) + "+00:00";  // "YYYY-MM-DDTHH:MM"
}

std::string GleanDate(Env::TimePoint t) { return FormatDate(t) + "+00:00"; }

std::string HttpDate(Env::TimePoint t) {
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto secs = floor<seconds>(t);
  auto day = floor<days>(secs);
  year_month_day ymd{day};
  hh_mm_ss hms{secs - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02ld:%02ld:%02lld GMT",
                kDays[weekday{day}.c_encoding()], unsigned(ymd.day()),
                kMonths[unsigned(ymd.month()) - 1], int(ymd.year()), long(hms.hours().count()),
                long(hms.minutes().count()), static_cast<long long>(hms.seconds().count()));
  return buf;
}

std::string_view AgentLibraryVersion() { return HOMEPORT_VERSION; }

json ClientInfo(const DeviceProfile& profile, std::string_view client_id,
                std::string_view first_run_date) {
  json info = {{"telemetry_sdk_build", AgentLibraryVersion()},
               {"first_run_date", first_run_date},
               {"os", kOs},
               {"os_version", OsVersion()},
               {"architecture", kArchitecture},
               {"app_build", profile.client_version},
               {"app_display_version", profile.client_version},
               {"device_model", profile.model}};
  if (!client_id.empty()) info["client_id"] = client_id;
  return info;
}

std::string SubmissionPath(std::string_view doc_type, std::string_view doc_id) {
  return "/submit/" + std::string(kUxpAppId) + "/" + std::string(doc_type) + "/1/" +
         std::string(doc_id);
}

GleanDocument BuildGleanDocument(const PingInfo& info, json client_info, const json& metrics,
                                 const json& events, std::string doc_id) {
  json ping_info = {{"seq", info.seq},
                    {"start_time", GleanMinuteTime(info.start_time)},
                    {"end_time", GleanMinuteTime(info.end_time)}};
  if (!info.reason.empty()) ping_info["reason"] = info.reason;
  json doc = {{"ping_info", std::move(ping_info)}, {"client_info", std::move(client_info)}};
  if (metrics.is_object() && !metrics.empty()) doc["metrics"] = metrics;
  if (events.is_array() && !events.empty()) doc["events"] = events;
  GleanDocument out;
  out.path = SubmissionPath(info.ping, doc_id);
  out.doc_id = std::move(doc_id);
  // Values were checked to be UTF-8 when recorded; replacing guards a hand-edited state file.
  out.body = doc.dump(-1, ' ', false, json::error_handler_t::replace);
  return out;
}

Result<TransportRequest> BuildUploadRequest(std::string_view uxp_url, std::string_view path,
                                            std::string_view body, Env::TimePoint now) {
  if (!uxp_url.empty() && uxp_url.back() == '/') uxp_url.remove_suffix(1);
  std::string gzipped = Gzip(body);
  TransportRequest request;
  request.url = std::string(uxp_url) + std::string(path);
  request.body = std::move(gzipped);
  request.headers = {
      {"Content-Type", "application/json; charset=utf-8"},
      {"Content-Encoding", "gzip"},
      {"Date", HttpDate(now)},
      {"X-Telemetry-Agent", "homeport-agent/" + std::string(AgentLibraryVersion()) + " (C++ on " +
                                std::string(kOs) + ")"},
  };
  return request;
}

}  // namespace homeport::agent
