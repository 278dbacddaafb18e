// IMEI and IMEISV detection: Luhn, reporting-body prefixes and context keys.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "privacy/luhn.h"
#include "scan_test_util.h"

namespace homeport::privacy {
namespace {

using ::testing::ElementsAre;
using testing::Found;
using ::testing::IsEmpty;

TEST(Luhn, KnownValues) {
  EXPECT_TRUE(PassesLuhn("490154203237518"));
  EXPECT_FALSE(PassesLuhn("490154203237519"));
  EXPECT_TRUE(PassesLuhn("79927398713"));  // the textbook example
  EXPECT_EQ(LuhnCheckDigit("49015420323751"), '8');
  EXPECT_FALSE(PassesLuhn("49015420323751x"));
  EXPECT_FALSE(PassesLuhn("0"));
}

TEST(ImeiDetector, AcceptsValidLuhnWithContext) {
  EXPECT_THAT(Found("490154203237518", "imei"), ElementsAre("imei:490154203237518"));
  EXPECT_THAT(Found("imei=490154203237518"), ElementsAre("imei:490154203237518"));
  EXPECT_THAT(Found(R"({"deviceId": "490154203237518"})"), ElementsAre("imei:490154203237518"));
  EXPECT_THAT(Found("IMEI 490154203237518"), ElementsAre("imei:490154203237518"));
}

TEST(ImeiDetector, RecordsTheKeyThatClassifiedIt) {
  auto findings = testing::ScannerFor("SG").Scan("IMEI: 490154203237518");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].context_key, "IMEI");
  EXPECT_EQ(findings[0].offset, 6u);
  EXPECT_EQ(findings[0].length, 15u);
}

TEST(ImeiDetector, RefusesInvalidLuhnEvenWithContext) {
  EXPECT_THAT(Found("490154203237519", "imei"), IsEmpty());
  EXPECT_THAT(Found("imei=490154203237519"), IsEmpty());
}

TEST(ImeiDetector, AcceptsBareImeiWithReportingBodyPrefix) {
  // 35 (BABT) and 86 (TAF China) prefix nearly every handset IMEI.
  std::string babt = "35209900176148";
  babt += LuhnCheckDigit(babt);
  std::string taf = "86753402133781";
  taf += LuhnCheckDigit(taf);
  EXPECT_THAT(Found("sent " + babt + " ok"), ElementsAre("imei:" + babt));
  EXPECT_THAT(Found(taf), ElementsAre("imei:" + taf));
}

TEST(ImeiDetector, RefusesBareLuhnValidNumberWithImplausiblePrefix) {
  std::string order = "12345678901234";  // 12 is no reporting body
  order += LuhnCheckDigit(order);
  ASSERT_TRUE(PassesLuhn(order));
  EXPECT_THAT(Found("order " + order), IsEmpty());
  EXPECT_THAT(Found(order, "count"), IsEmpty());
  // ... but the same digits under an IMEI key are an IMEI.
  EXPECT_THAT(Found(order, "imei"), ElementsAre("imei:" + order));
}

TEST(ImeiDetector, RefusesDigitsGluedToLettersOrDecimals) {
  EXPECT_THAT(Found("id490154203237518x"), IsEmpty());
  EXPECT_THAT(Found("1.490154203237518"), IsEmpty());  // a coordinate, not an IMEI
}

TEST(ImeiDetector, AcceptsGroupedPrintedForms) {
  EXPECT_THAT(Found("IMEI 49 015420 323751 8"), ElementsAre("imei:49 015420 323751 8"));
  EXPECT_THAT(Found("49-015420-323751-8"), ElementsAre("imei:49-015420-323751-8"));
  EXPECT_THAT(Found("49015420-323751-8"), ElementsAre("imei:49015420-323751-8"));
  EXPECT_THAT(Found("49-015420-323751-9"), IsEmpty());  // bad check digit
}

TEST(ImeisvDetector, AcceptsSixteenDigitsWithPlausiblePrefixOrKey) {
  EXPECT_THAT(Found("3520990017614823"), ElementsAre("imeisv:3520990017614823"));
  EXPECT_THAT(Found("imeisv=1234567890123456"), ElementsAre("imeisv:1234567890123456"));
  EXPECT_THAT(Found("35-209900-176148-23"), ElementsAre("imeisv:35-209900-176148-23"));
}

TEST(ImeisvDetector, RefusesSixteenDigitsWithoutPrefixOrKey) {
  EXPECT_THAT(Found("1234567890123456"), IsEmpty());
  EXPECT_THAT(Found("1234567890123456", "count"), IsEmpty());
}

}  // namespace
}  // namespace homeport::privacy
