// Frames → flows → dissected messages → destinations. The hot path (a frame of a flow that is
// already identified) decodes headers in place, finds its flow with one hash lookup and counts
// bytes; bytes are copied only while a dissector still needs them, and a flow's state is
// folded into its destination and dropped as soon as the flow ends.
#include "audit/capture_analysis.h"

#include <algorithm>
#include <unordered_map>

#include "audit/capture/dns_dissector.h"
#include "audit/capture/http_request_parser.h"
#include "audit/capture/ip_defragmenter.h"
#include "audit/capture/packet_decoder.h"
#include "audit/capture/payload_scan.h"
#include "audit/capture/pcap_source.h"
#include "audit/capture/tls_client_hello.h"
#include "audit/capture_verdict.h"

namespace homeport::audit {

using capture::IpAddress;
using capture::IpProtocol;

namespace {

constexpr size_t kMaxDnsNames = 1 << 18;  // address → name entries remembered
constexpr size_t kMaxLookupsListed = 1000;

struct FlowKey {
  IpAddress a, b;
  uint16_t port_a = 0, port_b = 0;
  uint8_t protocol = 0;
  bool operator==(const FlowKey& o) const {
    return port_a == o.port_a && port_b == o.port_b && protocol == o.protocol && a == o.a &&
           b == o.b;
  }
};

struct FlowKeyHash {
  size_t operator()(const FlowKey& k) const {
    const capture::IpAddressHash h;
    return h(k.a) ^ (h(k.b) * 31) ^ (size_t{k.port_a} << 16 | k.port_b) ^
           (size_t{k.protocol} << 40);
  }
};

enum class App : uint8_t { kUnknown, kDns, kTls, kHttp, kQuic, kOther };

struct Flow {
  IpAddress client, server;
  uint16_t client_port = 0, server_port = 0;
  IpProtocol protocol = IpProtocol::kTcp;
  int64_t last_seen = 0;
  App app = App::kUnknown;
  bool reset = false;
  bool dns_answered = false;
  uint64_t bytes_up = 0, bytes_down = 0;
  uint64_t http_requests = 0;
  size_t scanned_up = 0;
  capture::TcpStream up, down;
  std::string server_name;           // TLS SNI
  std::vector<std::string> hosts;    // HTTP Host values, as written
  std::vector<std::string> lookups;  // DNS questions sent on this flow
  std::vector<IdentifierSighting> sightings;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');  // ASCII, as std::tolower
  }
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

// "example.com:8080" → "example.com"; "[2001:db8::1]:80" → "2001:db8::1".
std::string HostWithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    return Lower(host.substr(1, close == std::string_view::npos ? host.npos : close - 1));
  }
  const size_t colon = host.find(':');
  if (colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
    return Lower(host.substr(0, colon));
  }
  return Lower(host);
}

std::string Endpoint(const IpAddress& ip, uint16_t port) {
  return ip.version == 6 ? "[" + ip.ToString() + "]:" + std::to_string(port)
                         : ip.ToString() + ":" + std::to_string(port);
}

std::string FlowLabel(const Flow& f) {
  return std::string(f.protocol == IpProtocol::kTcp ? "tcp " : "udp ") +
         Endpoint(f.client, f.client_port) + " → " + Endpoint(f.server, f.server_port);
}

bool WellKnown(uint16_t port) { return port < 1024 || capture::IsDnsPort(port); }

struct DestinationState {
  Destination d;
  std::set<IpAddress> addresses;
  std::map<std::tuple<privacy::IdentifierKind, std::string, std::string, std::string>, size_t>
      sighting_index;
};

}  // namespace

const char* NameOf(Protection p) {
  switch (p) {
    case Protection::kEncrypted:
      return "encrypted";
    case Protection::kCleartext:
      return "cleartext";
    case Protection::kDns:
      return "dns";
    case Protection::kUnidentified:
      return "unidentified";
  }
  return "unidentified";
}

uint64_t Destination::flow_count() const {
  uint64_t n = 0;
  for (const auto& [p, count] : flows) n += count;
  return n;
}

bool Destination::encrypted_only() const {
  for (const auto& [p, count] : flows) {
    if (p != Protection::kEncrypted && count > 0) return false;
  }
  return true;
}

int CaptureReport::ExitCode() const {
  if (!damage.empty()) return 2;
  return violation_count > 0 ? 1 : 0;
}

class CaptureAnalyzer::Impl {
 public:
  Impl(const privacy::IdentifierScanner& scanner, CaptureOptions options)
      : scanner_(scanner), options_(std::move(options)), budget_(options_.reassembly_budget) {
    flows_.reserve(1024);
  }

