#include "audit/capture/tcp_reassembler.h"

#include <gtest/gtest.h>

#include "audit/capture/packet_decoder.h"

namespace homeport::audit::capture {
namespace {

struct Stream {
  TcpStreamLimits limits;
  ReassemblyBudget budget{1 << 20};
  TcpStream s;
  void Add(uint32_t seq, std::string_view bytes, uint8_t flags = kTcpAck) {
    s.Add(seq, flags, bytes, limits, budget);
  }
};

TEST(TcpStream, DeliversInOrderAcrossSequenceWrap) {
  Stream t;
  t.Add(0xFFFFFFFEu, "", kTcpSyn);
  t.Add(0xFFFFFFFFu, "ab");
  t.Add(1, "cd");
  EXPECT_EQ(t.s.data(), "abcd");
  EXPECT_EQ(t.s.stats().bytes, 4u);
}

TEST(TcpStream, ReordersOutOfOrderSegments) {
  Stream t;
  t.Add(99, "", kTcpSyn);
  t.Add(103, "world");
  EXPECT_EQ(t.s.data(), "");
  t.Add(100, "hel");
  EXPECT_EQ(t.s.data(), "helworld");  // 'hel' then the waiting segment at 103
  EXPECT_EQ(t.s.stats().out_of_order, 1u);
}

TEST(TcpStream, CountsRetransmissionsAndKeepsTheirNewBytes) {
  Stream t;
  t.Add(99, "", kTcpSyn);
  t.Add(100, "abc");
  t.Add(100, "abc");
  t.Add(101, "bcdef");
  EXPECT_EQ(t.s.data(), "abcdef");
  EXPECT_EQ(t.s.stats().retransmitted, 2u);
}

TEST(TcpStream, SkipsAHoleThatIsNeverFilled) {
  Stream t;
  t.Add(99, "", kTcpSyn);
  t.Add(100, "abc");
  t.Add(110, "xyz");
  t.s.Flush(t.limits, t.budget);
  EXPECT_TRUE(t.s.TakeDiscontinuity());
  EXPECT_EQ(t.s.data(), "xyz");
  EXPECT_EQ(t.s.stats().gaps, 1u);
  EXPECT_EQ(t.s.stats().gap_bytes, 7u);
}

TEST(TcpStream, HoldsNoMoreThanItsLimits) {
  Stream t;
  t.limits.max_buffered = 8;
  t.Add(0, "", kTcpSyn);
  t.Add(1, "12345");
  t.Add(6, "67890");  // past the per-stream limit: dropped, and the dissector told
  EXPECT_TRUE(t.s.TakeDiscontinuity());
  EXPECT_LE(t.s.held(), 8u);
  EXPECT_EQ(t.s.stats().bytes, 10u);
  EXPECT_GT(t.s.stats().overflowed, 0u);

  Stream shared;
  shared.budget = ReassemblyBudget(4);
  shared.Add(0, "", kTcpSyn);
  shared.Add(1, "123456");
  EXPECT_EQ(shared.budget.used(), 0u);  // the global budget refused it
}

TEST(TcpStream, ReordersSegmentsOneAtATimeWithBoundedHolding) {
  // Every pair of one-byte segments swapped, a million bytes: each waits once, in a map
  // bounded by the out-of-order limits, so the work stays linear.
  Stream t;
  t.Add(0, "", kTcpSyn);
  std::string sent, received;
  for (uint32_t i = 0; i < 1'000'000; i += 2) {
    const char a = static_cast<char>('a' + i % 26), b = static_cast<char>('a' + (i + 1) % 26);
    sent += a;
    sent += b;
    t.Add(1 + i + 1, std::string(1, b));
    t.Add(1 + i, std::string(1, a));
    ASSERT_LE(t.s.held(), 2u);
    received += t.s.data();
    t.s.Consume(t.s.data().size(), t.budget);
  }
  EXPECT_EQ(received, sent);
  EXPECT_EQ(t.s.stats().out_of_order, 500'000u);
  EXPECT_EQ(t.budget.used(), 0u);

  // In reverse order, what waits never passes the segment limit.
  Stream r;
  r.Add(0, "", kTcpSyn);
  for (uint32_t i = 200'000; i-- > 0;) {
    r.Add(1 + i, "x");
    ASSERT_LE(r.s.held(), r.limits.max_out_of_order_segments + 1);
  }
}

TEST(TcpStream, StopsBufferingButKeepsCounting) {
  Stream t;
  t.Add(0, "", kTcpSyn);
  t.Add(1, "hello");
  t.s.StopBuffering(t.budget);
  EXPECT_EQ(t.budget.used(), 0u);
  t.Add(10, "later");
  t.Add(6, "abcd");
  EXPECT_EQ(t.s.data(), "");
  EXPECT_EQ(t.s.stats().bytes, 14u);
  EXPECT_EQ(t.s.stats().out_of_order, 1u);
}

}  // namespace
}  // namespace homeport::audit::capture
