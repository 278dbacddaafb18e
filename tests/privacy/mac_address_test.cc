// MAC (EUI-48) addresses in colon, hyphen and Cisco dot notation, bare hex beside a key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scan_test_util.h"

namespace homeport::privacy {
namespace {

using ::testing::ElementsAre;
using testing::Found;
using ::testing::IsEmpty;

TEST(MacDetector, AcceptsEachNotation) {
  EXPECT_THAT(Found("wlan0 3c:5a:b4:01:23:9f up"), ElementsAre("mac:3c:5a:b4:01:23:9f"));
  EXPECT_THAT(Found("3C-5A-B4-01-23-9F"), ElementsAre("mac:3C-5A-B4-01-23-9F"));
  EXPECT_THAT(Found("3c5a.b401.239f"), ElementsAre("mac:3c5a.b401.239f"));
  EXPECT_THAT(Found("mac:3c:5a:b4:01:23:9f"), ElementsAre("mac:3c:5a:b4:01:23:9f"));
  EXPECT_THAT(Found(R"({"wifi_mac":"3c:5a:b4:01:23:9f"})"), ElementsAre("mac:3c:5a:b4:01:23:9f"));
}

TEST(MacDetector, AcceptsBareHexOnlyBesideAMacKey) {
  EXPECT_THAT(Found("3c5ab401239f", "mac"), ElementsAre("mac:3c5ab401239f"));
  EXPECT_THAT(Found("bssid=3c5ab401239f"), ElementsAre("mac:3c5ab401239f"));
  EXPECT_THAT(Found("3c5ab401239f"), IsEmpty());  // could be any hash prefix
  EXPECT_THAT(Found("3c5ab401239f", "commit"), IsEmpty());
}

TEST(MacDetector, RefusesMalformedAddresses) {
  EXPECT_THAT(Found("gg:5a:b4:01:23:9f"), IsEmpty());     // not hex
  EXPECT_THAT(Found("3c:5a:b4:01:23"), IsEmpty());        // five groups
  EXPECT_THAT(Found("3c:5a:b4:01:23:9f:00"), IsEmpty());  // seven groups
  EXPECT_THAT(Found("00:3c:5a:b4:01:23:9f"), IsEmpty());  // seven groups, seen from the end
  EXPECT_THAT(Found("3c:5a-b4:01:23:9f"), IsEmpty());     // mixed separators
  EXPECT_THAT(Found("3c:5a:b4:01:23:9fz"), IsEmpty());    // glued to a letter
  EXPECT_THAT(Found("3c5a.b401.239f.0000"), IsEmpty());   // four dot groups
}

TEST(MacDetector, IgnoresAddressesThatIdentifyNobody) {
  EXPECT_THAT(Found("00:00:00:00:00:00"), IsEmpty());
  EXPECT_THAT(Found("ff:ff:ff:ff:ff:ff"), IsEmpty());
}

}  // namespace
}  // namespace homeport::privacy
