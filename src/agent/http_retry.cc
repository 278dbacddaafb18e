// Backoff arithmetic, homeport error bodies and the retry loop.
#include "agent/http_retry.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/terminal_text.h"
#include "common/text.h"

namespace homeport::agent {
namespace {

using std::chrono::milliseconds;

// An error page can be large and is shown to a person: keep enough to recognise it. homeport's
// own error messages (a schema violation lists fields) get more room.
constexpr size_t kMaxQuotedBody = 200;
constexpr size_t kMaxQuotedMessage = 2000;

// Server text made fit for a one-line message on a terminal: line breaks (an error page has
// many) read best as spaces; every other control character is escaped.
std::string Quote(const std::string& text, size_t limit = kMaxQuotedBody) {
  std::string cut = text.substr(0, limit);
  for (char& c : cut) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::string out = TerminalSafe(cut);
  return text.size() > limit ? out + "..." : out;
}

std::string SecondsText(Env::TimePoint::duration d) {
  auto ms = std::chrono::duration_cast<milliseconds>(d).count();
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}

}  // namespace

bool IsRetryableHttpStatus(int status) {
  if (status >= 200 && status <= 299) return false;
  if (status >= 400 && status <= 499) return status == 408 || status == 429;
  return true;
}

std::optional<std::chrono::seconds> RetryAfter(const TransportResponse& response) {
  auto it = response.headers.find("retry-after");
  if (it == response.headers.end()) return std::nullopt;
  const std::string_view v = TrimBlanks(it->second);
  // Nine digits is over 30 years: longer values are nonsense, and this bound avoids overflow.
  if (v.empty() || v.size() > 9) return std::nullopt;
  int64_t seconds = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

milliseconds JitteredBackoff(int attempt, const RetryPolicy& policy, uint64_t random) {
  milliseconds cap = policy.initial_backoff;
  for (int i = 0; i < attempt && cap < policy.max_backoff; ++i) cap *= 2;
  cap = std::min(cap, policy.max_backoff);
  if (cap <= milliseconds::zero()) return milliseconds::zero();
  // The top 53 bits make an exact double fraction in [0, 1); rounding reaches both ends, so
  // an all-ones random yields the cap itself.
  double fraction = static_cast<double>(random >> 11) * 0x1.0p-53;
  return milliseconds(std::llround(fraction * static_cast<double>(cap.count())));
}

Status HttpErrorStatus(const TransportResponse& response) {
  const int code = response.status;
  std::string text;
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    text = Quote(j["error"].get<std::string>(), kMaxQuotedMessage);
    if (j.contains("message") && j["message"].is_string()) {
      text += ": " + Quote(j["message"].get<std::string>(), kMaxQuotedMessage);
    }
    text += " (HTTP " + std::to_string(code) + ")";
  } else {
    text = "HTTP " + std::to_string(code);
    if (code >= 300 && code <= 399) {
      auto location = response.headers.find("location");
      text += location == response.headers.end()
                  ? " redirect (not followed)"
                  : " redirect to " + Quote(location->second) + " (not followed)";
    } else if (!response.body.empty()) {
      text += ": " + Quote(response.body);
    }
  }
  if (IsRetryableHttpStatus(code)) return Status::Unavailable(text);
  if (code == 401 || code == 403 || code == 421) return Status::PermissionDenied(text);
  if (code == 404) return Status::NotFound(text);
  return Status::InvalidArgument(text);
}

Result<TransportResponse> PostWithRetry(HttpTransport& transport, const TransportRequest& request,
                                        Env& env, const RetryPolicy& policy) {
  HOMEPORT_ASSIGN_OR_RETURN(TransportResponse response,
                            PostUntilFinal(transport, request, env, policy));
  if (response.status >= 200 && response.status <= 299) return response;
  return HttpErrorStatus(response);
}

Result<TransportResponse> PostUntilFinal(HttpTransport& transport, const TransportRequest& request,
                                         Env& env, const RetryPolicy& policy) {
  const Env::TimePoint start = env.Now();
  const Env::TimePoint give_up_at = start + policy.deadline;
  for (int attempt = 0;; ++attempt) {
    Result<TransportResponse> response = transport.Post(request);
    Status failure;
    std::optional<std::chrono::seconds> retry_after;
    if (!response.ok()) {
      if (!response.status().IsUnavailable()) return response.status();
      failure = response.status();
    } else if (response->status >= 200 && response->status <= 299) {
      return response;
    } else {
      if (!IsRetryableHttpStatus(response->status) && !policy.retry_client_errors) {
        return response;
      }
      failure = HttpErrorStatus(*response);
      retry_after = RetryAfter(*response);
    }

    milliseconds wait = JitteredBackoff(attempt, policy, env.RandomU64());
    if (retry_after) wait = std::max<milliseconds>(wait, *retry_after);
    const Env::TimePoint now = env.Now();
    if (now + wait > give_up_at) {
      return Status::DeadlineExceeded(
          "gave up on POST " + request.url + " after " + std::to_string(attempt + 1) +
          (attempt == 0 ? " attempt in " : " attempts in ") + SecondsText(now - start) +
          (retry_after ? " (server asked to wait " + std::to_string(retry_after->count()) + " s)"
                       : "") +
          "; last error: " + failure.ToString());
    }
    env.SleepFor(wait);
  }
}

}  // namespace homeport::agent
