// DNS messages (RFC 1035) as the verifier needs them: the names asked for, and the answers
// that tie names to addresses (A, AAAA) and to other names (CNAME). Works for UDP payloads
// and, after the two-byte length prefix, for DNS over TCP; mDNS and LLMNR share the format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/capture/ip_address.h"

namespace homeport::audit::capture {

inline constexpr uint16_t kDnsTypeA = 1, kDnsTypeCname = 5, kDnsTypeAaaa = 28;

struct DnsAnswer {
  std::string name;  // the owner name
  uint16_t type = 0;
  IpAddress address;   // A and AAAA
  std::string target;  // CNAME
};

struct DnsMessage {
  uint16_t id = 0;
  bool response = false;
  std::vector<std::string> questions;
  std::vector<DnsAnswer> answers;  // A, AAAA and CNAME records of the answer section
  // A name or record could not be read (bad compression pointer, a name over 255 bytes, a
  // record past the end): what came before it is kept.
  bool malformed = false;
};

// nullopt when `payload` is too short for a DNS header or claims impossible counts.
std::optional<DnsMessage> ParseDnsMessage(std::string_view payload);

// Whether a UDP or TCP port is one DNS-format protocols use: DNS 53, mDNS 5353, LLMNR 5355.
inline bool IsDnsPort(uint16_t port) { return port == 53 || port == 5353 || port == 5355; }

}  // namespace homeport::audit::capture
