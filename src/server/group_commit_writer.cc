// The group-commit loop. Batching is natural: while one transaction is being fsynced, new
// requests pile up and all go into the next one, so the batch grows with the load.
#include "server/group_commit_writer.h"

#include <chrono>

namespace homeport {

GroupCommitWriter::GroupCommitWriter(CommitStore& store, Env* env, ServerMetrics* metrics,
                                     GroupCommitOptions options)
    : store_(store), env_(env), metrics_(metrics), options_(options) {
  thread_ = std::thread([this] { Run(); });
}

GroupCommitWriter::~GroupCommitWriter() { Stop(); }

bool GroupCommitWriter::SubmitActivation(Activation activation, ActivationDone done) {
  return Enqueue({std::move(activation),
                  [this, done = std::move(done)](const Result<BatchResult>& r, size_t i) {
                    if (!r.ok()) return done(r.status());
                    if (metrics_) metrics_->CountActivation(r->activations[i].outcome);
                    done(r->activations[i]);
                  }});
}

bool GroupCommitWriter::SubmitWrongRegionCounts(std::vector<WrongRegionAttempt> counts,
                                                CountsDone done) {
  if (counts.empty()) return true;
  return Enqueue(
      {std::move(counts), [done = std::move(done)](const Result<BatchResult>& r, size_t) {
         if (done) done(r.status());
       }});
}

bool GroupCommitWriter::SubmitSchemaViolationCounts(std::vector<SchemaViolationCount> counts,
                                                    CountsDone done) {
  if (counts.empty()) return true;
  return Enqueue(
      {std::move(counts), [done = std::move(done)](const Result<BatchResult>& r, size_t) {
         if (done) done(r.status());
       }});
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
  std::vector<size_t> index;
  index.reserve(batch.size());
  for (auto& p : batch) {
    std::visit(
        [&](auto& op) {
          using T = std::decay_t<decltype(op)>;
          auto add = [&](auto& vec) {
            index.push_back(vec.size());
            vec.push_back(std::move(op));
          };
          if constexpr (std::is_same_v<T, Activation>) add(wb.activations);
          if constexpr (std::is_same_v<T, std::vector<WrongRegionAttempt>>) {
            index.push_back(0);
            std::move(op.begin(), op.end(), std::back_inserter(wb.wrong_region));
          }
          if constexpr (std::is_same_v<T, std::vector<SchemaViolationCount>>) {
            index.push_back(0);
            std::move(op.begin(), op.end(), std::back_inserter(wb.schema_violations));
          }
        },
        p.op);
  }
  auto started = std::chrono::steady_clock::now();
  Result<BatchResult> result = store_.Commit(wb, env_->Now());
  if (metrics_) {
    metrics_->ObserveCommit(batch.size(), std::chrono::steady_clock::now() - started, result.ok());
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done) batch[i].done(result, index[i]);
  }
}

}  // namespace homeport
