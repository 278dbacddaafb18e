// Request framing (RFC 9112 section 6.1): only an unambiguous body length is accepted.
#include "server/request_framing.h"

#include <gtest/gtest.h>

namespace homeport {
namespace {

TEST(RequestFraming, PlainAndChunkedRequestsPass) {
  EXPECT_TRUE(CheckRequestFraming({}, false).ok());
  EXPECT_TRUE(CheckRequestFraming({}, true).ok());
  EXPECT_TRUE(CheckRequestFraming({"chunked"}, false).ok());
  EXPECT_TRUE(CheckRequestFraming({"Chunked "}, false).ok());
}

TEST(RequestFraming, OtherTransferCodingsAreRefused) {
  for (const char* te : {"gzip, chunked", "chunked, gzip", "identity", "gzip", "chunked;q=1",
                         "chunked, chunked", "", "xchunked"}) {
    Status st = CheckRequestFraming({te}, false);
    EXPECT_TRUE(st.IsInvalidArgument()) << te;
    EXPECT_NE(st.message().find("Transfer-Encoding"), std::string::npos) << te;
  }
}

TEST(RequestFraming, ChunkedBesideContentLengthIsRefused) {
  Status st = CheckRequestFraming({"chunked"}, true);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("Content-Length"), std::string::npos);
}

TEST(RequestFraming, TwoTransferEncodingFieldsAreRefused) {
  EXPECT_FALSE(CheckRequestFraming({"chunked", "chunked"}, false).ok());
}

}  // namespace
}  // namespace homeport
