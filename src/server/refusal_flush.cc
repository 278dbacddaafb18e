// The periodic flush of refusal aggregates.
#include "server/refusal_flush.h"

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

bool FlushSchemaViolationTally(SchemaViolationTally& tally, GroupCommitWriter& writer) {
  std::vector<SchemaViolationCount> counts = tally.Take();
  if (counts.empty()) return true;
  auto done = [&tally, counts](Status st) {
    if (st.ok()) return;
    spdlog::warn("schema-violation counts kept for the next flush: {}", st.ToString());
    tally.Return(counts);
  };
  if (writer.SubmitSchemaViolationCounts(counts, done)) return true;
  tally.Return(counts);
  return false;
}

RefusalFlushLoop::RefusalFlushLoop(ServerMetrics& metrics, GroupCommitWriter& writer,
                                   std::chrono::milliseconds interval,
                                   SchemaViolationTally* violations)
    : metrics_(metrics), writer_(writer), violations_(violations), interval_(interval) {
  if (interval_.count() > 0) thread_ = std::thread([this] { Run(); });
}

RefusalFlushLoop::~RefusalFlushLoop() { Stop(); }

void RefusalFlushLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  if (flushed_last_) return;
  flushed_last_ = true;
  Flush();
}

void RefusalFlushLoop::Flush() {
  FlushWrongRegionTally(metrics_, writer_);
  if (violations_) FlushSchemaViolationTally(*violations_, writer_);
}

void RefusalFlushLoop::Run() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    Flush();
    lock.lock();
  }
}

}  // namespace homeport
