#include "audit/capture/dns_names.h"

#include <algorithm>

namespace homeport::audit::capture {

void DnsNameMemory::Learn(const DnsMessage& message) {
  // CNAME target → owner, each name normalised once, so following a chain is a lookup a hop.
  std::unordered_map<std::string, std::string> owner_of;
  for (const DnsAnswer& a : message.answers) {
    if (a.type == kDnsTypeCname) owner_of.try_emplace(NormalizeHostName(a.target), NormalizeHostName(a.name));
  }
  // The name first asked for at the head of each name's chain, found once a name: a chain of
  // any length costs one walk, however many answers hang off it.
  std::unordered_map<std::string, std::string> root_of;
  auto root = [&](const std::string& name) -> const std::string& {
    std::vector<std::string> path;
    std::string at = name;
    while (!root_of.contains(at)) {
      if (std::find(path.begin(), path.end(), at) != path.end()) break;  // a loop
      path.push_back(at);
      auto up = owner_of.find(at);
      if (up == owner_of.end()) break;
      at = up->second;
    }
    const std::string head = root_of.contains(at) ? root_of[at] : path.back();
    for (const std::string& n : path) root_of.try_emplace(n, head);
    return root_of[name];
  };
  std::unordered_map<std::string, std::vector<std::string>> chains;  // per owner name
  for (const DnsAnswer& answer : message.answers) {
    if (answer.type != kDnsTypeA && answer.type != kDnsTypeAaaa) continue;
    std::string owner = NormalizeHostName(answer.name);
    auto [chain, fresh] = chains.try_emplace(owner);
    if (fresh) {
      // The name asked for, then the CNAMEs nearest the answer: at most kMaxChain names.
      std::vector<std::string>& c = chain->second;
      const std::string& head = root(owner);
      c.push_back(owner);
      for (auto it = owner_of.find(owner); it != owner_of.end() && c.size() < kMaxChain - 1;
           it = owner_of.find(it->second)) {
        if (std::find(c.begin(), c.end(), it->second) != c.end()) break;  // a loop
        c.push_back(it->second);
      }
      if (std::find(c.begin(), c.end(), head) == c.end()) c.push_back(head);
      std::reverse(c.begin(), c.end());
    }
    if (names_.size() >= max_addresses_ && !names_.contains(answer.address)) MakeRoom();
    names_[answer.address] = {chain->second, generation_++};
  }
}

const std::vector<std::string>* DnsNameMemory::Find(const IpAddress& address) const {
  auto it = names_.find(address);
  return it == names_.end() ? nullptr : &it->second.chain;
}

void DnsNameMemory::MakeRoom() {
  // Forget the older half: amortised O(1) an answer.
  std::vector<uint64_t> generations;
  generations.reserve(names_.size());
  for (const auto& [address, entry] : names_) generations.push_back(entry.generation);
  auto middle = generations.begin() + static_cast<std::ptrdiff_t>(generations.size() / 2);
  std::nth_element(generations.begin(), middle, generations.end());
  const uint64_t cut = *middle;
  std::erase_if(names_, [cut](const auto& item) { return item.second.generation < cut; });
}

}  // namespace homeport::audit::capture
