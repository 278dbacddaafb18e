// capture-gen: writes a classic pcap of at least --megabytes MB that looks like many devices'
// traffic: per session a DNS lookup (UDP, sometimes through a CNAME), then either TLS (a
// ClientHello with SNI, then encrypted records both ways) or an HTTP POST of a JSON body
// (sometimes gzip, sometimes chunked, now and then carrying an identifier), each TCP flow with
// handshake and close. Sessions overlap (several are open at once), so flows interleave the way
// a real capture's do. Deterministic: the same arguments give the same file.
#include "capture_gen.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace homeport::bench {
namespace {

struct Options {
  std::string out;
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

// A session is a small script of packets, played one packet per turn so sessions interleave.
struct Session {
  uint32_t device = 0, server = 0;
  uint16_t dns_port = 0, port = 0;
  uint32_t client_seq = 0, server_seq = 0;
  std::string name;
  bool tls = true;
  int step = 0;
  int data_segments = 0;  // encrypted records or response segments still to send
  uint32_t variant = 0;
};

class Generator {
 public:
  explicit Generator(const Options& o) : o_(o), file_(o.out) {
    record_.assign(1448, '\0');
    for (size_t i = 0; i < record_.size(); ++i)
      record_[i] = static_cast<char>((i * 131 + 7) & 0xFF);
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
  void Start(Session& s) {
    const uint64_t n = sessions_++;
    s = Session{};
    s.variant = static_cast<uint32_t>(n * 2654435761u);
    s.device = (10u << 24) | static_cast<uint32_t>((n % 250) + 2);
    const uint32_t host = s.variant % o_.hosts;
    // Public addresses in two blocks: most destinations SingTel (SG), every 50th China Telecom.
    s.server = host % 50 == 0
                   ? (202u << 24) | (102u << 16) | (94u << 8) | (host % 250 + 1)
                   : (203u << 24) | (116u << 16) | ((host / 250) << 8) | (host % 250 + 1);
    s.name = (host % 50 == 0 ? "api" + std::to_string(host) + ".cn.example.net"
                             : "api" + std::to_string(host) + ".sg.example.com");
    s.dns_port = static_cast<uint16_t>(20000 + n % 40000);
    s.port = static_cast<uint16_t>(30000 + n % 30000);
    s.client_seq = s.variant;
    s.server_seq = s.variant ^ 0x5A5A5A5Au;
    s.tls = s.variant % 8 != 0;  // one session in eight is cleartext HTTP
    s.data_segments = s.tls ? 20 + static_cast<int>(s.variant % 40) : 2;
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

  std::string DnsMessage(const Session& s, bool answer) {
    std::string m;
    Put16(m, s.dns_port);
    Put16(m, answer ? 0x8180 : 0x0100);
    Put16(m, 1);
    const bool cname = s.variant % 3 == 0;
    Put16(m, answer ? (cname ? 2 : 1) : 0);
    Put32(m, 0);
    m += DnsName(s.name);
    Put32(m, 0x00010001);
    if (!answer) return m;
    std::string owner = s.name;
    if (cname) {
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

  std::string ClientHello(const Session& s) {
    std::string ext;
    Put16(ext, 0);
    Put16(ext, static_cast<uint32_t>(s.name.size() + 5));
    Put16(ext, static_cast<uint32_t>(s.name.size() + 3));
    ext.push_back(0);
    Put16(ext, static_cast<uint32_t>(s.name.size()));
    ext += s.name;
    Put16(ext, 21);
    Put16(ext, 300);
    ext.append(300, '\0');
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

  // Plays the session's next packet; false when it is over.
  bool Step(Session& s) {
    switch (s.step++) {
      case 0:
        file_.Frame(s.device, s.dns_port, kResolver, 53, 17, 0, 0, DnsMessage(s, false));
        return true;
      case 1:
        file_.Frame(kResolver, 53, s.device, s.dns_port, 17, 0, 0, DnsMessage(s, true));
        return true;
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
        Tcp(s, true, kAck | kPsh, s.tls ? ClientHello(s) : HttpRequest(s));
        return true;
      default:
        break;
    }
    if (s.data_segments > 0) {
      --s.data_segments;
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

  Options o_;
  PcapFile file_;
  std::string record_;
  uint64_t sessions_ = 0;
};

}  // namespace

void AddCaptureGenCommand(CLI::App& app, int& rc) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("capture-gen", "write a synthetic device capture (pcap)");
  cmd->add_option("--out", o->out, "the pcap file to write")->required();
  cmd->add_option("--megabytes", o->megabytes, "at least this many MB")->capture_default_str();
  cmd->add_option("--concurrent", o->concurrent, "sessions open at once")->capture_default_str();
  cmd->add_option("--hosts", o->hosts, "distinct destination names")->capture_default_str();
  cmd->callback([o, &rc] { rc = Generator(*o).Run(); });
}

}  // namespace homeport::bench
