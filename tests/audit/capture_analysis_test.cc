// The analysis end to end on captures the tests write: the 2019 leak is found and judged in
// every shape it can arrive in (segments in order, out of order, retransmitted; pcap and
// pcapng; Ethernet, VLAN, Linux cooked), a clean session passes, damage is located.
#include "audit/capture_analysis.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include "../common/testing_temp_dir.h"
#include "capture_test_support.h"
#include "common/gzip.h"

namespace homeport::audit {
namespace {

using namespace homeport::testing;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// The analyzer keeps a reference to its GeoLookup: one that outlives every test.
const FakeGeo& Geo() {
  static const FakeGeo geo;
  return geo;
}

const privacy::IdentifierScanner& Scanner() {
  static const auto scanner = privacy::IdentifierScanner::Create();
  return *scanner;
}

CaptureReport AnalyzeFile(const CaptureWriter& w, bool pcapng = false,
                          const AuditPolicy& policy = SgPolicy()) {
  TempDir dir;
  const std::string path = dir.File(pcapng ? "c.pcapng" : "c.pcap");
  CaptureWriter::Write(path, pcapng ? w.Pcapng() : w.Pcap());
  auto report = AnalyzeCaptureFile(path, Scanner(), FakeGeo(), &policy);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? *report : CaptureReport{};
}

const Destination* Find(const CaptureReport& r, const std::string& name) {
  for (const auto& d : r.destinations) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

// What each violation of `d` says.
std::vector<std::string> Whats(const Destination& d) {
  std::vector<std::string> out;
  for (const auto& v : d.violations) out.push_back(v.what);
  return out;
}

std::vector<std::string> IdentifierKeys(const Destination& d) {
  std::vector<std::string> out;
  for (const auto& s : d.identifiers) {
    out.push_back(std::string(privacy::NameOf(s.kind)) + ":" + s.key);
  }
  return out;
}

void ExpectThe2019Leak(const CaptureReport& r) {
  EXPECT_EQ(r.ExitCode(), 1);
  ASSERT_FALSE(r.destinations.empty());
  const Destination& d = r.destinations.front();  // violations first
  EXPECT_EQ(d.name, "zzhc.vnet.cn");
  EXPECT_EQ(DescribeNameSources(d.names.at("zzhc.vnet.cn")), "dns+http-host");
  EXPECT_TRUE(d.names.count("zzhc.vnet.cn.ctdns.cn"));  // the CNAME it went through
  ASSERT_EQ(d.addresses.size(), 1u);
  EXPECT_EQ(d.addresses[0].address.ToString(), kChinaTelecom);
  EXPECT_EQ(d.addresses[0].geo.country, "CN");
  EXPECT_EQ(d.http_requests, 1u);
  EXPECT_THAT(IdentifierKeys(d), UnorderedElementsAre("imei:imei", "iccid:iccid", "imsi:imsi",
                                                      "mac:mac", "cell_id:cellid"));
  for (const auto& s : d.identifiers) {
    EXPECT_EQ(s.host, "zzhc.vnet.cn");
    EXPECT_EQ(s.flow, "tcp 192.168.1.20:40002 → 202.102.94.1:80");
    EXPECT_THAT(s.where, HasSubstr("POST /zzhc/activate: body › base64 › json"));
    EXPECT_FALSE(s.allowed);
  }
  EXPECT_THAT(Whats(d), Contains(HasSubstr("\"zzhc.vnet.cn\" is not an allowed host")));
  EXPECT_THAT(Whats(d), Contains(HasSubstr("is in CN, not an allowed country")));
  EXPECT_THAT(Whats(d), Contains(HasSubstr("unencrypted")));
  EXPECT_THAT(Whats(d), Contains(HasSubstr("imei sent in the clear")));
  // The lookup itself went to the local resolver: reported, not a violation.
  const Destination* resolver = Find(r, kResolver);
  ASSERT_NE(resolver, nullptr);
  EXPECT_TRUE(resolver->local_resolver);
  EXPECT_TRUE(resolver->violations.empty());
  EXPECT_TRUE(resolver->names.count("zzhc.vnet.cn"));
}

TEST(CaptureAnalysis, Finds2019LeakWithEveryIdentifier) {
  CaptureWriter w;
  Write2019Leak(w);
  CaptureReport r = AnalyzeFile(w);
  ExpectThe2019Leak(r);
  EXPECT_EQ(r.stats.tcp_out_of_order, 0u);
}

TEST(CaptureAnalysis, Finds2019LeakOutOfOrderAndRetransmitted) {
  CaptureWriter w;
  Write2019Leak(w, {.out_of_order = true, .retransmit = true});
  CaptureReport r = AnalyzeFile(w);
  ExpectThe2019Leak(r);
  EXPECT_EQ(r.stats.tcp_out_of_order, 1u);
  EXPECT_EQ(r.stats.tcp_retransmitted, 1u);
  EXPECT_EQ(r.stats.tcp_gaps, 0u);
}

TEST(CaptureAnalysis, ReadsPcapngVlanAndLinuxCookedCaptures) {
  for (auto [link, vlan] : {std::pair{kLinkEthernet, uint16_t{7}}, std::pair{kLinkSll, uint16_t{0}},
                            std::pair{kLinkSll2, uint16_t{0}}, std::pair{kLinkRaw, uint16_t{0}}}) {
    CaptureWriter w(link, vlan);
    Write2019Leak(w);
    ExpectThe2019Leak(AnalyzeFile(w, /*pcapng=*/true));
  }
}

TEST(CaptureAnalysis, CleanTlsSessionPasses) {
  CaptureWriter w;
  WriteCleanSession(w);
  CaptureReport r = AnalyzeFile(w);
  EXPECT_EQ(r.ExitCode(), 0) << r.destinations.front().violations.front().what;
  EXPECT_EQ(r.violation_count, 0u);
  const Destination* d = Find(r, "act.sg.example.com");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(DescribeNameSources(d->names.at("act.sg.example.com")), "dns+sni");
  EXPECT_TRUE(d->encrypted_only());
  EXPECT_EQ(d->addresses.at(0).geo.country, "SG");
  EXPECT_EQ(d->bytes_sent, TlsClientHello("act.sg.example.com", 700).size() + 10);
  EXPECT_THAT(r.names.tls_server_names, UnorderedElementsAre("act.sg.example.com"));
}

TEST(CaptureAnalysis, DecodesGzipAndChunkedBodies) {
  CaptureWriter w;
  TcpConversation c(w, kDevice, 40100, kSingTel, 8080);
  c.Open();
  const std::string gz = Gzip(R"({"imsi":"460001234567890"})");
  c.Send(
      "POST /g HTTP/1.1\r\nHost: api.sg.example.com\r\nContent-Encoding: gzip\r\n"
      "Content-Length: " +
      std::to_string(gz.size()) + "\r\n\r\n" + gz);
  c.Send(
      "POST /c HTTP/1.1\r\nHost: api.sg.example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
      "8\r\nimei=490\r\n");
  c.Send("c\r\n154203237518\r\n0\r\n\r\n");
  c.Close();
  CaptureReport r = AnalyzeFile(w);
  const Destination* d = Find(r, "api.sg.example.com");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->http_requests, 2u);
  EXPECT_THAT(IdentifierKeys(*d), UnorderedElementsAre("imsi:imsi", "imei:imei"));
  EXPECT_EQ(r.ExitCode(), 1);  // allowed host, but cleartext with identifiers
}

TEST(CaptureAnalysis, PolicyCanAllowCleartextAndIdentifierKinds) {
  CaptureWriter w;
  Write2019Leak(w);
  auto lax = AuditPolicy::Parse(
      R"({"region":"cn","allow_hosts":["zzhc.vnet.cn"],"allow_countries":["CN"],
          "allow_cleartext":true,"allow_identifiers":["imei","iccid","imsi","mac","cell_id"]})");
  ASSERT_TRUE(lax.ok());
  CaptureReport r = AnalyzeFile(w, false, *lax);
  EXPECT_EQ(r.ExitCode(), 0);
}

TEST(CaptureAnalysis, PrivateDestinationsFollowAllowPrivate) {
  CaptureWriter w;
  w.Udp(kDevice, 1900, "239.255.255.250", 1900,
        "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nST: ssdp:all\r\n\r\n");
  EXPECT_EQ(AnalyzeFile(w).ExitCode(), 0);
  auto strict = AuditPolicy::Parse(R"({"region":"sg","allow_hosts":[],"allow_private":false})");
  CaptureReport r = AnalyzeFile(w, false, *strict);
  EXPECT_EQ(r.ExitCode(), 1);
  EXPECT_THAT(Whats(r.destinations.at(0)), Contains(HasSubstr("multicast")));
  EXPECT_THAT(r.names.http_hosts, UnorderedElementsAre("239.255.255.250:1900"));
}

TEST(CaptureAnalysis, TruncatedFileIsReportedWithItsOffset) {
  CaptureWriter w;
  WriteCleanSession(w);
  Write2019Leak(w);
  const std::string whole = w.Pcap();
  TempDir dir;
  const std::string path = dir.File("cut.pcap");
  CaptureWriter::Write(path, whole.substr(0, whole.size() - 20));
  auto r = AnalyzeCaptureFile(path, Scanner(), FakeGeo(), &SgPolicy());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ExitCode(), 2);
  const size_t last_frame = 16 + w.frames().back().size();
  EXPECT_THAT(r->damage,
              HasSubstr("damaged at byte offset " + std::to_string(whole.size() - last_frame)));
  EXPECT_THAT(r->damage, HasSubstr("truncated"));
  EXPECT_EQ(r->stats.frames, w.frames().size() - 1);
  EXPECT_NE(Find(*r, "act.sg.example.com"), nullptr);  // what came before is reported

