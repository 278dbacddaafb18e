// Phone numbers through libphonenumber (leniency VALID), national ones read in the scanner's
// default region, and the numbers that look like phone numbers but are not.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scan_test_util.h"

namespace homeport::privacy {
namespace {

using ::testing::ElementsAre;
using testing::Found;
using ::testing::IsEmpty;

TEST(PhoneDetector, AcceptsInternationalNotationInAnyRegion) {
  EXPECT_THAT(Found("call +65 6123 4567 now", {}, "SG"), ElementsAre("phone:+65 6123 4567"));
  EXPECT_THAT(Found("call +65 6123 4567 now", {}, "ZZ"), ElementsAre("phone:+65 6123 4567"));
  EXPECT_THAT(Found("HQ: +1 650-253-0000.", {}, "SG"), ElementsAre("phone:+1 650-253-0000"));
  EXPECT_THAT(Found("tel:+16502530000", {}, "ZZ"), ElementsAre("phone:+16502530000"));
}

// A segment that is one international number is checked without the matcher; every other
// shape still goes through it, and both give the same answers.
TEST(PhoneDetector, GivesTheMatchersAnswersForEveryShapeOfInternationalNumber) {
  EXPECT_THAT(Found(R"({"phone":"+65 9123 4567"})", {}, "ZZ"), ElementsAre("phone:+65 9123 4567"));
  EXPECT_THAT(Found("+44 20 7946 0958.", {}, "ZZ"), ElementsAre("phone:+44 20 7946 0958"));
  EXPECT_THAT(Found("call +44 (0) 20 7946 0958", {}, "ZZ"),
              ElementsAre("phone:+44 (0) 20 7946 0958"));
  EXPECT_THAT(Found("Roma +39 06 6982 1234", {}, "ZZ"), ElementsAre("phone:+39 06 6982 1234"));
  EXPECT_THAT(Found("+800 1234 5678", {}, "ZZ"), ElementsAre("phone:+800 1234 5678"));
  // Not valid numbers: too short, an unassigned calling code, a calling code alone.
  EXPECT_THAT(Found("+65 1234 5", {}, "ZZ"), IsEmpty());
  EXPECT_THAT(Found("+999 1234 5678", {}, "ZZ"), IsEmpty());
  EXPECT_THAT(Found("+6 5 9", {}, "ZZ"), IsEmpty());
  // Glued to a percentage: the matcher's refusal stands.
  EXPECT_THAT(Found("+65 9123 4567%", {}, "ZZ"), IsEmpty());
}

TEST(PhoneDetector, ReadsNationalNotationInTheDefaultRegion) {
  EXPECT_THAT(Found("(650) 253-0000", {}, "US"), ElementsAre("phone:(650) 253-0000"));
  EXPECT_THAT(Found("ring 650.253.0000 today", {}, "US"), ElementsAre("phone:650.253.0000"));
  EXPECT_THAT(Found("6123 4567", {}, "SG"), ElementsAre("phone:6123 4567"));
  // Not a Singapore number, and without a region national numbers are never guessed.
  EXPECT_THAT(Found("(650) 253-0000", {}, "SG"), IsEmpty());
  EXPECT_THAT(Found("6123 4567", {}, "ZZ"), IsEmpty());
}

TEST(PhoneDetector, FindsSeveralNumbersInOneText) {
  EXPECT_THAT(Found("SG +65 6123 4567, US +1 650-253-0000", {}, "ZZ"),
              ElementsAre("phone:+65 6123 4567", "phone:+1 650-253-0000"));
}

TEST(PhoneDetector, RefusesDatesVersionsAndShortNumbers) {
  EXPECT_THAT(Found("due 2026-11-29", {}, "SG"), IsEmpty());
  EXPECT_THAT(Found("due 29.11.2026", {}, "DE"), IsEmpty());
  EXPECT_THAT(Found("due 11/29/2026", {}, "US"), IsEmpty());
  EXPECT_THAT(Found("release 10.0.19041", {}, "US"), IsEmpty());
  EXPECT_THAT(Found("build 1.2.3", {}, "SG"), IsEmpty());
  EXPECT_THAT(Found("room 4567", {}, "SG"), IsEmpty());
  EXPECT_THAT(Found("12 apples and 34 pears", {}, "US"), IsEmpty());
}

TEST(PhoneDetector, RefusesNumbersGluedToLetters) {
  EXPECT_THAT(Found("order65612345", {}, "SG"), IsEmpty());
  EXPECT_THAT(Found("x6123 4567", {}, "SG"), IsEmpty());
  EXPECT_THAT(Found("6123 4567abc", {}, "SG"), IsEmpty());
  // A "+" starts a number even right after a word, as libphonenumber reads it.
  EXPECT_THAT(Found("tel+6561234567", {}, "SG"), ElementsAre("phone:+6561234567"));
}

TEST(PhoneDetector, FindsNumbersNextToNonAsciiText) {
  // Offsets are bytes: "电话" is six bytes of UTF-8.
  EXPECT_THAT(Found("电话 +65 6123 4567。", {}, "ZZ"), ElementsAre("phone:+65 6123 4567"));
  EXPECT_THAT(Found("\xff\xfe +65 6123 4567 \x80", {}, "ZZ"), ElementsAre("phone:+65 6123 4567"));
}

TEST(PhoneDetector, AnImeiWrittenAsDigitsIsReportedOnceAsImei) {
  EXPECT_THAT(Found("490154203237518", {}, "DE"), ElementsAre("imei:490154203237518"));
}

TEST(IdentifierScannerOptions, RefusesUnknownPhoneRegion) {
  auto bad = IdentifierScanner::Create({.default_phone_region = "EU"});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_NE(bad.status().message().find("EU"), std::string::npos);
  EXPECT_TRUE(IdentifierScanner::Create({.default_phone_region = "sg"}).ok());  // any case
}

}  // namespace
}  // namespace homeport::privacy
