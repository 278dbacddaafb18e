// Frames → flows → dissected messages → destinations. The hot path (a frame of a flow that is
// already identified) decodes headers in place, finds its flow with one hash lookup and counts
// bytes; bytes are copied only while a dissector still needs them, and a flow's state is
// folded into its destination and dropped as soon as the flow ends.
#include "audit/capture_analysis.h"

#include <algorithm>

#include "audit/capture/dns_dissector.h"
#include "audit/capture/dns_names.h"
#include "audit/capture/flow_table.h"
#include "audit/capture/http_request_parser.h"
#include "audit/capture/ip_defragmenter.h"
#include "audit/capture/packet_decoder.h"
#include "audit/capture/payload_scan.h"
#include "audit/capture/pcap_source.h"
#include "audit/capture/protocol_detection.h"
#include "audit/capture/tls_client_hello.h"
#include "common/big_endian.h"

namespace homeport::audit {

using capture::App;
using capture::Flow;
using capture::FlowKey;
using capture::IpProtocol;

namespace {

constexpr size_t kMaxLookupsListed = 64;  // DNS questions kept per flow

}  // namespace

int CaptureReport::ExitCode() const {
  if (!damage.empty()) return 2;
  return violation_count > 0 ? 1 : 0;
}

class CaptureAnalyzer::Impl {
 public:
  Impl(const privacy::IdentifierScanner& scanner, const GeoLookup& geo, const AuditPolicy* policy,
       CaptureOptions options)
      : scanner_(scanner),
        policy_(policy),
        options_(std::move(options)),
        budget_(options_.reassembly_budget),
        destinations_(options_.destinations, geo, policy) {}

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
    const FlowKey key = FlowKey::Of(s.protocol, d.src, s.src_port, d.dst, s.dst_port);
    auto it = flows_.find(key);
    if (it == flows_.end()) {
      if (flows_.size() >= options_.max_flows) EvictIdle();
      it = flows_.emplace(key);
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

  CaptureReport Finish() {
    while (!flows_.empty()) Close(flows_.begin());
    stats_.fragments_reassembled = defragmenter_.reassembled();
    stats_.fragments_dropped = defragmenter_.dropped();
    stats_.destinations_listed = destinations_.destinations_listed();
    stats_.flows_aggregated = destinations_.flows_aggregated();
    CaptureReport report;
    report.policy = policy_;
    report.destinations = destinations_.Finish();
    // Datagrams whose fragments could not all be held: no flow to name, so the capture's own.
    report.uninspected = defragmenter_.TakeUninspected();
    if (policy_ != nullptr && !policy_->allow_uninspected && !report.uninspected.empty()) {
      report.violations.push_back(
          {"uninspected",
           std::to_string(report.uninspected.size()) +
               " IP datagram(s) could not be reassembled within the fragment limits (the policy "
               "does not allow uninspected traffic)",
           report.uninspected.size()});
    }
    report.stats = stats_;
    report.names = std::move(names_);
    report.violation_count = report.violations.size();
    report.uninspected_count = report.uninspected.size();
    for (const Destination& d : report.destinations) {
      report.violation_count += d.violations.size();
      report.uninspected_count += d.uninspected.size() + d.uninspected_not_listed;
    }
    return report;
  }

 private:
  void StartFlow(Flow& f, const capture::IpDatagram& d, const capture::Segment& s) {
    ++stats_.flows;
    f.protocol = s.protocol;
    const bool src_is_client = capture::SenderIsClient(s);
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
    // Every dissector below restarts at a message boundary after bytes were lost.
    const bool lost = stream.TakeDiscontinuity();
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
      f.app = capture::DetectStream(data, end_of_stream);
      if (f.app == App::kUnknown) return;
    }
    switch (f.app) {
      case App::kTls: {
        const capture::ClientHello hello = capture::ParseClientHello(data);
        if (hello.outcome == capture::ClientHello::Outcome::kNeedMore && !end_of_stream) return;
        if (hello.outcome == capture::ClientHello::Outcome::kComplete) {
          ++stats_.tls_client_hellos;
          if (!hello.server_name.empty()) {
            ListName(names_.tls_server_names, hello.server_name);
            f.server_name = hello.server_name;
          }
        }
        stream.StopBuffering(budget_);
        return;
      }
      case App::kHttp:
        // The reader takes every byte it is given and keeps what it needs within its limits,
        // so a body larger than any segment is still scanned up to the limit.
        if (!f.http) f.http = std::make_unique<capture::HttpRequestReader>(http_limits_, &budget_);
        if (lost) f.http->Interrupt();
        while (true) {
          capture::HttpParse parse = f.http->Read(stream.data(), end_of_stream);
          stream.Consume(parse.consumed, budget_);
          if (parse.outcome == capture::HttpParse::Outcome::kNeedMore) return;
          if (parse.outcome == capture::HttpParse::Outcome::kNotHttp) {
            f.http.reset();
            stream.StopBuffering(budget_);
            return;
          }
          const bool tunnel =
              parse.request.method == "CONNECT" || !parse.request.Header("Upgrade").empty();
          OnHttpRequest(f, parse.request);
          if (tunnel) {
            f.http.reset();
            stream.StopBuffering(budget_);  // what follows is not HTTP any more
            return;
          }
        }
      default:
        if (data.size() >= options_.max_unidentified_scan || end_of_stream) {
          ScanUnidentified(f, data.substr(0, options_.max_unidentified_scan));
          stream.StopBuffering(budget_);
        }
        return;
    }
  }