  void AddFrame(int link_type, std::string_view frame, int64_t seconds) {
    ++stats_.frames;
    stats_.bytes += frame.size();
    const capture::IpDatagram d = capture::DecodeNetwork(link_type, frame);
    if (!d.ok) {
      ++stats_.not_ip;
      return;
    }
    std::string_view transport = d.payload;
    if (d.fragment) {
      auto whole = defragmenter_.Add(d);
      if (!whole) return;
      transport = *whole;
    }
    const capture::Segment s = capture::DecodeTransport(d.protocol, transport);
    if (!s.ok) {
      ++stats_.not_ip;
      return;
    }
    FlowKey key;
    const bool src_first = std::tie(d.src, s.src_port) < std::tie(d.dst, s.dst_port);
    key.a = src_first ? d.src : d.dst;
    key.b = src_first ? d.dst : d.src;
    key.port_a = src_first ? s.src_port : s.dst_port;
    key.port_b = src_first ? s.dst_port : s.src_port;
    key.protocol = static_cast<uint8_t>(s.protocol);
    auto it = flows_.find(key);
    if (it == flows_.end()) {
      if (flows_.size() >= options_.max_flows) EvictIdle();
      it = flows_.try_emplace(key).first;
      StartFlow(it->second, d, s);
    }
    Flow& f = it->second;
    f.last_seen = seconds;
    const bool up = s.src_port == f.client_port && d.src == f.client;
    (up ? f.bytes_up : f.bytes_down) += s.payload.size();
    if (s.protocol == IpProtocol::kTcp) {
      if (!s.payload.empty()) ++stats_.tcp_segments;
      capture::TcpStream& stream = up ? f.up : f.down;
      stream.Add(s.seq, s.tcp_flags, s.payload, options_.stream_limits, budget_);
      if ((s.tcp_flags & capture::kTcpRst) != 0) f.reset = true;
      if (stream.buffering()) Dissect(f, up, /*end_of_stream=*/false);
      if (f.reset || (f.up.fin() && f.down.fin())) Close(it);
    } else {
      OnDatagram(f, up, s.payload);
      if (f.dns_answered) Close(it);
    }
  }

  CaptureReport Finish(const GeoLookup& geo, const AuditPolicy& policy) {
    while (!flows_.empty()) Close(flows_.begin());
    stats_.fragments_reassembled = defragmenter_.reassembled();
    stats_.fragments_dropped = defragmenter_.dropped();
    CaptureReport report;
    report.region = policy.region;
    report.stats = stats_;
    report.names = names_;
    for (auto& [name, state] : destinations_) {
      for (const IpAddress& a : state.addresses) {
        state.d.addresses.push_back({a, capture::ScopeOf(a), {}});
      }
      report.destinations.push_back(std::move(state.d));
    }
    destinations_.clear();
    report.violation_count = JudgeDestinations(report.destinations, geo, policy);
    return report;
  }

 private:
  void StartFlow(Flow& f, const capture::IpDatagram& d, const capture::Segment& s) {
    ++stats_.flows;
    f.protocol = s.protocol;
    bool src_is_client;
    if (s.protocol == IpProtocol::kTcp && (s.tcp_flags & capture::kTcpSyn) != 0) {
      src_is_client = (s.tcp_flags & capture::kTcpAck) == 0;  // SYN: client; SYN-ACK: server
    } else if (WellKnown(s.dst_port) != WellKnown(s.src_port)) {
      src_is_client = WellKnown(s.dst_port);
    } else {
      src_is_client = true;  // the first packet seen usually comes from the client
    }
    f.client = src_is_client ? d.src : d.dst;
    f.server = src_is_client ? d.dst : d.src;
    f.client_port = src_is_client ? s.src_port : s.dst_port;
    f.server_port = src_is_client ? s.dst_port : s.src_port;
    if (capture::IsDnsPort(f.server_port) || capture::IsDnsPort(f.client_port)) {
      f.app = App::kDns;
    } else if (s.protocol == IpProtocol::kTcp) {
      // Only the client's bytes are dissected, except for DNS answers.
      f.down.StopBuffering(budget_);
    }
  }

