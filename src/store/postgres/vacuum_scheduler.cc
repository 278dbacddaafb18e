// The vacuum thread of the PostgreSQL store; see vacuum_scheduler.h.
#include "store/postgres/vacuum_scheduler.h"

namespace homeport {

VacuumScheduler::VacuumScheduler(std::function<Status()> vacuum,
                                 std::chrono::milliseconds min_interval)
    : vacuum_(std::move(vacuum)), min_interval_(min_interval), thread_([this] { Run(); }) {}

VacuumScheduler::~VacuumScheduler() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void VacuumScheduler::Request() {
  {
    std::lock_guard lock(mu_);
    pending_ = true;
  }
  cv_.notify_all();
}

int64_t VacuumScheduler::runs() const {
  std::lock_guard lock(mu_);
  return runs_;
}

Status VacuumScheduler::last_status() const {
  std::lock_guard lock(mu_);
  return last_status_;
}

void VacuumScheduler::Run() {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(mu_);
  bool ran_before = false;
  Clock::time_point last_run{};
  for (;;) {
    cv_.wait(lock, [this] { return pending_ || stop_; });
    if (!pending_) return;  // stopping with nothing to do
    if (ran_before && !stop_) {
      // Rate limit: wait out the interval (or a stop, which runs the pending vacuum now).
      cv_.wait_until(lock, last_run + min_interval_, [this] { return stop_; });
    }
    pending_ = false;
    lock.unlock();
    Status st = vacuum_();
    lock.lock();
    last_run = Clock::now();
    ran_before = true;
    ++runs_;
    last_status_ = st;
    if (stop_ && !pending_) return;
  }
}

}  // namespace homeport
