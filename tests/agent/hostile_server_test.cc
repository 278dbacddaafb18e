// The agent against a broken or hostile server: a deletion-request survives redirects and
// refusals until a 2xx, other pings follow Glean's upload rules (3xx retried, 4xx dropped but
// 408/429), an implausible warranty start is refused and never cached, and server text reaches
// a person only escaped.
#include <gtest/gtest.h>

#include "agent/http_retry.h"
#include "homeport/agent.h"
#include "homeport/uxp.h"
#include "uxp_test_support.h"

namespace homeport {
namespace {

using agent_testing::Accepted;
using agent_testing::ActivationReply;
using agent_testing::ErrorReply;
using agent_testing::FakeEnv;
using agent_testing::FakeTransport;
using agent_testing::OpenUxpOrDie;
using agent_testing::Reply;
using agent_testing::Sent;
using agent_testing::TestDevice;
using std::chrono::milliseconds;

// What a misbehaving server (or a captive portal in front of it) answers.
TransportResponse HostileAnswer(int status) {
  if (status >= 300 && status <= 399) {
    return Reply(status, "<html>moved</html>", {{"location", "https://portal.example/login"}});
  }
  return ErrorReply(status, status >= 500 ? "unavailable" : "bad_json", "refused by the test");
}

// A device that opted in (with a client id the test can look for) and has a transport.
struct OptedInDevice {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  std::unique_ptr<UxProgram> uxp;
  std::string client_id;

  OptedInDevice() {
    AgentOptions o = device.Options(&env, &transport);
    o.deadline = std::chrono::seconds(20);
    uxp = OpenUxpOrDie(o);
    if (uxp == nullptr) return;
    EXPECT_TRUE(uxp->OptIn().ok());
    client_id = uxp->GetStatus()->client_id.value_or("");
  }
};

class DeletionRequestAnswer : public ::testing::TestWithParam<int> {};

TEST_P(DeletionRequestAnswer, KeepsItPendingUntilALaterUploadGetsA2xx) {
  OptedInDevice d;
  ASSERT_NE(d.uxp, nullptr);
  d.transport.fallback = HostileAnswer(GetParam());
  auto opt_out = d.uxp->OptOut();
  ASSERT_TRUE(opt_out.ok()) << opt_out.status().ToString();
  EXPECT_EQ(opt_out->sent, 0);
  EXPECT_EQ(opt_out->dropped, 0);
  EXPECT_EQ(opt_out->pending, 1);
  EXPECT_FALSE(opt_out->last_error.ok());
  EXPECT_NE(opt_out->last_error.message().find("HTTP " + std::to_string(GetParam())),
            std::string::npos)
      << opt_out->last_error.ToString();
  // Retried with backoff within the deadline, never followed elsewhere.
  EXPECT_GT(d.transport.requests.size(), 1u);
  for (const auto& r : d.transport.requests) {
    EXPECT_EQ(Sent(r).doc_type, "deletion-request");
    EXPECT_EQ(r.url.find("portal.example"), std::string::npos);
  }
  auto status = d.uxp->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->enabled);
  EXPECT_EQ(status->pending_deletion_requests, 1);

  // Still refused on the next tick: still kept.
  auto again = d.uxp->Upload();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->pending, 1);
  EXPECT_EQ(d.uxp->GetStatus()->pending_deletion_requests, 1);

  d.transport.requests.clear();
  d.transport.fallback = Accepted();
  auto delivered = d.uxp->Upload();
  ASSERT_TRUE(delivered.ok());
  EXPECT_EQ(delivered->sent, 1);
  EXPECT_EQ(delivered->pending, 0);
  ASSERT_EQ(d.transport.requests.size(), 1u);
  const auto ping = Sent(d.transport.requests[0]);
  EXPECT_EQ(ping.doc_type, "deletion-request");
  EXPECT_EQ(ping.body["client_info"]["client_id"], d.client_id);
  EXPECT_EQ(d.uxp->GetStatus()->pending_deletion_requests, 0);
}

INSTANTIATE_TEST_SUITE_P(RedirectsAndRefusals, DeletionRequestAnswer,
                         ::testing::Values(301, 302, 307, 308, 400, 404, 413, 500, 503));

