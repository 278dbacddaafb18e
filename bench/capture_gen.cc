// capture-gen: writes a classic pcap of at least --megabytes MB that looks like many devices'
// traffic, in one of four shapes (--shape):
//   bulk              per session a DNS lookup (UDP, sometimes through a CNAME), then either TLS
//                     (a ClientHello with SNI, then 20-60 encrypted records both ways) or an HTTP
//                     POST of a small JSON body (now and then carrying an identifier), to 500
//                     names: few, large flows.
//   short-flows       many short conversations to many destinations: a DNS lookup, then a TLS
//                     handshake with one record each way, or an HTTP GET with a small answer;
//                     ~750 conversations per MB, nearly every one to an address and name of its
//                     own (a few popular destinations come back).
//   identifier-heavy  HTTP POSTs of 2-12 KB JSON bodies full of identifiers (IMEIs, IMSIs, MACs,
//                     e-mail addresses, phone numbers, some in free text), a quarter gzip-encoded,
//                     split over TCP segments.
//   quic-heavy        most sessions QUIC: a DNS lookup, a client Initial sealed with the real
//                     version 1 Initial keys carrying a ClientHello with SNI (padded to 1200
//                     bytes), then 1-RTT short-header packets both ways; one session in six
//                     is TLS over TCP.
// Every TCP flow has its handshake and close. Sessions overlap (several are open at once), so
// flows interleave the way a real capture's do. Deterministic: the same arguments (shape,
// size, --seed) give the same file.
#include "capture_gen.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "quic_initial.h"

