// Received bytes are a bitmap (8 KiB a datagram), not a list of ranges sorted again on every
// fragment: marking a fragment counts the bits it newly sets, so the datagram is complete when
// the count reaches its length, found without looking at any other fragment.
#include "audit/capture/ip_defragmenter.h"

#include <algorithm>
#include <bit>

namespace homeport::audit::capture {
namespace {

constexpr uint32_t kMaxDatagram = 65535;
constexpr size_t kMaxListed = 1000;

const char* ProtocolName(uint8_t protocol) {
  switch (protocol) {
    case 6:
      return "tcp";
    case 17:
      return "udp";
    default:
      return "ip";
  }
}

}  // namespace

uint32_t IpDefragmenter::Mark(Pending& p, uint32_t begin, uint32_t end, uint32_t count_below) {
  uint32_t fresh = 0;
  for (uint32_t at = begin; at < end;) {
    const uint32_t word = at / 64;
    const uint32_t bit = at % 64;
    const uint32_t n = std::min<uint32_t>(64 - bit, end - at);
    const uint64_t mask = (n == 64 ? ~uint64_t{0} : ((uint64_t{1} << n) - 1)) << bit;
    uint64_t counted = mask;
    if (at >= count_below) {
      counted = 0;
    } else if (count_below - at < n) {
      counted &= ((uint64_t{1} << (count_below - at)) - 1) << bit;
    }
    fresh += static_cast<uint32_t>(std::popcount(counted & ~p.received[word]));
    p.received[word] |= mask;
    at += n;
    ++work_;
  }
  return fresh;
}

void IpDefragmenter::GiveUp(std::vector<Pending>::iterator it, const char* reason, uint64_t limit) {
  ++dropped_;
  if (reason != nullptr && uninspected_.size() < kMaxListed) {
    Uninspected u;
    u.subject = std::string(ProtocolName(it->protocol)) + " " + it->src.ToString() + " → " +
                it->dst.ToString() + ", IPv" + std::to_string(it->src.version) + " datagram id " +
                std::to_string(it->id);
    u.reason = reason;
    u.limit = limit;
    u.offset = 0;
    uninspected_.push_back(std::move(u));
  }
  pending_.erase(it);
}

std::vector<Uninspected> IpDefragmenter::TakeUninspected() {
  std::vector<Uninspected> out;
  out.swap(uninspected_);
  return out;
}

std::optional<std::string_view> IpDefragmenter::Add(const IpDatagram& f) {
  const uint64_t begin = f.fragment_offset;
  const uint64_t end = begin + f.payload.size();
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) {
    return p.id == f.fragment_id && p.protocol == f.protocol && p.src == f.src && p.dst == f.dst;
  });
  if (it == pending_.end()) {
    if (pending_.size() >= max_pending_) {
      auto oldest = std::min_element(
          pending_.begin(), pending_.end(),
          [](const Pending& a, const Pending& b) { return a.last_added < b.last_added; });
      GiveUp(oldest,
             "IP datagram dropped before all its fragments came: more datagrams waiting "
             "than the limit",
             max_pending_);
    }
    Pending p;
    p.src = f.src;
    p.dst = f.dst;
    p.id = f.fragment_id;
    p.protocol = f.protocol;
    p.received.assign((kMaxDatagram + 64) / 64, 0);
    pending_.push_back(std::move(p));
    it = std::prev(pending_.end());
  }
  Pending& p = *it;
  p.last_added = ++added_;
  if (end > kMaxDatagram) {
    GiveUp(it, nullptr, 0);  // no such datagram can exist
    return std::nullopt;
  }
  if (++p.fragments > max_fragments_) {
    GiveUp(it, "IP datagram in more fragments than the limit", max_fragments_);
    return std::nullopt;
  }
  const auto b = static_cast<uint32_t>(begin), e = static_cast<uint32_t>(end);
  if (!f.more_fragments) {
    // The last fragment fixes the length; fragments that disagree make the datagram invalid,
    // as receivers treat it (RFC 791, RFC 8200 §4.5).
    if ((p.end != 0 && p.end != e) || p.data.size() > e) {
      GiveUp(it, nullptr, 0);
      return std::nullopt;
    }
    if (p.end == 0) {
      p.end = e;
      p.covered = 0;
      for (uint32_t w = 0; w * 64 < e; ++w, ++work_) {
        uint64_t bits = p.received[w];
        if (e - w * 64 < 64) bits &= (uint64_t{1} << (e - w * 64)) - 1;
        p.covered += static_cast<uint32_t>(std::popcount(bits));
      }
    }
  } else if (p.end != 0 && e > p.end) {
    GiveUp(it, nullptr, 0);
    return std::nullopt;
  }
  if (p.data.size() < e) p.data.resize(e);
  std::copy(f.payload.begin(), f.payload.end(), p.data.begin() + b);
  p.covered += Mark(p, b, e, p.end);
  if (p.end == 0 || p.covered < p.end) return std::nullopt;
  completed_.assign(p.data, 0, p.end);
  pending_.erase(it);
  ++reassembled_;
  return std::string_view(completed_);
}

}  // namespace homeport::audit::capture
