#include "audit/capture_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include <nlohmann/json.hpp>

#include "capture_test_support.h"

namespace homeport::audit {
namespace {

using namespace homeport::testing;
using ::testing::HasSubstr;
using ::testing::Not;

CaptureReport Leak() {
  static const auto scanner = privacy::IdentifierScanner::Create();
  static const FakeGeo geo;
  CaptureAnalyzer analyzer(*scanner, geo, &SgPolicy());
  CaptureWriter w;
  Write2019Leak(w);
  // A Host header crafted to break out of HTML.
  TcpConversation c(w, kDevice, 40300, kSingTel, 80);
  c.Open();
  c.Send("GET / HTTP/1.1\r\nHost: <script>alert(1)</script>\r\n\r\n");
  for (const auto& f : w.frames()) analyzer.AddFrame(DLT_EN10MB, f, 0);
  CaptureReport r = analyzer.Finish();
  r.file = "leak.pcap";
  return r;
}

TEST(CaptureReport, MasksIdentifiersUnlessAskedToShowThem) {
  const CaptureReport r = Leak();
  const std::string text = RenderCaptureText(r, {});
  EXPECT_THAT(text, HasSubstr("VIOLATION"));
  EXPECT_THAT(text, HasSubstr("zzhc.vnet.cn"));
  EXPECT_THAT(text, HasSubstr("202.102.94.1 CN, AS137702 China Telecom"));
  EXPECT_THAT(text, Not(HasSubstr("490154203237518")));
  EXPECT_THAT(RenderCaptureText(r, {.show_values = true}), HasSubstr("490154203237518"));
}

TEST(CaptureReport, JsonListsViolationsFirstAndTheNames) {
  const auto j = nlohmann::json::parse(RenderCaptureJson(Leak(), {}));
  EXPECT_EQ(j["verdict"], "violations");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["destinations"][0]["name"], "zzhc.vnet.cn");
  EXPECT_EQ(j["destinations"][0]["addresses"][0]["country"], "CN");
  EXPECT_EQ(j["destinations"][0]["identifiers"].size(), 5u);
  EXPECT_EQ(j["names"]["dns_queries"], nlohmann::json::array({"zzhc.vnet.cn"}));
  EXPECT_TRUE(j["names"]["http_hosts"].size() == 2);
  EXPECT_THAT(j.dump(), Not(HasSubstr("490154203237518")));
}

TEST(CaptureReport, HtmlIsSelfContainedAndEscaped) {
  const std::string html = RenderCaptureHtml(Leak(), {});
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("href=")));
  EXPECT_THAT(html, HasSubstr("zzhc.vnet.cn"));
}

}  // namespace
}  // namespace homeport::audit