namespace homeport::bench {
namespace {

enum class Shape { kBulk, kShortFlows, kIdentifierHeavy, kQuicHeavy };

struct Options {
  std::string out;
  Shape shape = Shape::kBulk;
  uint64_t seed = 1;
  double megabytes = 1024;
  unsigned concurrent = 32;  // sessions open at once
  unsigned hosts = 500;      // distinct destination names
};

void Put16(std::string& s, uint32_t v) {
  s.push_back(static_cast<char>((v >> 8) & 0xFF));
  s.push_back(static_cast<char>(v & 0xFF));
}
void Put32(std::string& s, uint32_t v) {
  Put16(s, v >> 16);
  Put16(s, v & 0xFFFF);
}
template <typename T>
void PutLe(std::string& s, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::string DnsName(const std::string& name) {
  std::string out;
  size_t at = 0;
  while (at < name.size()) {
    size_t dot = name.find('.', at);
    if (dot == std::string::npos) dot = name.size();
    out.push_back(static_cast<char>(dot - at));
    out.append(name, at, dot - at);
    at = dot + 1;
  }
  out.push_back('\0');
  return out;
}

class PcapFile {
 public:
  explicit PcapFile(const std::string& path) : f_(std::fopen(path.c_str(), "wb")) {
    if (f_ == nullptr) return;
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
    std::string h;
    PutLe<uint32_t>(h, 0xA1B2C3D4);
    PutLe<uint16_t>(h, 2);
    PutLe<uint16_t>(h, 4);
    PutLe<uint32_t>(h, 0);
    PutLe<uint32_t>(h, 0);
    PutLe<uint32_t>(h, 65535);
    PutLe<uint32_t>(h, 1);  // Ethernet
    Write(h);
  }
  ~PcapFile() {
    if (f_ != nullptr) std::fclose(f_);
  }
  bool ok() const { return f_ != nullptr && !std::ferror(f_); }
  uint64_t bytes() const { return bytes_; }

  // One Ethernet/IPv4 frame with a TCP (protocol 6) or UDP (17) segment.
  void Frame(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t protocol,
             uint32_t seq, uint8_t flags, std::string_view payload) {
    frame_.clear();
    frame_.append("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
    const size_t transport = protocol == 6 ? 20 : 8;
    frame_.push_back(0x45);
    frame_.push_back(0);
    Put16(frame_, static_cast<uint32_t>(20 + transport + payload.size()));
    Put16(frame_, ident_++);
    Put16(frame_, 0x4000);
    frame_.push_back(64);
    frame_.push_back(static_cast<char>(protocol));
    Put16(frame_, 0);
    Put32(frame_, src);
    Put32(frame_, dst);
    Put16(frame_, sport);
    Put16(frame_, dport);
    if (protocol == 6) {
      Put32(frame_, seq);
      Put32(frame_, 0);
      frame_.push_back(0x50);
      frame_.push_back(static_cast<char>(flags));
      Put16(frame_, 65535);
      Put32(frame_, 0);
    } else {
      Put16(frame_, static_cast<uint32_t>(8 + payload.size()));
      Put16(frame_, 0);
    }
    frame_.append(payload);
    std::string rec;
    PutLe<uint32_t>(rec, 1'700'000'000u + static_cast<uint32_t>(frames_ / 1000));
    PutLe<uint32_t>(rec, static_cast<uint32_t>(frames_ % 1000) * 1000);
    PutLe<uint32_t>(rec, static_cast<uint32_t>(frame_.size()));
    PutLe<uint32_t>(rec, static_cast<uint32_t>(frame_.size()));
    Write(rec);
    Write(frame_);
    ++frames_;
  }

 private:
  void Write(const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), f_);
    bytes_ += s.size();
  }
  std::FILE* f_;
  std::string frame_;
  uint16_t ident_ = 1;
  uint64_t bytes_ = 0;
  uint64_t frames_ = 0;
};

constexpr uint8_t kFin = 0x01, kSyn = 0x02, kPsh = 0x08, kAck = 0x10;
constexpr uint32_t kResolver = (192u << 24) | (168u << 16) | (1u << 8) | 1u;

// splitmix64: small, fast and the same everywhere, so a seed names one file.
struct Rng {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
  std::string Digits(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>('0' + Below(10)));
    return out;
  }
};

// Public /8 blocks of several registries, for the short-flows shape's many destinations.
constexpr uint8_t kPublicBlocks[16] = {23, 31, 45, 52, 77, 80, 91, 103,
                                       118, 142, 151, 176, 185, 202, 203, 213};

// The address of destination `d`: distinct for distinct d (the low 24 bits are a bijection of
// d / 16, the block is d % 16), never .0 or .255 in the last octet.
uint32_t DestinationAddress(uint64_t d) {
  uint32_t x = static_cast<uint32_t>((d / 16) & 0xFFFFFF);
  x = (x * 0x9E3779u + 0x5A5A5Au) & 0xFFFFFF;  // odd multiplier: a bijection mod 2^24
  x ^= x >> 12;
  uint32_t last = x & 0xFF;
  if (last == 0 || last == 255) x ^= 0x81;
  return (uint32_t{kPublicBlocks[d % 16]} << 24) | x;
}

std::string WithLuhn(std::string digits) {
  int sum = 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    int v = digits[digits.size() - 1 - i] - '0';
    if (i % 2 == 0) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  digits.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
  return digits;
}

std::string Gzip(const std::string& in) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

// An identifier-heavy request body: what a leaky telemetry SDK posts.
std::string IdentifierBody(Rng& r) {
  const std::string imei = WithLuhn("35" + r.Digits(12));
  const std::string imsi = "525" + std::string(r.Below(2) ? "01" : "05") + r.Digits(10);
  const std::string iccid = WithLuhn("8965" + r.Digits(14));
  char mac[18];
  std::snprintf(mac, sizeof mac, "3c:5a:b4:%02x:%02x:%02x", r.Below(256), r.Below(256),
                r.Below(256));
  const std::string email = "user" + std::to_string(r.Below(1000000)) + "@mail" +
                            std::to_string(r.Below(50)) + ".example.com";
  const std::string phone = "+65 9" + r.Digits(3) + " " + r.Digits(4);
  std::string body = R"({"device":{"imei":")" + imei + R"(","imsi":")" + imsi +
                     R"(","iccid":")" + iccid + R"(","wifi_mac":")" + mac +
                     R"(","model":"HP7"},"user":{"email":")" + email + R"(","phone":")" +
                     phone + R"("},"cell":{"mcc":525,"mnc":1,"lac":)" +
                     std::to_string(r.Below(65536)) + R"(,"cellid":)" +
                     std::to_string(r.Below(1 << 28)) + R"(},"events":[)";
  const int events = 10 + static_cast<int>(r.Below(60));
  for (int i = 0; i < events; ++i) {
    body += std::string(i ? "," : "") + R"({"t":)" + std::to_string(1700000000 + r.Below(1 << 20)) +
            R"(,"name":"feedback","text":"call me on +65 8)" + r.Digits(3) + " " + r.Digits(4) +
            " or write to friend" + std::to_string(r.Below(100000)) +
            R"(@example.org, my other phone's IMEI is )" + WithLuhn("86" + r.Digits(12)) +
            R"(","ip":"10.0.)" + std::to_string(r.Below(256)) + "." +
            std::to_string(r.Below(256)) + R"("})";
  }
  return body + "]}";
}

