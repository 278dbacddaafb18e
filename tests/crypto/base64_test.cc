// Base64 and base64url (RFC 4648): the test vectors of section 10 and strict decoding.
#include "crypto/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace homeport::crypto {
namespace {

struct Vector {
  std::string bytes, standard, url;
};

// RFC 4648 section 10, plus bytes that differ between the two alphabets.
const std::vector<Vector> kVectors = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
    {"\xfb\xff\xbf", "+/+/", "-_-_"},
    {"\xfb\xff", "+/8=", "-_8"},
    {std::string("\0\0\0", 3), "AAAA", "AAAA"},
};

TEST(Base64, EncodesRfc4648Vectors) {
  for (const auto& v : kVectors) {
    EXPECT_EQ(Base64Encode(v.bytes), v.standard);
    EXPECT_EQ(Base64UrlEncode(v.bytes), v.url);
  }
}

TEST(Base64, DecodesRfc4648Vectors) {
  for (const auto& v : kVectors) {
    auto std_dec = Base64Decode(v.standard);
    ASSERT_TRUE(std_dec.ok()) << v.standard;
    EXPECT_EQ(*std_dec, v.bytes) << v.standard;
    auto url_dec = Base64UrlDecode(v.url);
    ASSERT_TRUE(url_dec.ok()) << v.url;
    EXPECT_EQ(*url_dec, v.bytes) << v.url;
  }
}

TEST(Base64, StandardDecodeAcceptsMissingPadding) {
  for (const auto& [text, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"Zg", "f"}, {"Zm8", "fo"}, {"Zm9vYg", "foob"}, {"Zm9vYmE", "fooba"}}) {
    auto dec = Base64Decode(text);
    ASSERT_TRUE(dec.ok()) << text;
    EXPECT_EQ(*dec, bytes);
  }
}

TEST(Base64, RoundTripsEveryByteValueAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 17) {
    std::string bytes = all.substr(0, n);
    EXPECT_EQ(*Base64Decode(Base64Encode(bytes)), bytes);
    EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
  }
}

TEST(Base64, UrlEncodingIsUrlSafeAndUnpadded) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(255 - i));
  std::string enc = Base64UrlEncode(all);
  EXPECT_EQ(enc.find_first_of("+/="), std::string::npos) << enc;
}

TEST(Base64, UrlDecodeRefusesInvalidInput) {
  for (const char* bad : {
           "Zg==",          // padding
           "Zm8=",          // padding
           "+/+/",          // standard alphabet
           "Z",             // impossible length
           "Zm9vY",         // impossible length
           "Zh",            // non-zero trailing bits: not the canonical encoding of any bytes
           "Zm9=",          // padding inside
           "Zm 9v",         // white space
           "Zm9v\n",        // trailing newline
           " Zm9v",         // leading space
           "Zm9v.",         // a JWS separator
           "Zm9v\xc3\xa9",  // non-ASCII
       }) {
    EXPECT_FALSE(Base64UrlDecode(bad).ok()) << "accepted \"" << bad << "\"";
  }
}

TEST(Base64, StandardDecodeRefusesInvalidInput) {
  for (const char* bad : {
           "Zg=",        // incomplete padding
           "Zg===",      // too much padding
           "Zm9v=",      // padding where none belongs
           "Zm9v==",     // padding where none belongs
           "=",          // padding only
           "====",       // padding only
           "Zg==Zg==",   // data after padding
           "-_-_",       // URL-safe alphabet
           "Z",          // impossible length
           "Zh",         // non-zero trailing bits
           "Zh==",       // non-zero trailing bits
           "Zm9v YmFy",  // white space
           "Zm9v\n",     // newline
       }) {
    EXPECT_FALSE(Base64Decode(bad).ok()) << "accepted \"" << bad << "\"";
  }
}

TEST(Base64, RefusalIsInvalidArgument) {
  auto r = Base64UrlDecode("!!!!");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
}

}  // namespace
}  // namespace homeport::crypto
