// The periodic flush of wrong-region aggregates.
#include "server/wrong_region_flush.h"

#include <spdlog/spdlog.h>

namespace homeport {

bool FlushWrongRegionTally(ServerMetrics& metrics, GroupCommitWriter& writer) {
  std::vector<WrongRegionAttempt> counts = metrics.TakeWrongRegionTally();
  if (counts.empty()) return true;
  auto done = [&metrics, counts](Status st) {
    if (st.ok()) return;
    spdlog::warn("wrong-region counts kept for the next flush: {}", st.ToString());
    metrics.ReturnWrongRegionTally(counts);
  };
  if (writer.SubmitWrongRegionCounts(counts, done)) return true;
  metrics.ReturnWrongRegionTally(counts);
  return false;
}

WrongRegionFlushLoop::WrongRegionFlushLoop(ServerMetrics& metrics, GroupCommitWriter& writer,
                                           std::chrono::milliseconds interval)
    : metrics_(metrics), writer_(writer), interval_(interval) {
  if (interval_.count() > 0) thread_ = std::thread([this] { Run(); });
}

WrongRegionFlushLoop::~WrongRegionFlushLoop() { Stop(); }

void WrongRegionFlushLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  if (flushed_last_) return;
  flushed_last_ = true;
  FlushWrongRegionTally(metrics_, writer_);
}

void WrongRegionFlushLoop::Run() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    FlushWrongRegionTally(metrics_, writer_);
    lock.lock();
  }
}

}  // namespace homeport
