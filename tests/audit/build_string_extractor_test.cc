// Printable strings from bytes: ASCII runs and UTF-16LE strings, across chunk boundaries.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "audit/build/string_extractor.h"

namespace homeport::audit::build {
namespace {

struct Collected {
  std::vector<std::string> ascii, utf16;
};

Collected Extract(const std::vector<std::string>& chunks, StringExtractorOptions options = {}) {
  Collected c;
  StringExtractor x(options, [&](std::string_view text, StringEncoding e, StringPiece) {
    (e == StringEncoding::kAscii ? c.ascii : c.utf16).emplace_back(text);
  });
  for (const auto& chunk : chunks) x.Feed(chunk);
  x.Finish();
  return c;
}

std::string Utf16(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

TEST(StringExtractor, FindsAsciiRunsOfMinimumLength) {
  using namespace std::string_literals;
  auto c =
      Extract({"\x01\x02http://zzhc.vnet.cn\x00\xff"
               "abc\x00"
               "abcd\n"s});
  EXPECT_EQ(c.ascii, (std::vector<std::string>{"http://zzhc.vnet.cn", "abcd"}));
  EXPECT_TRUE(c.utf16.empty());
}

TEST(StringExtractor, FindsUtf16AtEitherAlignment) {
  using namespace std::string_literals;
  auto even = Extract({Utf16("api.example.com") + "\xff\xfe"s});
  EXPECT_EQ(even.utf16, std::vector<std::string>{"api.example.com"});
  EXPECT_TRUE(even.ascii.empty());
  auto odd = Extract({"\x07"s + Utf16("zzhc.vnet.cn") + "\x00\x00"s});
  EXPECT_EQ(odd.utf16, std::vector<std::string>{"zzhc.vnet.cn"});
}

TEST(StringExtractor, AnAsciiTerminatorDoesNotStartAUtf16String) {
  using namespace std::string_literals;
  // "agent\0" followed by UTF-16 text: "t\0" could pass for a first UTF-16 character.
  auto c = Extract({"homeport-agent\0"s + Utf16("act.sg.example.com") + "\0\0"s});
  EXPECT_EQ(c.ascii, std::vector<std::string>{"homeport-agent"});
  EXPECT_EQ(c.utf16, std::vector<std::string>{"act.sg.example.com"});
}

TEST(StringExtractor, StringsSurviveChunkBoundaries) {
  const std::string text = "prefix\x01http://act.sg.example.com/v1\x02";
  const std::string wide = Utf16("uxp.sg.example.com");
  for (size_t cut = 1; cut < text.size(); ++cut) {
    auto c = Extract({text.substr(0, cut), text.substr(cut)});
    EXPECT_EQ(c.ascii, (std::vector<std::string>{"prefix", "http://act.sg.example.com/v1"})) << cut;
  }
  for (size_t cut = 1; cut < wide.size(); ++cut) {
    auto c = Extract({wide.substr(0, cut), wide.substr(cut)});
    EXPECT_EQ(c.utf16, std::vector<std::string>{"uxp.sg.example.com"}) << cut;
  }
}

TEST(StringExtractor, LongRunsAreCutAtSeparators) {
  StringExtractorOptions options;
  options.max_length = 64;
  std::string line;
  for (int i = 0; i < 20; ++i) line += "\"https://h" + std::to_string(i) + ".example.com\", ";
  auto c = Extract({line}, options);
  ASSERT_GT(c.ascii.size(), 1u);
  std::string joined;
  for (const auto& piece : c.ascii) {
    EXPECT_LE(piece.size(), 64u);
    joined += piece;
  }
  EXPECT_EQ(joined, line);  // nothing lost, nothing doubled
  for (int i = 0; i < 20; ++i) {
    const std::string url = "https://h" + std::to_string(i) + ".example.com";
    bool whole = false;
    for (const auto& piece : c.ascii) whole = whole || piece.find(url) != std::string::npos;
    EXPECT_TRUE(whole) << url;
  }
}

// A token after a long separator-less run (64 KiB of "#" and then a manifest or a URL) was cut
// in two at the piece boundary and found in neither half.
TEST(StringExtractor, ATokenAcrossAForcedCutIsWholeInTheNextPiece) {
  StringExtractorOptions options;
  options.max_length = 64;
  const std::string token = "https://ads.tracker.example.net/x";  // 33 bytes, < 64 / 2
  for (size_t pad = 0; pad < 200; ++pad) {
    const std::string run = std::string(pad, '#') + token + std::string(pad % 7, '#');
    std::vector<std::pair<std::string, StringPiece>> pieces;
    StringExtractor x(options, [&](std::string_view text, StringEncoding e, StringPiece piece) {
      if (e == StringEncoding::kAscii) pieces.emplace_back(std::string(text), piece);
    });
    x.Feed("" + run + "");
    x.Finish();
    size_t whole = 0;
    std::string rebuilt;
    for (const auto& [text, piece] : pieces) {
      EXPECT_LE(text.size(), 64u);
      whole += text.find(token) != std::string::npos;
      rebuilt += text.substr(piece.seam);  // without the repeated part: the run, once
    }
    EXPECT_GE(whole, 1u) << "padding " << pad;
    EXPECT_EQ(rebuilt, run) << "padding " << pad;
  }
}

}  // namespace
}  // namespace homeport::audit::build
