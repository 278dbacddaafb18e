// Header decoding. Lengths are checked against both the header's own length fields and the
// bytes captured, because captures hold snapped, padded and corrupted frames alike.
#include "audit/capture/packet_decoder.h"

#include <pcap/dlt.h>

#include "common/big_endian.h"

namespace homeport::audit::capture {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86DD;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88A8;
constexpr uint16_t kEtherPppoeSession = 0x8864;


IpDatagram DecodeIpv4(std::string_view b) {
  IpDatagram d;
  if (b.size() < 20) return d;
  const auto* u = reinterpret_cast<const uint8_t*>(b.data());
  const size_t header = (u[0] & 0x0F) * 4u;
  const size_t total = LoadBe16(b, 2);
  if (header < 20 || b.size() < header || total < header) return d;
  d.src = IpAddress::V4(u + 12);
  d.dst = IpAddress::V4(u + 16);
  d.protocol = u[9];
  // Ethernet pads short frames; the IP length says where the datagram ends. A snapped frame
  // is shorter than that: keep what was captured.
  const size_t end = total < b.size() ? total : b.size();
  d.payload = b.substr(header, end - header);
  const uint16_t frag = LoadBe16(b, 6);
  d.more_fragments = (frag & 0x2000) != 0;
  d.fragment_offset = (frag & 0x1FFFu) * 8u;
  d.fragment = d.more_fragments || d.fragment_offset != 0;
  d.fragment_id = LoadBe16(b, 4);
  d.ok = true;
  return d;
}

IpDatagram DecodeIpv6(std::string_view b) {
  IpDatagram d;
  if (b.size() < 40) return d;
  const auto* u = reinterpret_cast<const uint8_t*>(b.data());
  d.src = IpAddress::V6(u + 8);
  d.dst = IpAddress::V6(u + 24);
  const size_t total = 40u + LoadBe16(b, 4);
  const size_t end = total < b.size() ? total : b.size();
  uint8_t next = u[6];
  size_t at = 40;
  // Extension headers: hop-by-hop, routing, fragment, destination options, authentication.
  for (int hops = 0; hops < 8; ++hops) {
    if (next == 0 || next == 43 || next == 60 || next == 51) {
      if (at + 8 > end) return d;
      const size_t len = next == 51 ? (u[at + 1] + 2u) * 4u : (u[at + 1] + 1u) * 8u;
      next = u[at];
      at += len;
    } else if (next == 44) {
      if (at + 8 > end) return d;
      const uint16_t frag = LoadBe16(b, at + 2);
      d.fragment_offset = frag & 0xFFF8u;
      d.more_fragments = (frag & 1) != 0;
      d.fragment = d.more_fragments || d.fragment_offset != 0;
      d.fragment_id = LoadBe32(b, at + 4);
      next = u[at];
      at += 8;
    } else {
      break;
    }
  }
  if (at > end) return d;
  d.protocol = next;
  d.payload = b.substr(at, end - at);
  d.ok = true;
  return d;
}

IpDatagram DecodeByEtherType(uint16_t type, std::string_view b) {
  if (type == kEtherIpv4) return DecodeIpv4(b);
  if (type == kEtherIpv6) return DecodeIpv6(b);
  return {};
}

IpDatagram DecodeByVersion(std::string_view b) {
  if (b.empty()) return {};
  const int version = static_cast<uint8_t>(b[0]) >> 4;
  if (version == 4) return DecodeIpv4(b);
  if (version == 6) return DecodeIpv6(b);
  return {};
}

}  // namespace

bool IsSupportedLinkType(int link_type) {
  switch (link_type) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_NULL:
    case DLT_LOOP:
      return true;
    default:
      return false;
  }
}

IpDatagram DecodeNetwork(int link_type, std::string_view f) {
  switch (link_type) {
    case DLT_EN10MB: {
      if (f.size() < 14) return {};
      uint16_t type = LoadBe16(f, 12);
      size_t at = 14;
      // Up to two VLAN tags (802.1ad outer, 802.1Q inner).
      for (int tags = 0; tags < 2 && (type == kEtherVlan || type == kEtherQinQ); ++tags) {
        if (f.size() < at + 4) return {};
        type = LoadBe16(f, at + 2);
        at += 4;
      }
      if (type == kEtherPppoeSession) {
        // PPPoE (RFC 2516) as DSL lines carry it: a 6-byte header, then PPP's protocol field.
        if (f.size() < at + 8) return {};
        const uint16_t ppp = LoadBe16(f, at + 6);
        at += 8;
        if (ppp == 0x0021) return DecodeIpv4(f.substr(at));
        if (ppp == 0x0057) return DecodeIpv6(f.substr(at));
        return {};
      }
      return DecodeByEtherType(type, f.substr(at));
    }
    case DLT_LINUX_SLL:
      if (f.size() < 16) return {};
      return DecodeByEtherType(LoadBe16(f, 14), f.substr(16));
    case DLT_LINUX_SLL2:
      if (f.size() < 20) return {};
      return DecodeByEtherType(LoadBe16(f, 0), f.substr(20));
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
      return DecodeByVersion(f);
    case DLT_NULL:
    case DLT_LOOP:
      // A 4-byte address family in the capturing host's byte order; the IP version nibble
      // tells the same and needs no byte-order guess.
      if (f.size() < 4) return {};
      return DecodeByVersion(f.substr(4));
    default:
      return {};
  }
}

Segment DecodeTransport(uint8_t protocol, std::string_view p) {
  Segment s;
  if (protocol == static_cast<uint8_t>(IpProtocol::kTcp)) {
    if (p.size() < 20) return s;
    const size_t header = (static_cast<uint8_t>(p[12]) >> 4) * 4u;
    if (header < 20 || header > p.size()) return s;
    s.protocol = IpProtocol::kTcp;
    s.src_port = LoadBe16(p, 0);
    s.dst_port = LoadBe16(p, 2);
    s.seq = LoadBe32(p, 4);
    s.tcp_flags = static_cast<uint8_t>(p[13]);
    s.payload = p.substr(header);
    s.ok = true;
  } else if (protocol == static_cast<uint8_t>(IpProtocol::kUdp)) {
    if (p.size() < 8) return s;
    const size_t length = LoadBe16(p, 4);
    s.protocol = IpProtocol::kUdp;
    s.src_port = LoadBe16(p, 0);
    s.dst_port = LoadBe16(p, 2);
    // A UDP length below the header is invalid (or 0 for IPv6 jumbograms): use the IP length.
    const size_t end = length >= 8 && length < p.size() ? length : p.size();
    s.payload = p.substr(8, end - 8);
    s.ok = true;
  }
  return s;
}

}  // namespace homeport::audit::capture
