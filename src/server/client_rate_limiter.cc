// Token buckets refilled lazily on each request.
#include "server/client_rate_limiter.h"

#include <cmath>

namespace homeport {

int ClientRateLimiter::Acquire(const std::string& client_id, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (buckets_.size() >= kMaxTracked) {
    // A full bucket carries no information: forget those to make room.
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      double refill = std::chrono::duration<double>(now - it->second.updated).count() * limit_.per_second;
      it = it->second.tokens + refill >= limit_.burst ? buckets_.erase(it) : std::next(it);
    }
  }
  auto [it, fresh] = buckets_.try_emplace(client_id, Bucket{limit_.burst, now});
  Bucket& b = it->second;
  if (!fresh) {
    double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(limit_.burst, b.tokens + elapsed * limit_.per_second);
    b.updated = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / limit_.per_second)));
}

}  // namespace homeport
