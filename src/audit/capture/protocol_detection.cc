#include "audit/capture/protocol_detection.h"

#include "audit/capture/dns_dissector.h"
#include "audit/capture/http_request_parser.h"
#include "audit/capture/quic_initial.h"
#include "audit/capture/tls_client_hello.h"

namespace homeport::audit::capture {
namespace {

bool WellKnown(uint16_t port) { return port < 1024 || IsDnsPort(port); }

}  // namespace

bool SenderIsClient(const Segment& s) {
  if (s.protocol == IpProtocol::kTcp && (s.tcp_flags & kTcpSyn) != 0) {
    return (s.tcp_flags & kTcpAck) == 0;
  }
  if (WellKnown(s.dst_port) != WellKnown(s.src_port)) return WellKnown(s.dst_port);
  return true;  // the first packet seen usually comes from the client
}

App DetectStream(std::string_view data, bool end_of_stream) {
  if (data.empty()) return App::kUnknown;
  const int http = LooksLikeHttpRequest(data);
  if (data.size() < 3 && !end_of_stream && (data[0] == 0x16 || http != 0)) return App::kUnknown;
  if (LooksLikeTls(data)) return App::kTls;
  if (http == 1) return App::kHttp;
  if (http == -1 && !end_of_stream) return App::kUnknown;
  return App::kOther;
}

App DetectDatagram(std::string_view payload, uint16_t server_port) {
  if (StartsWithQuicInitial(payload)) return App::kQuic;  // on any port
  if (server_port == 443 && (static_cast<uint8_t>(payload[0]) & 0x40) != 0) {
    return App::kQuic;  // QUIC's fixed bit
  }
  if (LooksLikeHttpRequest(payload) == 1) return App::kHttp;  // SSDP and other HTTP over UDP
  return App::kOther;
}

}  // namespace homeport::audit::capture
