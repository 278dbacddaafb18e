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
//  - an identifier seen in the clear is a violation unless its kind is in allow_identifiers;
//  - traffic the verifier could not fully inspect is a violation unless allow_uninspected.
#include "audit/capture_verdict.h"

#include <algorithm>
#include <map>

namespace homeport::audit {
namespace {

bool IsPublic(const Destination& d) {
  return std::any_of(d.addresses.begin(), d.addresses.end(), [](const DestinationAddress& a) {
    return a.scope == capture::AddressScope::kPublic;
  });
}

bool OnlyDns(const Destination& d) {
  for (size_t p = 0; p < kProtections; ++p) {
    if (p != static_cast<size_t>(Protection::kDns) && d.flows[p] > 0) return false;
  }
  return true;
}

std::string Plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

void JudgeDestination(Destination& d, const GeoLookup& geo, const AuditPolicy* policy) {
  for (DestinationAddress& a : d.addresses) {
    if (a.scope == capture::AddressScope::kPublic && a.geo.country.empty() && a.geo.asn == 0) {
      a.geo = geo.Lookup(a.address);
    }
  }
  const bool dns_only = OnlyDns(d);
  d.local_resolver = !IsPublic(d) && dns_only;
  d.violations.clear();
  if (policy == nullptr) return;
  if (!IsPublic(d)) {
    if (!policy->allow_private && !dns_only && !d.addresses.empty()) {
      d.violations.push_back(
          {"private",
           "traffic to a " + std::string(capture::DescribeScope(d.addresses.front().scope)) +
               " address, and the policy does not allow private destinations",
           d.flow_count()});
    }
  } else {
    if (!policy->AllowsHost(d.name)) {
      d.violations.push_back({"host",
                              (dns_only ? "DNS to a public resolver, " : "") + std::string("\"") +
                                  d.name + "\" is not an allowed host",
                              d.flow_count()});
    }
    if (policy->judge_countries) {
      // One violation a country: "203.0.113.5, 203.0.113.6 are in CN, not an allowed country".
      std::map<std::string, std::vector<std::string>> outside;
      for (const DestinationAddress& a : d.addresses) {
        if (a.scope != capture::AddressScope::kPublic) continue;
        if (a.geo.country.empty() || !policy->AllowsCountry(a.geo.country)) {
          outside[a.geo.country].push_back(a.address.ToString());
        }
      }
      for (const auto& [country, addresses] : outside) {
        std::string list;
        for (size_t i = 0; i < addresses.size() && i < 8; ++i) {
          list += (i == 0 ? "" : ", ") + addresses[i];
        }
        if (addresses.size() > 8) list += " and " + std::to_string(addresses.size() - 8) + " more";
        const bool one = addresses.size() == 1;
        d.violations.push_back(
            {"country",
             country.empty()
                 ? list + (one ? ": its country is unknown" : ": their country is unknown") +
                       ", so it cannot be shown to be in an allowed country"
                 : list + (one ? " is in " : " are in ") + country + ", not an allowed country",
             addresses.size()});
      }
    }
    const uint64_t cleartext = d.flows_of(Protection::kCleartext);
    if (!policy->allow_cleartext && cleartext > 0) {
      d.violations.push_back({"cleartext",
                              Plural(cleartext, "flow", "flows") +
                                  " sent application data unencrypted (" +
                                  Plural(d.http_requests, "HTTP request", "HTTP requests") + ")",
                              cleartext});
    }
  }
  std::map<std::string, uint64_t> kinds;
  for (IdentifierSighting& s : d.identifiers) {
    s.allowed = policy->AllowsIdentifierInClear(privacy::NameOf(s.kind));
    if (!s.allowed) kinds[privacy::NameOf(s.kind)] += s.count;
  }
  for (const auto& [kind, n] : kinds) {
    d.violations.push_back(
        {"identifier", kind + " sent in the clear (" + Plural(n, "time", "times") + ")", n});
  }
  const uint64_t uninspected = d.uninspected.size() + d.uninspected_not_listed;
  if (!policy->allow_uninspected && uninspected > 0) {
    d.violations.push_back(
        {"uninspected",
         Plural(uninspected, "part", "parts") +
             " of its traffic could not be fully inspected (the policy does not allow "
             "uninspected traffic)",
         uninspected});
  }
}

std::string GroupWording(const Violation& v) {
  if (v.rule == "host") return "names that are not allowed hosts";
  if (v.rule == "country") {
    if (v.what.find("country is unknown") != std::string::npos) {
      return "addresses whose country is unknown, so they cannot be shown to be in an allowed "
             "country";
    }
    return "addresses" + v.what.substr(v.what.find(" in "));  // " in CN, not an allowed …"
  }
  if (v.rule == "cleartext") return "flows sent application data unencrypted";
  if (v.rule == "identifier") return v.what.substr(0, v.what.find(" ("));  // "imei sent in …"
  if (v.rule == "uninspected") return "traffic that could not be fully inspected";
  return v.what;
}

void OrderDestinations(std::vector<Destination>& destinations) {
  std::stable_sort(destinations.begin(), destinations.end(),
                   [](const Destination& a, const Destination& b) {
                     if (a.violations.empty() != b.violations.empty()) {
                       return !a.violations.empty();
                     }
                     if (a.bytes_sent != b.bytes_sent) return a.bytes_sent > b.bytes_sent;
                     return a.name < b.name;
                   });
}

}  // namespace homeport::audit
