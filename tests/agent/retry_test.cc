// Retrying activations: Retry-After, capped exponential backoff with jitter, the deadline, and
// which failures are retried at all. Time is the fake clock's: no test sleeps.
#include <gtest/gtest.h>

#include <algorithm>

#include "agent/http_retry.h"
#include "agent_test_support.h"
#include "homeport/agent.h"

namespace homeport {
namespace {

using agent_testing::ActivationReply;
using agent_testing::ErrorReply;
using agent_testing::FakeEnv;
using agent_testing::FakeTransport;
using agent_testing::Reply;
using agent_testing::TestDevice;
using std::chrono::milliseconds;
using std::chrono::seconds;

Result<ActivationState> Boot(const AgentOptions& options) {
  HOMEPORT_ASSIGN_OR_RETURN(std::unique_ptr<Agent> agent, Agent::Open(options));
  return agent->Activate();
}

TEST(AgentRetry, WaitsAtLeastRetryAfter) {
  TestDevice device;
  FakeEnv env;
  env.fixed_random = 0;  // no jitter: only Retry-After makes the agent wait
  const auto start = env.now;
  FakeTransport transport;
  transport.replies.push_back(
      ErrorReply(503, "unavailable", "writer queue full", {{"retry-after", "7"}}));
  transport.replies.push_back(ActivationReply(201, device.profile.serial, "activated"));

  auto state = Boot(device.Options(&env, &transport));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->outcome, ActivationOutcome::kActivated);
  EXPECT_EQ(transport.requests.size(), 2u);
  EXPECT_GE(env.now - start, seconds(7));
  EXPECT_EQ(env.sleeps, std::vector<milliseconds>{seconds(7)});
}

TEST(AgentRetry, BackoffDoublesUpToTheCap) {
  TestDevice device;
  FakeEnv env;
  env.fixed_random = ~uint64_t{0};  // the top of every jitter range: the cap itself
  FakeTransport transport;
  transport.fallback = ErrorReply(500, "internal", "boom");
  AgentOptions options = device.Options(&env, &transport);
  options.initial_backoff = milliseconds(500);
  options.max_backoff = milliseconds(4000);
  options.deadline = seconds(20);

  auto state = Boot(options);
  ASSERT_FALSE(state.ok());
  EXPECT_TRUE(state.status().IsDeadlineExceeded()) << state.status().ToString();
  const std::vector<milliseconds> expected = {milliseconds(500),  milliseconds(1000),
                                              milliseconds(2000), milliseconds(4000),
                                              milliseconds(4000), milliseconds(4000)};
  ASSERT_GE(env.sleeps.size(), expected.size());
  EXPECT_EQ(std::vector<milliseconds>(env.sleeps.begin(), env.sleeps.begin() + expected.size()),
            expected);
  EXPECT_EQ(*std::max_element(env.sleeps.begin(), env.sleeps.end()), milliseconds(4000));
  EXPECT_EQ(transport.requests.size(), env.sleeps.size() + 1);
}

TEST(AgentRetry, JitterStaysWithinTheGrowingCap) {
  TestDevice device;
  FakeEnv env;  // pseudo-random jitter
  FakeTransport transport;
  transport.fallback = ErrorReply(502, "bad_gateway", "proxy down");
  AgentOptions options = device.Options(&env, &transport);
  options.max_backoff = seconds(8);

  ASSERT_TRUE(Boot(options).status().IsDeadlineExceeded());
  ASSERT_GT(env.sleeps.size(), 5u);
  for (size_t i = 0; i < env.sleeps.size(); ++i) {
    milliseconds cap =
        std::min<milliseconds>(milliseconds(500) * (1 << std::min<size_t>(i, 10)), seconds(8));
    EXPECT_LE(env.sleeps[i], cap) << "retry " << i;
  }
  // Jitter means the waits are not all equal to the cap.
  EXPECT_NE(std::count(env.sleeps.begin(), env.sleeps.end(), seconds(8)),
            static_cast<std::ptrdiff_t>(env.sleeps.size()));
}

TEST(AgentRetry, GivesUpAtTheDeadlineWithTheLastError) {
  TestDevice device;
  FakeEnv env;
  const auto start = env.now;
  FakeTransport transport;
  transport.env = &env;
  transport.latency = milliseconds(300);
  transport.fallback = Status::Unavailable("connect to 203.0.113.7 port 443: Connection refused");

  auto state = Boot(device.Options(&env, &transport));  // default 60 s deadline
  ASSERT_FALSE(state.ok());
  EXPECT_TRUE(state.status().IsDeadlineExceeded()) << state.status().ToString();
  EXPECT_NE(state.status().message().find("Connection refused"), std::string::npos);
  EXPECT_GT(transport.requests.size(), 3u);
  // Every wait started ended by the deadline; only the final request's time may follow it.
  EXPECT_LE(env.now - start, seconds(60) + transport.latency);
  EXPECT_FALSE(env.FileExists(device.StatePath()));
}

TEST(AgentRetry, RetryAfterBeyondTheDeadlineGivesUpAtOnce) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.fallback = ErrorReply(429, "rate_limited", "slow down", {{"retry-after", "120"}});

