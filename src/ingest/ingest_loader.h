// IngestLoader: moves what the IngestLog holds into the Store, from one thread, in large
// batches (one transaction each), in the order the records were written, and releases the
// segments it has loaded. Dedup and erasure hold whatever the timing: the store refuses a known
// doc_id and any document of an erased client (ClientErasure), so loading a record twice, as
// a restart after a crash does, changes nothing.
//
// It also answers the two questions the server asks of it: when is an erasure complete (in
// the store, and the log segments before it deleted), and when does the store hold everything
// acknowledged so far (operator reads wait for that).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "ingest/ingest_log.h"
#include "server/server_metrics.h"
#include "store/store.h"

namespace homeport {

struct IngestLoaderOptions {
  size_t max_batch_bytes = 8 << 20;  // log bytes per store transaction, at most about this
  // A failing store is tried again after a delay that doubles from the first to the last.
  std::chrono::milliseconds retry_first{50};
  std::chrono::milliseconds retry_last{5'000};
};

class IngestLoader {
 public:
  // `log`, `store`, `env` and `metrics` must outlive the loader; `metrics` may be null.
  IngestLoader(IngestLog& log, CommitStore& store, Env* env, ServerMetrics* metrics,
               IngestLoaderOptions options = {});
  ~IngestLoader();  // Stop()

  // For an erasure the log has made durable, ending at `end`: `done` gets the outcome once the
  // erasure is committed to the store and every log segment up to it is deleted, or an error if
  // the loader stops first.
  struct ErasureOutcome {
    int64_t documents = 0;  // documents erased
    int64_t log_index = 0;  // the transparency-log entry that records the erasure
  };
  using ErasureDone = std::function<void(Result<ErasureOutcome>)>;
  void AwaitErasure(LogPosition end, ErasureDone done);

  // Returns once the store holds everything the log had made durable when called (dedup and
  // erasures applied): what an operator read must see. Unavailable after `timeout`.
  Status WaitLoaded(std::chrono::milliseconds timeout);

  // Durable bytes of the log not yet in the store (0 when caught up).
  uint64_t UnloadedBytes();

  // Loads what is durable, as long as the store takes it, then stops. Call after IngestLog::Stop.
  void Stop();

 private:
  // An erasure of this process's log, from its load or its request, whichever comes first.
  struct ErasureWait {
    ErasureDone done;               // set by AwaitErasure
    std::optional<ErasureOutcome> erased;  // set once committed
  };

  void Run();
  // Commits one read's records; false when the store failed.
  bool Load(const LogRead& read);
  void CompleteErasures();

  IngestLog& log_;
  CommitStore& store_;
  Env* const env_;
  ServerMetrics* const metrics_;
  const IngestLoaderOptions options_;

  std::mutex mu_;
  std::condition_variable loaded_cv_;
  std::condition_variable stop_cv_;
  LogPosition loaded_;  // everything before it is in the store
  bool stopping_ = false;
  std::map<LogPosition, ErasureWait> erasures_;
  std::thread thread_;
};

}  // namespace homeport
