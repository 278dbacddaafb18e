// FlowTable: the TCP and UDP conversations open at a point of the capture, keyed by their
// two endpoints whichever way a packet goes. A Flow keeps only what its dissectors still need;
// when it ends (FIN both ways, RST, a DNS answer) or is evicted for room, the analyzer folds
// it into its destination and erases it. Bounded by the analyzer's max_flows.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/capture/destination.h"
#include "audit/capture/http_request_parser.h"
#include "audit/capture/ip_address.h"
#include "audit/capture/packet_decoder.h"
#include "audit/capture/quic_initial.h"
#include "audit/capture/tcp_reassembler.h"

namespace homeport::audit::capture {

struct FlowKey {
  IpAddress a, b;
  uint16_t port_a = 0, port_b = 0;
  uint8_t protocol = 0;
  bool operator==(const FlowKey& o) const = default;

  // The key of a packet from (src, src_port) to (dst, dst_port), the same both ways.
  static FlowKey Of(IpProtocol protocol, const IpAddress& src, uint16_t src_port,
                    const IpAddress& dst, uint16_t dst_port);
};

struct FlowKeyHash {
  size_t operator()(const FlowKey& k) const;
};

// The application protocol a flow was recognised as (protocol_detection.h).
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
  TcpStream up, down;
  std::string server_name;           // TLS or QUIC SNI
  // The client's QUIC Initials while its ClientHello is being read; reset once it has been
  // (quic_read), so a finished flow holds nothing of it.
  std::unique_ptr<HttpRequestReader> http;  // an HTTP flow's client stream, while it is read
  std::unique_ptr<QuicInitialReader> quic;
  BudgetHold quic_hold;  // quic's buffered CRYPTO data, against the reassembly budget
  bool quic_read = false;
  std::vector<std::string> hosts;    // HTTP Host values, as written
  std::vector<std::string> lookups;  // DNS questions sent on this flow
  std::vector<IdentifierSighting> sightings;
  std::vector<Uninspected> uninspected;
  uint64_t uninspected_not_listed = 0;

  // "tcp 10.0.0.2:40000 → 202.102.94.1:80"
  std::string Label() const;
};

class FlowTable {
 public:
  using Map = std::unordered_map<FlowKey, Flow, FlowKeyHash>;
  using iterator = Map::iterator;

  FlowTable() { flows_.reserve(1024); }

  iterator find(const FlowKey& key) { return flows_.find(key); }
  iterator end() { return flows_.end(); }
  iterator begin() { return flows_.begin(); }
  bool empty() const { return flows_.empty(); }
  size_t size() const { return flows_.size(); }
  iterator emplace(const FlowKey& key) { return flows_.try_emplace(key).first; }
  void erase(iterator it) { flows_.erase(it); }

  // The keys of the least recently active eighth of the table (at least one), so that
  // evicting for room costs O(1) a flow.
  std::vector<FlowKey> LeastRecentlyActive() const;

 private:
  Map flows_;
};

}  // namespace homeport::audit::capture
