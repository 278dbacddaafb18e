// The Glean ingestion edge: POST /submit/<app_id>/<doc_type>/<doc_version>/<doc_id>, exactly
// as every Glean SDK sends it (gzip or plain, application/json or a browser's text/plain
// sendBeacon, CORS for fetch). A ping is stored only when every field is declared and within
// Glean's limits (S3), with identifiers scrubbed from every string not of a proven closed form
// and its envelope times cut to the day (S4); a deletion-request erases its client (S6); the
// answer comes only once the document is durable in the ingest log (S5). No connection
// metadata is looked at (S2).
#include <simdjson.h>

#include <nlohmann/json.hpp>

#include "common/gzip.h"
#include "common/text.h"
#include "schema/ping_validator.h"
#include "server/router.h"
#include "server/stored_ping.h"
#include "tlog/erasure_commitment.h"

namespace homeport {
namespace {

constexpr const char* kDeletionRequest = "deletion-request";

void AddCors(HttpResponse& r) { r.headers.emplace_back("Access-Control-Allow-Origin", "*"); }

HttpResponse Preflight() {
  HttpResponse r;
  r.status = 204;
  r.content_type = "text/plain";
  AddCors(r);
  r.headers.emplace_back("Access-Control-Allow-Methods", "POST, OPTIONS");
  r.headers.emplace_back("Access-Control-Allow-Headers",
                         "Content-Type, Content-Encoding, Date, X-Telemetry-Agent, X-Debug-ID, "
                         "X-Source-Tags, X-Pingsender-Version, X-Homeport-Erasure-Commitment");
  r.headers.emplace_back("Access-Control-Max-Age", "86400");
  return r;
}

// application/json (mobile SDKs, fetch) or text/plain (navigator.sendBeacon), any charset.
bool AcceptedMediaType(std::string_view content_type) {
  const std::string type = MediaType(content_type);
  return type == "application/json" || type == "text/plain" || type.empty();
}

struct SubmitPath {
  std::string app_id, doc_type, doc_version, doc_id;
};

std::optional<SubmitPath> ParsePath(std::string_view path) {
  path.remove_prefix(std::string_view("/submit/").size());
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
  }
  if (parts.size() != 4) return std::nullopt;
  for (auto p : parts) {
    if (p.empty() || p.size() > 128) return std::nullopt;
  }
  return SubmitPath{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                    AsciiLower(parts[3])};
}

HttpResponse Violations(const schema::ValidationResult& v) {
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& x : v.violations) {
    fields.push_back({{"field", x.field},
                      {"problem", schema::ViolationKindName(x.kind)},
                      {"message", x.message}});
  }
  nlohmann::json details = {{"fields", fields}};
  if (v.omitted_violations) details["omitted"] = v.omitted_violations;
  std::string first = v.violations.empty() ? "" : v.violations.front().message;
  return ErrorResponse(ErrorCode::kSchemaViolation,
                       "the ping is not what its schema declares: " + first, details);
}

// JSON may carry U+0000 as the escape \u0000, but the stores' JSON functions do not take it
// (PostgreSQL's jsonb refuses it), so one such document would later stop retention of its
// whole ping. It never occurs in a real ping: refuse it at the door. "\\u0000" (an escaped
// backslash, then text) is fine: the escape counts only after an odd run of backslashes.
bool HasEscapedNul(std::string_view text) {
  for (size_t at = text.find("u0000"); at != std::string_view::npos;
       at = text.find("u0000", at + 1)) {
    size_t slashes = 0;
    while (slashes < at && text[at - 1 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 1) return true;
  }
  return false;
}

HttpResponse Unavailable(std::string_view why) {
  return ErrorResponse(ErrorCode::kUnavailable, why, nlohmann::json::object(), 1);
}

// The ingest log is at its size limit (the store is slow or unreachable) or stopping.
HttpResponse LogFull() {
  return ErrorResponse(ErrorCode::kUnavailable,
                       "the server is at capacity; retry after the indicated delay",
                       nlohmann::json::object(), 5);
}

// An erased client id is remembered as long as the app keeps any ping, so that none of its
// documents can be stored again while an earlier one would still be kept.
int LongestRetentionDays(const schema::AppSchema* app) {
  int days = schema::kDefaultRetentionDays;
  if (app) {
    for (const auto& [name, ping] : app->pings) days = std::max(days, ping.retention_days);
  }
  return days;
}

}  // namespace

