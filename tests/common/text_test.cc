// The small text helpers of common/text.h.
#include "common/text.h"

#include <gtest/gtest.h>

namespace homeport {
namespace {

TEST(Text, AsciiCaseFoldingLeavesOtherBytes) {
  EXPECT_EQ(AsciiLower("Host: ÄBC.Example"), "host: Äbc.example");
  EXPECT_TRUE(AsciiIEquals("Transfer-Encoding", "transfer-encoding"));
  EXPECT_FALSE(AsciiIEquals("chunked", "chunke"));
  EXPECT_TRUE(AsciiIContains("gzip, Chunked", "chunked"));
  EXPECT_FALSE(AsciiIContains("gzip", "deflate"));
}

TEST(Text, TrimsHttpBlanksOnly) {
  EXPECT_EQ(TrimBlanks(" \t 120 \t"), "120");
  EXPECT_EQ(TrimBlanks("\n120\n"), "\n120\n");
  EXPECT_EQ(TrimBlanks("   "), "");
}

TEST(Text, MediaTypeWithoutParameters) {
  EXPECT_EQ(MediaType(" Application/JSON ; charset=utf-8"), "application/json");
}

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac \xf0\x9f\x98\x80"));  // € 😀
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));                      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));                  // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));                      // truncated
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));              // past U+10FFFF
  size_t at = 0;
  EXPECT_EQ(DecodeUtf8("\xe2\x82\xac!", at), U'€');
  EXPECT_EQ(at, 3u);
  at = 0;
  EXPECT_FALSE(DecodeUtf8("\xe2\x82", at).has_value());
  EXPECT_EQ(at, 0u) << "left where it was";
}

}  // namespace
}  // namespace homeport