  auto state = Boot(device.Options(&env, &transport));
  ASSERT_FALSE(state.ok());
  EXPECT_TRUE(state.status().IsDeadlineExceeded());
  EXPECT_NE(state.status().message().find("rate_limited: slow down"), std::string::npos);
  EXPECT_EQ(transport.requests.size(), 1u);
  EXPECT_TRUE(env.sleeps.empty());
}

TEST(AgentRetry, RetriesNetworkFailures408And429And5xx) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.replies.push_back(Status::Unavailable("Could not resolve host"));
  transport.replies.push_back(ErrorReply(408, "timeout", "request timeout"));
  transport.replies.push_back(ErrorReply(429, "rate_limited", "slow down", {{"retry-after", "1"}}));
  transport.replies.push_back(Reply(504, "<html>gateway timeout</html>"));
  transport.replies.push_back(ActivationReply(201, device.profile.serial, "activated"));

  auto state = Boot(device.Options(&env, &transport));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(transport.requests.size(), 5u);
  EXPECT_EQ(env.sleeps.size(), 4u);
  EXPECT_GE(env.sleeps[2], seconds(1));
}

TEST(AgentRetry, RefusedTlsIdentityIsNotRetried) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  transport.fallback = Status::PermissionDenied("SSL: public key does not match pinned public key");

  auto state = Boot(device.Options(&env, &transport));
  EXPECT_TRUE(state.status().IsPermissionDenied());
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST(HttpRetry, JitterMapsRandomOntoZeroToCap) {
  agent::RetryPolicy policy{seconds(60), milliseconds(500), seconds(30)};
  EXPECT_EQ(agent::JitteredBackoff(0, policy, 0), milliseconds(0));
  EXPECT_EQ(agent::JitteredBackoff(0, policy, ~uint64_t{0}), milliseconds(500));
  EXPECT_EQ(agent::JitteredBackoff(2, policy, uint64_t{1} << 63), milliseconds(1000));
  EXPECT_EQ(agent::JitteredBackoff(10, policy, ~uint64_t{0}), seconds(30));
  EXPECT_EQ(agent::JitteredBackoff(1000, policy, ~uint64_t{0}), seconds(30));
}

TEST(HttpRetry, ReadsRetryAfterSeconds) {
  EXPECT_EQ(agent::RetryAfter(Reply(503, "", {{"retry-after", " 7 "}})), seconds(7));
  EXPECT_EQ(agent::RetryAfter(Reply(503, "", {{"retry-after", "0"}})), seconds(0));
  EXPECT_EQ(agent::RetryAfter(Reply(503, "")), std::nullopt);
  EXPECT_EQ(agent::RetryAfter(Reply(503, "", {{"retry-after", "Wed, 21 Oct 2026 07:28:00 GMT"}})),
            std::nullopt);
  EXPECT_EQ(agent::RetryAfter(Reply(503, "", {{"retry-after", "-5"}})), std::nullopt);
}

TEST(HttpRetry, ErrorStatusCarriesTheServerCode) {
  Status wrong_region = agent::HttpErrorStatus(ErrorReply(421, "wrong_region", "this is sg"));
  EXPECT_TRUE(wrong_region.IsPermissionDenied());
  EXPECT_EQ(wrong_region.message(), "wrong_region: this is sg (HTTP 421)");
  Status html = agent::HttpErrorStatus(Reply(400, "<html>\nbad\n</html>"));
  EXPECT_TRUE(html.IsInvalidArgument());
  EXPECT_EQ(html.message(), "HTTP 400: <html> bad </html>");
  EXPECT_TRUE(agent::HttpErrorStatus(Reply(404, "")).IsNotFound());
  EXPECT_TRUE(agent::HttpErrorStatus(Reply(503, "")).IsUnavailable());
}

}  // namespace
}  // namespace homeport