// A session is a small script of packets, played one packet per turn so sessions interleave.
struct Session {
  uint32_t device = 0, server = 0;
  uint16_t dns_port = 0, port = 0;
  uint32_t client_seq = 0, server_seq = 0;
  std::string name;
  bool tls = true;
  bool quic = false;
  bool cname = false;
  int step = 0;
  int data_segments = 0;  // encrypted records or response segments still to send
  uint32_t variant = 0;
  std::string request;    // the request's bytes still to send (identifier-heavy: many segments)
  Rng rng{0};
};

class Generator {
 public:
  explicit Generator(const Options& o) : o_(o), file_(o.out) {
    record_.assign(1448, '\0');
    for (size_t i = 0; i < record_.size(); ++i)
      record_[i] = static_cast<char>((i * 131 + 7) & 0xFF);
    if (o_.shape == Shape::kIdentifierHeavy) {
      // A pool of bodies, a quarter of them gzip-encoded: deflating each request anew would make
      // the generator, not the file, the slow part.
      Rng r{o_.seed * 0x2545F4914F6CDD1Dull};
      for (int i = 0; i < 2048; ++i) {
        std::string body = IdentifierBody(r);
        const bool gzip = i % 4 == 0;
        if (gzip) body = Gzip(body);
        bodies_.push_back({std::move(body), gzip});
      }
    }
  }

  int Run() {
    if (!file_.ok()) {
      std::fprintf(stderr, "homeport_bench: cannot write %s\n", o_.out.c_str());
      return 1;
    }
    const uint64_t target = static_cast<uint64_t>(o_.megabytes * 1e6);
    std::vector<Session> open(o_.concurrent);
    for (auto& s : open) Start(s);
    size_t turn = 0;
    while (file_.bytes() < target) {
      Session& s = open[turn++ % open.size()];
      if (!Step(s)) Start(s);
    }
    if (!file_.ok()) {
      std::fprintf(stderr, "homeport_bench: write to %s failed\n", o_.out.c_str());
      return 1;
    }
    std::fprintf(stderr, "capture-gen: %s, %.1f MB, %llu sessions\n", o_.out.c_str(),
                 static_cast<double>(file_.bytes()) / 1e6,
                 static_cast<unsigned long long>(sessions_));
    return 0;
  }

 private:
  struct Body {
    std::string bytes;
    bool gzip = false;
  };

