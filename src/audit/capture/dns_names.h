// DnsNameMemory: which names the device's DNS answers gave each address, so a later flow to
// that address is named by what the device asked for ("api.example.cn") rather than by the
// address or the CDN's name. Bounded: at most `max_addresses` entries (the oldest half is
// forgotten when full) and kMaxChain names per address; learning one message costs time
// linear in its size, whatever CNAME chains it holds.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "audit/capture/dns_dissector.h"
#include "audit/capture/ip_address.h"
#include "common/host_pattern.h"

namespace homeport::audit::capture {

class DnsNameMemory {
 public:
  static constexpr size_t kMaxChain = 8;

  explicit DnsNameMemory(size_t max_addresses = size_t{1} << 18)
      : max_addresses_(max_addresses) {}

  // Remembers each A and AAAA answer's address with the chain of names that led to it: the
  // name first asked for, then the CNAMEs, ending with the answer's owner (lower-case).
  void Learn(const DnsMessage& message);

  // The chain for `address`, or nullptr.
  const std::vector<std::string>* Find(const IpAddress& address) const;

 private:
  size_t max_addresses_;
  uint64_t generation_ = 0;
  struct Entry {
    std::vector<std::string> chain;
    uint64_t generation = 0;
  };
  std::unordered_map<IpAddress, Entry, IpAddressHash> names_;
  void MakeRoom();
};

}  // namespace homeport::audit::capture
