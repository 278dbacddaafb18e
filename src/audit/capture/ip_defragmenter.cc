#include "audit/capture/ip_defragmenter.h"

#include <algorithm>

namespace homeport::audit::capture {
namespace {

constexpr uint32_t kMaxDatagram = 65535;

bool Covered(std::vector<std::pair<uint32_t, uint32_t>>& ranges, uint32_t total) {
  std::sort(ranges.begin(), ranges.end());
  uint32_t reached = 0;
  for (const auto& [begin, end] : ranges) {
    if (begin > reached) return false;
    reached = std::max(reached, end);
  }
  return reached >= total;
}

}  // namespace

std::optional<std::string_view> IpDefragmenter::Add(const IpDatagram& f) {
  const uint32_t begin = f.fragment_offset;
  const uint32_t end = begin + static_cast<uint32_t>(f.payload.size());
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) {
    return p.id == f.fragment_id && p.protocol == f.protocol && p.src == f.src && p.dst == f.dst;
  });
  if (it == pending_.end()) {
    if (pending_.size() >= max_pending_) {
      pending_.pop_front();
      ++dropped_;
    }
    pending_.push_back({f.src, f.dst, f.fragment_id, f.protocol, 0, {}, {}});
    it = std::prev(pending_.end());
  }
  if (end > kMaxDatagram) {
    pending_.erase(it);
    ++dropped_;
    return std::nullopt;
  }
  Pending& p = *it;
  if (p.data.size() < end) p.data.resize(end);
  std::copy(f.payload.begin(), f.payload.end(), p.data.begin() + begin);
  p.ranges.emplace_back(begin, end);
  if (!f.more_fragments) p.total = end;
  if (p.total == 0 || !Covered(p.ranges, p.total)) return std::nullopt;
  completed_.assign(p.data, 0, p.total);
  pending_.erase(it);
  ++reassembled_;
  return std::string_view(completed_);
}

}  // namespace homeport::audit::capture
