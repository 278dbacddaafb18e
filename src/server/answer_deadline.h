// AnswerDeadline: a request that waits for the store is answered within a time limit, whatever
// the store does. A database that stops answering without closing anything (SIGSTOP, a frozen
// VM, a stuck disk) leaves no error to report, only a worker or the writer waiting; the
// deadline answers the device 503 + Retry-After instead, and the late answer, if one ever
// comes, is dropped. A 503 promises nothing: work that completes after it (an activation
// committed late) is what the device's retry then finds, as after a lost answer.
//
// Thread-safety: Guard may be called from any thread; the guarded Respond too.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "server/http_message.h"

namespace homeport {

class AnswerDeadline {
 public:
  AnswerDeadline();
  ~AnswerDeadline();  // pending deadlines are dropped; their requests answer as they would
  AnswerDeadline(const AnswerDeadline&) = delete;
  AnswerDeadline& operator=(const AnswerDeadline&) = delete;

  // A Respond that passes on the first answer only. If none has come `limit` from now, and the
  // guarded Respond is still held by someone (a job, a commit in progress), `overdue` is sent
  // (at most kTick late).
  Respond Guard(Respond respond, std::chrono::milliseconds limit, HttpResponse overdue);

  size_t pending();  // deadlines not yet reached (for tests)

  // How late past its deadline an overdue answer may be sent: the thread wakes once per tick
  // for everything due by then, not once per request.
  static constexpr std::chrono::milliseconds kTick{100};

 private:
  struct Answer;
  struct Entry {
    std::chrono::steady_clock::time_point at;
    std::weak_ptr<Answer> answer;
    bool operator>(const Entry& o) const { return at > o.at; }
  };
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> deadlines_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace homeport