  void Dissect(Flow& f, bool up, bool end_of_stream) {
    capture::TcpStream& stream = up ? f.up : f.down;
    stream.TakeDiscontinuity();  // every dissector below restarts at a message boundary
    if (f.app == App::kDns) {
      DissectDnsOverTcp(f, stream, end_of_stream);
      return;
    }
    if (!up) {
      stream.StopBuffering(budget_);
      return;
    }
    std::string_view data = stream.data();
    if (data.empty()) return;
    if (f.app == App::kUnknown) {
      const int http = capture::LooksLikeHttpRequest(data);
      if (data.size() < 3 && !end_of_stream && (data[0] == 0x16 || http != 0)) return;
      if (capture::LooksLikeTls(data)) {
        f.app = App::kTls;
      } else if (http == 1) {
        f.app = App::kHttp;
      } else if (http == -1 && !end_of_stream) {
        return;
      } else {
        f.app = App::kOther;
      }
    }
    switch (f.app) {
      case App::kTls: {
        const capture::ClientHello hello = capture::ParseClientHello(data);
        if (hello.outcome == capture::ClientHello::Outcome::kNeedMore && !end_of_stream) return;
        if (hello.outcome == capture::ClientHello::Outcome::kComplete) {
          ++stats_.tls_client_hellos;
          if (!hello.server_name.empty()) {
            names_.tls_server_names.insert(hello.server_name);
            f.server_name = hello.server_name;
          }
        }
        stream.StopBuffering(budget_);
        return;
      }
      case App::kHttp:
        while (!stream.data().empty()) {
          capture::HttpParse parse =
              capture::ParseHttpRequest(stream.data(), end_of_stream, http_limits_);
          if (parse.outcome == capture::HttpParse::Outcome::kNeedMore) return;
          if (parse.outcome == capture::HttpParse::Outcome::kNotHttp || parse.consumed == 0) {
            stream.StopBuffering(budget_);
            return;
          }
          const bool tunnel =
              parse.request.method == "CONNECT" || !parse.request.Header("Upgrade").empty();
          OnHttpRequest(f, parse.request);
          stream.Consume(parse.consumed, budget_);
          if (tunnel) {
            stream.StopBuffering(budget_);  // what follows is not HTTP any more
            return;
          }
        }
        return;
      default:
        if (data.size() >= options_.max_unidentified_scan || end_of_stream) {
          ScanUnidentified(f, data.substr(0, options_.max_unidentified_scan));
          stream.StopBuffering(budget_);
        }
        return;
    }
  }

  void DissectDnsOverTcp(Flow& f, capture::TcpStream& stream, bool end_of_stream) {
    while (stream.data().size() >= 2) {
      std::string_view data = stream.data();
      const size_t length = (static_cast<uint8_t>(data[0]) << 8) | static_cast<uint8_t>(data[1]);
      if (data.size() < 2 + length) {
        if (end_of_stream) stream.StopBuffering(budget_);
        return;
      }
      OnDnsMessage(f, data.substr(2, length));
      stream.Consume(2 + length, budget_);
    }
  }

  void OnDatagram(Flow& f, bool up, std::string_view payload) {
    if (payload.empty()) return;
    if (f.app == App::kUnknown) {
      if (f.server_port == 443 && (static_cast<uint8_t>(payload[0]) & 0x40) != 0) {
        f.app = App::kQuic;  // QUIC's fixed bit; its payload is encrypted
      } else if (capture::LooksLikeHttpRequest(payload) == 1) {
        f.app = App::kHttp;  // SSDP and other HTTP over UDP
      } else {
        f.app = App::kOther;
      }
    }
    switch (f.app) {
      case App::kDns:
        OnDnsMessage(f, payload);
        return;
      case App::kHttp:
        if (up && capture::LooksLikeHttpRequest(payload) == 1) {
          capture::HttpParse parse = capture::ParseHttpRequest(payload, true, http_limits_);
          if (parse.outcome == capture::HttpParse::Outcome::kComplete) {
            OnHttpRequest(f, parse.request);
          }
        }
        return;
      case App::kOther:
        if (up && f.scanned_up < options_.max_unidentified_scan) {
          const size_t n = std::min(payload.size(), options_.max_unidentified_scan - f.scanned_up);
          ScanUnidentified(f, payload.substr(0, n));
          f.scanned_up += n;
        }
        return;
      default:
        return;
    }
  }