TEST(DeletionRequest, RetriesARefusalWithCappedBackoffUntilTheDeadline) {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  AgentOptions o = device.Options(&env, &transport);
  o.deadline = std::chrono::seconds(60);
  o.initial_backoff = milliseconds(500);
  o.max_backoff = std::chrono::seconds(4);
  env.fixed_random = ~uint64_t{0};  // every wait is its cap
  auto uxp = OpenUxpOrDie(o);
  ASSERT_NE(uxp, nullptr);
  ASSERT_TRUE(uxp->OptIn().ok());
  const Env::TimePoint start = env.Now();
  transport.fallback = HostileAnswer(400);
  auto opt_out = uxp->OptOut();
  ASSERT_TRUE(opt_out.ok());
  EXPECT_EQ(opt_out->pending, 1);
  ASSERT_GE(env.sleeps.size(), 4u);
  EXPECT_EQ(env.sleeps[0], milliseconds(500));
  EXPECT_EQ(env.sleeps[1], milliseconds(1000));
  EXPECT_EQ(env.sleeps[2], milliseconds(2000));
  for (size_t i = 3; i < env.sleeps.size(); ++i) EXPECT_EQ(env.sleeps[i], milliseconds(4000));
  EXPECT_LE(env.Now() - start, std::chrono::seconds(60));
  EXPECT_TRUE(opt_out->last_error.IsDeadlineExceeded()) << opt_out->last_error.ToString();
}

TEST(DeletionRequest, HonoursRetryAfterOfARefusal) {
  OptedInDevice d;
  ASSERT_NE(d.uxp, nullptr);
  d.env.fixed_random = 0;  // no jitter: only Retry-After makes it wait
  d.transport.replies.push_back(
      ErrorReply(429, "rate_limited", "slow down", {{"retry-after", "7"}}));
  d.transport.fallback = Accepted();
  auto opt_out = d.uxp->OptOut();
  ASSERT_TRUE(opt_out.ok());
  EXPECT_EQ(opt_out->sent, 1);
  ASSERT_EQ(d.env.sleeps.size(), 1u);
  EXPECT_EQ(d.env.sleeps[0], std::chrono::seconds(7));
}

TEST(UploadRules, RedirectKeepsAPingQueuedAndALaterUploadSendsIt) {
  for (int status : {301, 302, 307, 308}) {
    SCOPED_TRACE(status);
    OptedInDevice d;
    ASSERT_NE(d.uxp, nullptr);
    ASSERT_TRUE(d.uxp->Feedback("screen flickers", 3).ok());
    d.transport.fallback = HostileAnswer(status);
    auto redirected = d.uxp->Upload();
    ASSERT_TRUE(redirected.ok());
    EXPECT_EQ(redirected->dropped, 0);
    EXPECT_EQ(redirected->pending, 1);
    EXPECT_NE(redirected->last_error.message().find("not followed"), std::string::npos)
        << redirected->last_error.ToString();
    EXPECT_EQ(d.uxp->GetStatus()->pending_pings, 1);

    d.transport.requests.clear();
    d.transport.fallback = Accepted();
    auto later = d.uxp->Upload();
    ASSERT_TRUE(later.ok());
    EXPECT_EQ(later->sent, 1);
    ASSERT_EQ(d.transport.requests.size(), 1u);
    EXPECT_EQ(Sent(d.transport.requests[0]).doc_type, "feedback");
  }
}

TEST(UploadRules, ClientErrorDropsAPingBut408And429AreRetried) {
  for (int status : {400, 403, 404, 413, 415}) {
    SCOPED_TRACE(status);
    OptedInDevice d;
    ASSERT_NE(d.uxp, nullptr);
    ASSERT_TRUE(d.uxp->Feedback("screen flickers", 3).ok());
    d.transport.fallback = HostileAnswer(status);
    auto upload = d.uxp->Upload();
    ASSERT_TRUE(upload.ok());
    EXPECT_EQ(upload->dropped, 1);
    EXPECT_EQ(upload->pending, 0);
    EXPECT_EQ(d.transport.requests.size(), 1u);
  }
  for (int status : {408, 429}) {
    SCOPED_TRACE(status);
    OptedInDevice d;
    ASSERT_NE(d.uxp, nullptr);
    ASSERT_TRUE(d.uxp->Feedback("screen flickers", 3).ok());
    d.transport.fallback = HostileAnswer(status);
    auto upload = d.uxp->Upload();
    ASSERT_TRUE(upload.ok());
    EXPECT_EQ(upload->dropped, 0);
    EXPECT_EQ(upload->pending, 1);
    EXPECT_GT(d.transport.requests.size(), 1u);
  }
}