  void Start(Session& s) {
    const uint64_t n = sessions_++;
    s = Session{};
    s.variant = static_cast<uint32_t>(n * 2654435761u);
    s.rng = Rng{o_.seed ^ (n * 0xD1B54A32D192ED03ull)};
    s.device = (10u << 24) | static_cast<uint32_t>((n % 250) + 2);
    s.dns_port = static_cast<uint16_t>(20000 + n % 40000);
    s.port = static_cast<uint16_t>(30000 + n % 30000);
    s.client_seq = s.variant;
    s.server_seq = s.variant ^ 0x5A5A5A5Au;
    s.cname = s.variant % 3 == 0;
    if (o_.shape == Shape::kShortFlows) {
      // One conversation in 25 goes back to one of 3,000 popular destinations; the others each
      // have a destination of their own.
      const uint64_t d = s.rng.Below(25) == 0 ? s.rng.Below(3000) : 3000 + n;
      static constexpr const char* kTlds[] = {"com", "net", "io", "cn", "sg", "de", "jp", "org"};
      s.server = DestinationAddress(d);
      s.name = "s" + std::to_string(d) + ".cdn" + std::to_string(d % 997) + ".example." +
               kTlds[d % 8];
      s.tls = s.rng.Below(10) < 7;
      s.data_segments = 2;
      return;
    }
    const uint32_t host = s.variant % o_.hosts;
    // Public addresses in two blocks: most destinations SingTel (SG), every 50th China Telecom.
    s.server = host % 50 == 0
                   ? (202u << 24) | (102u << 16) | (94u << 8) | (host % 250 + 1)
                   : (203u << 24) | (116u << 16) | ((host / 250) << 8) | (host % 250 + 1);
    s.name = (host % 50 == 0 ? "api" + std::to_string(host) + ".cn.example.net"
                             : "api" + std::to_string(host) + ".sg.example.com");
    switch (o_.shape) {
      case Shape::kBulk:
        s.tls = s.variant % 8 != 0;  // one session in eight is cleartext HTTP
        s.data_segments = s.tls ? 20 + static_cast<int>(s.variant % 40) : 2;
        break;
      case Shape::kIdentifierHeavy: {
        s.tls = false;
        const Body& b = bodies_[s.rng.Below(static_cast<uint32_t>(bodies_.size()))];
        s.request = "POST /v1/feedback HTTP/1.1\r\nHost: " + s.name +
                    "\r\nUser-Agent: hp7-telemetry/2.1\r\nContent-Type: application/json\r\n" +
                    (b.gzip ? "Content-Encoding: gzip\r\n" : "") +
                    "Content-Length: " + std::to_string(b.bytes.size()) + "\r\n\r\n" + b.bytes;
        s.data_segments = 1;
        break;
      }
      case Shape::kQuicHeavy:
        s.quic = s.rng.Below(6) != 0;
        s.tls = true;
        s.data_segments = 20 + static_cast<int>(s.rng.Below(40));
        break;
      case Shape::kShortFlows:
        break;
    }
  }

  void Tcp(Session& s, bool up, uint8_t flags, std::string_view payload) {
    if (up) {
      file_.Frame(s.device, s.port, s.server, s.tls ? 443 : 80, 6, s.client_seq, flags, payload);
      s.client_seq += static_cast<uint32_t>(payload.size()) + ((flags & (kSyn | kFin)) ? 1 : 0);
    } else {
      file_.Frame(s.server, s.tls ? 443 : 80, s.device, s.port, 6, s.server_seq, flags, payload);
      s.server_seq += static_cast<uint32_t>(payload.size()) + ((flags & (kSyn | kFin)) ? 1 : 0);
    }
  }

  void Udp(Session& s, bool up, std::string_view payload) {
    if (up) {
      file_.Frame(s.device, s.port, s.server, 443, 17, 0, 0, payload);
    } else {
      file_.Frame(s.server, 443, s.device, s.port, 17, 0, 0, payload);
    }
  }

  std::string DnsMessage(const Session& s, bool answer) {
    std::string m;
    Put16(m, s.dns_port);
    Put16(m, answer ? 0x8180 : 0x0100);
    Put16(m, 1);
    Put16(m, answer ? (s.cname ? 2 : 1) : 0);
    Put32(m, 0);
    m += DnsName(s.name);
    Put32(m, 0x00010001);
    if (!answer) return m;
    std::string owner = s.name;
    if (s.cname) {
      const std::string target = "edge" + std::to_string(s.variant % 7) + ".cdn.example.net";
      m += DnsName(owner);
      Put32(m, 0x00050001);
      Put32(m, 300);
      const std::string rdata = DnsName(target);
      Put16(m, static_cast<uint32_t>(rdata.size()));
      m += rdata;
      owner = target;
    }
    m += DnsName(owner);
    Put32(m, 0x00010001);
    Put32(m, 300);
    Put16(m, 4);
    Put32(m, s.server);
    return m;
  }

