// WorkerPool: threads for handler work that may wait for the store (an activation's enrollment
// read and signature check, operator reads), so that no I/O thread ever waits for the
// database: a paused database stalls these workers, never /healthz or ping intake. Bounded:
// Post refuses once `max_queued` jobs wait, and the handler answers 503 + Retry-After.
//
// Thread-safety: Post may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace homeport {

class WorkerPool {
 public:
  // `threads` 0: one per core.
  explicit WorkerPool(size_t threads = 0, size_t max_queued = 4096);
  ~WorkerPool();  // Stop()

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False, without running `job`, when the queue is full or the pool is stopping.
  bool Post(std::function<void()> job);

  // Runs every job already queued, then joins the threads.
  void Stop();

 private:
  void Run();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace homeport
