// Sequence numbers are compared as signed 32-bit differences from the next expected byte, and
// positions kept as 64-bit stream offsets, so a connection that wraps its sequence space is
// reassembled like any other.
#include "audit/capture/tcp_reassembler.h"

#include "audit/capture/packet_decoder.h"

namespace homeport::audit::capture {

void TcpStream::Add(uint32_t seq, uint8_t flags, std::string_view payload,
                    const TcpStreamLimits& limits, ReassemblyBudget& budget) {
  if ((flags & kTcpSyn) != 0) {
    if (!started_) {
      started_ = true;
      next_seq_ = seq + 1;
    }
    ++seq;  // data on a SYN (TCP Fast Open) starts after it
  }
  if ((flags & kTcpFin) != 0) fin_ = true;
  if (payload.empty()) return;
  ++stats_.segments;
  if (!started_) {
    // Joined mid-connection: the first data seen starts the stream.
    started_ = true;
    next_seq_ = seq;
  }
  int32_t delta = static_cast<int32_t>(seq - next_seq_);
  if (delta < 0) {
    ++stats_.retransmitted;
    const size_t seen = static_cast<size_t>(-static_cast<int64_t>(delta));
    if (seen >= payload.size()) return;
    payload.remove_prefix(seen);  // a retransmission that also carries new bytes
    delta = 0;
  }
  if (delta == 0) {
    Deliver(payload, limits, budget);
    DrainOutOfOrder(limits, budget);
    return;
  }
  const uint64_t at = position_ + static_cast<uint64_t>(delta);
  auto it = out_of_order_.find(at);
  if (it != out_of_order_.end() && it->second.length >= payload.size()) {
    ++stats_.retransmitted;
    return;
  }
  ++stats_.out_of_order;
  Waiting w;
  w.length = static_cast<uint32_t>(payload.size());
  if (buffering_ && budget.Reserve(payload.size())) {
    w.bytes.assign(payload);
    out_of_order_bytes_ += payload.size();
  }
  if (it != out_of_order_.end()) {
    out_of_order_bytes_ -= it->second.bytes.size();
    budget.Release(it->second.bytes.size());
    it->second = std::move(w);
  } else {
    out_of_order_.emplace(at, std::move(w));
  }
  // The hole is not going to be filled in time: give up on it.
  while (!out_of_order_.empty() && (out_of_order_.size() > limits.max_out_of_order_segments ||
                                    out_of_order_bytes_ > limits.max_out_of_order)) {
    SkipToFirstWaiting(limits, budget);
  }
}

void TcpStream::Deliver(std::string_view bytes, const TcpStreamLimits& limits,
                        ReassemblyBudget& budget) {
  position_ += bytes.size();
  next_seq_ += static_cast<uint32_t>(bytes.size());
  stats_.bytes += bytes.size();
  if (!buffering_) return;
  const size_t held_now = buffer_.size() - consumed_;
  if (held_now + bytes.size() > limits.max_buffered || !budget.Reserve(bytes.size())) {
    // The dissector's message is larger than it may hold: drop what is waiting and carry on
    // from here, telling the dissector it lost its place.
    stats_.overflowed += held_now + bytes.size();
    budget.Release(held_now);
    buffer_.clear();
    consumed_ = 0;
    discontinuity_ = true;
    return;
  }
  if (consumed_ > 0 && consumed_ >= buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

void TcpStream::DrainOutOfOrder(const TcpStreamLimits& limits, ReassemblyBudget& budget) {
  while (!out_of_order_.empty() && out_of_order_.begin()->first <= position_) {
    auto node = out_of_order_.extract(out_of_order_.begin());
    Waiting& w = node.mapped();
    out_of_order_bytes_ -= w.bytes.size();
    budget.Release(w.bytes.size());
    const uint64_t overlap = position_ - node.key();
    if (overlap >= w.length) {
      ++stats_.retransmitted;
      continue;
    }
    if (w.bytes.empty()) {
      // Not buffering (or no room when it arrived): count the bytes only.
      const uint64_t n = w.length - overlap;
      if (buffering_) {
        stats_.overflowed += n;
        budget.Release(buffer_.size() - consumed_);
        buffer_.clear();
        consumed_ = 0;
        discontinuity_ = true;
      }
      position_ += n;
      next_seq_ += static_cast<uint32_t>(n);
      stats_.bytes += n;
    } else {
      Deliver(std::string_view(w.bytes).substr(overlap), limits, budget);
    }
  }
}

void TcpStream::SkipToFirstWaiting(const TcpStreamLimits& limits, ReassemblyBudget& budget) {
  if (out_of_order_.empty()) return;
  const uint64_t first = out_of_order_.begin()->first;
  if (first > position_) {
    ++stats_.gaps;
    stats_.gap_bytes += first - position_;
    next_seq_ += static_cast<uint32_t>(first - position_);
    position_ = first;
    budget.Release(buffer_.size() - consumed_);
    buffer_.clear();
    consumed_ = 0;
    if (buffering_) discontinuity_ = true;
  }
  DrainOutOfOrder(limits, budget);
}

void TcpStream::Consume(size_t n, ReassemblyBudget& budget) {
  consumed_ += n;
  budget.Release(n);
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  }
}

void TcpStream::StopBuffering(ReassemblyBudget& budget) {
  if (!buffering_) return;
  buffering_ = false;
  budget.Release(buffer_.size() - consumed_);
  std::string().swap(buffer_);
  consumed_ = 0;
  for (auto& [at, w] : out_of_order_) {
    budget.Release(w.bytes.size());
    std::string().swap(w.bytes);
  }
  out_of_order_bytes_ = 0;
}

void TcpStream::Flush(const TcpStreamLimits& limits, ReassemblyBudget& budget) {
  while (!out_of_order_.empty()) SkipToFirstWaiting(limits, budget);
}

}  // namespace homeport::audit::capture
