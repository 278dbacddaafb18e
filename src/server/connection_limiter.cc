// Connection budget and idle-first eviction for the HTTP server.
#include "server/connection_limiter.h"

#include <algorithm>
#include <string>
#include <utility>

namespace homeport {

uint64_t ReservedDescriptors(uint64_t open_file_limit) {
  // An eighth of the limit, at least 64 (a small limit still leaves room for the store and a
  // refusal or two) and at most 4096 (a large one does not waste half a million descriptors).
  return std::clamp<uint64_t>(open_file_limit / 8, 64, 4096);
}

size_t DefaultMaxConnections(uint64_t open_file_limit) {
  uint64_t reserved = ReservedDescriptors(open_file_limit);
  if (open_file_limit <= reserved) return 0;
  return static_cast<size_t>(open_file_limit - reserved);
}

Result<size_t> ResolveMaxConnections(int64_t requested, uint64_t open_file_limit) {
  if (requested < 0) {
    return Status::InvalidArgument(
        "--max-connections must be 0 (sized to the open-file limit) "
        "or a positive number, not " +
        std::to_string(requested));
  }
  size_t allowed = DefaultMaxConnections(open_file_limit);
  std::string limits = "the open-file limit is " + std::to_string(open_file_limit) + ", of which " +
                       std::to_string(ReservedDescriptors(open_file_limit)) +
                       " are kept for the store and the server itself";
  if (allowed == 0) {
    return Status::InvalidArgument("no room for connections: " + limits +
                                   "; raise the limit (ulimit -n, LimitNOFILE=)");
  }
  if (requested == 0) return allowed;
  if (static_cast<uint64_t>(requested) > allowed) {
    return Status::InvalidArgument("--max-connections " + std::to_string(requested) +
                                   " needs more descriptors than allowed: " + limits +
                                   ", so at most " + std::to_string(allowed) +
                                   "; raise the limit (ulimit -n, LimitNOFILE=) or lower the flag");
  }
  return static_cast<size_t>(requested);
}

ConnectionLimiter::Admission ConnectionLimiter::Admit(CloseFn close) {
  Admission admission;
  CloseFn evict;
  {
    std::lock_guard lock(mu_);
    // Connections already told to give way still hold their descriptor until their close
    // runs; they are not counted again when making room.
    if (open_.size() - giving_way_ >= max_) {
      if (idle_.empty()) return admission;
      auto oldest = idle_.begin();
      Entry& victim = open_.at(oldest->second);
      victim.evicted = true;
      ++giving_way_;
      victim.idle_since.reset();
      evict = std::move(victim.close);
      idle_.erase(oldest);
      admission.evicted = true;
    }
    Id id = next_id_++;
    uint64_t idle_key = next_idle_++;
    open_.emplace(id, Entry{std::move(close), idle_key, false});
    idle_.emplace(idle_key, id);
    admission.id = id;
  }
  if (evict) evict();
  return admission;
}

bool ConnectionLimiter::MarkActive(Id id) {
  std::lock_guard lock(mu_);
  auto it = open_.find(id);
  if (it == open_.end() || it->second.evicted) return false;
  if (it->second.idle_since) {
    idle_.erase(*it->second.idle_since);
    it->second.idle_since.reset();
  }
  return true;
}

void ConnectionLimiter::MarkIdle(Id id) {
  std::lock_guard lock(mu_);
  auto it = open_.find(id);
  if (it == open_.end() || it->second.evicted || it->second.idle_since) return;
  it->second.idle_since = next_idle_++;
  idle_.emplace(*it->second.idle_since, id);
}

void ConnectionLimiter::Release(Id id) {
  std::lock_guard lock(mu_);
  auto it = open_.find(id);
  if (it == open_.end()) return;
  if (it->second.idle_since) idle_.erase(*it->second.idle_since);
  if (it->second.evicted) --giving_way_;
  open_.erase(it);
}

size_t ConnectionLimiter::open() const {
  std::lock_guard lock(mu_);
  return open_.size();
}

}  // namespace homeport
