// Cell and location-area identifiers, which only their key tells apart from any number.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scan_test_util.h"

namespace homeport::privacy {
namespace {

using ::testing::ElementsAre;
using testing::Found;
using ::testing::IsEmpty;

TEST(CellIdDetector, AcceptsNumbersUnderCellKeys) {
  EXPECT_THAT(Found("12345", "cellid"), ElementsAre("cell_id:12345"));
  EXPECT_THAT(Found("12345", "cell_id"), ElementsAre("cell_id:12345"));
  EXPECT_THAT(Found("4321", "lac"), ElementsAre("cell_id:4321"));
  EXPECT_THAT(Found("310", "mcc"), ElementsAre("cell_id:310"));
  EXPECT_THAT(Found("cellid=12345&lac=4321&ci=77"),
              ElementsAre("cell_id:12345", "cell_id:4321", "cell_id:77"));
  EXPECT_THAT(Found(R"({"tac": 4660, "eci": 12345678})"),
              ElementsAre("cell_id:4660", "cell_id:12345678"));
}

TEST(CellIdDetector, AcceptsHexValuesUnderCellKeys) {
  EXPECT_THAT(Found("10A5", "lac"), ElementsAre("cell_id:10A5"));
  EXPECT_THAT(Found("ci=0x2B1F"), ElementsAre("cell_id:0x2B1F"));
}

TEST(CellIdDetector, RefusesTheSameNumbersUnderOtherKeys) {
  EXPECT_THAT(Found("12345", "count"), IsEmpty());
  EXPECT_THAT(Found("count=12345&total=4321"), IsEmpty());
  EXPECT_THAT(Found("12345"), IsEmpty());
}

TEST(CellIdDetector, ShortKeysNeedKeyValueSyntaxInFreeText) {
  // "ci", "tac", "cid" are also words and abbreviations.
  EXPECT_THAT(Found("the ci 42 build failed"), IsEmpty());
  EXPECT_THAT(Found("ci: 42"), ElementsAre("cell_id:42"));
  EXPECT_THAT(Found("cellid 42"), ElementsAre("cell_id:42"));
}

TEST(CellIdDetector, ReadsJsonWithCellKeysOnlyUnderThoseKeys) {
  const auto& scanner = testing::ScannerFor("SG");
  auto cells = scanner.ScanJson(nlohmann::json::parse(R"({"cellid": 12345, "lac": 4321})"));
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[0].pointer, "/cellid");
  EXPECT_EQ(cells[0].finding.kind, IdentifierKind::kCellId);
  EXPECT_EQ(cells[0].value, "12345");
  EXPECT_EQ(cells[1].pointer, "/lac");
  EXPECT_EQ(cells[1].value, "4321");
  EXPECT_TRUE(scanner.ScanJson(nlohmann::json::parse(R"({"count": 12345, "n": 4321})")).empty());
}

TEST(CellIdDetector, JoinsAGenericMemberNameToItsParent) {
  auto found = testing::ScannerFor("SG").ScanJson(
      nlohmann::json::parse(R"({"cell": {"id": 12345}, "app": {"id": 12345}})"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].pointer, "/cell/id");
  EXPECT_EQ(found[0].finding.context_key, "cell_id");
}

}  // namespace
}  // namespace homeport::privacy
