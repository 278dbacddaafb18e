// TCP reassembly, one direction of one connection at a time: segments in, the byte stream out
// in order. Out-of-order segments wait (bounded), retransmissions are recognised and counted,
// and a hole that is never filled is skipped and counted as a gap. Memory is bounded twice: per
// stream (`TcpStreamLimits`) and across all streams (ReassemblyBudget). A stream whose
// dissector needs no more bytes stops buffering and only counts. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace homeport::audit::capture {

// Bytes held by every stream together; streams that would exceed it stop buffering.
class ReassemblyBudget {
 public:
  explicit ReassemblyBudget(size_t limit) : limit_(limit) {}
  bool Reserve(size_t n) {
    if (used_ + n > limit_) return false;
    used_ += n;
    return true;
  }
  void Release(size_t n) { used_ -= n; }
  size_t used() const { return used_; }
  size_t limit() const { return limit_; }

 private:
  size_t limit_;
  size_t used_ = 0;
};

// Bytes a dissector holds against a ReassemblyBudget (a body being decoded, a request head),
// given back when the hold goes. Movable, so the holder can live in a flow table. Without a
// budget every Take succeeds and nothing is counted.
class BudgetHold {
 public:
  BudgetHold() = default;
  explicit BudgetHold(ReassemblyBudget* budget) : budget_(budget) {}
  BudgetHold(BudgetHold&& other) noexcept
      : budget_(other.budget_), held_(std::exchange(other.held_, 0)) {}
  BudgetHold& operator=(BudgetHold&& other) noexcept {
    if (this != &other) {
      Reset();
      budget_ = other.budget_;
      held_ = std::exchange(other.held_, 0);
    }
    return *this;
  }
  BudgetHold(const BudgetHold&) = delete;
  BudgetHold& operator=(const BudgetHold&) = delete;
  ~BudgetHold() { Reset(); }

  // False, taking nothing, when the budget has no room for `n` more bytes.
  bool Take(size_t n) {
    if (budget_ != nullptr && !budget_->Reserve(n)) return false;
    held_ += n;
    return true;
  }
  void Give(size_t n) {
    if (budget_ != nullptr) budget_->Release(n);
    held_ -= n;
  }
  void Reset() { Give(held_); }
  size_t held() const { return held_; }
  // The budget's limit, or 0 without one (for reporting where inspection stopped).
  size_t limit() const { return budget_ == nullptr ? 0 : budget_->limit(); }

 private:
  ReassemblyBudget* budget_ = nullptr;
  size_t held_ = 0;
};

struct TcpStreamLimits {
  size_t max_buffered = 1 << 20;        // in-order bytes awaiting the dissector, per stream
  size_t max_out_of_order = 256 << 10;  // bytes waiting behind a hole, per stream
  size_t max_out_of_order_segments = 64;
};

struct TcpStreamStats {
  uint64_t segments = 0;       // segments with payload
  uint64_t bytes = 0;          // stream bytes delivered (each byte once)
  uint64_t out_of_order = 0;   // segments that arrived ahead of a hole
  uint64_t retransmitted = 0;  // segments (or parts) whose bytes had been seen already
  uint64_t gaps = 0;           // holes skipped because the missing bytes never came
  uint64_t gap_bytes = 0;
  uint64_t overflowed = 0;  // bytes not buffered because a limit was reached
};

class TcpStream {
 public:
  TcpStream() = default;
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;
  TcpStream(TcpStream&&) = default;
  TcpStream& operator=(TcpStream&&) = default;

  // One segment of this direction. `flags` are the TCP flags (a SYN fixes the start).
  void Add(uint32_t seq, uint8_t flags, std::string_view payload, const TcpStreamLimits& limits,
           ReassemblyBudget& budget);

  // In-order bytes the dissector has not consumed yet.
  std::string_view data() const { return std::string_view(buffer_).substr(consumed_); }
  void Consume(size_t n, ReassemblyBudget& budget);
  // The dissector is done with this direction: drop its bytes, from now on only count.
  void StopBuffering(ReassemblyBudget& budget);
  bool buffering() const { return buffering_; }
  // True once after bytes were lost (a gap, or a limit): data() restarts after the loss, so a
  // dissector in the middle of a message must resynchronise. Reading clears it.
  bool TakeDiscontinuity() {
    const bool d = discontinuity_;
    discontinuity_ = false;
    return d;
  }
  // End of capture or connection: skip the holes before any waiting segments.
  void Flush(const TcpStreamLimits& limits, ReassemblyBudget& budget);
  bool fin() const { return fin_; }
  const TcpStreamStats& stats() const { return stats_; }
  // Bytes this stream holds now (buffer and waiting segments).
  size_t held() const { return (buffer_.size() - consumed_) + out_of_order_bytes_; }

 private:
  void Deliver(std::string_view bytes, const TcpStreamLimits& limits, ReassemblyBudget& budget);
  void DrainOutOfOrder(const TcpStreamLimits& limits, ReassemblyBudget& budget);
  void SkipToFirstWaiting(const TcpStreamLimits& limits, ReassemblyBudget& budget);

  bool started_ = false;
  bool buffering_ = true;
  bool fin_ = false;
  bool discontinuity_ = false;
  uint32_t next_seq_ = 0;  // sequence number of the next in-order byte
  std::string buffer_;
  size_t consumed_ = 0;
  uint64_t position_ = 0;  // stream offset of next_seq_ (immune to sequence wrap-around)
  struct Waiting {
    uint32_t length = 0;
    std::string bytes;  // empty once the stream stopped buffering: then only counted
  };
  // Segments ahead of a hole, by stream offset.
  std::map<uint64_t, Waiting> out_of_order_;
  size_t out_of_order_bytes_ = 0;
  TcpStreamStats stats_;
};

}  // namespace homeport::audit::capture