  // DNS over TCP: each message behind a two-byte length (RFC 1035 4.2.2).
  void DissectDnsOverTcp(Flow& f, capture::TcpStream& stream, bool end_of_stream) {
    while (stream.data().size() >= 2) {
      std::string_view data = stream.data();
      const size_t length = LoadBe16(data, 0);
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
    if (f.app == App::kUnknown) f.app = capture::DetectDatagram(payload, f.server_port);
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
      case App::kQuic:
        if (up && !f.quic_read) ReadQuicInitial(f, payload);
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

  // The client's Initial packets until its ClientHello is read or cannot be: its SNI names
  // the flow as TLS's does. What the reader buffers counts against the reassembly budget.
  void ReadQuicInitial(Flow& f, std::string_view payload) {
    if (!f.quic) {
      f.quic = std::make_unique<capture::QuicInitialReader>();
      f.quic_hold = capture::BudgetHold(&budget_);
    }
    const auto outcome = f.quic->Add(payload);
    const size_t held = f.quic->bytes_held();
    bool over_budget = false;
    if (held > f.quic_hold.held()) {
      over_budget = !f.quic_hold.Take(held - f.quic_hold.held());
    } else {
      f.quic_hold.Give(f.quic_hold.held() - held);
    }
    if (outcome == capture::QuicInitialReader::Outcome::kNeedMore && !over_budget) return;
    if (outcome == capture::QuicInitialReader::Outcome::kComplete) {
      ++stats_.quic_client_hellos;
      const std::string& name = f.quic->hello().server_name;
      if (!name.empty()) {
        ListName(names_.tls_server_names, name);
        f.server_name = name;
      }
    }
    f.quic.reset();
    f.quic_hold.Reset();
    f.quic_read = true;
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
      ListName(names_.dns_queries, q);
      if (f.lookups.size() < kMaxLookupsListed &&
          std::find(f.lookups.begin(), f.lookups.end(), q) == f.lookups.end()) {
        f.lookups.push_back(q);
        // Names leave the device in the clear too; reverse lookups name addresses, not people.
        if (!NormalizeHostName(q).ends_with(".arpa")) {
          for (const auto& found : capture::ScanPayload(scanner_, q, "DNS query")) {
            AddSighting(f, found, q);
          }
        }
      }
    }
    if (!message->response) return;
    if (f.protocol == IpProtocol::kUdp && f.client_port != f.server_port) f.dns_answered = true;
    dns_names_.Learn(*message);
  }

  void OnHttpRequest(Flow& f, const capture::HttpRequest& request) {
    ++stats_.http_requests;
    ++f.http_requests;
    if (!request.host.empty()) {
      ListName(names_.http_hosts, request.host);
      if (f.hosts.size() < kMaxLookupsListed &&
          std::find(f.hosts.begin(), f.hosts.end(), request.host) == f.hosts.end()) {
        f.hosts.push_back(request.host);
      }
    }
    const std::string host = request.host.empty() ? f.server.ToString() : request.host;
    std::string path = request.target.substr(0, request.target.find('?'));
    if (path.size() > 80) path = path.substr(0, 80) + "…";
    for (auto& found : capture::ScanHttpRequest(scanner_, request)) {
      found.where = request.method + " " + path + ": " + found.where;
      AddSighting(f, found, host);
    }
    for (const Uninspected& part : request.uninspected) {
      Uninspected named = part;
      named.subject = f.Label() + ", " + request.method + " " + path;
      if (f.uninspected.size() < options_.destinations.max_uninspected) {
        f.uninspected.push_back(std::move(named));
      } else {
        ++f.uninspected_not_listed;
      }
    }
  }

  void ScanUnidentified(Flow& f, std::string_view bytes) {
    const std::string host = f.server.ToString();
    for (const auto& found : capture::ScanPayload(scanner_, bytes, "payload")) {
      AddSighting(f, found, host);
    }
  }

  void AddSighting(Flow& f, const capture::PayloadFinding& found, const std::string& host) {
    for (IdentifierSighting& known : f.sightings) {
      if (known.kind == found.kind && known.value == found.value && known.where == found.where &&
          known.key == found.key) {
        ++known.count;
        return;
      }
    }
    if (f.sightings.size() >= options_.destinations.max_sightings) return;
    IdentifierSighting s;
    s.kind = found.kind;
    s.key = found.key;
    s.where = found.where;
    s.value = found.value;
    s.flow = f.Label();
    s.host = host;
    f.sightings.push_back(std::move(s));
  }

  void ListName(std::set<std::string>& names, const std::string& name) {
    if (names.size() < options_.max_names_listed || names.contains(name)) {
      names.insert(name);
    } else {
      ++names_.not_listed;
    }
  }

  void EvictIdle() {
    for (const FlowKey& key : flows_.LeastRecentlyActive()) {
      auto it = flows_.find(key);
      if (it == flows_.end()) continue;
      ++stats_.flows_evicted;
      Close(it);
    }
  }

  void Close(capture::FlowTable::iterator it) {
    Flow& f = it->second;
    if (f.protocol == IpProtocol::kTcp) {
      for (bool up : {true, false}) {
        capture::TcpStream& stream = up ? f.up : f.down;
        stream.Flush(options_.stream_limits, budget_);
        if (stream.buffering()) Dissect(f, up, /*end_of_stream=*/true);
        stream.StopBuffering(budget_);
        if (up) f.http.reset();  // gives its bytes back to the budget
        const capture::TcpStreamStats& st = stream.stats();
        stats_.tcp_out_of_order += st.out_of_order;
        stats_.tcp_retransmitted += st.retransmitted;
        stats_.tcp_gaps += st.gaps;
        stats_.tcp_gap_bytes += st.gap_bytes;
        stats_.tcp_overflowed_bytes += st.overflowed;
      }
    }
    destinations_.Fold(f, f.app == App::kDns ? nullptr : dns_names_.Find(f.server));
    flows_.erase(it);
  }

  const privacy::IdentifierScanner& scanner_;
  const AuditPolicy* policy_;
  CaptureOptions options_;
  capture::HttpParserLimits http_limits_;
  capture::ReassemblyBudget budget_;
  capture::IpDefragmenter defragmenter_;
  capture::FlowTable flows_;
  capture::DnsNameMemory dns_names_;
  capture::DestinationTable destinations_;
  CaptureStats stats_;
  CaptureNames names_;
};

CaptureAnalyzer::CaptureAnalyzer(const privacy::IdentifierScanner& scanner, const GeoLookup& geo,
                                 const AuditPolicy* policy, CaptureOptions options)
    : impl_(std::make_unique<Impl>(scanner, geo, policy, std::move(options))) {}
CaptureAnalyzer::~CaptureAnalyzer() = default;

void CaptureAnalyzer::AddFrame(int link_type, std::string_view frame, int64_t seconds) {
  impl_->AddFrame(link_type, frame, seconds);
}

CaptureReport CaptureAnalyzer::Finish() { return impl_->Finish(); }

Result<CaptureReport> AnalyzeCaptureFile(const std::string& path,
                                         const privacy::IdentifierScanner& scanner,
                                         const GeoLookup& geo, const AuditPolicy* policy,
                                         const CaptureOptions& options) {
  HOMEPORT_ASSIGN_OR_RETURN(capture::PcapSource source, capture::PcapSource::Open(path));
  CaptureReport report = AnalyzeCapture(source, scanner, geo, policy, options);
  report.file = path;
  return report;
}

CaptureReport AnalyzeCapture(capture::FrameSource& source,
                             const privacy::IdentifierScanner& scanner, const GeoLookup& geo,
                             const AuditPolicy* policy, const CaptureOptions& options) {
  CaptureAnalyzer analyzer(scanner, geo, policy, options);
  const int link_type = source.link_type();
  while (auto frame = source.Next()) analyzer.AddFrame(link_type, frame->data, frame->seconds);
  CaptureReport report = analyzer.Finish();
  if (!source.damage().ok()) report.damage = source.damage().message();
  return report;
}

}  // namespace homeport::audit
