// Glean documents as the Glean SDKs write and upload them: ping_info, client_info, metrics and
// events in one JSON body, posted gzip-encoded to /submit/<app_id>/<ping>/1/<doc_id>. Only what
// Glean's format needs about the software goes in; nothing that identifies the device (D4, S4).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "homeport/agent.h"
#include "homeport/env.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport::agent {

// A random (version 4, RFC 4122 variant) UUID in lower-case hex, from two env.RandomU64().
std::string NewUuidV4(Env& env);
bool IsUuidV4(std::string_view s);

// Glean's datetime forms, in UTC: minute precision for ping_info ("2026-11-29T13:24+00:00"),
// day precision for first_run_date ("2026-11-29+00:00").
std::string GleanMinuteTime(Env::TimePoint t);
std::string GleanDate(Env::TimePoint t);
// RFC 7231's IMF-fixdate, for the Date header: "Sun, 29 Nov 2026 13:24:05 GMT".
std::string HttpDate(Env::TimePoint t);

// The version of this library, reported as client_info.telemetry_sdk_build.
std::string_view AgentLibraryVersion();

// client_info: the software (library, firmware client version, OS, architecture) and the
// product model every unit of it shares. Never the serial, the device key or any hardware or
// network identifier. client_id only when non-empty.
nlohmann::json ClientInfo(const DeviceProfile& profile, std::string_view client_id,
                          std::string_view first_run_date);

struct PingInfo {
  std::string ping;  // the document type: "diagnostics", "feedback", "deletion-request"
  int64_t seq = 0;   // per ping type, from 0
  Env::TimePoint start_time;
  Env::TimePoint end_time;
  std::string reason;  // empty: none sent
};

struct GleanDocument {
  std::string doc_id;  // UUIDv4, the server's deduplication key
  std::string path;    // "/submit/homeport-agent/<ping>/1/<doc_id>"
  std::string body;    // the JSON document, uncompressed, on one line
};

// "/submit/homeport-agent/<doc_type>/1/<doc_id>".
std::string SubmissionPath(std::string_view doc_type, std::string_view doc_id);

// {"ping_info", "client_info", "metrics", "events"}; like the Glean SDKs, "metrics" and
// "events" are left out when empty.
GleanDocument BuildGleanDocument(const PingInfo& info, nlohmann::json client_info,
                                 const nlohmann::json& metrics, const nlohmann::json& events,
                                 std::string doc_id);

// The POST of one pending ping: `uxp_url` (one trailing '/' dropped) + `path`, the body
// gzip-encoded, with the headers Glean's mobile SDKs send — Content-Type, Content-Encoding,
// Date and an X-Telemetry-Agent naming only this library — and nothing else.
Result<TransportRequest> BuildUploadRequest(std::string_view uxp_url, std::string_view path,
                                            std::string_view body, Env::TimePoint now);

}  // namespace homeport::agent
