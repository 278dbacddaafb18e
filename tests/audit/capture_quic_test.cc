// QUIC flows through the whole capture analysis: the ClientHello's server name in a client
// Initial names the destination (source "sni", protocol "quic", encrypted), on any UDP port,
// and is listed with the TLS server names.
#include <gtest/gtest.h>

#include <algorithm>

#include "audit/capture_analysis.h"
#include "capture_test_support.h"
#include "pcap_writer.h"
#include "quic_packet_writer.h"

namespace homeport::audit {
namespace {

using namespace homeport::testing;

const privacy::IdentifierScanner& Scanner() {
  static const auto scanner = privacy::IdentifierScanner::Create();
  return *scanner;
}

CaptureReport Analyze(const CaptureWriter& w) {
  const FakeGeo geo;  // outlives the analyzer, which keeps a reference
  CaptureAnalyzer analyzer(Scanner(), geo, &SgPolicy());
  int64_t second = 1700000000;
  for (const std::string& frame : w.frames()) analyzer.AddFrame(kLinkEthernet, frame, second++);
  return analyzer.Finish();
}

const Destination* Find(const CaptureReport& r, const std::string& name) {
  for (const auto& d : r.destinations) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A ClientHello for `name` in two Initials of two datagrams, the second part first.
void WriteQuicClient(CaptureWriter& w, const std::string& name, uint16_t server_port,
                     uint32_t version = kQuicV1) {
  const std::string hello = TlsClientHello(name, 1400).substr(5);
  QuicInitialSpec spec;
  spec.version = version;
  spec.packet_number = 1;
  const std::string second = ProtectedQuicInitial(spec, CryptoFrame(1000, hello.substr(1000)));
  spec.packet_number = 0;
  const std::string first = ProtectedQuicInitial(spec, CryptoFrame(0, hello.substr(0, 1000)));
  w.Udp("10.0.0.2", 50000, kSingTel, server_port, first);
  w.Udp(kSingTel, server_port, "10.0.0.2", 50000, std::string(60, '\x4a'));  // the server's
  w.Udp("10.0.0.2", 50000, kSingTel, server_port, second);
  w.Udp("10.0.0.2", 50000, kSingTel, server_port, "\x41" + std::string(40, 'h'));  // 1-RTT
}

TEST(CaptureQuic, TheClientHelloNamesTheDestination) {
  CaptureWriter w;
  WriteQuicClient(w, "act.sg.example.com", 443);
  const CaptureReport r = Analyze(w);
  const Destination* d = Find(r, "act.sg.example.com");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->names.at("act.sg.example.com") & kNameSni, kNameSni);
  EXPECT_TRUE(Has(d->ProtocolNames(), "quic"));
  EXPECT_TRUE(Has(d->ProtocolNames(), "udp"));
  EXPECT_EQ(d->flows_of(Protection::kEncrypted), 1u);
  EXPECT_TRUE(d->encrypted_only());
  EXPECT_EQ(r.stats.quic_client_hellos, 1u);
  EXPECT_EQ(r.names.tls_server_names.count("act.sg.example.com"), 1u);
  EXPECT_EQ(Find(r, kSingTel), nullptr);  // not reported by address
}

TEST(CaptureQuic, AnInitialIsQuicOnAnyPortAndInVersion2) {
  CaptureWriter w;
  WriteQuicClient(w, "uxp.sg.example.com", 8443, kQuicV2);
  const CaptureReport r = Analyze(w);
  const Destination* d = Find(r, "uxp.sg.example.com");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(Has(d->ProtocolNames(), "quic"));
  EXPECT_TRUE(d->encrypted_only());
}

TEST(CaptureQuic, UnreadableInitialsStayAnEncryptedQuicFlowWithoutAName) {
  // A client Initial whose payload was damaged: QUIC, encrypted, named by its address.
  std::string damaged = ProtectedQuicInitial({}, CryptoFrame(0, std::string(300, 'x')));
  damaged[200] = static_cast<char>(damaged[200] ^ 1);
  CaptureWriter w;
  w.Udp("10.0.0.2", 50000, kSingTel, 443, damaged);
  const CaptureReport r = Analyze(w);
  const Destination* d = Find(r, kSingTel);
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(Has(d->ProtocolNames(), "quic"));
  EXPECT_TRUE(d->encrypted_only());
  EXPECT_EQ(r.stats.quic_client_hellos, 0u);
}

TEST(CaptureQuic, RealCapturesNameTheirServers) {
  const std::string dir = std::string(HOMEPORT_SOURCE_DIR) + "/tests/data/quic/";
  for (const auto& [file, name] : std::vector<std::pair<std::string, std::string>>{
           {"quic-v2.pcapng", "test"}, {"quic-29.pcap", "localhost"}}) {
    auto r = AnalyzeCaptureFile(dir + file, Scanner(), FakeGeo(), &SgPolicy());
    ASSERT_TRUE(r.ok()) << file;
    const Destination* d = Find(*r, name);
    ASSERT_NE(d, nullptr) << file;
    EXPECT_TRUE(Has(d->ProtocolNames(), "quic")) << file;
    EXPECT_TRUE(d->encrypted_only()) << file;
  }
}

}  // namespace
}  // namespace homeport::audit
