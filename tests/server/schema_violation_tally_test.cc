// SchemaViolationTally keeps only names from the registry, and a bounded number of keys a day.
#include "server/schema_violation_tally.h"

#include <gtest/gtest.h>

namespace homeport {
namespace {

using schema::ViolationKind;

schema::ValidationResult Refused(std::vector<schema::Violation> violations) {
  schema::ValidationResult r;
  r.violations = std::move(violations);
  return r;
}

TEST(SchemaViolationTally, NamesTheClientChoseAreNeverKept) {
  SchemaViolationTally tally;
  tally.Count("homeport-agent", "diagnostics",
              Refused({{ViolationKind::kUnknownMetric, "/metrics/boolean/wifi_mac_seen", ""},
                       {ViolationKind::kBadValue, "/metrics/labeled_counter/a.b/jo@example.com", ""}}),
              "2026-12-01");
  auto counts = tally.Take();
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].field, "(undeclared)");
  EXPECT_EQ(counts[0].problem, "unknown_metric");
  EXPECT_EQ(counts[1].field, "/metrics/labeled_counter/a.b") << "the label is cut off";
  EXPECT_TRUE(tally.Take().empty());
}

TEST(SchemaViolationTally, DistinctKeysPerDayAreBoundedAndCountsAddUp) {
  SchemaViolationTally tally;
  for (size_t i = 0; i < SchemaViolationTally::kMaxKeysPerDay + 50; ++i) {
    tally.Count("app", "ping",
                Refused({{ViolationKind::kTooLong, "/metrics/string/m" + std::to_string(i), ""}}),
                "2026-12-01");
  }
  auto counts = tally.Take();
  EXPECT_EQ(counts.size(), SchemaViolationTally::kMaxKeysPerDay + 1);  // plus "(other)"
  int64_t total = 0;
  for (const auto& c : counts) total += c.pings;
  EXPECT_EQ(total, static_cast<int64_t>(SchemaViolationTally::kMaxKeysPerDay + 50));
  tally.Return(counts);
  EXPECT_EQ(tally.Take().size(), counts.size());
}

}  // namespace
}  // namespace homeport
