// Log-linear bucketing and percentile lookup.
#include "fleet/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace homeport::fleet {

int LatencyHistogram::BucketOf(uint64_t us) {
  if (us < static_cast<uint64_t>(kSubCount)) return static_cast<int>(us);
  const int exponent = std::bit_width(us) - 1;  // kSubBits..63
  if (exponent >= kMaxExponent) return kBuckets - 1;
  // The kSubBits leading bits of `us`: kHalfSub..kSubCount-1, i.e. kHalfSub steps per octave.
  const int shift = exponent - (kSubBits - 1);
  const int sub = static_cast<int>(us >> shift) - kHalfSub;
  return kSubCount + (exponent - kSubBits) * kHalfSub + sub;
}

uint64_t LatencyHistogram::BucketUpperBound(int bucket) {
  if (bucket < kSubCount) return static_cast<uint64_t>(bucket);
  const int octave = (bucket - kSubCount) / kHalfSub;  // exponent - kSubBits
  const int sub = (bucket - kSubCount) % kHalfSub;
  const int shift = octave + 1;
  return ((static_cast<uint64_t>(kHalfSub + sub + 1)) << shift) - 1;
}

void LatencyHistogram::Record(std::chrono::microseconds latency) {
  const uint64_t us = latency.count() < 0 ? 0 : static_cast<uint64_t>(latency.count());
  ++counts_[static_cast<size_t>(BucketOf(us))];
  ++count_;
  max_us_ = std::max(max_us_, us);
  sum_us_ += static_cast<long double>(us);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_us_ = std::max(max_us_, other.max_us_);
  sum_us_ += other.sum_us_;
}

std::chrono::microseconds LatencyHistogram::mean() const {
  if (count_ == 0) return std::chrono::microseconds(0);
  return std::chrono::microseconds(
      static_cast<int64_t>(std::llround(sum_us_ / static_cast<long double>(count_))));
}

std::chrono::microseconds LatencyHistogram::Percentile(double fraction) const {
  if (count_ == 0) return std::chrono::microseconds(0);
  fraction = std::clamp(fraction, 0.0, 1.0);
  // The rank of the wanted value, 1-based: at least one recording is always covered.
  const auto rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(fraction * static_cast<double>(count_))));
  int64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += counts_[static_cast<size_t>(b)];
    if (seen >= rank) {
      // The last bucket also holds everything beyond the range: its bound is the maximum.
      const uint64_t bound = b == kBuckets - 1 ? max_us_ : std::min(BucketUpperBound(b), max_us_);
      return std::chrono::microseconds(static_cast<int64_t>(bound));
    }
  }
  return max();
}

}  // namespace homeport::fleet
