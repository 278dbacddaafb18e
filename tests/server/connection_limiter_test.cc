// The connection cap: who gives way at the cap, who is refused, and how the default cap follows
// the open-file limit.
#include "server/connection_limiter.h"

#include <gtest/gtest.h>

#include <vector>

namespace homeport {
namespace {

// Records which connections were told to close.
struct Closed {
  std::vector<int> ids;
  ConnectionLimiter::CloseFn For(int n) {
    return [this, n] { ids.push_back(n); };
  }
};

TEST(ConnectionLimiter, AdmitsUpToTheCapWithoutClosingAnyone) {
  Closed closed;
  ConnectionLimiter limiter(3);
  for (int i = 0; i < 3; ++i) {
    auto a = limiter.Admit(closed.For(i));
    EXPECT_TRUE(a.id.has_value());
    EXPECT_FALSE(a.evicted);
  }
  EXPECT_EQ(limiter.open(), 3u);
  EXPECT_TRUE(closed.ids.empty());
}

TEST(ConnectionLimiter, SilentConnectionGivesWayToNewcomer) {
  Closed closed;
  ConnectionLimiter limiter(2);
  auto silent = limiter.Admit(closed.For(1));
  auto busy = limiter.Admit(closed.For(2));
  ASSERT_TRUE(limiter.MarkActive(*busy.id));
  auto newcomer = limiter.Admit(closed.For(3));
  ASSERT_TRUE(newcomer.id.has_value());
  EXPECT_TRUE(newcomer.evicted);
  EXPECT_EQ(closed.ids, std::vector<int>{1});
  // Its bytes arriving now are too late: it was already chosen.
  EXPECT_FALSE(limiter.MarkActive(*silent.id));
  limiter.Release(*silent.id);
  EXPECT_EQ(limiter.open(), 2u);
}

TEST(ConnectionLimiter, LongestIdleGivesWayFirst) {
  Closed closed;
  ConnectionLimiter limiter(3);
  auto a = limiter.Admit(closed.For(1));
  auto b = limiter.Admit(closed.For(2));
  auto c = limiter.Admit(closed.For(3));
  // All three served a request; then b, c, a went idle in that order.
  for (auto* x : {&a, &b, &c}) ASSERT_TRUE(limiter.MarkActive(*x->id));
  limiter.MarkIdle(*b.id);
  limiter.MarkIdle(*c.id);
  limiter.MarkIdle(*a.id);
  auto d = limiter.Admit(closed.For(4));
  ASSERT_TRUE(d.id.has_value());
  EXPECT_EQ(closed.ids, std::vector<int>{2});
}

TEST(ConnectionLimiter, RefusesNewcomerWhenEveryConnectionIsBusy) {
  Closed closed;
  ConnectionLimiter limiter(2);
  auto a = limiter.Admit(closed.For(1));
  auto b = limiter.Admit(closed.For(2));
  ASSERT_TRUE(limiter.MarkActive(*a.id));
  ASSERT_TRUE(limiter.MarkActive(*b.id));
  auto c = limiter.Admit(closed.For(3));
  EXPECT_FALSE(c.id.has_value());
  EXPECT_TRUE(closed.ids.empty());
  EXPECT_EQ(limiter.open(), 2u);
  // Once one is released there is room again.
  limiter.Release(*a.id);
  EXPECT_TRUE(limiter.Admit(closed.For(4)).id.has_value());
}

TEST(ConnectionLimiter, ThousandSilentConnectionsCannotLockOutAClient) {
  Closed closed;
  ConnectionLimiter limiter(100);
  std::vector<ConnectionLimiter::Id> silent;
  for (int i = 0; i < 1000; ++i) {
    auto a = limiter.Admit(closed.For(i));
    ASSERT_TRUE(a.id.has_value());
    silent.push_back(*a.id);
  }
  // The evicted ones closed promptly (their sessions release their place).
  for (int n : closed.ids) limiter.Release(silent[static_cast<size_t>(n)]);
  EXPECT_EQ(limiter.open(), 100u);
  auto client = limiter.Admit(closed.For(5000));
  ASSERT_TRUE(client.id.has_value());
  EXPECT_TRUE(limiter.MarkActive(*client.id));
}

TEST(ConnectionLimiter, ConnectionsStillClosingDoNotCountAgainstTheCap) {
  Closed closed;
  ConnectionLimiter limiter(1);
  auto a = limiter.Admit(closed.For(1));
  auto b = limiter.Admit(closed.For(2));  // a gives way, but has not closed yet
  ASSERT_TRUE(b.id.has_value());
  ASSERT_TRUE(limiter.MarkActive(*b.id));
  EXPECT_FALSE(limiter.Admit(closed.For(3)).id.has_value());
  limiter.Release(*a.id);
  EXPECT_EQ(limiter.open(), 1u);
}

TEST(ConnectionLimiter, DefaultLeavesRoomForStoreAndServer) {
  EXPECT_EQ(DefaultMaxConnections(1024), 1024u - 128u);
  EXPECT_EQ(DefaultMaxConnections(256), 256u - 64u);
  EXPECT_EQ(DefaultMaxConnections(524288), 524288u - 4096u);
  EXPECT_EQ(DefaultMaxConnections(64), 0u);
}

TEST(ConnectionLimiter, FlagAboveWhatTheLimitAllowsIsRefusedWithTheNumbers) {
  auto too_many = ResolveMaxConnections(5000, 1024);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("--max-connections 5000"), std::string::npos);
  EXPECT_NE(too_many.status().message().find("1024"), std::string::npos);
  EXPECT_NE(too_many.status().message().find("at most 896"), std::string::npos);
  EXPECT_FALSE(ResolveMaxConnections(-1, 1024).ok());
  EXPECT_EQ(*ResolveMaxConnections(0, 1024), 896u);
  EXPECT_EQ(*ResolveMaxConnections(100, 1024), 100u);
  EXPECT_FALSE(ResolveMaxConnections(0, 50).ok());
}

}  // namespace
}  // namespace homeport
