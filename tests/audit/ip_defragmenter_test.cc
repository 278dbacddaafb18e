// The defragmenter on hostile fragment streams: one datagram in a hundred thousand
// fragments, every fragment in reverse order, more datagrams than it waits for.
#include "audit/capture/ip_defragmenter.h"

#include <gtest/gtest.h>

namespace homeport::audit::capture {
namespace {

IpDatagram Fragment(uint32_t id, uint32_t offset, std::string_view payload, bool more) {
  IpDatagram f;
  f.src = *IpAddress::Parse("192.0.2.1");
  f.dst = *IpAddress::Parse("192.0.2.2");
  f.protocol = 17;
  f.fragment = true;
  f.fragment_id = id;
  f.fragment_offset = offset;
  f.more_fragments = more;
  f.payload = payload;
  return f;
}

TEST(IpDefragmenter, PutsTheSmallestFragmentsTogetherInReverseOrderInLinearWork) {
  // A 64 KiB datagram in 8-byte fragments, last first: every fragment is looked at once
  // (the fragment list used to be sorted again on every fragment).
  std::string payload(65528, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
  IpDefragmenter defrag;
  std::optional<std::string_view> whole;
  const uint32_t count = static_cast<uint32_t>(payload.size() / 8);
  for (uint32_t i = count; i-- > 0;) {
    whole =
        defrag.Add(Fragment(1, i * 8, std::string_view(payload).substr(i * 8, 8), i + 1 < count));
    if (i > 0) {
      ASSERT_FALSE(whole.has_value()) << i;
    }
  }
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*whole, payload);
  EXPECT_LE(defrag.work(), 2u * count + 1100u);
  EXPECT_TRUE(defrag.TakeUninspected().empty());
}

TEST(IpDefragmenter, GivesUpADatagramInMoreFragmentsThanTheLimitAndSaysSo) {
  // 100,000 copies of one fragment (73 s before): bounded, and reported as uninspected.
  IpDefragmenter defrag;
  for (int i = 0; i < 100'000; ++i) {
    EXPECT_FALSE(defrag.Add(Fragment(9, 0, "01234567", true)).has_value());
  }
  EXPECT_LE(defrag.work(), 2u * 100'000);
  const std::vector<Uninspected> u = defrag.TakeUninspected();
  // 100,000 fragments: 12 datagrams' worth at 8192 each, all given up.
  ASSERT_EQ(u.size(), 100'000u / 8193);
  EXPECT_EQ(u[0].subject, "udp 192.0.2.1 → 192.0.2.2, IPv4 datagram id 9");
  EXPECT_EQ(u[0].reason, "IP datagram in more fragments than the limit");
  EXPECT_EQ(u[0].limit, 8192u);
  EXPECT_EQ(defrag.dropped(), u.size());
  EXPECT_TRUE(defrag.TakeUninspected().empty());
}

TEST(IpDefragmenter, ReportsADatagramDroppedForRoom) {
  IpDefragmenter defrag(/*max_pending=*/2);
  EXPECT_FALSE(defrag.Add(Fragment(1, 0, "01234567", true)).has_value());
  EXPECT_FALSE(defrag.Add(Fragment(2, 0, "01234567", true)).has_value());
  EXPECT_FALSE(defrag.Add(Fragment(1, 8, "8", true)).has_value());  // 1 is now the more recent
  EXPECT_FALSE(defrag.Add(Fragment(3, 0, "01234567", true)).has_value());
  const std::vector<Uninspected> u = defrag.TakeUninspected();
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].subject, "udp 192.0.2.1 → 192.0.2.2, IPv4 datagram id 2");
  EXPECT_EQ(u[0].limit, 2u);
  auto whole = defrag.Add(Fragment(1, 8, "89", false));
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*whole, "0123456789");
}

TEST(IpDefragmenter, DropsADatagramWhoseFragmentsDisagreeOnItsEnd) {
  IpDefragmenter defrag;
  EXPECT_FALSE(defrag.Add(Fragment(4, 8, "89", false)).has_value());
  EXPECT_FALSE(defrag.Add(Fragment(4, 16, "xx", true)).has_value());  // past the end
  EXPECT_EQ(defrag.dropped(), 1u);
  EXPECT_FALSE(defrag.Add(Fragment(4, 0, "01234567", true)).has_value());  // a new datagram
  EXPECT_TRUE(defrag.TakeUninspected().empty());  // not a limit: not a datagram a host takes
}

TEST(IpDefragmenter, CompletesWithOverlappingFragments) {
  IpDefragmenter defrag;
  EXPECT_FALSE(defrag.Add(Fragment(5, 0, "0123456789ab", true)).has_value());
  EXPECT_FALSE(defrag.Add(Fragment(5, 8, "89ABCDEF", true)).has_value());
  auto whole = defrag.Add(Fragment(5, 16, "g", false));
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*whole, "0123456789ABCDEFg");
}

}  // namespace
}  // namespace homeport::audit::capture
