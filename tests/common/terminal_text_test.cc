// What a terminal is shown of hostile text: escapes, never the control characters themselves.
#include "common/terminal_text.h"

#include <gtest/gtest.h>

namespace homeport {
namespace {

TEST(TerminalSafe, PrintableTextIsUnchanged) {
  EXPECT_EQ(TerminalSafe("sg.example.com: 3 flows"), "sg.example.com: 3 flows");
  EXPECT_EQ(TerminalSafe("Kamera friert ein — ✗ ×2 日本"), "Kamera friert ein — ✗ ×2 日本");
  EXPECT_EQ(TerminalSafe(""), "");
}

TEST(TerminalSafe, EscapeSequencesArePrintedNotRun) {
  // Clear the screen, a red "OK", and a window title set by OSC.
  EXPECT_EQ(TerminalSafe("\x1b[2J\x1b[31mOK\x1b]0;pwned\x07"),
            "\\x1b[2J\\x1b[31mOK\\x1b]0;pwned\\x07");
  EXPECT_EQ(TerminalSafe(std::string_view("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(TerminalSafe("bell\x07 back\x08 del\x7f"), "bell\\x07 back\\x08 del\\x7f");
}

TEST(TerminalSafe, C1ControlsAndBidiOverridesAreEscaped) {
  // U+009B is CSI on terminals that take 8-bit controls; U+0085 is NEL, a line break.
  EXPECT_EQ(TerminalSafe("\xc2\x9b"
                         "31m"),
            "\\u{009b}31m");
  EXPECT_EQ(TerminalSafe("a\xc2\x85"
                         "b"),
            "a\\u{0085}b");
  // U+202E turns "evil\u202Egnp.exe" into "evilexe.png" on screen.
  EXPECT_EQ(TerminalSafe("evil\xe2\x80\xae"
                         "gnp.exe"),
            "evil\\u{202e}gnp.exe");
  EXPECT_EQ(TerminalSafe("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u{2066}x\\u{2069}");
  // Neighbours of the escaped ranges are ordinary text.
  EXPECT_EQ(TerminalSafe("\xc2\xa0\xe2\x80\xa9"), "\xc2\xa0\xe2\x80\xa9");
}

TEST(TerminalSafe, InvalidUtf8IsShownBytewise) {
  EXPECT_EQ(TerminalSafe("a\xff"
                         "b"),
            "a\\xffb");
  EXPECT_EQ(TerminalSafe("\xc0\xaf"), "\\xc0\\xaf");                    // overlong "/"
  EXPECT_EQ(TerminalSafe("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a UTF-16 surrogate
  EXPECT_EQ(TerminalSafe("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(TerminalSafe("caf\xc3"), "caf\\xc3");                       // cut short
  // An overlong ESC must not sneak through as a control either.
  EXPECT_EQ(TerminalSafe("\xc0\x9b"), "\\xc0\\x9b");
}

TEST(TerminalSafe, NewlinesInAOneLineFieldCannotForgeALine) {
  EXPECT_EQ(TerminalSafe("refused\nhomeport: deletion-request sent\r"),
            "refused\\nhomeport: deletion-request sent\\r");
  EXPECT_EQ(TerminalSafe("a\tb"), "a\\tb");
  EXPECT_EQ(TerminalSafe("line 1\n\tline 2\r\n", LineBreaks::kKeep), "line 1\n\tline 2\\r\n");
  EXPECT_EQ(TerminalSafe("x\x1b[Ay\n", LineBreaks::kKeep), "x\\x1b[Ay\n");
}

TEST(TerminalSafeJson, EscapesWhatTheJsonLibraryLeavesRaw) {
  nlohmann::json j = {{"message",
                       "a\x7f"
                       "b\xc2\x9b"
                       "c\xe2\x80\xae"
                       "d\x1b"
                       "e"},
                      {"text", "café"}};
  const std::string out = TerminalSafeJson(j, -1);
  EXPECT_EQ(out, R"({"message":"a\u007fb\u009bc\u202ed\u001be","text":"café"})");
  // Still the same JSON to a reader.
  EXPECT_EQ(nlohmann::json::parse(out), j);
}

TEST(TerminalSafeJson, InvalidUtf8IsReplacedNotThrown) {
  nlohmann::json j = {{"name",
                       "bad\xff"
                       "name"}};
  std::string out;
  ASSERT_NO_THROW(out = TerminalSafeJson(j, 2));
  EXPECT_EQ(nlohmann::json::parse(out)["name"], "bad\xef\xbf\xbdname");
}

}  // namespace
}  // namespace homeport
