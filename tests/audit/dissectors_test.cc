// DNS, TLS ClientHello and HTTP request dissectors on messages built byte by byte.
#include <gtest/gtest.h>

#include "audit/capture/dns_dissector.h"
#include "audit/capture/http_request_parser.h"
#include "audit/capture/tls_client_hello.h"
#include "common/gzip.h"
#include "pcap_writer.h"

namespace homeport::audit::capture {
namespace {

using namespace homeport::testing;

TEST(DnsDissector, ReadsQuestionsAndFollowsCnameAnswers) {
  auto q = ParseDnsMessage(DnsQuery(1, "zzhc.vnet.cn"));
  ASSERT_TRUE(q.has_value());
  EXPECT_FALSE(q->response);
  EXPECT_EQ(q->questions, std::vector<std::string>{"zzhc.vnet.cn"});

  auto a = ParseDnsMessage(DnsResponse(1, "zzhc.vnet.cn", {"edge.example.net"}, "202.102.94.1"));
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->response);
  ASSERT_EQ(a->answers.size(), 2u);
  EXPECT_EQ(a->answers[0].type, kDnsTypeCname);
  EXPECT_EQ(a->answers[0].name, "zzhc.vnet.cn");
  EXPECT_EQ(a->answers[0].target, "edge.example.net");
  EXPECT_EQ(a->answers[1].name, "edge.example.net");
  EXPECT_EQ(a->answers[1].address.ToString(), "202.102.94.1");

  auto v6 = ParseDnsMessage(DnsResponse(2, "example.com", {}, "2001:db8::1"));
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->answers.at(0).address.ToString(), "2001:db8::1");
}

TEST(DnsDissector, SurvivesPointerLoopsAndOverlongNames) {
  std::string loop = DnsQuery(3, "a.example");
  loop.resize(12);
  loop += std::string("\xC0\x0C", 2);  // a name that points at itself
  loop += std::string("\x00\x01\x00\x01", 4);
  auto m = ParseDnsMessage(loop);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->malformed);
  EXPECT_TRUE(m->questions.empty());

  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a' + static_cast<char>(i)) + ".";
  long_name += "com";
  auto too_long = ParseDnsMessage(DnsQuery(4, long_name));
  ASSERT_TRUE(too_long.has_value());
  EXPECT_TRUE(too_long->malformed);
  EXPECT_FALSE(ParseDnsMessage("short").has_value());
}

TEST(TlsClientHello, FindsTheServerNameAlsoWhenSplit) {
  const std::string hello = TlsClientHello("act.sg.example.com", 500);
  ClientHello whole = ParseClientHello(hello);
  EXPECT_EQ(whole.outcome, ClientHello::Outcome::kComplete);
  EXPECT_EQ(whole.server_name, "act.sg.example.com");
  for (size_t cut : {1u, 5u, 40u, 60u}) {
    EXPECT_EQ(ParseClientHello(hello.substr(0, cut)).outcome, ClientHello::Outcome::kNeedMore)
        << cut;
  }
  // The same handshake message split over two TLS records.
  const std::string hs = hello.substr(5);
  std::string two_records;
  for (std::string part : {hs.substr(0, 30), hs.substr(30)}) {
    two_records += std::string("\x16\x03\x01", 3);
    two_records.push_back(static_cast<char>(part.size() >> 8));
    two_records.push_back(static_cast<char>(part.size() & 0xFF));
    two_records += part;
  }
  EXPECT_EQ(ParseClientHello(two_records).server_name, "act.sg.example.com");
}

TEST(TlsClientHello, TellsNoSniAndNotTlsApart) {
  ClientHello none = ParseClientHello(TlsClientHello(""));
  EXPECT_EQ(none.outcome, ClientHello::Outcome::kComplete);
  EXPECT_EQ(none.server_name, "");
  EXPECT_EQ(ParseClientHello("GET / HTTP/1.1\r\n").outcome, ClientHello::Outcome::kNotTls);
}

TEST(HttpRequestParser, ReadsRequestLineHostAndBody) {
  const std::string wire =
      "POST /a?b=1 HTTP/1.1\r\nHost: zzhc.vnet.cn:8080\r\nContent-Length: 5\r\n\r\nhelloGET";
  HttpParse p = ParseHttpRequest(wire, false);
  ASSERT_EQ(p.outcome, HttpParse::Outcome::kComplete);
  EXPECT_EQ(p.request.method, "POST");
  EXPECT_EQ(p.request.target, "/a?b=1");
  EXPECT_EQ(p.request.host, "zzhc.vnet.cn:8080");
  EXPECT_EQ(p.request.body, "hello");
  EXPECT_EQ(p.consumed, wire.size() - 3);
  EXPECT_EQ(ParseHttpRequest(wire.substr(0, wire.size() - 5), false).outcome,
            HttpParse::Outcome::kNeedMore);
  EXPECT_EQ(ParseHttpRequest("\x16\x03\x01", false).outcome, HttpParse::Outcome::kNotHttp);
}

TEST(HttpRequestParser, UndoesChunkedAndGzip) {
  const std::string gz = Gzip(R"({"imei":"490154203237518"})");
  std::string chunked;
  for (size_t at = 0; at < gz.size(); at += 10) {
    const std::string part = gz.substr(at, 10);
    char size[8];
    std::snprintf(size, sizeof size, "%zx", part.size());
    chunked += std::string(size) + "\r\n" + part + "\r\n";
  }
  chunked += "0\r\n\r\n";
  const std::string wire =
      "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Encoding: "
      "gzip\r\n\r\n" +
      chunked;
  EXPECT_EQ(ParseHttpRequest(wire.substr(0, wire.size() - 3), false).outcome,
            HttpParse::Outcome::kNeedMore);
  HttpParse p = ParseHttpRequest(wire, false);
  ASSERT_EQ(p.outcome, HttpParse::Outcome::kComplete);
  EXPECT_EQ(p.request.body, R"({"imei":"490154203237518"})");
  EXPECT_EQ(p.request.decoded, (std::vector<std::string>{"chunked", "gzip"}));
  EXPECT_EQ(p.consumed, wire.size());
}

TEST(HttpRequestParser, ReadsSsdpOverUdp) {
  HttpParse p = ParseHttpRequest(
      "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n\r\n", true);
  ASSERT_EQ(p.outcome, HttpParse::Outcome::kComplete);
  EXPECT_EQ(p.request.host, "239.255.255.250:1900");
  EXPECT_EQ(LooksLikeHttpRequest("PO"), -1);
  EXPECT_EQ(LooksLikeHttpRequest("PUT /"), 1);
  EXPECT_EQ(LooksLikeHttpRequest("SSH-2.0"), 0);
}

}  // namespace
}  // namespace homeport::audit::capture
