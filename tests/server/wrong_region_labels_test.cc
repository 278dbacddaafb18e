// The wrong-region alarm's labels: hostile claims cannot grow /metrics or the stored
// counters without bound, and cannot hide a real region code such as `cn`.
#include "server/wrong_region_labels.h"

#include <gtest/gtest.h>

#include <set>

#include "server/server_metrics.h"

namespace homeport {
namespace {

using Labels = std::pair<std::string, std::string>;

std::string Junk(int i) { return "x" + std::to_string(i) + "q" + std::to_string(i * 7919 % 1000); }

TEST(WrongRegionLabels, ImplausibleRegionsAreCountedAsOther) {
  WrongRegionLabels labels;
  EXPECT_EQ(labels.Label("x1", "global"), Labels("_other", "_other"));
  EXPECT_EQ(labels.Label("zz", "global"),
            Labels("_other", "_other"));  // user-assigned, not a country
  EXPECT_EQ(labels.Label("CN", "global"), Labels("_other", "_other"));  // not lower case
  EXPECT_EQ(labels.Label("qwertyuiop-asdf", "global"), Labels("_other", "_other"));
  EXPECT_EQ(labels.Label("cn", "china"), Labels("cn", "china"));
  EXPECT_EQ(labels.Label("eu", "global"), Labels("eu", "global"));
}

TEST(WrongRegionLabels, JunkVariantsAreCountedAsOtherUnderTheirRegion) {
  WrongRegionLabels labels;
  EXPECT_EQ(labels.Label("cn", std::string(40, 'a')), Labels("cn", "_other"));
  EXPECT_EQ(labels.Label("cn", "_other"), Labels("cn", "_other"));
  EXPECT_EQ(labels.Label("cn", "chi\"na"), Labels("cn", "_other"));
  EXPECT_EQ(labels.Label("cn", ""), Labels("cn", "_other"));
}

TEST(WrongRegionLabels, ConfiguredRegionNamesAreCountedByName) {
  WrongRegionLabels labels(WrongRegionLabelOptions{{"apac", "us-east"}});
  EXPECT_EQ(labels.Label("apac", "global"), Labels("apac", "global"));
  EXPECT_EQ(labels.Label("us-east", "global"), Labels("us-east", "global"));
  EXPECT_EQ(labels.Label("us-west", "global"), Labels("_other", "_other"));
}

TEST(WrongRegionLabels, ThreeHundredJunkLabelsFirstCannotHideALaterCn) {
  WrongRegionLabels labels;
  // Junk regions, then plausible regions with junk variants until the table is full, then a
  // flood of variants of `cn` itself.
  for (int i = 0; i < 300; ++i) labels.Label(Junk(i), "global");
  const char* countries[] = {"de", "fr", "us", "jp", "br", "in", "ru", "za", "mx", "kr"};
  for (int i = 0; i < 300; ++i) labels.Label(countries[i % 10], "v" + std::to_string(i));
  for (int i = 0; i < 300; ++i) labels.Label("cn", "v" + std::to_string(i));
  Labels late = labels.Label("cn", "china");
  EXPECT_EQ(late.first, "cn");
  EXPECT_EQ(late.second, "_other");
  // A pair named before the flood keeps its own label.
  WrongRegionLabels early;
  EXPECT_EQ(early.Label("cn", "china"), Labels("cn", "china"));
  for (int i = 0; i < 300; ++i) early.Label(countries[i % 10], "v" + std::to_string(i));
  EXPECT_EQ(early.Label("cn", "china"), Labels("cn", "china"));
}

TEST(WrongRegionLabels, LabelPairsStayBoundedWhateverIsSent) {
  WrongRegionLabelOptions options;
  WrongRegionLabels labels(options);
  std::set<Labels> seen;
  for (char a = 'a'; a <= 'z'; ++a) {
    for (char b = 'a'; b <= 'z'; ++b) {
      for (int v = 0; v < 20; ++v)
        seen.insert(labels.Label(std::string{a, b}, "v" + std::to_string(v)));
    }
  }
  // Named pairs, one (region, _other) per plausible region (249 countries, eu, uk), and
  // (_other, _other).
  EXPECT_LE(seen.size(), options.max_named_pairs + 251 + 1);
  EXPECT_TRUE(seen.count({"cn", "_other"}) || seen.count({"cn", "v0"}));
}

TEST(ServerMetrics, FloodOfJunkLabelsLeavesCnInTheExposition) {
  ServerMetrics metrics;
  for (int i = 0; i < 300; ++i) metrics.CountWrongRegion(Junk(i), "global");
  for (int i = 0; i < 300; ++i) metrics.CountWrongRegion("de", "v" + std::to_string(i));
  metrics.CountWrongRegion("cn", "china");
  std::string text = metrics.Render();
  EXPECT_NE(text.find("homeport_wrong_region_attempts_total{claimed_region=\"cn\","),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("homeport_wrong_region_attempts_total{claimed_region=\"_other\","
                      "variant=\"_other\"} 300"),
            std::string::npos);
  EXPECT_EQ(text.find("x1q"), std::string::npos);
}

TEST(ServerMetrics, WrongRegionTallyIsTakenOnceAsAggregates) {
  ServerMetrics metrics;
  for (int i = 0; i < 1000; ++i) metrics.CountWrongRegion("cn", "china");
  for (int i = 0; i < 5; ++i) metrics.CountWrongRegion("x1", "global");
  auto taken = metrics.TakeWrongRegionTally();
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].claimed_region, "_other");
  EXPECT_EQ(taken[0].attempts, 5);
  EXPECT_EQ(taken[1].claimed_region, "cn");
  EXPECT_EQ(taken[1].variant, "china");
  EXPECT_EQ(taken[1].attempts, 1000);
  EXPECT_TRUE(metrics.TakeWrongRegionTally().empty());

  // Counts whose commit failed come back and are added to what arrived since.
  metrics.CountWrongRegion("cn", "china");
  metrics.ReturnWrongRegionTally(taken);
  auto again = metrics.TakeWrongRegionTally();
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[1].attempts, 1001);
  // /metrics counts every refusal once, whatever happened to the stored tally.
  EXPECT_NE(
      metrics.Render().find(
          "homeport_wrong_region_attempts_total{claimed_region=\"cn\",variant=\"china\"} 1001"),
      std::string::npos);
}

}  // namespace
}  // namespace homeport
