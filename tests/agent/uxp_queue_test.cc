// The UX program's offline queue under Glean's upload rules: 2xx done, 4xx dropped, 5xx, 408,
// 429 and network failures kept and retried (honouring Retry-After) until the deadline, at most
// 500 pings / 50 MiB with the oldest dropped first, and deletion-requests never dropped.
#include <gtest/gtest.h>

#include <algorithm>

#include "homeport/uxp.h"
#include "uxp_test_support.h"

namespace homeport {
namespace {

using agent_testing::Accepted;
using agent_testing::ErrorReply;
using agent_testing::FakeEnv;
using agent_testing::FakeTransport;
using agent_testing::MemoryFilesEnv;
using agent_testing::Offline;
using agent_testing::OpenUxpOrDie;
using agent_testing::Reply;
using agent_testing::Sent;
using agent_testing::TestDevice;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A device that opted in and queued `count` feedback pings "feedback 1", "feedback 2", ...
struct QueuedDevice {
  TestDevice device;
  FakeEnv env;
  FakeTransport transport;
  std::unique_ptr<UxProgram> uxp;

  explicit QueuedDevice(int count, AgentOptions overrides = {}) {
    AgentOptions o = device.Options(&env, &transport);
    o.max_pending_pings = overrides.max_pending_pings;
    o.max_pending_bytes = overrides.max_pending_bytes;
    o.deadline = overrides.deadline;
    uxp = OpenUxpOrDie(o);
    if (uxp == nullptr) return;
    EXPECT_TRUE(uxp->OptIn().ok());
    for (int i = 1; i <= count; ++i) {
      Status st = uxp->Feedback("feedback " + std::to_string(i), std::nullopt);
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
  }

  std::string FeedbackText(size_t request) {
    return Sent(transport.requests.at(request)).body["metrics"]["text"]["feedback.text"];
  }
};

TEST(UxpQueue, ServerErrorsKeepPingsForALaterUpload) {
  QueuedDevice d(2);
  ASSERT_NE(d.uxp, nullptr);
  d.transport.fallback = ErrorReply(503, "unavailable", "store down", {{"retry-after", "5"}});
  auto failed = d.uxp->Upload();
  ASSERT_TRUE(failed.ok()) << failed.status().ToString();
  EXPECT_EQ(failed->sent, 0);
  EXPECT_EQ(failed->pending, 2);
  EXPECT_TRUE(failed->last_error.IsDeadlineExceeded()) << failed->last_error.ToString();
  EXPECT_GT(d.transport.requests.size(), 1u);  // retried, within the deadline
  EXPECT_FALSE(d.env.sleeps.empty());
  for (auto wait : d.env.sleeps) EXPECT_GE(wait, seconds(5));
  // Only the oldest was tried: the server is down for all of them.
  for (const auto& r : d.transport.requests) EXPECT_EQ(r.url, d.transport.requests[0].url);

  d.transport.requests.clear();
  d.transport.fallback = Accepted();
  auto later = d.uxp->Upload();
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->sent, 2);
  EXPECT_EQ(later->pending, 0);
  EXPECT_EQ(d.FeedbackText(0), "feedback 1");
  EXPECT_EQ(d.FeedbackText(1), "feedback 2");
}

TEST(UxpQueue, OfflineDeviceQueuesAndUploadsWhenTheNetworkReturns) {
  QueuedDevice d(1);
  ASSERT_NE(d.uxp, nullptr);
  ASSERT_TRUE(d.uxp->Record("diagnostics.crash_count", "1").ok());
  d.transport.fallback = Offline();
  auto offline = d.uxp->Upload();
  ASSERT_TRUE(offline.ok());
  EXPECT_EQ(offline->pending, 2);  // the feedback and the diagnostics assembled from the record
  EXPECT_TRUE(offline->last_error.IsDeadlineExceeded()) << offline->last_error.ToString();
  EXPECT_NE(offline->last_error.message().find("Could not resolve host"), std::string::npos);

  d.transport.requests.clear();
  d.transport.fallback = Accepted();
  auto online = d.uxp->Upload();
  ASSERT_TRUE(online.ok());
  EXPECT_EQ(online->sent, 2);
  ASSERT_EQ(d.transport.requests.size(), 2u);
  EXPECT_EQ(Sent(d.transport.requests[0]).doc_type, "feedback");
  EXPECT_EQ(Sent(d.transport.requests[1]).doc_type, "diagnostics");
}

TEST(UxpQueue, ClientErrorsDropThePingAndUploadGoesOn) {
  QueuedDevice d(3);
  ASSERT_NE(d.uxp, nullptr);
  d.transport.replies.push_back(
      ErrorReply(400, "schema_violation", "unknown metric feedback.mood"));
  d.transport.replies.push_back(ErrorReply(413, "too_large", "body over 1 MB"));
  d.transport.replies.push_back(Reply(200, ""));
  auto upload = d.uxp->Upload();
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload->sent, 1);
  EXPECT_EQ(upload->dropped, 2);
  EXPECT_EQ(upload->pending, 0);
  EXPECT_EQ(d.transport.requests.size(), 3u);
  EXPECT_TRUE(d.env.sleeps.empty());
  EXPECT_NE(upload->last_error.message().find("too_large"), std::string::npos);
}

TEST(UxpQueue, RateLimitIsHonouredThenSent) {
  QueuedDevice d(1);
  ASSERT_NE(d.uxp, nullptr);
  d.env.fixed_random = 0;  // no jitter: only Retry-After makes it wait
  d.transport.replies.push_back(
      ErrorReply(429, "rate_limited", "slow down", {{"retry-after", "30"}}));
  d.transport.replies.push_back(ErrorReply(408, "timeout", "request timeout"));
  d.transport.fallback = Accepted();
  auto upload = d.uxp->Upload();
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload->sent, 1);
  EXPECT_EQ(upload->dropped, 0);
  ASSERT_EQ(d.env.sleeps.size(), 2u);
  EXPECT_EQ(d.env.sleeps[0], seconds(30));
  ASSERT_EQ(d.transport.requests.size(), 3u);
  // The same document each time: the server deduplicates by doc_id.
  EXPECT_EQ(d.transport.requests[0].url, d.transport.requests[2].url);
}

