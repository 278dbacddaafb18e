// Retrying POSTs the way the device uploads everything, by Glean's upload rules: a 2xx is done,
// a 4xx other than 408 and 429 is a final refusal, and everything else — 3xx (redirects are
// never followed), 5xx, 408, 429 and network failures — is retried with capped exponential
// backoff and full jitter, honouring Retry-After, until a deadline. Time and randomness come
// from the Env.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "homeport/agent.h"
#include "homeport/env.h"
#include "homeport/status.h"

namespace homeport::agent {

struct RetryPolicy {
  std::chrono::milliseconds deadline{60'000};
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  // Default false: a 4xx other than 408 and 429 is final. True retries every answer but a 2xx
  // the same way, for requests that must never be given up (deletion-requests).
  bool retry_client_errors = false;
};

// Every status but 2xx and the 4xx other than 408 and 429: a redirect (a captive portal, an
// http-to-https move), a server error or a rate limit may answer differently later.
bool IsRetryableHttpStatus(int status);

// The delta-seconds form of Retry-After; nullopt when absent or not a plain number.
std::optional<std::chrono::seconds> RetryAfter(const TransportResponse& response);

// The wait before retry number `attempt` (0 for the first retry): uniform in [0, cap] where
// cap = min(max_backoff, initial_backoff * 2^attempt), chosen by `random`. Full jitter keeps a
// fleet that failed together from retrying together.
std::chrono::milliseconds JitteredBackoff(int attempt, const RetryPolicy& policy, uint64_t random);

// The Status a non-2xx response stands for, with the server's "<error>: <message> (HTTP n)"
// when the body is homeport's error JSON, and a redirect's Location. Text from the server is
// passed through TerminalSafe: the message may be shown on a terminal as it is.
Status HttpErrorStatus(const TransportResponse& response);

// Posts `request` until a final answer arrives and returns it: a 2xx or any status that
// IsRetryableHttpStatus() does not retry (none, with policy.retry_client_errors). Errors: a
// non-Unavailable transport error (a refused TLS identity), or DeadlineExceeded carrying the last
// failure once the next wait would end past policy.deadline from the first attempt. The caller
// tells "refused by the server" (a response) from "not delivered" (an error) — the UX-program queue
// drops the one and keeps the other.
Result<TransportResponse> PostUntilFinal(HttpTransport& transport, const TransportRequest& request,
                                         Env& env, const RetryPolicy& policy);

// PostUntilFinal, with a final non-2xx answer turned into its HttpErrorStatus().
Result<TransportResponse> PostWithRetry(HttpTransport& transport, const TransportRequest& request,
                                        Env& env, const RetryPolicy& policy);

}  // namespace homeport::agent
