// CaptureAnalyzer: from captured frames to what a device sent where. Frames go in one at a
// time (streamed, bounded state); every flow is folded into its destination's compact
// aggregate as soon as it ends (capture/destination_table.h), and Finish() closes the flows
// still open and judges every destination against an AuditPolicy — or, without one, returns
// an inventory. The report it returns is what `homeport audit capture` prints as text, JSON
// or HTML (capture_report.h). Not thread-safe; one analyzer per capture.
//
// The pieces, under capture/: pcap_source (frames), packet_decoder and ip_defragmenter (IP),
// flow_table and tcp_reassembler (conversations), protocol_detection, the dissectors
// (dns_dissector, tls_client_hello, http_request_parser, payload_scan), dns_names (which name
// an address was looked up by) and destination_table (folding and bounding).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "audit/capture/destination.h"
#include "audit/capture/destination_table.h"
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
  // Rows and lists of the report (see destination_table.h).
  capture::DestinationLimits destinations;
  // Names listed in CaptureNames, each kind.
  size_t max_names_listed = 100'000;
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
  uint64_t quic_client_hellos = 0;
  uint64_t http_requests = 0;
  uint64_t destinations_listed = 0;
  uint64_t flows_aggregated = 0;  // to destinations past the listing limit, in aggregate rows
};

// The names a capture shows, as tshark's dns.qry.name, tls.handshake.extensions_server_name
// and http.host fields show them: for cross-checking the dissectors. Bounded by
// CaptureOptions::max_names_listed each; the rest are counted.
struct CaptureNames {
  std::set<std::string> dns_queries;
  std::set<std::string> tls_server_names;
  std::set<std::string> http_hosts;
  uint64_t not_listed = 0;
};

struct CaptureReport {
  std::string file;
  const AuditPolicy* policy = nullptr;  // null: an inventory, nothing judged
  CaptureStats stats;
  std::vector<Destination> destinations;  // those with violations first, then by bytes
  size_t violation_count = 0;
  size_t uninspected_count = 0;
  // What the capture as a whole could not inspect (IP datagrams dropped at the fragment
  // limits), and the violations that are no one destination's.
  std::vector<Uninspected> uninspected;
  std::vector<Violation> violations;
  CaptureNames names;
  std::string damage;  // non-empty when the capture is damaged: what and at which offset

  bool inventory() const { return policy == nullptr; }
  // 2 for damaged input, 1 for violations, 0 when clean (and always 0 for an inventory of an
  // undamaged capture).
  int ExitCode() const;
};

class CaptureAnalyzer {
 public:
  // `scanner`, `geo` and `policy` must outlive the analyzer; `policy` may be null (inventory).
  CaptureAnalyzer(const privacy::IdentifierScanner& scanner, const GeoLookup& geo,
                  const AuditPolicy* policy, CaptureOptions options = {});
  ~CaptureAnalyzer();
  CaptureAnalyzer(const CaptureAnalyzer&) = delete;
  CaptureAnalyzer& operator=(const CaptureAnalyzer&) = delete;

  // One captured frame of link type `link_type` (a libpcap DLT_ value).
  void AddFrame(int link_type, std::string_view frame, int64_t seconds);

  // Closes every flow and returns the destinations, judged.
  CaptureReport Finish();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads every frame of `source` (a file, standard input or a live capture: capture/
// frame_source.h) through an analyzer; damage part-way is reported in CaptureReport::damage
// with what was read before it.
CaptureReport AnalyzeCapture(capture::FrameSource& source,
                             const privacy::IdentifierScanner& scanner, const GeoLookup& geo,
                             const AuditPolicy* policy, const CaptureOptions& options = {});

// Reads `path` (pcap or pcapng) through an analyzer. A file that cannot be opened at all is an
// error; damage part-way is reported in CaptureReport::damage with what was read before it.
Result<CaptureReport> AnalyzeCaptureFile(const std::string& path,
                                         const privacy::IdentifierScanner& scanner,
                                         const GeoLookup& geo, const AuditPolicy* policy,
                                         const CaptureOptions& options = {});

}  // namespace homeport::audit
