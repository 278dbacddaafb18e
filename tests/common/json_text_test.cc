// ParseJsonText: a person's file with a mistake gets an error saying where, never an exception.
#include "common/json_text.h"

#include <gtest/gtest.h>

namespace homeport {
namespace {

TEST(JsonText, SyntaxErrorNamesTheFileLineAndColumn) {
  auto r = ParseJsonText("{\n  \"a\": [1,]\n}", "policy.json");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_EQ(r.status().message().rfind("policy.json is not valid JSON: at line 2, column", 0), 0u)
      << r.status().message();
}

TEST(JsonText, NumberTooLargeIsAnErrorNotAnException) {
  for (const char* text : {"9e9335", "{\"version\": 6e444}", "-1e999"}) {
    auto r = ParseJsonText(text, "profile");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find("number overflow"), std::string::npos)
        << r.status().message();
  }
  EXPECT_TRUE(ParseJsonText("{\"ok\": 1e300}", "x").ok());
}

}  // namespace
}  // namespace homeport