  void OnDnsMessage(Flow& f, std::string_view payload) {
    const auto message = capture::ParseDnsMessage(payload);
    if (!message) {
      ++stats_.dns_malformed;
      return;
    }
    ++stats_.dns_messages;
    if (message->malformed) ++stats_.dns_malformed;
    for (const std::string& q : message->questions) {
      names_.dns_queries.insert(q);
      if (f.lookups.size() < kMaxLookupsListed &&
          std::find(f.lookups.begin(), f.lookups.end(), q) == f.lookups.end()) {
        f.lookups.push_back(q);
        // Names leave the device in the clear too; reverse lookups name addresses, not people.
        const std::string lower = Lower(q);
        if (!lower.ends_with(".arpa")) {
          for (const auto& found : capture::ScanPayload(scanner_, q, "DNS query")) {
            AddSighting(f, found, q);
          }
        }
      }
    }
    if (!message->response) return;
    if (f.protocol == IpProtocol::kUdp && f.client_port != f.server_port) f.dns_answered = true;
    for (const capture::DnsAnswer& answer : message->answers) {
      if (answer.type != capture::kDnsTypeA && answer.type != capture::kDnsTypeAaaa) continue;
      // The chain of names that led here, the one asked for first: follow CNAMEs backwards.
      std::vector<std::string> chain{Lower(answer.name)};
      for (int hops = 0; hops < 16; ++hops) {
        auto cname = std::find_if(
            message->answers.begin(), message->answers.end(), [&](const capture::DnsAnswer& a) {
              return a.type == capture::kDnsTypeCname && Lower(a.target) == chain.front();
            });
        if (cname == message->answers.end()) break;
        const std::string owner = Lower(cname->name);
        if (std::find(chain.begin(), chain.end(), owner) != chain.end()) break;
        chain.insert(chain.begin(), owner);
      }
      if (dns_names_.size() >= kMaxDnsNames) dns_names_.clear();
      dns_names_[answer.address] = std::move(chain);
    }
  }

  void OnHttpRequest(Flow& f, const capture::HttpRequest& request) {
    ++stats_.http_requests;
    ++f.http_requests;
    if (!request.host.empty()) {
      names_.http_hosts.insert(request.host);
      if (std::find(f.hosts.begin(), f.hosts.end(), request.host) == f.hosts.end()) {
        f.hosts.push_back(request.host);
      }
    }
    const std::string host =
        request.host.empty() ? f.server.ToString() : HostWithoutPort(request.host);
    std::string path = request.target.substr(0, request.target.find('?'));
    if (path.size() > 80) path = path.substr(0, 80) + "…";
    for (auto& found : capture::ScanHttpRequest(scanner_, request)) {
      found.where = request.method + " " + path + ": " + found.where;
      AddSighting(f, found, host);
    }
  }

  void ScanUnidentified(Flow& f, std::string_view bytes) {
    const std::string host = f.server.ToString();
    for (const auto& found : capture::ScanPayload(scanner_, bytes, "payload")) {
      AddSighting(f, found, host);
    }
  }

  void AddSighting(Flow& f, const capture::PayloadFinding& found, const std::string& host) {
    if (f.sightings.size() >= options_.max_sightings) return;
    IdentifierSighting s;
    s.kind = found.kind;
    s.key = found.key;
    s.where = found.where;
    s.value = found.value;
    s.flow = FlowLabel(f);
    s.host = host;
    f.sightings.push_back(std::move(s));
  }

  void EvictIdle() {
    // Close the least recently active eighth of the table, so eviction costs O(1) a flow.
    std::vector<std::pair<int64_t, FlowKey>> ages;
    ages.reserve(flows_.size());
    for (const auto& [key, flow] : flows_) ages.emplace_back(flow.last_seen, key);
    const size_t n = std::max<size_t>(1, ages.size() / 8);
    std::nth_element(ages.begin(), ages.begin() + static_cast<std::ptrdiff_t>(n - 1), ages.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < n; ++i) {
      auto it = flows_.find(ages[i].second);
      if (it == flows_.end()) continue;
      ++stats_.flows_evicted;
      Close(it);
    }
  }

  void Close(std::unordered_map<FlowKey, Flow, FlowKeyHash>::iterator it) {
    Flow& f = it->second;
    if (f.protocol == IpProtocol::kTcp) {
      for (bool up : {true, false}) {
        capture::TcpStream& stream = up ? f.up : f.down;
        stream.Flush(options_.stream_limits, budget_);
        if (stream.buffering()) Dissect(f, up, /*end_of_stream=*/true);
        stream.StopBuffering(budget_);
        const capture::TcpStreamStats& st = stream.stats();
        stats_.tcp_out_of_order += st.out_of_order;
        stats_.tcp_retransmitted += st.retransmitted;
        stats_.tcp_gaps += st.gaps;
        stats_.tcp_gap_bytes += st.gap_bytes;
        stats_.tcp_overflowed_bytes += st.overflowed;
      }
    }
    Fold(f);
    flows_.erase(it);
  }

