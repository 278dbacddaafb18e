// One thread sleeps until the earliest deadline; an answer that came in time is simply skipped.
#include "server/answer_deadline.h"

#include <atomic>

namespace homeport {

// Shared by the guarded Respond (strongly) and the deadline (weakly): once every holder of the
// guarded Respond is gone, nothing is left to time out.
struct AnswerDeadline::Answer {
  Respond respond;
  HttpResponse overdue;
  std::atomic<bool> answered{false};
  void Send(HttpResponse r) {
    if (!answered.exchange(true)) respond(std::move(r));
  }
};

AnswerDeadline::AnswerDeadline() : thread_([this] { Run(); }) {}

AnswerDeadline::~AnswerDeadline() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Respond AnswerDeadline::Guard(Respond respond, std::chrono::milliseconds limit,
                              HttpResponse overdue) {
  auto answer = std::make_shared<Answer>();
  answer->respond = std::move(respond);
  answer->overdue = std::move(overdue);
  bool earliest;
  {
    std::lock_guard lock(mu_);
    auto at = std::chrono::steady_clock::now() + limit;
    earliest = deadlines_.empty() || at < deadlines_.top().at;
    deadlines_.push(Entry{at, answer});
  }
  if (earliest) cv_.notify_one();
  return [answer](HttpResponse r) { answer->Send(std::move(r)); };
}

size_t AnswerDeadline::pending() {
  std::lock_guard lock(mu_);
  return deadlines_.size();
}

void AnswerDeadline::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (deadlines_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto at = deadlines_.top().at;
    if (std::chrono::steady_clock::now() < at) {
      // Every request guarded leaves an entry, answered or not: waking once per tick for all
      // those due by then, rather than once per entry, keeps this thread idle under load.
      cv_.wait_until(lock, at + kTick);
      continue;
    }
    std::shared_ptr<Answer> answer = deadlines_.top().answer.lock();
    deadlines_.pop();
    if (!answer || answer->answered) continue;
    lock.unlock();
    answer->Send(answer->overdue);
    lock.lock();
  }
}

}  // namespace homeport
