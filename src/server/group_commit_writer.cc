// The group-commit loop. Batching is natural: while one transaction is being fsynced, new
// requests pile up and all go into the next one, so the batch grows with the load.
#include "server/group_commit_writer.h"

#include <chrono>

namespace homeport {

GroupCommitWriter::GroupCommitWriter(Store& store, Env* env, ServerMetrics* metrics,
                                     GroupCommitOptions options)
    : store_(store), env_(env), metrics_(metrics), options_(options) {
  thread_ = std::thread([this] { Run(); });
}

GroupCommitWriter::~GroupCommitWriter() { Stop(); }

bool GroupCommitWriter::SubmitActivation(Activation activation, ActivationDone done) {
  return Enqueue({std::move(activation), std::nullopt, std::move(done)});
}

bool GroupCommitWriter::SubmitWrongRegion(WrongRegionAttempt attempt) {
  return Enqueue({std::nullopt, std::move(attempt), nullptr});
}

bool GroupCommitWriter::Enqueue(Pending p) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.queue_capacity) return false;
    queue_.push_back(std::move(p));
    if (metrics_) metrics_->SetQueueDepth(queue_.size());
  }
  cv_.notify_one();
  return true;
}

void GroupCommitWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void GroupCommitWriter::Run() {
  std::deque<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      size_t n = std::min(queue_.size(), options_.max_batch);
      std::move(queue_.begin(), queue_.begin() + static_cast<long>(n), std::back_inserter(batch));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(n));
      if (metrics_) metrics_->SetQueueDepth(queue_.size());
    }
    CommitBatch(batch);
    batch.clear();
  }
}

void GroupCommitWriter::CommitBatch(std::deque<Pending>& batch) {
  WriteBatch wb;
  for (auto& p : batch) {
    if (p.activation) wb.activations.push_back(*p.activation);
    if (p.wrong_region) wb.wrong_region.push_back(*p.wrong_region);
  }
  auto started = std::chrono::steady_clock::now();
  Result<BatchResult> result = store_.Commit(wb, env_->Now());
  if (metrics_) {
    metrics_->ObserveCommit(batch.size(), std::chrono::steady_clock::now() - started, result.ok());
  }
  size_t i = 0;
  for (auto& p : batch) {
    if (!p.activation) continue;
    if (result.ok()) {
      ActivationResult& r = result->activations[i++];
      if (metrics_) metrics_->CountActivation(r.outcome);
      p.done(std::move(r));
    } else {
      p.done(result.status());
    }
  }
}

}  // namespace homeport
