// IpDefragmenter: puts fragmented IPv4 and IPv6 datagrams back together (large DNS answers
// arrive that way). Memory is bounded: at most `max_pending` datagrams are waiting at once, the
// oldest is dropped to make room, and no datagram grows past 64 KiB. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/capture/packet_decoder.h"

namespace homeport::audit::capture {

class IpDefragmenter {
 public:
  explicit IpDefragmenter(size_t max_pending = 64) : max_pending_(max_pending) {}

  // Adds one fragment. When it completes its datagram, returns the whole transport payload
  // (valid until the next call); otherwise nullopt.
  std::optional<std::string_view> Add(const IpDatagram& fragment);

  uint64_t reassembled() const { return reassembled_; }
  // Datagrams given up: evicted for room, or overlapping inconsistently past the size limit.
  uint64_t dropped() const { return dropped_; }

 private:
  struct Pending {
    IpAddress src, dst;
    uint32_t id = 0;
    uint8_t protocol = 0;
    uint32_t total = 0;  // payload length once the last fragment arrived, else 0
    std::string data;
    std::vector<std::pair<uint32_t, uint32_t>> ranges;  // [begin, end) received
  };

  size_t max_pending_;
  std::deque<Pending> pending_;
  std::string completed_;
  uint64_t reassembled_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace homeport::audit::capture