  // A TLS 1.2-style ClientHello record with SNI and a padding extension of `padding` bytes.
  std::string ClientHello(const Session& s, size_t padding = 300) {
    std::string ext;
    Put16(ext, 0);
    Put16(ext, static_cast<uint32_t>(s.name.size() + 5));
    Put16(ext, static_cast<uint32_t>(s.name.size() + 3));
    ext.push_back(0);
    Put16(ext, static_cast<uint32_t>(s.name.size()));
    ext += s.name;
    Put16(ext, 21);
    Put16(ext, static_cast<uint32_t>(padding));
    ext.append(padding, '\0');
    std::string body;
    Put16(body, 0x0303);
    body.append(32, '\x42');
    body.push_back(0);
    Put16(body, 2);
    Put16(body, 0x1301);
    body.push_back(1);
    body.push_back(0);
    Put16(body, static_cast<uint32_t>(ext.size()));
    body += ext;
    std::string hello("\x16\x03\x01", 3);
    Put16(hello, static_cast<uint32_t>(body.size() + 4));
    hello.push_back(1);
    hello.push_back(0);
    Put16(hello, static_cast<uint32_t>(body.size()));
    return hello + body;
  }

  std::string HttpRequest(const Session& s) {
    if (o_.shape == Shape::kShortFlows) {
      return "GET /v2/config?app=" + std::to_string(s.variant % 5000) +
             " HTTP/1.1\r\nHost: " + s.name +
             "\r\nUser-Agent: hp7/1.0\r\nAccept: application/json\r\n\r\n";
    }
    std::string body = R"({"model":"HP7","client_version":"1.0.)" + std::to_string(s.variant % 9) +
                       R"(","events":[)";
    for (int i = 0; i < 12; ++i) {
      body +=
          std::string(i ? "," : "") + R"({"name":"screen_on","count":)" + std::to_string(i) + "}";
    }
    // Every fourth cleartext session leaks an identifier, so the verifier has work to do.
    if (s.variant % 4 == 0)
      body += R"(],"imei":"490154203237518"})";
    else
      body += "]}";
    return "POST /v1/report HTTP/1.1\r\nHost: " + s.name +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
  }

  // A short-header (1-RTT) QUIC packet of `size` bytes: to a dissector, ciphertext.
  std::string QuicShortPacket(Session& s, size_t size) {
    std::string p;
    p.push_back(static_cast<char>(0x40 | s.rng.Below(0x20)));
    for (int i = 0; i < 8; ++i) p.push_back(static_cast<char>((s.variant >> (i % 4 * 8)) & 0xFF));
    const size_t at = s.rng.Below(1024);
    while (p.size() < size) p.append(record_, at, std::min(record_.size() - at, size - p.size()));
    return p;
  }

  // Plays the session's next packet; false when it is over.
  bool Step(Session& s) {
    switch (s.step++) {
      case 0:
        file_.Frame(s.device, s.dns_port, kResolver, 53, 17, 0, 0, DnsMessage(s, false));
        return true;
      case 1:
        file_.Frame(kResolver, 53, s.device, s.dns_port, 17, 0, 0, DnsMessage(s, true));
        return true;
      default:
        break;
    }
    if (s.quic) return QuicStep(s);
    switch (s.step - 1) {
      case 2:
        Tcp(s, true, kSyn, {});
        return true;
      case 3:
        Tcp(s, false, kSyn | kAck, {});
        return true;
      case 4:
        Tcp(s, true, kAck, {});
        return true;
      case 5:
        if (o_.shape == Shape::kIdentifierHeavy) break;
        Tcp(s, true, kAck | kPsh,
            s.tls ? ClientHello(s, o_.shape == Shape::kShortFlows ? 64 : 300) : HttpRequest(s));
        return true;
      default:
        break;
    }
    if (!s.request.empty()) {  // identifier-heavy: the request, one full segment at a time
      const size_t n = std::min<size_t>(s.request.size(), 1448);
      Tcp(s, true, kAck | kPsh, std::string_view(s.request).substr(0, n));
      s.request.erase(0, n);
      return true;
    }
    if (s.data_segments > 0) {
      --s.data_segments;
      if (o_.shape == Shape::kShortFlows) return ShortFlowAnswer(s);
      if (o_.shape == Shape::kIdentifierHeavy) {
        Tcp(s, false, kAck | kPsh, "HTTP/1.1 204 No Content\r\n\r\n");
        return true;
      }
      // Mostly downloads; every third record goes up.
      const bool up = s.data_segments % 3 == 0;
      if (s.tls) {
        std::string rec("\x17\x03\x03\x05\xA3", 5);
        rec.append(record_, 0, 1443);
        Tcp(s, up, kAck | kPsh, rec);
      } else {
        Tcp(s, false, kAck | kPsh,
            s.data_segments == 1 ? "HTTP/1.1 200 OK\r\nContent-Length: 1448\r\n\r\n"
                                 : std::string_view(record_));
      }
      return true;
    }
    if (s.data_segments == 0) {
      Tcp(s, true, kFin | kAck, {});
      Tcp(s, false, kFin | kAck, {});
      s.data_segments = -1;
    }
    return false;
  }

  // short-flows: the server's handshake flight (or the HTTP answer), then one small record up.
  bool ShortFlowAnswer(Session& s) {
    if (s.data_segments == 1) {
      if (s.tls) {
        std::string rec("\x16\x03\x03\x01\x20", 5);
        rec.append(record_, 0, 0x120);
        Tcp(s, false, kAck | kPsh, rec);
      } else {
        Tcp(s, false, kAck | kPsh,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 96\r\n\r\n" +
                std::string(record_, 0, 96));
      }
    } else if (s.tls) {
      std::string rec("\x17\x03\x03\x00\x60", 5);
      rec.append(record_, 0, 0x60);
      Tcp(s, true, kAck | kPsh, rec);
    } else {
      Tcp(s, true, kAck, {});
    }
    return true;
  }

  // quic-heavy: the client Initial, then short-header packets, mostly downlink.
  bool QuicStep(Session& s) {
    if (s.step - 1 == 2) {
      std::array<uint8_t, 8> dcid, scid;
      for (auto& b : dcid) b = static_cast<uint8_t>(s.rng.Below(256));
      for (auto& b : scid) b = static_cast<uint8_t>(s.rng.Below(256));
      Udp(s, true, QuicClientInitial(dcid, scid, 0, QuicClientHello(s.name, s.rng.Next())));
      return true;
    }
    if (s.data_segments <= 0) return false;
    --s.data_segments;
    const bool up = s.data_segments % 4 == 0;
    Udp(s, up, QuicShortPacket(s, up ? 60 + s.rng.Below(200) : 1200 + s.rng.Below(150)));
    return true;
  }

  Options o_;
  PcapFile file_;
  std::string record_;
  std::vector<Body> bodies_;
  uint64_t sessions_ = 0;
};

}  // namespace

void AddCaptureGenCommand(CLI::App& app, int& rc) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("capture-gen", "write a synthetic device capture (pcap)");
  cmd->add_option("--out", o->out, "the pcap file to write")->required();
  cmd->add_option("--shape", o->shape,
                  "bulk | short-flows | identifier-heavy | quic-heavy (see capture_gen.cc)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, Shape>{{"bulk", Shape::kBulk},
                                       {"short-flows", Shape::kShortFlows},
                                       {"identifier-heavy", Shape::kIdentifierHeavy},
                                       {"quic-heavy", Shape::kQuicHeavy}},
          CLI::ignore_case))
      ->default_str("bulk");
  cmd->add_option("--seed", o->seed, "the random choices' seed")->capture_default_str();
  cmd->add_option("--megabytes", o->megabytes, "at least this many MB")->capture_default_str();
  cmd->add_option("--concurrent", o->concurrent, "sessions open at once")->capture_default_str();
  cmd->add_option("--hosts", o->hosts, "distinct destination names (except short-flows)")
      ->capture_default_str();
  cmd->callback([o, &rc] { rc = Generator(*o).Run(); });
}

}  // namespace homeport::bench
