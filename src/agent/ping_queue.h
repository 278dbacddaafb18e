// A directory of pings waiting for upload, one file per ping as Glean keeps them: the file holds
// the submission path on its first line and the JSON body on its second. The name
// "<order>_<bytes>_<doc_id>.ping" gives the queue order and size without opening the file.
// Every file is written atomically through the Env; other names (temporary files) are ignored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/glean_document.h"
#include "homeport/env.h"
#include "homeport/status.h"

namespace homeport::agent {

struct QueuedPing {
  std::string file;  // the name inside the queue's directory
  uint64_t order = 0;
  int64_t bytes = 0;
  std::string doc_id;
};

struct PendingPing {
  std::string path;  // "/submit/homeport-agent/<ping>/1/<doc_id>"
  std::string body;
};

class PingQueue {
 public:
  PingQueue(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}

  // Oldest first. A missing directory is an empty queue.
  Result<std::vector<QueuedPing>> List() const;
  // Appends `doc` behind every queued ping, creating the directory if needed.
  Result<QueuedPing> Add(const GleanDocument& doc);
  // Corruption when the file is not a path line and a body line.
  Result<PendingPing> Read(const QueuedPing& ping) const;
  Status Remove(const QueuedPing& ping);
  // Removes the oldest pings until at most `max_pings` remain holding at most `max_bytes`;
  // returns how many were removed.
  Result<int> DropOldestBeyond(int max_pings, int64_t max_bytes);
  // Removes every queued ping.
  Status Clear();

 private:
  Env* const env_;
  const std::string dir_;
};

}  // namespace homeport::agent
