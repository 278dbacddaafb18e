// What a capture shows, destination by destination: the compact aggregates the analyzer folds
// every finished flow into, and the verdict on each. A destination is the name the device
// used (SNI, Host, DNS) or, without one, the address; a destination with thousands of flows is
// one Destination with counts. Past CaptureOptions::max_destinations, further destinations are
// folded into aggregate rows that say what they stand for (`aggregate`).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "audit/capture/ip_address.h"
#include "audit/geo.h"
#include "audit/uninspected.h"
#include "privacy/identifier_scanner.h"

namespace homeport::audit {

// One identifier seen leaving the device in the clear.
struct IdentifierSighting {
  privacy::IdentifierKind kind = privacy::IdentifierKind::kImei;
  std::string key;    // the field that held it ("imei", "cellid", a header name), or empty
  std::string where;  // "POST /activate: body › base64 › json /imei"
  std::string value;  // as sent: reports mask it unless asked not to
  std::string flow;   // "tcp 10.0.0.2:40000 → 202.102.94.1:80", the first flow it was seen on
  std::string host;   // the name the request was sent to
  uint64_t count = 1;
  bool allowed = false;  // by the policy's allow_identifiers
};

struct DestinationAddress {
  capture::IpAddress address;
  capture::AddressScope scope = capture::AddressScope::kPublic;
  GeoInfo geo;  // empty for non-public addresses
  uint64_t flows = 0;
  uint64_t bytes_sent = 0;  // device → this address
};

enum class Protection : uint8_t { kEncrypted, kCleartext, kDns, kUnidentified };
inline constexpr size_t kProtections = 4;
const char* NameOf(Protection protection);

// Where a name was seen, as a bit set.
enum NameSource : uint8_t {
  kNameDns = 1,        // an answer's name (or a CNAME leading to it)
  kNameSni = 2,        // TLS or QUIC ClientHello server_name
  kNameHttpHost = 4,   // HTTP Host header
  kNameDnsQuery = 8,   // a question the device asked
};
// "dns+sni", in the order above.
std::string DescribeNameSources(uint8_t sources);

// One broken rule. Rules: "host", "country", "cleartext", "private", "identifier",
// "uninspected". A destination breaks each rule at most once; `count` says how many flows,
// addresses, sightings or members it concerns.
struct Violation {
  std::string rule;
  std::string what;  // "\"zzhc.vnet.cn\" is not an allowed host"
  uint64_t count = 1;
};

struct Destination {
  std::string name;  // the name the device used, or the address; for an aggregate, a label
  // Empty for one destination. For a row standing for destinations past the listing limit,
  // what it groups: "names under example.com", "addresses in AS4134 CHINANET-BACKBONE".
  std::string aggregate;
  std::map<std::string, uint8_t> names;  // every name it was known by → NameSource bits
  uint64_t names_not_listed = 0;
  std::vector<DestinationAddress> addresses;
  uint64_t addresses_not_listed = 0;
  uint8_t protocols = 0;  // Protocol bits, see ProtocolNames
  std::array<uint64_t, kProtections> flows{};  // by Protection
  uint64_t bytes_sent = 0;      // device → destination, transport payload
  uint64_t bytes_received = 0;  // destination → device
  uint64_t http_requests = 0;
  std::vector<IdentifierSighting> identifiers;
  uint64_t identifiers_not_listed = 0;
  std::vector<Uninspected> uninspected;
  uint64_t uninspected_not_listed = 0;
  bool local_resolver = false;  // DNS only, to a private or local address
  std::vector<Violation> violations;

  uint64_t flow_count() const;
  uint64_t flows_of(Protection p) const { return flows[static_cast<size_t>(p)]; }
  bool encrypted_only() const;
  std::vector<std::string> ProtocolNames() const;  // "tls", "quic", "http", "dns", "tcp", "udp"
};

enum Protocol : uint8_t {
  kProtoTls = 1,
  kProtoQuic = 2,
  kProtoHttp = 4,
  kProtoDns = 8,
  kProtoTcp = 16,
  kProtoUdp = 32,
};

}  // namespace homeport::audit
