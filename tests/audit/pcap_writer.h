// Test captures made by the tests themselves: frames built field by field (Ethernet with
// optional 802.1Q tag, Linux cooked v1/v2, raw IP; IPv4 or IPv6; TCP with chosen sequence
// numbers, UDP), written as classic pcap or as pcapng, plus the messages the dissectors read
// (DNS queries and answers with CNAME chains, TLS ClientHellos). Header-only and free of
// libpcap, so the end-to-end tests can write captures for the real binary too.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace homeport::testing {

// LINKTYPE_* values as stored in the files.
inline constexpr uint32_t kLinkEthernet = 1, kLinkRaw = 101, kLinkSll = 113, kLinkSll2 = 276;

inline void Put16(std::string& s, uint16_t v) {
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v & 0xFF));
}
inline void Put32(std::string& s, uint32_t v) {
  Put16(s, static_cast<uint16_t>(v >> 16));
  Put16(s, static_cast<uint16_t>(v & 0xFFFF));
}
template <typename T>
void PutLe(std::string& s, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

inline constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

class CaptureWriter {
 public:
  explicit CaptureWriter(uint32_t link_type = kLinkEthernet, uint16_t vlan = 0)
      : link_type_(link_type), vlan_(vlan) {}

  void Tcp(const std::string& src, uint16_t sport, const std::string& dst, uint16_t dport,
           uint32_t seq, uint8_t flags, std::string_view payload = {}) {
    std::string t;
    Put16(t, sport);
    Put16(t, dport);
    Put32(t, seq);
    Put32(t, 0);  // ack number: not read
    t.push_back(0x50);
    t.push_back(static_cast<char>(flags));
    Put16(t, 65535);
    Put32(t, 0);  // checksum, urgent pointer
    t.append(payload);
    Ip(src, dst, 6, t);
  }

  void Udp(const std::string& src, uint16_t sport, const std::string& dst, uint16_t dport,
           std::string_view payload) {
    std::string u;
    Put16(u, sport);
    Put16(u, dport);
    Put16(u, static_cast<uint16_t>(8 + payload.size()));
    Put16(u, 0);
    u.append(payload);
    Ip(src, dst, 17, u);
  }

  // Frame bytes exactly as given (for damaged-input tests).
  void Raw(std::string frame) { frames_.push_back(std::move(frame)); }

  const std::vector<std::string>& frames() const { return frames_; }

  // Classic pcap, microsecond timestamps, little-endian.
  std::string Pcap() const {
    std::string f;
    PutLe<uint32_t>(f, 0xA1B2C3D4);
    PutLe<uint16_t>(f, 2);
    PutLe<uint16_t>(f, 4);
    PutLe<uint32_t>(f, 0);
    PutLe<uint32_t>(f, 0);
    PutLe<uint32_t>(f, 262144);
    PutLe<uint32_t>(f, link_type_);
    uint32_t t = 1'700'000'000;
    for (const auto& frame : frames_) {
      PutLe<uint32_t>(f, t++);
      PutLe<uint32_t>(f, 0);
      PutLe<uint32_t>(f, static_cast<uint32_t>(frame.size()));
      PutLe<uint32_t>(f, static_cast<uint32_t>(frame.size()));
      f.append(frame);
    }
    return f;
  }

  // pcapng: a section header, one interface, an enhanced packet block per frame.
  std::string Pcapng() const {
    std::string f;
    auto block = [&f](uint32_t type, const std::string& body) {
      const uint32_t length = static_cast<uint32_t>(12 + body.size());
      PutLe<uint32_t>(f, type);
      PutLe<uint32_t>(f, length);
      f.append(body);
      PutLe<uint32_t>(f, length);
    };
    std::string shb;
    PutLe<uint32_t>(shb, 0x1A2B3C4D);
    PutLe<uint16_t>(shb, 1);
    PutLe<uint16_t>(shb, 0);
    PutLe<uint64_t>(shb, ~uint64_t{0});  // section length unknown
    block(0x0A0D0D0A, shb);
    std::string idb;
    PutLe<uint16_t>(idb, static_cast<uint16_t>(link_type_));
    PutLe<uint16_t>(idb, 0);
    PutLe<uint32_t>(idb, 262144);
    block(0x00000001, idb);
    uint64_t t = 1'700'000'000'000'000ull;
    for (const auto& frame : frames_) {
      std::string epb;
      PutLe<uint32_t>(epb, 0);
      PutLe<uint32_t>(epb, static_cast<uint32_t>(t >> 32));
      PutLe<uint32_t>(epb, static_cast<uint32_t>(t & 0xFFFFFFFF));
      PutLe<uint32_t>(epb, static_cast<uint32_t>(frame.size()));
      PutLe<uint32_t>(epb, static_cast<uint32_t>(frame.size()));
      epb.append(frame);
      while (epb.size() % 4 != 0) epb.push_back('\0');
      block(0x00000006, epb);
      t += 1'000'000;
    }
    return f;
  }

  static void Write(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }

 private:
  void Ip(const std::string& src, const std::string& dst, uint8_t protocol,
          const std::string& transport) {
    std::string ip;
    uint8_t s[16], d[16];
    const bool v6 = src.find(':') != std::string::npos;
    if (!v6) {
      inet_pton(AF_INET, src.c_str(), s);
      inet_pton(AF_INET, dst.c_str(), d);
      ip.push_back(0x45);
      ip.push_back(0);
      Put16(ip, static_cast<uint16_t>(20 + transport.size()));
      Put16(ip, ident_++);
      Put16(ip, 0x4000);  // don't fragment
      ip.push_back(64);
      ip.push_back(static_cast<char>(protocol));
      Put16(ip, 0);
      ip.append(reinterpret_cast<char*>(s), 4);
      ip.append(reinterpret_cast<char*>(d), 4);
    } else {
      inet_pton(AF_INET6, src.c_str(), s);
      inet_pton(AF_INET6, dst.c_str(), d);
      Put32(ip, 0x60000000);
      Put16(ip, static_cast<uint16_t>(transport.size()));
      ip.push_back(static_cast<char>(protocol));
      ip.push_back(64);
      ip.append(reinterpret_cast<char*>(s), 16);
      ip.append(reinterpret_cast<char*>(d), 16);
    }
    ip.append(transport);
    const uint16_t ether_type = v6 ? 0x86DD : 0x0800;
    std::string frame;
    switch (link_type_) {
      case kLinkEthernet:
        frame.append("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
        if (vlan_ != 0) {
          Put16(frame, 0x8100);
          Put16(frame, vlan_);
        }
        Put16(frame, ether_type);
        break;
      case kLinkSll:
        Put16(frame, 4);  // sent by us
        Put16(frame, 1);
        Put16(frame, 6);
        frame.append("\x02\x00\x00\x00\x00\x01\x00\x00", 8);
        Put16(frame, ether_type);
        break;
      case kLinkSll2:
        Put16(frame, ether_type);
        Put16(frame, 0);
        Put32(frame, 2);  // interface index
        Put16(frame, 1);
        frame.push_back(4);
        frame.push_back(6);
        frame.append("\x02\x00\x00\x00\x00\x01\x00\x00", 8);
        break;
      default:
        break;  // raw IP
    }
    frame.append(ip);
    frames_.push_back(std::move(frame));
  }

  uint32_t link_type_;
  uint16_t vlan_;
  uint16_t ident_ = 1;
  std::vector<std::string> frames_;
};

// A TCP connection in a capture: handshake, data segments with real sequence numbers, close.
class TcpConversation {
 public:
  TcpConversation(CaptureWriter& w, std::string client, uint16_t client_port, std::string server,
                  uint16_t server_port)
      : w_(w), c_(std::move(client)), s_(std::move(server)), cp_(client_port), sp_(server_port) {}

  void Open() {
    w_.Tcp(c_, cp_, s_, sp_, client_seq_ - 1, kSyn);
    w_.Tcp(s_, sp_, c_, cp_, server_seq_ - 1, kSyn | kAck);
    w_.Tcp(c_, cp_, s_, sp_, client_seq_, kAck);
  }
  // The next client bytes as one segment; returns its sequence number.
  uint32_t Send(std::string_view bytes) {
    const uint32_t seq = client_seq_;
    w_.Tcp(c_, cp_, s_, sp_, seq, kAck | kPsh, bytes);
    client_seq_ += static_cast<uint32_t>(bytes.size());
    return seq;
  }
  // Client bytes at an explicit sequence number (out of order, retransmitted); does not move
  // the conversation on — call Skip for that.
  void SendAt(uint32_t seq, std::string_view bytes) {
    w_.Tcp(c_, cp_, s_, sp_, seq, kAck | kPsh, bytes);
  }
  uint32_t next_client_seq() const { return client_seq_; }
  void Skip(size_t n) { client_seq_ += static_cast<uint32_t>(n); }
  void Reply(std::string_view bytes) {
    w_.Tcp(s_, sp_, c_, cp_, server_seq_, kAck | kPsh, bytes);
    server_seq_ += static_cast<uint32_t>(bytes.size());
  }
  void Close() {
    w_.Tcp(c_, cp_, s_, sp_, client_seq_, kFin | kAck);
    w_.Tcp(s_, sp_, c_, cp_, server_seq_, kFin | kAck);
  }

 private:
  CaptureWriter& w_;
  std::string c_, s_;
  uint16_t cp_, sp_;
  uint32_t client_seq_ = 0xFFFFFF00u;  // near the wrap, on purpose
  uint32_t server_seq_ = 1000;
};

inline std::string DnsName(std::string_view name) {
  std::string out;
  while (!name.empty()) {
    const size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    out.push_back(static_cast<char>(label.size()));
    out.append(label);
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  out.push_back('\0');
  return out;
}

inline std::string DnsQuery(uint16_t id, const std::string& name, uint16_t type = 1) {
  std::string m;
  Put16(m, id);
  Put16(m, 0x0100);
  Put16(m, 1);
  Put16(m, 0);
  Put32(m, 0);
  m.append(DnsName(name));
  Put16(m, type);
  Put16(m, 1);
  return m;
}

// An answer to `name`: a CNAME chain through `cnames`, then A (or AAAA) `address`.
inline std::string DnsResponse(uint16_t id, const std::string& name,
                               const std::vector<std::string>& cnames, const std::string& address) {
  const bool v6 = address.find(':') != std::string::npos;
  std::string m;
  Put16(m, id);
  Put16(m, 0x8180);
  Put16(m, 1);
  Put16(m, static_cast<uint16_t>(cnames.size() + 1));
  Put32(m, 0);
  m.append(DnsName(name));
  Put16(m, v6 ? 28 : 1);
  Put16(m, 1);
  std::string owner = name;
  for (const auto& target : cnames) {
    m.append(DnsName(owner));
    Put16(m, 5);
    Put16(m, 1);
    Put32(m, 300);
    const std::string rdata = DnsName(target);
    Put16(m, static_cast<uint16_t>(rdata.size()));
    m.append(rdata);
    owner = target;
  }
  m.append(DnsName(owner));
  Put16(m, v6 ? 28 : 1);
  Put16(m, 1);
  Put32(m, 300);
  uint8_t raw[16];
  inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), raw);
  Put16(m, v6 ? 16 : 4);
  m.append(reinterpret_cast<char*>(raw), v6 ? 16 : 4);
  return m;
}

// A TLS 1.3-style ClientHello record carrying `server_name` (none when empty), padded with
// `padding` bytes of a padding extension so tests can make it span segments.
inline std::string TlsClientHello(const std::string& server_name, size_t padding = 0) {
  std::string ext;
  if (!server_name.empty()) {
    Put16(ext, 0);
    Put16(ext, static_cast<uint16_t>(server_name.size() + 5));
    Put16(ext, static_cast<uint16_t>(server_name.size() + 3));
    ext.push_back(0);
    Put16(ext, static_cast<uint16_t>(server_name.size()));
    ext.append(server_name);
  }
  Put16(ext, 21);  // padding
  Put16(ext, static_cast<uint16_t>(padding));
  ext.append(padding, '\0');
  std::string body;
  Put16(body, 0x0303);
  body.append(32, '\x11');
  body.push_back(0);  // session id
  Put16(body, 2);
  Put16(body, 0x1301);
  body.push_back(1);
  body.push_back(0);
  Put16(body, static_cast<uint16_t>(ext.size()));
  body.append(ext);
  std::string hs;
  hs.push_back(1);
  hs.push_back(static_cast<char>(body.size() >> 16));
  Put16(hs, static_cast<uint16_t>(body.size() & 0xFFFF));
  hs.append(body);
  std::string record;
  record.push_back(22);
  Put16(record, 0x0301);
  Put16(record, static_cast<uint16_t>(hs.size()));
  record.append(hs);
  return record;
}

}  // namespace homeport::testing
