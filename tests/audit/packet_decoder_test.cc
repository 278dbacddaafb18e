#include "audit/capture/packet_decoder.h"

#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include "audit/capture/ip_defragmenter.h"
#include "pcap_writer.h"

namespace homeport::audit::capture {
namespace {

using homeport::testing::CaptureWriter;

Segment Decode(int dlt, const std::string& frame, IpDatagram* ip = nullptr) {
  IpDatagram d = DecodeNetwork(dlt, frame);
  if (ip != nullptr) *ip = d;
  if (!d.ok) return {};
  return DecodeTransport(d.protocol, d.payload);
}

TEST(PacketDecoder, ReadsTcpOverEthernetWithVlanTag) {
  CaptureWriter w(homeport::testing::kLinkEthernet, /*vlan=*/42);
  w.Tcp("10.0.0.2", 40000, "203.0.113.9", 443, 12345, homeport::testing::kAck, "hello");
  IpDatagram ip;
  Segment s = Decode(DLT_EN10MB, w.frames()[0], &ip);
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(ip.src.ToString(), "10.0.0.2");
  EXPECT_EQ(ip.dst.ToString(), "203.0.113.9");
  EXPECT_EQ(s.protocol, IpProtocol::kTcp);
  EXPECT_EQ(s.src_port, 40000);
  EXPECT_EQ(s.dst_port, 443);
  EXPECT_EQ(s.seq, 12345u);
  EXPECT_EQ(s.payload, "hello");
}

TEST(PacketDecoder, ReadsLinuxCookedV1AndV2AndRawIpv6) {
  for (auto [file_type, dlt] : {std::pair{homeport::testing::kLinkSll, DLT_LINUX_SLL},
                                std::pair{homeport::testing::kLinkSll2, DLT_LINUX_SLL2},
                                std::pair{homeport::testing::kLinkRaw, DLT_RAW}}) {
    CaptureWriter w(file_type);
    w.Udp("2001:db8::2", 5353, "2001:db8::53", 53, "query");
    IpDatagram ip;
    Segment s = Decode(dlt, w.frames()[0], &ip);
    ASSERT_TRUE(s.ok) << dlt;
    EXPECT_EQ(ip.src.ToString(), "2001:db8::2");
    EXPECT_EQ(s.protocol, IpProtocol::kUdp);
    EXPECT_EQ(s.dst_port, 53);
    EXPECT_EQ(s.payload, "query");
  }
}

TEST(PacketDecoder, RejectsCutOffHeadersAndTrimsEthernetPadding) {
  CaptureWriter w;
  w.Udp("10.0.0.2", 1, "10.0.0.3", 2, "x");
  std::string frame = w.frames()[0];
  EXPECT_FALSE(Decode(DLT_EN10MB, frame.substr(0, 20)).ok);
  frame.append(20, '\0');  // minimum-size padding after the datagram
  EXPECT_EQ(Decode(DLT_EN10MB, frame).payload, "x");
  EXPECT_FALSE(DecodeNetwork(DLT_EN10MB, std::string(14, '\0')).ok);  // EtherType 0
}

TEST(IpDefragmenter, PutsFragmentsBackTogetherInAnyOrder) {
  IpDefragmenter defrag;
  IpDatagram first, second;
  first.src = second.src = *IpAddress::Parse("192.0.2.1");
  first.dst = second.dst = *IpAddress::Parse("192.0.2.2");
  first.protocol = second.protocol = 17;
  first.fragment_id = second.fragment_id = 7;
  first.fragment = second.fragment = true;
  first.more_fragments = true;
  first.payload = "01234567";
  second.fragment_offset = 8;
  second.payload = "89";
  EXPECT_FALSE(defrag.Add(second).has_value());
  auto whole = defrag.Add(first);
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*whole, "0123456789");
  EXPECT_EQ(defrag.reassembled(), 1u);
}

TEST(IpDefragmenter, BoundsWaitingDatagrams) {
  IpDefragmenter defrag(/*max_pending=*/2);
  for (uint32_t id = 0; id < 5; ++id) {
    IpDatagram f;
    f.src = *IpAddress::Parse("192.0.2.1");
    f.dst = *IpAddress::Parse("192.0.2.2");
    f.fragment_id = id;
    f.fragment = f.more_fragments = true;
    f.payload = "01234567";
    EXPECT_FALSE(defrag.Add(f).has_value());
  }
  EXPECT_EQ(defrag.dropped(), 3u);
}

TEST(AddressScope, LabelsLocalRanges) {
  auto scope = [](const char* text) { return ScopeOf(*IpAddress::Parse(text)); };
  EXPECT_EQ(scope("10.1.2.3"), AddressScope::kPrivate);
  EXPECT_EQ(scope("172.20.0.1"), AddressScope::kPrivate);
  EXPECT_EQ(scope("172.32.0.1"), AddressScope::kPublic);
  EXPECT_EQ(scope("192.168.0.1"), AddressScope::kPrivate);
  EXPECT_EQ(scope("100.64.0.1"), AddressScope::kCgnat);
  EXPECT_EQ(scope("127.0.0.1"), AddressScope::kLoopback);
  EXPECT_EQ(scope("169.254.1.1"), AddressScope::kLinkLocal);
  EXPECT_EQ(scope("239.255.255.250"), AddressScope::kMulticast);
  EXPECT_EQ(scope("::1"), AddressScope::kLoopback);
  EXPECT_EQ(scope("fe80::1"), AddressScope::kLinkLocal);
  EXPECT_EQ(scope("fd00::1"), AddressScope::kUniqueLocal);
  EXPECT_EQ(scope("ff02::fb"), AddressScope::kMulticast);
  EXPECT_EQ(scope("::ffff:192.168.1.1"), AddressScope::kPrivate);
  EXPECT_EQ(scope("8.8.8.8"), AddressScope::kPublic);
  EXPECT_EQ(scope("2001:4860::8888"), AddressScope::kPublic);
}

}  // namespace
}  // namespace homeport::audit::capture
