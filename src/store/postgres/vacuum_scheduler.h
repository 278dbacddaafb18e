// VacuumScheduler: runs a vacuum on its own thread when asked, off the request path, at most
// once per interval. PostgreSQL keeps a deleted row's bytes in the table until a vacuum makes
// the space reusable; erasures and retention ask for one, and a burst of them costs one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "homeport/status.h"

namespace homeport {

class VacuumScheduler {
 public:
  // `vacuum` runs on the scheduler's thread. The first request is served at once; a request
  // within `min_interval` of the last run waits until the interval has passed, and requests
  // that arrive meanwhile are served by that one run.
  VacuumScheduler(std::function<Status()> vacuum, std::chrono::milliseconds min_interval);
  // Runs a pending vacuum at once (a stopping server must not leave erased rows behind), then
  // stops the thread.
  ~VacuumScheduler();

  VacuumScheduler(const VacuumScheduler&) = delete;
  VacuumScheduler& operator=(const VacuumScheduler&) = delete;

  // Thread-safe and never blocks on the vacuum itself.
  void Request();

  // Vacuums run so far and the last one's outcome; for tests and logs.
  int64_t runs() const;
  Status last_status() const;

 private:
  void Run();

  const std::function<Status()> vacuum_;
  const std::chrono::milliseconds min_interval_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
  bool stop_ = false;
  int64_t runs_ = 0;
  Status last_status_;
  std::thread thread_;
};

}  // namespace homeport
