// LatencyHistogram: request latencies in microseconds, kept in log-linear buckets (as HDR
// histograms do) so a run of any length takes fixed memory while every percentile stays within
// 1% of the exact value. Not thread-safe; the simulator records from its one event-loop thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace homeport::fleet {

class LatencyHistogram {
 public:
  // Negative durations count as zero; anything beyond an hour lands in the last bucket.
  void Record(std::chrono::microseconds latency);
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  // Zero for an empty histogram.
  std::chrono::microseconds max() const { return std::chrono::microseconds(max_us_); }
  std::chrono::microseconds mean() const;
  // The smallest recorded latency L such that at least `fraction` (0..1) of all recorded ones
  // are <= L, up to the bucket's resolution (never above max()). Zero when empty.
  std::chrono::microseconds Percentile(double fraction) const;

 private:
  // Below 2^kSubBits µs every microsecond has its own bucket; above, each power of two is split
  // into 2^(kSubBits-1) equal buckets, a relative width of at most 1/128.
  static constexpr int kSubBits = 8;
  static constexpr int kSubCount = 1 << kSubBits;
  static constexpr int kHalfSub = kSubCount / 2;
  static constexpr int kMaxExponent = 32;  // 2^32 µs is over an hour
  static constexpr int kBuckets = kSubCount + (kMaxExponent - kSubBits) * kHalfSub;

  static int BucketOf(uint64_t us);
  static uint64_t BucketUpperBound(int bucket);

  std::array<int64_t, kBuckets> counts_{};
  int64_t count_ = 0;
  uint64_t max_us_ = 0;
  long double sum_us_ = 0;
};

}  // namespace homeport::fleet
