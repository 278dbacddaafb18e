// Retrying POSTs the way the device uploads everything: 5xx, 408, 429 and network failures
// are retried with capped exponential backoff and full jitter, honouring Retry-After, until a
// deadline; any other answer is final. Time and randomness come from the Env.
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
};

// 408, 429 and every 5xx: the server may answer differently later.
bool IsRetryableHttpStatus(int status);

// The delta-seconds form of Retry-After; nullopt when absent or not a plain number.
std::optional<std::chrono::seconds> RetryAfter(const TransportResponse& response);

// The wait before retry number `attempt` (0 for the first retry): uniform in [0, cap] where
// cap = min(max_backoff, initial_backoff * 2^attempt), chosen by `random`. Full jitter keeps a
// fleet that failed together from retrying together.
std::chrono::milliseconds JitteredBackoff(int attempt, const RetryPolicy& policy, uint64_t random);

// The Status a non-2xx response stands for, with the server's "<error>: <message> (HTTP n)"
// when the body is homeport's error JSON.
Status HttpErrorStatus(const TransportResponse& response);

// Posts `request` until a final answer arrives and returns it: a 2xx or any status that
// IsRetryableHttpStatus() does not retry. Errors: a non-Unavailable transport error (a refused
// TLS identity), or DeadlineExceeded carrying the last failure once the next wait would end past
// policy.deadline from the first attempt. The caller tells "refused by the server" (a response)
// from "not delivered" (an error) — the UX-program queue drops the one and keeps the other.
Result<TransportResponse> PostUntilFinal(HttpTransport& transport, const TransportRequest& request,
                                         Env& env, const RetryPolicy& policy);

// PostUntilFinal, with a final non-2xx answer turned into its HttpErrorStatus().
Result<TransportResponse> PostWithRetry(HttpTransport& transport, const TransportRequest& request,
                                        Env& env, const RetryPolicy& policy);

}  // namespace homeport::agent