TEST(UxpQueue, RetryAfterPastTheDeadlineLeavesThePingQueued) {
  QueuedDevice d(1);
  ASSERT_NE(d.uxp, nullptr);
  d.transport.fallback = ErrorReply(429, "rate_limited", "slow down", {{"retry-after", "3600"}});
  auto upload = d.uxp->Upload();
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload->pending, 1);
  EXPECT_EQ(d.transport.requests.size(), 1u);
  EXPECT_TRUE(d.env.sleeps.empty());
  EXPECT_NE(upload->last_error.message().find("3600"), std::string::npos);
}

TEST(UxpQueue, RefusedTlsIdentityKeepsThePings) {
  QueuedDevice d(2);
  ASSERT_NE(d.uxp, nullptr);
  d.transport.fallback = Status::PermissionDenied("POST: SSL: public key does not match pinned");
  auto upload = d.uxp->Upload();
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload->pending, 2);
  EXPECT_TRUE(upload->last_error.IsPermissionDenied());
  EXPECT_EQ(d.transport.requests.size(), 1u);
}

TEST(UxpQueue, KeepsAtMost500PingsDroppingTheOldestButNeverADeletionRequest) {
  TestDevice device;
  MemoryFilesEnv env;  // a thousand fsyncs would make this test slow, not better
  FakeTransport transport;
  transport.fallback = Offline();
  auto uxp = OpenUxpOrDie(device.Options(&env, &transport));
  ASSERT_NE(uxp, nullptr);
  ASSERT_TRUE(uxp->OptIn().ok());
  ASSERT_TRUE(uxp->OptOut().ok());  // offline: the deletion-request stays queued
  ASSERT_TRUE(uxp->OptIn().ok());
  for (int i = 1; i <= 501; ++i) {
    ASSERT_TRUE(uxp->Feedback("feedback " + std::to_string(i), std::nullopt).ok()) << i;
  }
  auto status = uxp->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->pending_pings, 500);
  EXPECT_EQ(status->pending_deletion_requests, 1);

  transport.requests.clear();
  transport.fallback = Accepted();
  auto upload = uxp->Upload();
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload->sent, 501);
  ASSERT_EQ(transport.requests.size(), 501u);
  EXPECT_EQ(Sent(transport.requests[0]).doc_type, "deletion-request");
  auto text = [&](size_t i) {
    return Sent(transport.requests[i]).body["metrics"]["text"]["feedback.text"];
  };
  EXPECT_EQ(text(1), "feedback 2");  // "feedback 1" was the oldest, dropped
  EXPECT_EQ(text(500), "feedback 501");
}

