// AnswerDeadline: the first answer wins, a request left waiting gets the overdue answer once,
// and the late answer after it is dropped.
#include "server/answer_deadline.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <vector>

namespace homeport {
namespace {

using std::chrono::milliseconds;

// Every response a request was sent, in order.
struct Answers {
  std::mutex mu;
  std::vector<int> statuses;
  std::promise<void> first;
  Respond respond() {
    return [this](HttpResponse r) {
      std::lock_guard lock(mu);
      statuses.push_back(r.status);
      if (statuses.size() == 1) first.set_value();
    };
  }
  std::vector<int> seen() {
    std::lock_guard lock(mu);
    return statuses;
  }
};

HttpResponse Overdue() {
  HttpResponse r;
  r.status = 503;
  return r;
}

HttpResponse Ok() {
  HttpResponse r;
  r.status = 200;
  return r;
}

TEST(AnswerDeadline, AnswerInTimeIsPassedOnAndTheDeadlineSendsNothing) {
  AnswerDeadline deadline;
  Answers answers;
  Respond guarded = deadline.Guard(answers.respond(), milliseconds(50), Overdue());
  guarded(Ok());
  std::this_thread::sleep_for(milliseconds(50) + AnswerDeadline::kTick * 3);
  EXPECT_EQ(answers.seen(), std::vector<int>{200});
  EXPECT_EQ(deadline.pending(), 0u);
}

TEST(AnswerDeadline, RequestLeftWaitingGetsTheOverdueAnswerOnceAndTheLateOneIsDropped) {
  AnswerDeadline deadline;
  Answers answers;
  // A job holds the guarded Respond, as a worker stuck on a paused database does.
  Respond held = deadline.Guard(answers.respond(), milliseconds(50), Overdue());
  ASSERT_EQ(answers.first.get_future().wait_for(std::chrono::seconds(5)),
            std::future_status::ready);
  EXPECT_EQ(answers.seen(), std::vector<int>{503});
  held(Ok());  // the database came back and the job finished
  EXPECT_EQ(answers.seen(), std::vector<int>{503});
}

TEST(AnswerDeadline, LaterDeadlinesWaitForTheirOwnTime) {
  AnswerDeadline deadline;
  Answers slow, fast;
  Respond held_slow = deadline.Guard(slow.respond(), milliseconds(5000), Overdue());
  Respond held_fast = deadline.Guard(fast.respond(), milliseconds(20), Overdue());
  ASSERT_EQ(fast.first.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(slow.seen().empty());
  held_slow(Ok());
  EXPECT_EQ(slow.seen(), std::vector<int>{200});
}

TEST(AnswerDeadline, RespondDroppedUnansweredSendsNothing) {
  AnswerDeadline deadline;
  Answers answers;
  { Respond dropped = deadline.Guard(answers.respond(), milliseconds(20), Overdue()); }
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_TRUE(answers.seen().empty());
}

}  // namespace
}  // namespace homeport
