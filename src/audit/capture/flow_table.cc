#include "audit/capture/flow_table.h"

#include <algorithm>
#include <tuple>

namespace homeport::audit::capture {
namespace {

std::string Endpoint(const IpAddress& ip, uint16_t port) {
  return ip.version == 6 ? "[" + ip.ToString() + "]:" + std::to_string(port)
                         : ip.ToString() + ":" + std::to_string(port);
}

}  // namespace

FlowKey FlowKey::Of(IpProtocol protocol, const IpAddress& src, uint16_t src_port,
                    const IpAddress& dst, uint16_t dst_port) {
  FlowKey key;
  const bool src_first = std::tie(src, src_port) < std::tie(dst, dst_port);
  key.a = src_first ? src : dst;
  key.b = src_first ? dst : src;
  key.port_a = src_first ? src_port : dst_port;
  key.port_b = src_first ? dst_port : src_port;
  key.protocol = static_cast<uint8_t>(protocol);
  return key;
}

size_t FlowKeyHash::operator()(const FlowKey& k) const {
  const IpAddressHash h;
  return h(k.a) ^ (h(k.b) * 31) ^ (size_t{k.port_a} << 16 | k.port_b) ^
         (size_t{k.protocol} << 40);
}

std::string Flow::Label() const {
  return std::string(protocol == IpProtocol::kTcp ? "tcp " : "udp ") +
         Endpoint(client, client_port) + " → " + Endpoint(server, server_port);
}

std::vector<FlowKey> FlowTable::LeastRecentlyActive() const {
  std::vector<std::pair<int64_t, const FlowKey*>> ages;
  ages.reserve(flows_.size());
  for (const auto& [key, flow] : flows_) ages.emplace_back(flow.last_seen, &key);
  const size_t n = std::max<size_t>(1, ages.size() / 8);
  if (ages.empty()) return {};
  std::nth_element(ages.begin(), ages.begin() + static_cast<std::ptrdiff_t>(n - 1), ages.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<FlowKey> keys;
  keys.reserve(n);
  for (size_t i = 0; i < n; ++i) keys.push_back(*ages[i].second);
  return keys;
}

}  // namespace homeport::audit::capture
