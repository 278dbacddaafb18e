// ConnectionLimiter: how many connections the HTTP server keeps open, and which one gives way
// when a new client arrives at the cap. A connection that has sent nothing yet, or sits idle in
// keep-alive, costs a descriptor and serves no one: the one idle the longest is closed to make
// room, so a crowd of silent connections cannot lock real clients out. Only when every open
// connection is busy with a request is a newcomer refused. Thread-safe; sockets are touched
// only through the close callback each connection registers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "homeport/status.h"

namespace homeport {

// Descriptors kept out of the connection budget for everything else a server opens: the
// store's files (SQLite database, WAL, shared memory, journals) or its PostgreSQL pool, the
// listening socket, the event loop, logs, signed manifests and schemas read at start-up, and
// connections being refused with an answer.
uint64_t ReservedDescriptors(uint64_t open_file_limit);

// The default cap for an open-file limit: the limit less ReservedDescriptors().
size_t DefaultMaxConnections(uint64_t open_file_limit);

// The cap in force: `requested` (0 = the default) checked against what the open-file limit
// allows, with a message naming the flag and the limit when it cannot be honoured.
Result<size_t> ResolveMaxConnections(int64_t requested, uint64_t open_file_limit);

class ConnectionLimiter {
 public:
  using Id = uint64_t;
  // Closes the connection's socket (from any thread: it must hand the close to the
  // connection's own executor). Called at most once, never under the limiter's lock.
  using CloseFn = std::function<void()>;

  explicit ConnectionLimiter(size_t max_connections) : max_(max_connections) {}

  struct Admission {
    std::optional<Id> id;  // empty: refused, every open connection is busy
    bool evicted = false;  // an idle connection was closed to make room
  };
  // A newly accepted connection, idle until MarkActive. At the cap, the longest-idle
  // connection is closed (through its CloseFn) and the newcomer admitted in its place.
  Admission Admit(CloseFn close);
  // The connection's request has begun to arrive. False if it was already chosen to give way:
  // the caller then drops what it read and closes.
  bool MarkActive(Id id);
  // Answered; waiting in keep-alive for the next request.
  void MarkIdle(Id id);
  // The connection is gone.
  void Release(Id id);

  size_t open() const;
  size_t max_connections() const { return max_; }

 private:
  struct Entry {
    CloseFn close;
    std::optional<uint64_t> idle_since;  // key in idle_; empty while busy
    bool evicted = false;
  };
  const size_t max_;
  mutable std::mutex mu_;
  Id next_id_ = 1;
  uint64_t next_idle_ = 0;
  size_t giving_way_ = 0;  // evicted, their close not yet run
  std::unordered_map<Id, Entry> open_;
  std::map<uint64_t, Id> idle_;  // oldest idle first
};

}  // namespace homeport
