// Percentiles of the simulator's latency histogram against exact ones.
#include "fleet/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace homeport::fleet {
namespace {

using std::chrono::microseconds;

// The exact percentile by the same definition: the smallest value covering `fraction`.
int64_t Exact(std::vector<int64_t> values, double fraction) {
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(values.size())));
  return values[std::max<size_t>(rank, 1) - 1];
}

TEST(LatencyHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.Percentile(0.99), microseconds(0));
  EXPECT_EQ(h.max(), microseconds(0));
  EXPECT_EQ(h.mean(), microseconds(0));
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int us = 1; us <= 100; ++us) h.Record(microseconds(us));
  EXPECT_EQ(h.Percentile(0.50), microseconds(50));
  EXPECT_EQ(h.Percentile(0.90), microseconds(90));
  EXPECT_EQ(h.Percentile(0.99), microseconds(99));
  EXPECT_EQ(h.Percentile(1.0), microseconds(100));
  EXPECT_EQ(h.max(), microseconds(100));
  EXPECT_EQ(h.mean(), microseconds(51));  // 50.5 rounded
}

TEST(LatencyHistogram, PercentilesWithinOnePercentOverWideRanges) {
  // Log-normal latencies from 0.1 ms to seconds, as a loaded server produces them.
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(8.0, 1.5);  // median e^8 µs ≈ 3 ms
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 200000; ++i) {
    auto us = static_cast<int64_t>(dist(rng));
    values.push_back(us);
    h.Record(microseconds(us));
  }
  for (double f : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = static_cast<double>(Exact(values, f));
    const double got = static_cast<double>(h.Percentile(f).count());
    EXPECT_GE(got, exact) << "p" << f * 100;  // bucket upper bounds never under-report
    EXPECT_LE(got, exact * 1.01 + 1) << "p" << f * 100;
  }
  EXPECT_EQ(h.max().count(), *std::max_element(values.begin(), values.end()));
  EXPECT_EQ(h.count(), 200000);
}

TEST(LatencyHistogram, NeverReportsMoreThanTheMaximum) {
  LatencyHistogram h;
  h.Record(microseconds(1'000'001));
  EXPECT_EQ(h.Percentile(0.5), microseconds(1'000'001));
  EXPECT_EQ(h.Percentile(0.99), microseconds(1'000'001));
}

TEST(LatencyHistogram, NegativeIsZeroAndHugeIsKept) {
  LatencyHistogram h;
  h.Record(microseconds(-5));
  h.Record(std::chrono::hours(3));
  EXPECT_EQ(h.Percentile(0.5), microseconds(0));
  EXPECT_EQ(h.max(), std::chrono::hours(3));
  EXPECT_EQ(h.Percentile(1.0), std::chrono::hours(3));
}

TEST(LatencyHistogram, MergeAddsCountsAndKeepsTheMaximum) {
  LatencyHistogram a, b;
  for (int i = 0; i < 90; ++i) a.Record(microseconds(1000));
  for (int i = 0; i < 10; ++i) b.Record(microseconds(50'000));
  a.Merge(b);
  EXPECT_EQ(a.count(), 100);
  EXPECT_NEAR(static_cast<double>(a.Percentile(0.90).count()), 1000, 10);
  EXPECT_NEAR(static_cast<double>(a.Percentile(0.95).count()), 50'000, 500);
  EXPECT_EQ(a.max(), microseconds(50'000));
}

}  // namespace
}  // namespace homeport::fleet
