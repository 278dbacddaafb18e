// The analyzer's state is bounded whatever the capture: destinations past the listing limit are
// folded into aggregate rows that still carry every verdict, lists in a row are cut and counted,
// crafted DNS answers cost time linear in their size, and an inventory (no policy) judges
// nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include <nlohmann/json.hpp>

#include "audit/capture/dns_names.h"
#include "audit/capture_analysis.h"
#include "audit/capture_report.h"
#include "capture_test_support.h"

namespace homeport::audit {
namespace {

using namespace homeport::testing;
using ::testing::HasSubstr;

// The analyzer keeps a reference to its GeoLookup: one that outlives every test.
const FakeGeo& Geo() {
  static const FakeGeo geo;
  return geo;
}

const privacy::IdentifierScanner& Scanner() {
  static const auto scanner = privacy::IdentifierScanner::Create();
  return *scanner;
}

std::string Address(uint32_t i) {  // distinct public addresses in 203.0.0.0/8 (FakeGeo: SG)
  return "203." + std::to_string((i >> 16) & 0xff) + "." + std::to_string((i >> 8) & 0xff) + "." +
         std::to_string(i & 0xff);
}

TEST(CaptureBounds, SynsToDistinctAddressesFoldIntoAggregateRows) {
  CaptureOptions options;
  options.destinations.max_destinations = 100;
  options.destinations.max_groups = 4;
  CaptureAnalyzer analyzer(Scanner(), Geo(), &SgPolicy(), options);
  CaptureWriter w;
  constexpr uint32_t kSyns = 5000;
  for (uint32_t i = 0; i < kSyns; ++i) {
    TcpConversation c(w, kDevice, static_cast<uint16_t>(10000 + i % 50000), Address(i), 443);
    c.Open();
  }
  for (const auto& f : w.frames()) analyzer.AddFrame(DLT_EN10MB, f, 0);
  const CaptureReport r = analyzer.Finish();
  EXPECT_LE(r.destinations.size(), 100u + 4u);
  EXPECT_EQ(r.stats.destinations_listed, 100u);
  EXPECT_EQ(r.stats.flows_aggregated, kSyns - 100);
  uint64_t flows = 0;
  size_t aggregates = 0;
  for (const Destination& d : r.destinations) {
    flows += d.flow_count();
    EXPECT_LE(d.addresses.size(), options.destinations.max_addresses);
    if (d.aggregate.empty()) continue;
    ++aggregates;
    // Every flow folded in was judged: each rule once for the row, counting every flow (the
    // fake geography knows none of these addresses, so their country is unknown too).
    std::map<std::string, const Violation*> by_rule;
    for (const auto& v : d.violations) by_rule[v.rule] = &v;
    ASSERT_EQ(by_rule.size(), 2u) << d.name;
    ASSERT_TRUE(by_rule.count("host") && by_rule.count("country")) << d.name;
    EXPECT_EQ(by_rule["host"]->what, "names that are not allowed hosts");
    EXPECT_EQ(by_rule["host"]->count, d.flow_count());
    EXPECT_EQ(by_rule["country"]->count, d.flow_count());
    EXPECT_GT(d.addresses_not_listed, 0u);
  }
  EXPECT_EQ(flows, kSyns);
  EXPECT_GE(aggregates, 1u);
  EXPECT_EQ(r.ExitCode(), 1);
  const auto j = nlohmann::json::parse(RenderCaptureJson(r, {}));
  EXPECT_EQ(j["destinations"].size(), r.destinations.size());
  EXPECT_EQ(j["stats"]["flows_aggregated"], kSyns - 100);
  EXPECT_THAT(RenderCaptureText(r, {}), HasSubstr("past the limit of 100"));
}

TEST(CaptureBounds, EachViolationOnceAtItsDestinationWithCounts) {
  CaptureAnalyzer analyzer(Scanner(), Geo(), &SgPolicy());
  CaptureWriter w;
  for (uint16_t i = 0; i < 300; ++i) {
    TcpConversation c(w, kDevice, static_cast<uint16_t>(30000 + i), kChinaTelecom, 80);
    c.Open();
    c.Send("GET /x?imei=490154203237518 HTTP/1.1\r\nHost: zzhc.vnet.cn\r\n\r\n");
    c.Close();
  }
  for (const auto& f : w.frames()) analyzer.AddFrame(DLT_EN10MB, f, 0);
  const CaptureReport r = analyzer.Finish();
  ASSERT_EQ(r.destinations.size(), 1u);
  const Destination& d = r.destinations[0];
  EXPECT_EQ(d.flow_count(), 300u);
  std::map<std::string, uint64_t> by_rule;
  for (const auto& v : d.violations) by_rule[v.rule] += v.count;
  EXPECT_EQ(by_rule.size(), 4u);  // host, country, cleartext, identifier: each once
  EXPECT_EQ(by_rule["host"], 300u);
  EXPECT_EQ(by_rule["cleartext"], 300u);
  EXPECT_EQ(by_rule["identifier"], 300u);
  ASSERT_EQ(d.identifiers.size(), 1u);  // one row with its count, not 300
  EXPECT_EQ(d.identifiers[0].count, 300u);
  const auto j = nlohmann::json::parse(RenderCaptureJson(r, {}));
  EXPECT_EQ(j["violations"].size(), 4u);
}

TEST(CaptureBounds, LongCnameChainsAreFollowedOnceAndCut) {
  CaptureAnalyzer analyzer(Scanner(), Geo(), &SgPolicy());
  CaptureWriter w;
  std::vector<std::string> chain;
  for (int i = 0; i < 40; ++i) {
    chain.push_back(std::string(60, static_cast<char>('a' + i % 26)) + std::to_string(i) +
                    ".cdn.example.net");
  }
  for (uint16_t i = 0; i < 500; ++i) {
    w.Udp(kResolver, 53, kDevice, static_cast<uint16_t>(20000 + i),
          DnsResponse(i, "act.sg.example.com", chain, kSingTel));
  }
  TcpConversation c(w, kDevice, 40012, kSingTel, 443);
  c.Open();
  c.Send(std::string("\x17\x03\x03\x00\x05hello", 10));
  c.Close();
  for (const auto& f : w.frames()) analyzer.AddFrame(DLT_EN10MB, f, 0);
  const CaptureReport r = analyzer.Finish();
  const Destination* tls = nullptr;
  for (const auto& d : r.destinations) {
    if (d.name == "act.sg.example.com") tls = &d;
  }
  ASSERT_NE(tls, nullptr);  // named by the name asked for, not the CDN's
  EXPECT_LE(tls->names.size(), capture::DnsNameMemory::kMaxChain);
}

TEST(CaptureBounds, InventoryJudgesNothingAndExitsZero) {
  CaptureAnalyzer analyzer(Scanner(), Geo(), nullptr);
  CaptureWriter w;
  Write2019Leak(w);
  for (const auto& f : w.frames()) analyzer.AddFrame(DLT_EN10MB, f, 0);
  const CaptureReport r = analyzer.Finish();
  EXPECT_TRUE(r.inventory());
  EXPECT_EQ(r.violation_count, 0u);
  EXPECT_EQ(r.ExitCode(), 0);
  ASSERT_FALSE(r.destinations.empty());
  const auto j = nlohmann::json::parse(RenderCaptureJson(r, {}));
  EXPECT_EQ(j["verdict"], "inventory");
  EXPECT_TRUE(j["region"].is_null());
  bool imei = false;
  for (const auto& d : j["destinations"]) {
    for (const auto& s : d["identifiers"]) imei = imei || s["kind"] == "imei";
  }
  EXPECT_TRUE(imei);  // identifiers in the clear are still listed
  EXPECT_THAT(RenderCaptureText(r, {}), HasSubstr("an inventory (no policy applied)"));
  EXPECT_EQ(j["summary"]["countries"][0]["country"], "CN");
}

TEST(CaptureBounds, NamesFromTheCaptureCannotForgeReportLines) {
  CaptureAnalyzer analyzer(Scanner(), Geo(), &SgPolicy());
  CaptureWriter w;
  TcpConversation c(w, kDevice, 40300, kSingTel, 80);
  c.Open();
  c.Send("GET / HTTP/1.1\r\nHost: x\x1b[2J\xff\x0bResult: clean\r\n\r\n");
  c.Close();
  for (const auto& f : w.frames()) analyzer.AddFrame(DLT_EN10MB, f, 0);
  const CaptureReport r = analyzer.Finish();
  const std::string text = RenderCaptureText(r, {});
  // Host names compare without case and end at the port's colon; what is left is escaped.
  EXPECT_THAT(text, HasSubstr("x\\x1b[2j\\xff\\x0bresult"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("\x0b")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, HasSubstr("\\xff"));
  EXPECT_TRUE(nlohmann::json::accept(RenderCaptureJson(r, {})));
  const std::string html = RenderCaptureHtml(r, {});
  EXPECT_THAT(html, ::testing::Not(HasSubstr("\x1b")));
  EXPECT_THAT(html, HasSubstr("\\xff"));
}

}  // namespace
}  // namespace homeport::audit
