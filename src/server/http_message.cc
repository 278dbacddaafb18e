// HTTP message helpers and the one mapping from error codes to statuses.
#include "server/http_message.h"

namespace homeport {

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

std::string_view HttpRequest::Path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  // Error messages may quote request bytes: invalid UTF-8 is replaced, never thrown over.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

int StatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadJson: return 400;
    case ErrorCode::kSchemaViolation: return 400;
    case ErrorCode::kBadRequest:
      return 400;
    case ErrorCode::kBadSignature: return 401;
    case ErrorCode::kUnknownDevice: return 403;
    case ErrorCode::kRevoked: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kMethodNotAllowed: return 405;
    case ErrorCode::kStaleActivation: return 409;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kUnsupportedMediaType: return 415;
    case ErrorCode::kWrongRegion: return 421;
    case ErrorCode::kRateLimited: return 429;
    case ErrorCode::kUnavailable: return 503;
  }
  return 500;
}

const char* NameOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadJson: return "bad_json";
    case ErrorCode::kSchemaViolation: return "schema_violation";
    case ErrorCode::kBadRequest:
      return "bad_request";
    case ErrorCode::kBadSignature: return "bad_signature";
    case ErrorCode::kUnknownDevice: return "unknown_device";
    case ErrorCode::kRevoked: return "revoked";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kMethodNotAllowed: return "method_not_allowed";
    case ErrorCode::kStaleActivation: return "stale_activation";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kUnsupportedMediaType: return "unsupported_media_type";
    case ErrorCode::kWrongRegion: return "wrong_region";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kUnavailable: return "unavailable";
  }
  return "internal";
}

HttpResponse ErrorResponse(ErrorCode code, std::string_view message, const nlohmann::json& details,
                           int retry_after_seconds) {
  nlohmann::json body = {{"error", NameOf(code)}, {"message", message}};
  for (auto& [k, v] : details.items()) body[k] = v;
  HttpResponse r = JsonResponse(StatusOf(code), body);
  if (code == ErrorCode::kRateLimited || code == ErrorCode::kUnavailable) {
    r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  }
  return r;
}

}  // namespace homeport
