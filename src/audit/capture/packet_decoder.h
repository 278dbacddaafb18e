// Link, network and transport headers of one captured frame, decoded in place: every field is
// a view into the frame, so decoding allocates nothing. Handles Ethernet (with 802.1Q/802.1ad
// tags, and PPPoE sessions), Linux cooked capture v1 and v2, raw IP, BSD loopback; IPv4 and IPv6
// (extension headers skipped); TCP and UDP. Frames cut short by the capture's snap length decode as
// far as their bytes go.
#pragma once

#include <cstdint>
#include <string_view>

#include "audit/capture/ip_address.h"

namespace homeport::audit::capture {

// libpcap's DLT_* values this decoder reads.
bool IsSupportedLinkType(int link_type);

enum class IpProtocol : uint8_t { kTcp = 6, kUdp = 17 };

// The network layer of a frame: an IP datagram or one fragment of it.
struct IpDatagram {
  bool ok = false;  // false: not IP, or the headers are cut off or malformed
  IpAddress src, dst;
  uint8_t protocol = 0;      // the transport protocol (after IPv6 extension headers)
  std::string_view payload;  // the bytes after the IP header(s), trimmed to the IP length
  // Fragments: `payload` is the part at `fragment_offset` bytes of the original payload.
  bool fragment = false;
  bool more_fragments = false;
  uint32_t fragment_offset = 0;
  uint32_t fragment_id = 0;
};

IpDatagram DecodeNetwork(int link_type, std::string_view frame);

// TCP flag bits as on the wire.
inline constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

// The transport layer of a whole (reassembled) datagram.
struct Segment {
  bool ok = false;  // false: neither TCP nor UDP, or the header is cut off
  IpProtocol protocol = IpProtocol::kTcp;
  uint16_t src_port = 0, dst_port = 0;
  uint32_t seq = 0;       // TCP only
  uint8_t tcp_flags = 0;  // TCP only
  std::string_view payload;
};

Segment DecodeTransport(uint8_t protocol, std::string_view datagram_payload);

}  // namespace homeport::audit::capture
