// Moving the wrong-region tally from memory to the store. A refused activation is only
// counted in ServerMetrics; these write what was counted as one aggregate per label pair,
// in one queued write through the GroupCommitWriter, every few seconds and on shutdown. So
// however many refusals arrive, the store sees at most one write per flush (S8).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/group_commit_writer.h"
#include "server/server_metrics.h"

namespace homeport {

// Takes the tally and queues it as one write. When the writer refuses it (queue full,
// stopping) or its commit fails, the counts go back into the tally for the next flush:
// nothing counted is lost while the process lives. False when the writer refused it.
bool FlushWrongRegionTally(ServerMetrics& metrics, GroupCommitWriter& writer);

// Flushes every `interval` on a thread of its own, and once more on Stop().
class WrongRegionFlushLoop {
 public:
  // `metrics` and `writer` must outlive the loop; a zero interval flushes on Stop() only.
  WrongRegionFlushLoop(ServerMetrics& metrics, GroupCommitWriter& writer,
                       std::chrono::milliseconds interval);
  ~WrongRegionFlushLoop();  // Stop()

  // Ends the loop and flushes what is left; call before the writer stops. Idempotent.
  void Stop();

 private:
  void Run();

  ServerMetrics& metrics_;
  GroupCommitWriter& writer_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool flushed_last_ = false;
  std::thread thread_;
};

}  // namespace homeport
