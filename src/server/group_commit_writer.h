// GroupCommitWriter: the writer of activations and wrong-region counts (UX-program documents
// go through the ingest log). Request threads enqueue writes; a single thread takes everything
// waiting (up to max_batch), commits it in one transaction and only then completes each waiting
// request (S5). The queue is bounded: a full queue refuses
// new writes at once, which the handler answers with 503 + Retry-After.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include "server/server_metrics.h"
#include "store/store.h"

namespace homeport {

struct GroupCommitOptions {
  size_t queue_capacity = 16384;  // writes waiting before Submit* refuses (back-pressure)
  size_t max_batch = 1024;        // writes per transaction at most
};

class GroupCommitWriter {
 public:
  // Called on the writer thread once the write is durable, or with the commit's error.
  using ActivationDone = std::function<void(Result<ActivationResult>)>;

  // `store`, `env` and `metrics` must outlive the writer; `metrics` may be null.
  GroupCommitWriter(CommitStore& store, Env* env, ServerMetrics* metrics, GroupCommitOptions options = {});
  ~GroupCommitWriter();  // Stop()

  // False, without calling `done`, when the queue is full or the writer is stopping.
  bool SubmitActivation(Activation activation, ActivationDone done);
  // Aggregated wrong-region refusals (ServerMetrics::TakeWrongRegionTally): one queued write,
  // committed with neighbouring writes; `done` gets the commit's status. Empty `counts` is
  // true at once and writes nothing.
  using CountsDone = std::function<void(Status)>;
  bool SubmitWrongRegionCounts(std::vector<WrongRegionAttempt> counts, CountsDone done);
  // Refused pings (SchemaViolationTally::Take), the same way.
  bool SubmitSchemaViolationCounts(std::vector<SchemaViolationCount> counts, CountsDone done);

  // Refuses new writes, commits everything already queued, completes every callback, joins.
  void Stop();

 private:
  using Op = std::variant<Activation, std::vector<WrongRegionAttempt>,
                          std::vector<SchemaViolationCount>>;
  // `done` gets the batch's result and this write's index in its WriteBatch vector.
  struct Pending {
    Op op;
    std::function<void(const Result<BatchResult>&, size_t index)> done;
  };

  bool Enqueue(Pending p);
  void Run();
  void CommitBatch(std::deque<Pending>& batch);

  CommitStore& store_;
  Env* env_;
  ServerMetrics* metrics_;
  const GroupCommitOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace homeport