  CaptureWriter::Write(path, "not a capture at all");
  EXPECT_FALSE(AnalyzeCaptureFile(path, Scanner(), FakeGeo(), &SgPolicy()).ok());
}

TEST(CaptureAnalysis, GapsAreCountedAndTheRestStillRead) {
  CaptureWriter w;
  TcpConversation c(w, kDevice, 40200, kSingTel, 80);
  c.Open();
  c.Send("GET /a HTTP/1.1\r\nHost: a.sg.example.com\r\n\r\n");
  c.Skip(100);  // a segment the capture missed
  c.Send("GET /b?imei=490154203237518 HTTP/1.1\r\nHost: a.sg.example.com\r\n\r\n");
  CaptureReport r = AnalyzeFile(w);
  EXPECT_EQ(r.stats.tcp_gaps, 1u);
  EXPECT_EQ(r.stats.tcp_gap_bytes, 100u);
  EXPECT_EQ(r.stats.http_requests, 2u);
}

TEST(CaptureAnalysis, MemoryStaysBoundedWithManyFlows) {
  CaptureOptions options;
  options.max_flows = 64;
  CaptureAnalyzer analyzer(Scanner(), Geo(), &SgPolicy(), options);
  CaptureWriter w;
  for (uint16_t i = 0; i < 1000; ++i) {
    TcpConversation c(w, kDevice, static_cast<uint16_t>(20000 + i), kSingTel, 443);
    c.Open();
    c.Send(TlsClientHello("act.sg.example.com"));
  }
  for (const auto& f : w.frames()) analyzer.AddFrame(DLT_EN10MB, f, 0);
  CaptureReport r = analyzer.Finish();
  EXPECT_EQ(r.stats.flows, 1000u);
  EXPECT_GT(r.stats.flows_evicted, 0u);
  EXPECT_EQ(r.destinations.size(), 1u);
  EXPECT_EQ(r.destinations[0].flow_count(), 1000u);
  EXPECT_EQ(r.stats.tls_client_hellos, 1000u);
}

}  // namespace
}  // namespace homeport::audit
