// IPv4 and IPv6 addresses, and the version numbers and colon lists that are not addresses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scan_test_util.h"

namespace homeport::privacy {
namespace {

using ::testing::ElementsAre;
using testing::Found;
using ::testing::IsEmpty;

TEST(Ipv4Detector, AcceptsDottedQuads) {
  EXPECT_THAT(Found("from 192.168.1.20:443"), ElementsAre("ipv4:192.168.1.20"));
  EXPECT_THAT(Found("dns 8.8.8.8."), ElementsAre("ipv4:8.8.8.8"));
  EXPECT_THAT(Found(R"({"ip":"10.0.0.1"})"), ElementsAre("ipv4:10.0.0.1"));
}

TEST(Ipv4Detector, RefusesOutOfRangeAndWrongShapes) {
  EXPECT_THAT(Found("256.1.1.1"), IsEmpty());
  EXPECT_THAT(Found("1.2.3"), IsEmpty());         // a version
  EXPECT_THAT(Found("10.0.19041.1"), IsEmpty());  // a Windows build
  EXPECT_THAT(Found("1.3.6.1.4.1"), IsEmpty());   // an OID
  EXPECT_THAT(Found("v1.2.3.4"), IsEmpty());      // a tagged version
  EXPECT_THAT(Found("192.168.01.1"), IsEmpty());  // leading zero: octal to some parsers
}

TEST(Ipv4Detector, TreatsABareDottedQuadAsAnAddressButNotUnderAVersionKey) {
  // "1.2.3.4" reads as a version or an address alike; scrubbing a version costs little,
  // keeping an address does not. A version key settles it.
  EXPECT_THAT(Found("1.2.3.4"), ElementsAre("ipv4:1.2.3.4"));
  EXPECT_THAT(Found("1.2.3.4", "app_version"), IsEmpty());
  EXPECT_THAT(Found("version=1.2.3.4"), IsEmpty());
  EXPECT_THAT(Found(R"({"osVersion": "1.2.3.4"})"), IsEmpty());
}

TEST(Ipv6Detector, AcceptsCommonForms) {
  EXPECT_THAT(Found("addr 2001:db8::1 up"), ElementsAre("ipv6:2001:db8::1"));
  EXPECT_THAT(Found("fe80::1%eth0"), ElementsAre("ipv6:fe80::1%eth0"));
  EXPECT_THAT(Found("[2001:db8:85a3:0:0:8a2e:370:7334]:443"),
              ElementsAre("ipv6:2001:db8:85a3:0:0:8a2e:370:7334"));
  EXPECT_THAT(Found("::ffff:192.0.2.1"), ElementsAre("ipv6:::ffff:192.0.2.1"));
  EXPECT_THAT(Found("via 2001:db8::."), ElementsAre("ipv6:2001:db8::"));
}

TEST(Ipv6Detector, RefusesCodeTimesAndMacs) {
  EXPECT_THAT(Found("std::string_view"), IsEmpty());
  EXPECT_THAT(Found("a::b"), IsEmpty());
  EXPECT_THAT(Found("at 12:30:45"), IsEmpty());
  EXPECT_THAT(Found("2001:db8::1::2"), IsEmpty());  // two "::"
  EXPECT_THAT(Found("2001:db8::1g"), IsEmpty());
  EXPECT_THAT(Found("3c:5a:b4:01:23:9f"), ElementsAre("mac:3c:5a:b4:01:23:9f"));
}

}  // namespace
}  // namespace homeport::privacy
