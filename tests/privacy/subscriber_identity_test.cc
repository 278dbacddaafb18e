// SIM identities: IMSI (only beside its key, with an assigned MCC) and ICCID (89..., Luhn).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "privacy/luhn.h"
#include "privacy/numbering_plans.h"
#include "scan_test_util.h"

namespace homeport::privacy {
namespace {

using ::testing::ElementsAre;
using testing::Found;
using ::testing::IsEmpty;

// An ICCID of the 2019 kind: 89 (telecom), 44 (UK), issuer and account, Luhn check digit.
std::string ValidIccid() {
  std::string payload = "894450010219830482";
  return payload + LuhnCheckDigit(payload);
}

TEST(MobileCountryCodes, KnowsAssignedAndRefusesReservedCodes) {
  EXPECT_TRUE(StartsWithAssignedMcc("310150123456789"));  // USA
  EXPECT_TRUE(StartsWithAssignedMcc("525"));              // Singapore
  EXPECT_TRUE(StartsWithAssignedMcc("460"));              // China
  EXPECT_TRUE(StartsWithAssignedMcc("901"));              // international networks
  EXPECT_FALSE(StartsWithAssignedMcc("999"));             // private networks
  EXPECT_FALSE(StartsWithAssignedMcc("001"));             // test networks
  EXPECT_FALSE(StartsWithAssignedMcc("123"));
  EXPECT_FALSE(StartsWithAssignedMcc("31"));
}

TEST(ImsiDetector, AcceptsValidMccWithImsiKey) {
  EXPECT_THAT(Found("310150123456789", "imsi"), ElementsAre("imsi:310150123456789"));
  EXPECT_THAT(Found("imsi=525011234567890"), ElementsAre("imsi:525011234567890"));
  EXPECT_THAT(Found(R"({"subscriberId":"460001234567890"})"), ElementsAre("imsi:460001234567890"));
}

TEST(ImsiDetector, RefusesUnassignedMcc) {
  EXPECT_THAT(Found("999010123456789", "imsi"), IsEmpty());
  EXPECT_THAT(Found("001010123456789", "imsi"), IsEmpty());
}

TEST(ImsiDetector, RefusesWithoutImsiKey) {
  // A valid MCC alone proves nothing: a quarter of all 3-digit prefixes are MCCs.
  EXPECT_THAT(Found("310150123456789"), IsEmpty());
  EXPECT_THAT(Found("310150123456789", "count"), IsEmpty());
}

TEST(ImsiDetector, ImsiKeyWinsOverAnImeiReadingOfTheSameDigits) {
  // 35x are Caribbean MCCs and 35 is also the BABT reporting body.
  std::string digits = "35201234567890";
  digits += LuhnCheckDigit(digits);
  EXPECT_THAT(Found(digits), ElementsAre("imei:" + digits));
  EXPECT_THAT(Found(digits, "imsi"), ElementsAre("imsi:" + digits));
}

TEST(ImsiDetector, RefusesTooShortOrTooLong) {
  EXPECT_THAT(Found("310150", "imsi"), IsEmpty());  // an operator code (MCC+MNC), not a SIM
  EXPECT_THAT(Found("3101501234567890", "imsi"), IsEmpty());
}

TEST(IccidDetector, AcceptsLuhnValidIccidWithoutContext) {
  const std::string iccid = ValidIccid();
  ASSERT_EQ(iccid.size(), 19u);
  EXPECT_THAT(Found("sim " + iccid), ElementsAre("iccid:" + iccid));
  std::string twenty = "8986011234567890123";
  twenty += LuhnCheckDigit(twenty);
  EXPECT_THAT(Found(twenty), ElementsAre("iccid:" + twenty));
}

TEST(IccidDetector, IsNotAlsoReportedAsImsi) {
  const std::string iccid = ValidIccid();
  EXPECT_THAT(Found(iccid, "imsi"), ElementsAre("iccid:" + iccid));
}

TEST(IccidDetector, RefusesInvalidLuhnAndWrongPrefix) {
  std::string bad = ValidIccid();
  bad.back() = bad.back() == '9' ? '0' : static_cast<char>(bad.back() + 1);
  EXPECT_THAT(Found(bad), IsEmpty());
  std::string not89 = "884450010219830482";
  not89 += LuhnCheckDigit(not89);
  EXPECT_THAT(Found(not89), IsEmpty());
  std::string eighteen = "89445001021983048";
  eighteen += LuhnCheckDigit(eighteen);
  EXPECT_THAT(Found(eighteen), IsEmpty());
}

}  // namespace
}  // namespace homeport::privacy