void HandleSubmit(const ServiceContext& ctx, const HttpRequest& request, Respond respond_raw) {
  if (request.method == "OPTIONS") return respond_raw(Preflight());
  Respond respond = [respond_raw = std::move(respond_raw)](HttpResponse r) {
    AddCors(r);
    respond_raw(std::move(r));
  };

  auto path = ParsePath(request.Path());
  if (!path) {
    return respond(
        ErrorResponse(ErrorCode::kNotFound,
                      "submissions go to /submit/<app_id>/<doc_type>/<doc_version>/<doc_id>"));
  }
  if (!IsUuid(path->doc_id)) {
    return respond(ErrorResponse(ErrorCode::kSchemaViolation, "doc_id must be a UUID",
                                 {{"fields", {{{"field", "doc_id"}, {"problem", "bad_value"}}}}}));
  }
  if (!AcceptedMediaType(request.Header("content-type"))) {
    return respond(ErrorResponse(ErrorCode::kUnsupportedMediaType,
                                 "pings are application/json (or text/plain from sendBeacon)"));
  }
  if (request.body.size() > kMaxBodyBytes) {
    return respond(ErrorResponse(ErrorCode::kTooLarge, "body exceeds 1 MB"));
  }
  std::string decoded;
  const std::string* body = &request.body;
  if (AsciiLower(request.Header("content-encoding")) == "gzip") {
    auto inflated = Gunzip(request.body, kMaxDecompressedBytes);
    if (!inflated.ok()) {
      return respond(inflated.status().IsResourceExhausted()
                         ? ErrorResponse(ErrorCode::kTooLarge, "body exceeds 8 MB decompressed")
                         : ErrorResponse(ErrorCode::kBadJson, inflated.status().message()));
    }
    decoded = std::move(*inflated);
    body = &decoded;
  } else if (!request.Header("content-encoding").empty() &&
             AsciiLower(request.Header("content-encoding")) != "identity") {
    return respond(
        ErrorResponse(ErrorCode::kUnsupportedMediaType, "Content-Encoding must be gzip or absent"));
  }

  if (HasEscapedNul(*body)) {
    return respond(ErrorResponse(ErrorCode::kBadJson,
                                 "the document contains U+0000 (\\u0000), which is not stored"));
  }
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element payload;
  if (auto err = parser.parse(*body).get(payload); err) {
    return respond(ErrorResponse(ErrorCode::kBadJson,
                                 std::string("body is not JSON: ") + simdjson::error_message(err)));
  }
  TimePoint now = ctx.env->Now();
  schema::ValidationResult v =
      schema::ValidatePing(*ctx.schemas, path->app_id, path->doc_type, payload, now);
  if (!v.ok()) {
    // Labels only from the registry: hostile URLs must not grow the metrics.
    bool known = ctx.schemas->Find(path->app_id) && v.ping;
    ctx.metrics->CountPing(known ? path->app_id : "_unregistered",
                           known ? path->doc_type : "_unregistered", "rejected");
    if (known && ctx.violations) {
      ctx.violations->Count(path->app_id, path->doc_type, v, FormatDate(now));
    }
    return respond(Violations(v));
  }
  std::string client_id = v.client_id.value_or("");
  // A deletion-request is a user's right, never rate limited.
  if (!client_id.empty() && path->doc_type != kDeletionRequest) {
    if (int wait = ctx.rate_limiter->Acquire(client_id); wait > 0) {
      return respond(ErrorResponse(ErrorCode::kRateLimited,
                                   "too many pings from this client; retry later",
                                   nlohmann::json::object(), wait));
    }
  }
  if (ctx.ingest_budget && path->doc_type != kDeletionRequest) {
    if (int wait = ctx.ingest_budget->Acquire(body->size()); wait > 0) {
      return respond(ErrorResponse(ErrorCode::kRateLimited,
                                   "this server is taking in more pings than it is sized for; "
                                   "retry later",
                                   nlohmann::json::object(), wait));
    }
  }

  std::string app = path->app_id, ping = path->doc_type;
  ServerMetrics* metrics = ctx.metrics;
  if (ping == kDeletionRequest) {
    if (client_id.empty()) {
      return respond(ErrorResponse(
          ErrorCode::kSchemaViolation, "a deletion-request names its client",
          {{"fields", {{{"field", "/client_info/client_id"}, {"problem", "missing_field"}}}}}));
    }
    // The agent's commitment to its client id, recorded in the transparency log (S7).
    std::string commitment = AsciiLower(request.Header(AsciiLower(kErasureCommitmentHeader)));
    if (!commitment.empty() && !IsErasureCommitment(commitment)) {
      return respond(ErrorResponse(
          ErrorCode::kSchemaViolation,
          std::string(kErasureCommitmentHeader) + " must be 64 hexadecimal digits (a SHA-256)",
          {{"fields", {{{"field", kErasureCommitmentHeader}, {"problem", "bad_value"}}}}}));
    }
    // Answered once the erasure is in the store, its log entry appended with it, and the log
    // segments that held the client's documents are deleted: "erased" means gone from every
    // file of this server. While the store is away the answer is a 503; the erasure stays in
    // the log and is applied anyway.
    respond = WithAnswerLimit(ctx, std::move(respond), kStoreWorkAnswerLimit);
    IngestLoader* loader = ctx.ingest_loader;
    auto erased = [respond, metrics, app, ping](Result<IngestLoader::ErasureOutcome> r) {
      if (!r.ok()) return respond(Unavailable("the deletion could not be completed; retry"));
      metrics->CountPing(app, ping, "erased");
      respond(JsonResponse(200, {{"status", "erased"},
                                 {"documents", r->documents},
                                 {"log_index", r->log_index}}));
    };
    int remember_days = LongestRetentionDays(ctx.schemas->Find(app));
    ClientErasure erasure{client_id, FormatDate(now + std::chrono::days(remember_days)),
                          std::move(commitment)};
    bool queued = ctx.ingest_log->Append(
        std::move(erasure), [respond, loader, erased](Status st, LogPosition end) {
          if (!st.ok()) return respond(Unavailable("the deletion could not be recorded; retry"));
          loader->AwaitErasure(end, erased);
        });
    if (!queued) respond(LogFull());
    return;
  }

  UxpDocument doc;
  doc.doc_id = path->doc_id;
  doc.app_id = app;
  doc.doc_type = ping;
  doc.client_id = client_id;
  doc.received_day = FormatDate(now);
  int keep_days = v.ping ? v.ping->retention_days : schema::kDefaultRetentionDays;
  doc.expires_day = FormatDate(now + std::chrono::days(keep_days));
  StoredPing stored = MakeStoredPing(payload, v.stored, *ctx.scanner);
  if (!stored.replaced.empty()) ctx.metrics->CountScrubbed(stored.replaced);
  for (const auto& [kind, n] : stored.replaced) doc.scrubbed.emplace_back(privacy::NameOf(kind), n);
  doc.payload = std::move(stored.json);
  if (doc.payload.size() > kMaxStoredDocumentBytes) {
    return respond(ErrorResponse(ErrorCode::kTooLarge, "the document to store exceeds 1 MB"));
  }
  // Durable in the log is durable (S5); the loader stores it once, however often it is sent.
  bool queued = ctx.ingest_log->Append(std::move(doc), [respond](Status st, LogPosition) {
    if (!st.ok()) return respond(Unavailable("the ping could not be stored; retry"));
    respond(JsonResponse(200, {{"status", "stored"}}));
  });
  if (!queued) respond(LogFull());
}

}  // namespace homeport
