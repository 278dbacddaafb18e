// E-mail addresses, plain and URL-encoded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scan_test_util.h"

namespace homeport::privacy {
namespace {

using ::testing::ElementsAre;
using testing::Found;
using ::testing::IsEmpty;

TEST(EmailDetector, AcceptsCommonAddresses) {
  EXPECT_THAT(Found("mail a@b.com, thanks"), ElementsAre("email:a@b.com"));
  EXPECT_THAT(Found("<jane.doe+ux@mail.example.co.uk>"),
              ElementsAre("email:jane.doe+ux@mail.example.co.uk"));
  EXPECT_THAT(Found("Write to ops-team@homeport.example."),
              ElementsAre("email:ops-team@homeport.example"));
  EXPECT_THAT(Found("mailto:x_y@xn--bcher-kva.xn--p1ai"),
              ElementsAre("email:x_y@xn--bcher-kva.xn--p1ai"));
}

TEST(EmailDetector, AcceptsUrlEncodedAt) {
  EXPECT_THAT(Found("email=jane%40example.com&x=1"), ElementsAre("email:jane%40example.com"));
}

TEST(EmailDetector, RefusesMalformedAddresses) {
  EXPECT_THAT(Found("a@b"), IsEmpty());
  EXPECT_THAT(Found("@b.com"), IsEmpty());
  EXPECT_THAT(Found("a@.com"), IsEmpty());
  EXPECT_THAT(Found("a@b..com"), IsEmpty());
  EXPECT_THAT(Found("a..b@c.com"), IsEmpty());
  EXPECT_THAT(Found(".a@c.com"), IsEmpty());
  EXPECT_THAT(Found("a@b.c"), IsEmpty());  // one-letter top-level domain
  EXPECT_THAT(Found("a@-b.com"), IsEmpty());
  EXPECT_THAT(Found("a@b@c.com"), IsEmpty());
  EXPECT_THAT(Found("user@localhost"), IsEmpty());
  EXPECT_THAT(Found("@@"), IsEmpty());
}

TEST(EmailDetector, WinsOverIdentifiersInItsLocalPart) {
  EXPECT_THAT(Found("+6561234567@s.whatsapp.net"), ElementsAre("email:+6561234567@s.whatsapp.net"));
  EXPECT_THAT(Found("490154203237518@imei.example.com"),
              ElementsAre("email:490154203237518@imei.example.com"));
}

}  // namespace
}  // namespace homeport::privacy