TEST(UploadRules, EveryStatusButSuccessAndClientErrorsIsRetryable) {
  for (int s : {100, 199, 300, 301, 302, 304, 307, 308, 399, 408, 429, 500, 503, 599, 600}) {
    EXPECT_TRUE(agent::IsRetryableHttpStatus(s)) << s;
  }
  for (int s : {200, 201, 204, 299, 400, 401, 403, 404, 409, 413, 421, 499}) {
    EXPECT_FALSE(agent::IsRetryableHttpStatus(s)) << s;
  }
}

TEST(ServerText, ReachesAPersonEscaped) {
  TransportResponse hostile = ErrorReply(
      400, "bad_json\x1b]0;owned\x07", "line one\nhomeport: deletion-request sent\x1b[2K\xc2\x9b");
  const std::string message = agent::HttpErrorStatus(hostile).message();
  EXPECT_EQ(message.find('\x1b'), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find("\xc2\x9b"), std::string::npos) << message;
  EXPECT_NE(message.find("\\x1b[2K"), std::string::npos) << message;

  TransportResponse redirect =
      Reply(302, "", {{"location", "https://portal.example/\r\nX-Evil: 1\x1b[31m"}});
  const std::string where = agent::HttpErrorStatus(redirect).message();
  EXPECT_EQ(where.find('\x1b'), std::string::npos) << where;
  EXPECT_EQ(where.find('\r'), std::string::npos) << where;
  EXPECT_NE(where.find("portal.example"), std::string::npos) << where;
}

// ---- warranty_start plausibility ----

struct ActivatingDevice {
  TestDevice device;
  FakeEnv env;  // 2026-01-15T09:00Z
  FakeTransport transport;

  Result<ActivationState> Boot() {
    HOMEPORT_ASSIGN_OR_RETURN(auto agent, Agent::Open(device.Options(&env, &transport)));
    return agent->Activate();
  }
};

TEST(WarrantyStart, ImplausibleDatesAreRefusedAndNotCached) {
  const struct {
    const char* made_on;
    const char* warranty_start;
    const char* why;
  } cases[] = {
      {"", "2026-01-17", "in the future"},  // past tomorrow
      {"", "2099-12-31", "in the future"},
      {"2026-01-10", "2026-01-09", "batch was made"},  // before the batch
      {"", "2019-12-31", "before any device was made"},
      {"", "1970-01-01", "before any device was made"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.warranty_start);
    ActivatingDevice d;
    d.device.profile.made_on = c.made_on;
    d.device.WriteProfile();
    d.transport.replies.push_back(
        ActivationReply(201, d.device.profile.serial, "activated", c.warranty_start));
    auto refused = d.Boot();
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(refused.status().IsCorruption()) << refused.status().ToString();
    EXPECT_NE(refused.status().message().find(c.warranty_start), std::string::npos);
    EXPECT_NE(refused.status().message().find(c.why), std::string::npos)
        << refused.status().ToString();
    EXPECT_FALSE(d.env.FileExists(d.device.StatePath()));

    // Not cached: the next boot asks again, and a plausible answer is kept.
    d.transport.replies.push_back(
        ActivationReply(200, d.device.profile.serial, "already_activated", "2026-01-12"));
    auto accepted = d.Boot();
    ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
    EXPECT_EQ(accepted->warranty_start, "2026-01-12");
    EXPECT_EQ(d.Boot()->outcome, ActivationOutcome::kCached);
    EXPECT_EQ(d.transport.requests.size(), 2u);
  }
}

TEST(WarrantyStart, ADayOfClockSkewAndTheBatchDayItselfAreAccepted) {
  for (const char* date : {"2026-01-16", "2026-01-10"}) {
    SCOPED_TRACE(date);
    ActivatingDevice d;
    d.device.profile.made_on = "2026-01-10";
    d.device.WriteProfile();
    d.transport.replies.push_back(ActivationReply(201, d.device.profile.serial, "activated", date));
    auto state = d.Boot();
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    EXPECT_EQ(state->warranty_start, date);
  }
}

TEST(WarrantyStart, ACachedDateBeforeTheBatchIsAskedForAgain) {
  ActivatingDevice d;
  d.transport.replies.push_back(
      ActivationReply(201, d.device.profile.serial, "activated", "2025-06-01"));
  ASSERT_TRUE(d.Boot().ok());  // plausible for a profile that does not say when it was made

  d.device.profile.made_on = "2026-01-10";  // the batch date the profile now carries
  d.device.WriteProfile();
  d.transport.replies.push_back(
      ActivationReply(200, d.device.profile.serial, "already_activated", "2026-01-12"));
  auto state = d.Boot();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->warranty_start, "2026-01-12");
  EXPECT_EQ(d.transport.requests.size(), 2u);
}

}  // namespace
}  // namespace homeport