  // Adds a finished flow to its destination.
  void Fold(Flow& f) {
    auto dns = dns_names_.find(f.server);
    std::string name;
    if (f.app != App::kDns) {
      if (!f.server_name.empty()) {
        name = Lower(f.server_name);
      } else if (!f.hosts.empty()) {
        name = HostWithoutPort(f.hosts.front());
      } else if (dns != dns_names_.end()) {
        name = dns->second.front();
      }
    }
    if (name.empty()) name = f.server.ToString();
    DestinationState& state = destinations_[name];
    Destination& d = state.d;
    d.name = name;
    state.addresses.insert(f.server);
    if (!f.server_name.empty()) d.names[Lower(f.server_name)].insert("sni");
    for (const auto& h : f.hosts) d.names[HostWithoutPort(h)].insert("http-host");
    if (dns != dns_names_.end() && f.app != App::kDns) {
      for (const auto& n : dns->second) d.names[n].insert("dns");
    }
    const bool tcp = f.protocol == IpProtocol::kTcp;
    Protection protection = Protection::kUnidentified;
    switch (f.app) {
      case App::kTls:
        d.protocols.insert("tls");
        protection = Protection::kEncrypted;
        break;
      case App::kQuic:
        d.protocols.insert("quic");
        protection = Protection::kEncrypted;
        break;
      case App::kHttp:
        d.protocols.insert("http");
        protection = Protection::kCleartext;
        break;
      case App::kDns:
        d.protocols.insert("dns");
        protection = Protection::kDns;
        break;
      default:
        break;
    }
    d.protocols.insert(tcp ? "tcp" : "udp");
    ++d.flows[protection];
    d.bytes_sent += f.bytes_up;
    d.bytes_received += f.bytes_down;
    d.http_requests += f.http_requests;
    for (const auto& q : f.lookups) {
      if (d.names.size() < kMaxLookupsListed) d.names[q].insert("dns-query");
    }
    for (auto& s : f.sightings) {
      auto key = std::make_tuple(s.kind, s.key, s.value, s.where);
      auto found = state.sighting_index.find(key);
      if (found != state.sighting_index.end()) {
        ++d.identifiers[found->second].count;
      } else if (d.identifiers.size() < options_.max_sightings) {
        state.sighting_index.emplace(std::move(key), d.identifiers.size());
        d.identifiers.push_back(std::move(s));
      } else {
        ++d.identifiers_not_listed;
      }
    }
  }

  const privacy::IdentifierScanner& scanner_;
  CaptureOptions options_;
  capture::HttpParserLimits http_limits_;
  capture::ReassemblyBudget budget_;
  capture::IpDefragmenter defragmenter_;
  std::unordered_map<FlowKey, Flow, FlowKeyHash> flows_;
  std::unordered_map<IpAddress, std::vector<std::string>, capture::IpAddressHash> dns_names_;
  std::map<std::string, DestinationState> destinations_;
  CaptureStats stats_;
  CaptureNames names_;
};

CaptureAnalyzer::CaptureAnalyzer(const privacy::IdentifierScanner& scanner, CaptureOptions options)
    : impl_(std::make_unique<Impl>(scanner, std::move(options))) {}
CaptureAnalyzer::~CaptureAnalyzer() = default;

void CaptureAnalyzer::AddFrame(int link_type, std::string_view frame, int64_t seconds) {
  impl_->AddFrame(link_type, frame, seconds);
}

CaptureReport CaptureAnalyzer::Finish(const GeoLookup& geo, const AuditPolicy& policy) {
  return impl_->Finish(geo, policy);
}

Result<CaptureReport> AnalyzeCaptureFile(const std::string& path,
                                         const privacy::IdentifierScanner& scanner,
                                         const GeoLookup& geo, const AuditPolicy& policy,
                                         const CaptureOptions& options) {
  HOMEPORT_ASSIGN_OR_RETURN(capture::PcapSource source, capture::PcapSource::Open(path));
  CaptureReport report = AnalyzeCapture(source, scanner, geo, policy, options);
  report.file = path;
  return report;
}

CaptureReport AnalyzeCapture(capture::FrameSource& source,
                             const privacy::IdentifierScanner& scanner, const GeoLookup& geo,
                             const AuditPolicy& policy, const CaptureOptions& options) {
  CaptureAnalyzer analyzer(scanner, options);
  const int link_type = source.link_type();
  while (auto frame = source.Next()) analyzer.AddFrame(link_type, frame->data, frame->seconds);
  CaptureReport report = analyzer.Finish(geo, policy);
  if (!source.damage().ok()) report.damage = source.damage().message();
  return report;
}

}  // namespace homeport::audit
