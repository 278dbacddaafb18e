#include "audit/capture/payload_scan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "capture_test_support.h"

namespace homeport::audit::capture {
namespace {

using ::testing::UnorderedElementsAre;

std::vector<std::string> Kinds(const std::vector<PayloadFinding>& found) {
  std::vector<std::string> out;
  for (const auto& f : found) out.push_back(std::string(privacy::NameOf(f.kind)) + ":" + f.key);
  return out;
}

const privacy::IdentifierScanner& Scanner() {
  static const auto scanner = privacy::IdentifierScanner::Create();
  return *scanner;
}

TEST(PayloadScan, FindsIdentifiersInBase64Json) {
  const auto found = ScanPayload(Scanner(), crypto::Base64Encode(testing::LeakJson()), "body");
  EXPECT_THAT(Kinds(found), UnorderedElementsAre("imei:imei", "iccid:iccid", "imsi:imsi", "mac:mac",
                                                 "cell_id:cellid"));
  EXPECT_EQ(found.at(0).where.rfind("body › base64 › json /", 0), 0u) << found.at(0).where;
}

TEST(PayloadScan, FindsBase64InsideJsonAndFormFields) {
  const std::string inner = crypto::Base64Encode(R"({"imsi":"460001234567890"})");
  EXPECT_THAT(Kinds(ScanPayload(Scanner(), R"({"data":")" + inner + R"("})", "body")),
              UnorderedElementsAre("imsi:imsi"));
  EXPECT_THAT(Kinds(ScanPayload(Scanner(), "a=1&imei=490154203237518", "body")),
              UnorderedElementsAre("imei:imei"));
}

TEST(PayloadScan, ReadsHttpRequestPartsButNotTheHost) {
  HttpRequest r;
  r.method = "GET";
  r.target = "/ping?mac=3c%3A5a%3Ab4%3A01%3A23%3A9f";
  r.headers = {{"Host", "203.107.1.65"}, {"X-Imei", "490154203237518"}};
  r.host = "203.107.1.65";
  EXPECT_THAT(Kinds(ScanHttpRequest(Scanner(), r)), UnorderedElementsAre("mac:mac", "imei:x-imei"));
}

TEST(PayloadScan, ReadsJsonTooCostlyToNameValueByValueAsText) {
  // 100,000 values under one 200 KB member name, 1.4 MB in all: naming each by its pointer
  // copied the name 100,000 times (minutes). Read as text, its identifiers are still found,
  // including the one inside a Base64 string.
  std::string doc = R"({")" + std::string(200'000, 'k') + R"(":[)";
  for (int i = 0; i < 100'000; ++i) doc += R"("aaaaaaaaaaaa",)";
  doc += R"("x"],"imei":"490154203237518","blob":")" +
         crypto::Base64Encode(R"({"imsi":"460001234567890"})") + R"("})";
  const auto found = ScanPayload(Scanner(), doc, "body");
  EXPECT_THAT(Kinds(found), UnorderedElementsAre("imei:imei", "imsi:imsi"));
  EXPECT_EQ(found.at(0).where, "body › json (as text)");

  // Nested 300,000 deep: the same.
  const std::string deep = std::string(300'000, '[') + R"({"imei":"490154203237518"})" +
                           std::string(300'000, ']');
  EXPECT_THAT(Kinds(ScanPayload(Scanner(), deep, "body")), UnorderedElementsAre("imei:imei"));
}

}  // namespace
}  // namespace homeport::audit::capture
