// The public suffix list as the build audit uses it: ICANN suffixes, no implicit "*" rule.
#include <gtest/gtest.h>

#include "audit/build/public_suffix.h"

namespace homeport::audit::build {
namespace {

TEST(PublicSuffix, FindsTheLongestSuffix) {
  const PublicSuffixList& psl = PublicSuffixList::System();
  EXPECT_EQ(psl.SuffixOf("zzhc.vnet.cn"), "cn");
  EXPECT_EQ(psl.SuffixOf("api.example.co.uk"), "co.uk");
  EXPECT_EQ(psl.SuffixOf("shop.example.com.sg"), "com.sg");
  EXPECT_EQ(psl.SuffixOf("com"), "com");
  EXPECT_EQ(psl.SuffixOf("setup.py"), "py");
}

TEST(PublicSuffix, UnknownEndingsAreNotSuffixes) {
  const PublicSuffixList& psl = PublicSuffixList::System();
  EXPECT_FALSE(psl.SuffixOf("config.json"));
  EXPECT_FALSE(psl.SuffixOf("index.html"));
  EXPECT_FALSE(psl.SuffixOf("libfoo.so.1"));
  EXPECT_FALSE(psl.SuffixOf("localhost"));
  EXPECT_FALSE(psl.SuffixOf(""));
}

TEST(PublicSuffix, RegistrableNeedsALabelInFront) {
  const PublicSuffixList& psl = PublicSuffixList::System();
  EXPECT_TRUE(psl.IsUnderPublicSuffix("vnet.cn"));
  EXPECT_TRUE(psl.IsUnderPublicSuffix("a.b.co.uk"));
  EXPECT_FALSE(psl.IsUnderPublicSuffix("co.uk"));
  EXPECT_FALSE(psl.IsUnderPublicSuffix("cn"));
  // The private section does not count: github.io is a host, not a suffix.
  EXPECT_TRUE(psl.IsUnderPublicSuffix("github.io"));
}

}  // namespace
}  // namespace homeport::audit::build