TEST(UxpQueue, ByteBoundDropsTheOldestToo) {
  QueuedDevice probe(1);
  const std::string probe_dir = probe.device.state_dir + "/uxp/pending_pings/";
  auto names = probe.env.ListDir(probe_dir);
  ASSERT_TRUE(names.ok() && names->size() == 1u);
  const auto ping_bytes =
      static_cast<int64_t>(probe.env.ReadFile(probe_dir + names->at(0))->size());

  AgentOptions bounds;
  bounds.max_pending_bytes = ping_bytes * 5 / 2;  // room for two such pings, not three
  QueuedDevice d(3, bounds);
  ASSERT_NE(d.uxp, nullptr);
  EXPECT_EQ(d.uxp->GetStatus()->pending_pings, 2);
  d.transport.fallback = Accepted();
  ASSERT_TRUE(d.uxp->Upload().ok());
  ASSERT_EQ(d.transport.requests.size(), 2u);
  EXPECT_EQ(d.FeedbackText(0), "feedback 2");
  EXPECT_EQ(d.FeedbackText(1), "feedback 3");
}

TEST(UxpQueue, DeletionRequestsOutliveAnyBound) {
  AgentOptions bounds;
  bounds.max_pending_pings = 1;
  bounds.max_pending_bytes = 1;
  QueuedDevice d(0, bounds);
  ASSERT_NE(d.uxp, nullptr);
  d.transport.fallback = Offline();
  std::vector<std::string> ids;
  for (int round = 0; round < 3; ++round) {
    if (round > 0) {
      ASSERT_TRUE(d.uxp->OptIn().ok());
    }
    ids.push_back(*d.uxp->GetStatus()->client_id);
    ASSERT_TRUE(d.uxp->OptOut().ok());
  }
  EXPECT_EQ(d.uxp->GetStatus()->pending_deletion_requests, 3);

  d.transport.requests.clear();
  d.transport.fallback = Accepted();
  auto upload = d.uxp->Upload();
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload->sent, 3);
  ASSERT_EQ(d.transport.requests.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(Sent(d.transport.requests[i]).body["client_info"]["client_id"], ids[i]);
  }
}

TEST(UxpQueue, UnreadablePendingFileIsDroppedNotSent) {
  QueuedDevice d(1);
  ASSERT_NE(d.uxp, nullptr);
  const std::string dir = d.device.state_dir + "/uxp/pending_pings/";
  ASSERT_TRUE(
      d.env
          .WriteFileAtomic(dir + "000000000000_10_0f0e0d0c-0b0a-4908-8706-050403020100.ping",
                           "garbage!!\n", 0600)
          .ok());
  d.transport.fallback = Accepted();
  auto upload = d.uxp->Upload();
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload->dropped, 1);
  EXPECT_EQ(upload->sent, 1);
  EXPECT_EQ(d.transport.requests.size(), 1u);
  EXPECT_TRUE(upload->last_error.IsCorruption()) << upload->last_error.ToString();
}

}  // namespace
}  // namespace homeport
