// The server's transport-independent HTTP messages: handlers take an HttpRequest and produce
// an HttpResponse; only src/server/http_server.cc knows about sockets and Beast.
// Deliberately, HttpRequest carries no peer address (S2): handlers cannot store what they
// never see.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace homeport {

struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string target;  // path and query as sent, e.g. "/v1/activations"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  // First header of that (lower-case) name, or empty.
  std::string_view Header(std::string_view lower_name) const;
  std::string_view Path() const;  // target without the query
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  std::string body;
};

// Handlers answer through this, possibly later and from another thread (after a commit).
using Respond = std::function<void(HttpResponse)>;

HttpResponse JsonResponse(int status, const nlohmann::json& body);

// The error codes of DESIGN.md, each with its status.
enum class ErrorCode {
  kBadJson,                // 400
  kSchemaViolation,        // 400, lists the offending fields
  kBadRequest,             // 400, the HTTP message itself is malformed or ambiguous
  kBadSignature,           // 401
  kUnknownDevice,          // 403
  kRevoked,                // 403: the device is revoked (homeport revoke)
  kNotFound,               // 404
  kMethodNotAllowed,       // 405
  kStaleActivation,        // 409: a replayed or rolled-back activation; nothing changed
  kTooLarge,               // 413
  kUnsupportedMediaType,   // 415
  kWrongRegion,            // 421
  kRateLimited,            // 429 + Retry-After
  kUnavailable,            // 503 + Retry-After
};

// {"error": code, "message": message, …details}. Retry-After is set for 429 and 503.
HttpResponse ErrorResponse(ErrorCode code, std::string_view message,
                           const nlohmann::json& details = nlohmann::json::object(),
                           int retry_after_seconds = 1);
int StatusOf(ErrorCode code);
const char* NameOf(ErrorCode code);

}  // namespace homeport
