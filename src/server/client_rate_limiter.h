// ClientRateLimiter: a token bucket per UX-program client id, so one misbehaving client (or
// someone replaying its id) cannot flood a region's store. Thread-safe; memory is bounded by
// forgetting buckets that are full again.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace homeport {

struct ClientRateLimit {
  double per_second = 5;  // sustained pings per client
  double burst = 100;     // pings a client may send at once
};

class ClientRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ClientRateLimiter(ClientRateLimit limit) : limit_(limit) {}

  // 0 when `client_id` may send one more ping now (and takes a token); otherwise the seconds
  // to wait, for Retry-After.
  int Acquire(const std::string& client_id, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  static constexpr size_t kMaxTracked = 1 << 20;

  const ClientRateLimit limit_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace homeport
