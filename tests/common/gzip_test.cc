// gzip round trips and the decompression limit that stops gzip bombs.
#include "common/gzip.h"

#include <gtest/gtest.h>

namespace homeport {
namespace {

TEST(Gzip, RoundTrips) {
  std::string body(100000, 'x');
  for (size_t i = 0; i < body.size(); i += 7) body[i] = static_cast<char>('a' + i % 26);
  std::string gz = Gzip(body);
  EXPECT_LT(gz.size(), body.size());
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  auto back = Gunzip(gz, body.size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, body);
  EXPECT_EQ(*Gunzip(Gzip(""), 0), "");
}

TEST(Gunzip, StopsABombAtTheLimit) {
  std::string bomb = Gzip(std::string(64 << 20, '\0'));  // 64 MB of zeros, ~64 KB on the wire
  auto out = Gunzip(bomb, 8 << 20);
  EXPECT_TRUE(out.status().IsResourceExhausted()) << out.status().ToString();
}

TEST(Gunzip, RefusesTruncatedAndForeignData) {
  std::string gz = Gzip("hello, world");
  EXPECT_TRUE(Gunzip(gz.substr(0, gz.size() / 2), 1024).status().IsInvalidArgument());
  EXPECT_TRUE(Gunzip("plain text", 1024).status().IsInvalidArgument());
}

}  // namespace
}  // namespace homeport
