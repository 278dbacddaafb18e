// IpDefragmenter: puts fragmented IPv4 and IPv6 datagrams back together (large DNS answers
// arrive that way). Bounded in memory and in work: at most `max_pending` datagrams wait at
// once (the least recently added to is dropped to make room), none grows past 64 KiB, and
// none takes more than `max_fragments` fragments. What a fragment covers is kept as a bit per
// byte, so each fragment costs time in proportion to its own length, in any order and with
// any overlap. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/capture/packet_decoder.h"
#include "audit/uninspected.h"

namespace homeport::audit::capture {

class IpDefragmenter {
 public:
  // 8192 fragments: a 64 KiB datagram cut into the smallest fragments IP allows (8 bytes).
  explicit IpDefragmenter(size_t max_pending = 64, size_t max_fragments = 8192)
      : max_pending_(max_pending), max_fragments_(max_fragments) {}

  // Adds one fragment. When it completes its datagram, returns the whole transport payload
  // (valid until the next call); otherwise nullopt.
  std::optional<std::string_view> Add(const IpDatagram& fragment);

  uint64_t reassembled() const { return reassembled_; }
  // Datagrams given up: dropped for room or past the fragment limit, past 64 KiB, or whose
  // fragments disagree on where the datagram ends.
  uint64_t dropped() const { return dropped_; }
  // The datagrams a limit made it give up (for room, or past the fragment limit), as findings
  // whose subject names the datagram ("udp 192.0.2.1 → 192.0.2.2, IPv4 datagram id 7"); limit
  // is a count there (datagrams, fragments), as the reason says. At most 1000 are kept
  // between calls; the rest are only counted in dropped(). Taking them empties the list.
  std::vector<Uninspected> TakeUninspected();
  // Bytes marked as received, and bit words touched doing it: work in proportion to the
  // fragments' bytes (tests hold it to that).
  uint64_t work() const { return work_; }

 private:
  struct Pending {
    IpAddress src, dst;
    uint32_t id = 0;
    uint8_t protocol = 0;
    uint32_t end = 0;      // the datagram's payload length once its last fragment came, else 0
    uint32_t covered = 0;  // bytes of [0, end) received, counted once `end` is known
    uint32_t fragments = 0;
    uint64_t last_added = 0;
    std::string data;
    std::vector<uint64_t> received;  // a bit per byte of the payload
  };

  uint32_t Mark(Pending& p, uint32_t begin, uint32_t end, uint32_t count_below);
  void GiveUp(std::vector<Pending>::iterator it, const char* reason, uint64_t limit);

  size_t max_pending_;
  size_t max_fragments_;
  std::vector<Pending> pending_;
  std::string completed_;
  uint64_t reassembled_ = 0;
  uint64_t dropped_ = 0;
  uint64_t added_ = 0;
  uint64_t work_ = 0;
  std::vector<Uninspected> uninspected_;
};

}  // namespace homeport::audit::capture
