// Checkpoint text (c2sp.org/tlog-checkpoint): the spec's example, round trips, and the strict
// parser's refusals, each with an error naming the line.
#include "tlog/checkpoint.h"

#include <gtest/gtest.h>

#include <string>

#include "tlog/tlog_test_support.h"

namespace homeport::tlog {
namespace {

constexpr std::string_view kSpecExample =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

TEST(Checkpoint, ParsesTheSpecExample) {
  auto c = ParseCheckpoint(kSpecExample);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(c->size, 20852163);
  EXPECT_EQ(testing::Base64(c->root), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  EXPECT_TRUE(c->extensions.empty());
  auto text = FormatCheckpoint(*c);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, kSpecExample);
}

TEST(Checkpoint, RoundTripsWithExtensionsAndTheEmptyTree) {
  Checkpoint c{"homeport.example/log/sg", 0, EmptyTreeHash(), {}};
  auto text = FormatCheckpoint(c);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "homeport.example/log/sg\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  EXPECT_EQ(*ParseCheckpoint(*text), c);

  c.size = std::numeric_limits<int64_t>::max();
  c.root = LeafHash("x");
  c.extensions = {"Timestamp: 1700000000", "é — ünïcödé is fine"};
  text = FormatCheckpoint(c);
  ASSERT_TRUE(text.ok());
  auto back = ParseCheckpoint(*text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
}

TEST(Checkpoint, RefusesMalformedText) {
  const std::string root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  struct Case {
    std::string text;
    std::string error;  // a part of the message
  };
  const Case cases[] = {
      {"", "does not end with a newline"},
      {"origin\n5\n" + root, "does not end with a newline"},
      {"origin\n5\n", "2 lines"},
      {"\n5\n" + root + "\n", "origin (line 1) is empty"},
      {"origin\n05\n" + root + "\n", "tree size (line 2)"},
      {"origin\n00\n" + root + "\n", "tree size (line 2)"},
      {"origin\n+5\n" + root + "\n", "tree size (line 2)"},
      {"origin\n-1\n" + root + "\n", "tree size (line 2)"},
      {"origin\n 5\n" + root + "\n", "tree size (line 2)"},
      {"origin\n\n" + root + "\n", "tree size (line 2)"},
      {"origin\n0x10\n" + root + "\n", "tree size (line 2)"},
      {"origin\n9223372036854775808\n" + root + "\n", "beyond 2^63 - 1"},
      {"origin\n99999999999999999999999\n" + root + "\n", "beyond 2^63 - 1"},
      {"origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n", "not in canonical base64"},
      {"origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",
       "root hash (line 3)"},  // stray bits
      {"origin\n5\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n", "root hash (line 3)"},
      {"origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n", "root hash (line 3)"},
      {"origin\n5\n" + root + "AAAA\n", "root hash (line 3)"},
      {"origin\n5\n\n", "root hash (line 3)"},
      {"origin\n5\n" + root + "\n\n", "extension line 4 is empty"},
      {"origin\n5\n" + root + "\nok\n\n", "extension line 5 is empty"},
      {"origin\r\n5\n" + root + "\n", "control character"},
      {"origin\n5\r\n" + root + "\n", "control character"},
      {"ori\tgin\n5\n" + root + "\n", "control character"},
      {"origin\xff\n5\n" + root + "\n", "not valid UTF-8"},
      {"origin\xc0\xaf\n5\n" + root + "\n", "not valid UTF-8"},
      {std::string("orig\0in\n5\n", 10) + root + "\n", "control character"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseCheckpoint(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_TRUE(parsed.status().IsInvalidArgument()) << c.text;
    EXPECT_NE(parsed.status().message().find(c.error), std::string::npos)
        << c.text << " -> " << parsed.status().message();
  }
}

TEST(Checkpoint, IsBoundedInSize) {
  const std::string head = "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  const std::string fits = head + std::string(kMaxCheckpointBytes - head.size() - 1, 'x') + "\n";
  EXPECT_TRUE(ParseCheckpoint(fits).ok());
  EXPECT_TRUE(ParseCheckpoint(fits + "y\n").status().IsResourceExhausted());
  EXPECT_TRUE(ParseCheckpoint(std::string(10 << 20, '\n')).status().IsResourceExhausted());
}

TEST(Checkpoint, FormatRefusesWhatCouldNotBeReadBack) {
  const Checkpoint good{"o", 1, LeafHash("a"), {}};
  ASSERT_TRUE(FormatCheckpoint(good).ok());
  Checkpoint c = good;
  c.origin = "";
  EXPECT_TRUE(FormatCheckpoint(c).status().IsInvalidArgument());
  c.origin = "two\nlines";
  EXPECT_TRUE(FormatCheckpoint(c).status().IsInvalidArgument());
  c = good;
  c.size = -1;
  EXPECT_TRUE(FormatCheckpoint(c).status().IsInvalidArgument());
  c = good;
  c.extensions = {""};
  EXPECT_TRUE(FormatCheckpoint(c).status().IsInvalidArgument());
  c.extensions = {"a\nb"};
  EXPECT_TRUE(FormatCheckpoint(c).status().IsInvalidArgument());
  c.extensions = {"tab\there"};
  EXPECT_TRUE(FormatCheckpoint(c).status().IsInvalidArgument());
  c.extensions = {std::string(kMaxCheckpointBytes, 'x')};
  EXPECT_TRUE(FormatCheckpoint(c).status().IsInvalidArgument());
}

}  // namespace
}  // namespace homeport::tlog
