// The rules, as docs/verifier.md explains them to a privacy engineer:
//  - a destination reached by name must be an allowed host; one reached by address only, an
//    allowed address literal;
//  - every public address must be in an allowed country (when the policy lists countries);
//    an address the database does not place cannot be shown to comply and is a violation;
//  - application data to a public address must be encrypted unless allow_cleartext;
//  - private, loopback, link-local, ULA and multicast destinations are allowed or not as a
//    whole by allow_private, and are not judged by host or country (they never cross a
//    border);
//  - DNS lookups sent to the local (non-public) resolver are reported, never a violation by
//    themselves; DNS to a public resolver is judged like any destination;
//  - an identifier seen in the clear is a violation unless its kind is in allow_identifiers.
#include "audit/capture_verdict.h"

#include <algorithm>

namespace homeport::audit {
namespace {

bool IsPublic(const Destination& d) {
  return std::any_of(d.addresses.begin(), d.addresses.end(), [](const DestinationAddress& a) {
    return a.scope == capture::AddressScope::kPublic;
  });
}

bool OnlyDns(const Destination& d) {
  for (const auto& [protection, n] : d.flows) {
    if (protection != Protection::kDns && n > 0) return false;
  }
  return true;
}

}  // namespace

size_t JudgeDestinations(std::vector<Destination>& destinations, const GeoLookup& geo,
                         const AuditPolicy& policy) {
  size_t total = 0;
  for (Destination& d : destinations) {
    d.violations.clear();
    for (DestinationAddress& a : d.addresses) {
      if (a.scope == capture::AddressScope::kPublic) a.geo = geo.Lookup(a.address);
    }
    const bool dns_only = OnlyDns(d);
    if (!IsPublic(d)) {
      d.local_resolver = dns_only;
      if (!policy.allow_private && !dns_only) {
        d.violations.push_back("traffic to a " +
                               std::string(capture::DescribeScope(d.addresses.front().scope)) +
                               " address, and the policy does not allow private destinations");
      }
    } else {
      if (!policy.AllowsHost(d.name)) {
        d.violations.push_back((dns_only ? "DNS to a public resolver, " : "") + std::string("\"") +
                               d.name + "\" is not an allowed host");
      }
      if (policy.judge_countries) {
        for (const DestinationAddress& a : d.addresses) {
          if (a.scope != capture::AddressScope::kPublic) continue;
          if (a.geo.country.empty()) {
            d.violations.push_back(a.address.ToString() +
                                   ": its country is unknown, so it cannot be shown to be in an "
                                   "allowed country");
          } else if (!policy.AllowsCountry(a.geo.country)) {
            d.violations.push_back(a.address.ToString() + " is in " + a.geo.country +
                                   ", not an allowed country");
          }
        }
      }
      auto cleartext = d.flows.find(Protection::kCleartext);
      if (!policy.allow_cleartext && cleartext != d.flows.end() && cleartext->second > 0) {
        d.violations.push_back(std::to_string(cleartext->second) +
                               " flow(s) sent application data unencrypted (" +
                               std::to_string(d.http_requests) + " HTTP request(s))");
      }
    }
    std::map<std::string, uint64_t> kinds;
    for (IdentifierSighting& s : d.identifiers) {
      s.allowed = policy.AllowsIdentifierInClear(privacy::NameOf(s.kind));
      if (!s.allowed) kinds[privacy::NameOf(s.kind)] += s.count;
    }
    for (const auto& [kind, n] : kinds) {
      d.violations.push_back(kind + " sent in the clear (" + std::to_string(n) + " time(s))");
    }
    total += d.violations.size();
  }
  std::stable_sort(destinations.begin(), destinations.end(),
                   [](const Destination& a, const Destination& b) {
                     if (a.violations.empty() != b.violations.empty()) {
                       return !a.violations.empty();
                     }
                     if (a.bytes_sent != b.bytes_sent) return a.bytes_sent > b.bytes_sent;
                     return a.name < b.name;
                   });
  return total;
}

}  // namespace homeport::audit
