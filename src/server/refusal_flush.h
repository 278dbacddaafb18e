// Moving the tallies of refused requests from memory to the store: wrong-region activations
// (counted in ServerMetrics) and pings that broke their schema (SchemaViolationTally). Each is
// written as one aggregate per label set, in one queued write through the GroupCommitWriter,
// every few seconds and on shutdown. So however many refusals arrive, the store sees at most
// one write of each per flush (S8).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/group_commit_writer.h"
#include "server/schema_violation_tally.h"
#include "server/server_metrics.h"

namespace homeport {

// Takes the tally and queues it as one write. When the writer refuses it (queue full,
// stopping) or its commit fails, the counts go back into the tally for the next flush:
// nothing counted is lost while the process lives. False when the writer refused it.
bool FlushWrongRegionTally(ServerMetrics& metrics, GroupCommitWriter& writer);
bool FlushSchemaViolationTally(SchemaViolationTally& tally, GroupCommitWriter& writer);

// Flushes every `interval` on a thread of its own, and once more on Stop().
class RefusalFlushLoop {
 public:
  // `metrics`, `writer` and `violations` (when not null) must outlive the loop; a zero interval
  // flushes on Stop() only.
  RefusalFlushLoop(ServerMetrics& metrics, GroupCommitWriter& writer,
                   std::chrono::milliseconds interval, SchemaViolationTally* violations = nullptr);
  ~RefusalFlushLoop();  // Stop()

  // Ends the loop and flushes what is left; call before the writer stops. Idempotent.
  void Stop();

 private:
  void Run();
  void Flush();

  ServerMetrics& metrics_;
  GroupCommitWriter& writer_;
  SchemaViolationTally* const violations_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool flushed_last_ = false;
  std::thread thread_;
};

}  // namespace homeport
