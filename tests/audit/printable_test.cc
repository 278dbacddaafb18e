#include "audit/printable.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace homeport::audit {
namespace {

TEST(Printable, KeepsPrintableUtf8) {
  EXPECT_EQ(Printable("firmware/app.apk"), "firmware/app.apk");
  EXPECT_EQ(Printable("données/ファイル.bin"), "données/ファイル.bin");
}

TEST(Printable, EscapesControlsSoANameCannotPrintALine) {
  EXPECT_EQ(Printable("a\nResult: clean"), "a\\nResult: clean");
  EXPECT_EQ(Printable("x\r\t\x1b[2Jy"), "x\\r\\t\\x1b[2Jy");
  EXPECT_EQ(Printable("\x7f"), "\\x7f");
}

TEST(Printable, EscapesEachInvalidByteExactly) {
  EXPECT_EQ(Printable("ab\xff\xfe.so"), "ab\\xff\\xfe.so");
  EXPECT_EQ(Printable("\xc3"), "\\xc3");  // a truncated sequence
}

TEST(Printable, DoublesBackslashesSoEscapesAreUnambiguous) {
  EXPECT_EQ(Printable("a\\xffb"), "a\\\\xffb");
  EXPECT_NE(Printable("a\\xffb"), Printable("a\xff" "b"));
}

TEST(Printable, OutputAlwaysDumpsAsJson) {
  const std::string hostile = std::string("\xff\xc0\x80\x00name\n", 9);
  nlohmann::json j = Printable(hostile);
  EXPECT_NO_THROW(j.dump());
  EXPECT_EQ(j.get<std::string>(), "\\xff\\xc0\\x80\\x00name\\n");
}

}  // namespace
}  // namespace homeport::audit
