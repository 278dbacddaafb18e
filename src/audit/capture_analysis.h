// CaptureAnalyzer: from captured frames to what a device sent where. Frames go in one at a
// time (streamed, bounded state); Finish() closes every flow, looks up where each destination
// is, and judges it against an AuditPolicy. The report it returns is what `homeport audit
// capture` prints as text, JSON or HTML (capture_report.h). Not thread-safe; one analyzer per
// capture.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "audit/capture/ip_address.h"
#include "audit/capture/tcp_reassembler.h"
#include "audit/geo.h"
#include "audit/policy.h"
#include "privacy/identifier_scanner.h"

namespace homeport::audit {
namespace capture {
class FrameSource;
}

struct CaptureOptions {
  // Per-stream and total bytes held for reassembly (see tcp_reassembler.h). Default 1 MiB a
  // stream, 64 MiB in all.
  capture::TcpStreamLimits stream_limits;
  size_t reassembly_budget = 64 << 20;
  // Flows tracked at once; past this the least recently active are closed and counted.
  size_t max_flows = 1 << 16;
  // Bytes of a flow in an unidentified protocol scanned for identifiers (each direction).
  size_t max_unidentified_scan = 64 << 10;
  // Distinct identifier sightings kept per destination (more are counted, not listed).
  size_t max_sightings = 1000;
};

// One identifier seen leaving the device in the clear.
struct IdentifierSighting {
  privacy::IdentifierKind kind = privacy::IdentifierKind::kImei;
  std::string key;    // the field that held it ("imei", "cellid", a header name), or empty
  std::string where;  // "POST /activate: body › base64 › json /imei"
  std::string value;  // as sent: reports mask it unless asked not to
  std::string flow;   // "tcp 10.0.0.2:40000 → 202.102.94.1:80"
  std::string host;   // the name the request was sent to
  uint64_t count = 1;
  bool allowed = false;  // by the policy's allow_identifiers
};

struct DestinationAddress {
  capture::IpAddress address;
  capture::AddressScope scope = capture::AddressScope::kPublic;
  GeoInfo geo;  // empty for non-public addresses
};

enum class Protection { kEncrypted, kCleartext, kDns, kUnidentified };
const char* NameOf(Protection protection);

struct Destination {
  std::string name;  // the name the device used (SNI, Host, DNS), or the address
  // Every name it was known by, with where each was seen: "dns", "sni", "http-host".
  std::map<std::string, std::set<std::string>> names;
  std::vector<DestinationAddress> addresses;
  std::set<std::string> protocols;  // "tls", "http", "dns", "quic", "tcp", "udp"
  std::map<Protection, uint64_t> flows;
  uint64_t bytes_sent = 0;      // device → destination, transport payload
  uint64_t bytes_received = 0;  // destination → device
  uint64_t http_requests = 0;
  std::vector<IdentifierSighting> identifiers;
  uint64_t identifiers_not_listed = 0;  // past CaptureOptions::max_sightings
  bool local_resolver = false;          // DNS only, to a private or local address
  std::vector<std::string> violations;

  uint64_t flow_count() const;
  bool encrypted_only() const;
};

struct CaptureStats {
  uint64_t frames = 0;
  uint64_t bytes = 0;  // captured bytes of all frames
  uint64_t not_ip = 0;
  uint64_t fragments_reassembled = 0;
  uint64_t fragments_dropped = 0;
  uint64_t flows = 0;
  uint64_t flows_evicted = 0;  // closed early for room (CaptureOptions::max_flows)
  uint64_t tcp_segments = 0;
  uint64_t tcp_out_of_order = 0;
  uint64_t tcp_retransmitted = 0;
  uint64_t tcp_gaps = 0;
  uint64_t tcp_gap_bytes = 0;
  uint64_t tcp_overflowed_bytes = 0;
  uint64_t dns_messages = 0;
  uint64_t dns_malformed = 0;
  uint64_t tls_client_hellos = 0;
  uint64_t http_requests = 0;
};

// The names a capture shows, as tshark's dns.qry.name, tls.handshake.extensions_server_name
// and http.host fields show them: for cross-checking the dissectors.
struct CaptureNames {
  std::set<std::string> dns_queries;
  std::set<std::string> tls_server_names;
  std::set<std::string> http_hosts;
};

struct CaptureReport {
  std::string file;
  std::string region;
  CaptureStats stats;
  std::vector<Destination> destinations;  // those with violations first, then by bytes
  size_t violation_count = 0;
  CaptureNames names;
  std::string damage;  // non-empty when the capture is damaged: what and at which offset

  // 2 for damaged input, 1 for violations, 0 when clean.
  int ExitCode() const;
};

class CaptureAnalyzer {
 public:
  // `scanner` must outlive the analyzer.
  explicit CaptureAnalyzer(const privacy::IdentifierScanner& scanner, CaptureOptions options = {});
  ~CaptureAnalyzer();
  CaptureAnalyzer(const CaptureAnalyzer&) = delete;
  CaptureAnalyzer& operator=(const CaptureAnalyzer&) = delete;

  // One captured frame of link type `link_type` (a libpcap DLT_ value).
  void AddFrame(int link_type, std::string_view frame, int64_t seconds);

  // Closes every flow and returns the destinations, judged by `policy` with `geo`.
  CaptureReport Finish(const GeoLookup& geo, const AuditPolicy& policy);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads every frame of `source` (a file, standard input or a live capture: capture/
// frame_source.h) through an analyzer; damage part-way is reported in CaptureReport::damage
// with what was read before it.
CaptureReport AnalyzeCapture(capture::FrameSource& source,
                             const privacy::IdentifierScanner& scanner, const GeoLookup& geo,
                             const AuditPolicy& policy, const CaptureOptions& options = {});

// Reads `path` (pcap or pcapng) through an analyzer. A file that cannot be opened at all is an
// error; damage part-way is reported in CaptureReport::damage with what was read before it.
Result<CaptureReport> AnalyzeCaptureFile(const std::string& path,
                                         const privacy::IdentifierScanner& scanner,
                                         const GeoLookup& geo, const AuditPolicy& policy,
                                         const CaptureOptions& options = {});

}  // namespace homeport::audit
