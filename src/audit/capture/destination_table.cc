#include "audit/capture/destination_table.h"

#include <algorithm>

#include "audit/build/public_suffix.h"
#include "audit/capture/dns_names.h"
#include "audit/capture_verdict.h"

namespace homeport::audit::capture {
namespace {

// "example.com:8080" → "example.com"; "[2001:db8::1]:80" → "2001:db8::1".
std::string HostWithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    return NormalizeHostName(host.substr(1, close == std::string_view::npos ? host.npos : close - 1));
  }
  const size_t colon = host.find(':');
  if (colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
    return NormalizeHostName(host.substr(0, colon));
  }
  return NormalizeHostName(host);
}

Protection ProtectionOf(App app) {
  switch (app) {
    case App::kTls:
    case App::kQuic:
      return Protection::kEncrypted;
    case App::kHttp:
      return Protection::kCleartext;
    case App::kDns:
      return Protection::kDns;
    default:
      return Protection::kUnidentified;
  }
}

uint8_t ProtocolBits(const Flow& f) {
  uint8_t bits = f.protocol == IpProtocol::kTcp ? kProtoTcp : kProtoUdp;
  switch (f.app) {
    case App::kTls:
      return bits | kProtoTls;
    case App::kQuic:
      return bits | kProtoQuic;
    case App::kHttp:
      return bits | kProtoHttp;
    case App::kDns:
      return bits | kProtoDns;
    default:
      return bits;
  }
}

}  // namespace

DestinationTable::DestinationTable(DestinationLimits limits, const GeoLookup& geo,
                                   const AuditPolicy* policy)
    : limits_(limits), geo_(geo), policy_(policy) {}

void DestinationTable::Fold(Flow& f, const std::vector<std::string>* dns_chain) {
  std::string name;
  if (f.app != App::kDns) {
    if (!f.server_name.empty()) {
      name = NormalizeHostName(f.server_name);
    } else if (!f.hosts.empty()) {
      name = HostWithoutPort(f.hosts.front());
    } else if (dns_chain != nullptr && !dns_chain->empty()) {
      name = dns_chain->front();
    }
  }
  if (name.empty()) name = f.server.ToString();
  auto listed = listed_.find(name);
  if (listed == listed_.end() && listed_.size() < limits_.max_destinations) {
    listed = listed_.try_emplace(name).first;
    listed->second.d.name = name;
  }
  if (listed != listed_.end()) {
    AddFlow(listed->second, f, dns_chain);
    return;
  }
  // Past the listing limit: judge this flow as a destination of its own, then merge it into
  // the aggregate row of its kind.
  ++flows_aggregated_;
  Row single;
  single.d.name = name;
  AddFlow(single, f, dns_chain);
  JudgeDestination(single.d, geo_, policy_);
  std::string label = GroupLabel(single.d);
  auto group = groups_.find(label);
  if (group == groups_.end()) {
    if (groups_.size() >= limits_.max_groups) label = "all other destinations";
    group = groups_.try_emplace(label).first;
    group->second.d.name = "(" + label + ")";
    group->second.d.aggregate = label;
  }
  Merge(group->second, std::move(single));
}

void DestinationTable::AddFlow(Row& row, Flow& f, const std::vector<std::string>* dns_chain) {
  Destination& d = row.d;
  AddAddress(d, {f.server, ScopeOf(f.server), {}}, 1, f.bytes_up);
  if (!f.server_name.empty()) AddName(d, NormalizeHostName(f.server_name), kNameSni);
  for (const auto& h : f.hosts) AddName(d, HostWithoutPort(h), kNameHttpHost);
  if (dns_chain != nullptr && f.app != App::kDns) {
    for (const auto& n : *dns_chain) AddName(d, n, kNameDns);
  }
  for (const auto& q : f.lookups) AddName(d, q, kNameDnsQuery);
  d.protocols |= ProtocolBits(f);
  ++d.flows[static_cast<size_t>(ProtectionOf(f.app))];
  d.bytes_sent += f.bytes_up;
  d.bytes_received += f.bytes_down;
  d.http_requests += f.http_requests;
  for (auto& s : f.sightings) AddSighting(row, std::move(s));
  for (auto& u : f.uninspected) AddUninspected(d, std::move(u));
  d.uninspected_not_listed += f.uninspected_not_listed;
  f.sightings.clear();
  f.uninspected.clear();
}

void DestinationTable::AddName(Destination& d, const std::string& name, uint8_t sources) {
  auto it = d.names.find(name);
  if (it != d.names.end()) {
    it->second |= sources;
  } else if (d.names.size() < limits_.max_names) {
    d.names.emplace(name, sources);
  } else {
    ++d.names_not_listed;
  }
}

void DestinationTable::AddAddress(Destination& d, const DestinationAddress& a, uint64_t flows,
                                  uint64_t bytes_sent) {
  for (DestinationAddress& known : d.addresses) {
    if (known.address == a.address) {
      known.flows += flows;
      known.bytes_sent += bytes_sent;
      return;
    }
  }
  if (d.addresses.size() < limits_.max_addresses) {
    d.addresses.push_back(a);
    d.addresses.back().flows = flows;
    d.addresses.back().bytes_sent = bytes_sent;
  } else {
    ++d.addresses_not_listed;
  }
}

void DestinationTable::AddSighting(Row& row, IdentifierSighting&& s) {
  SightingKey key{s.kind, s.key, s.value, s.where};
  auto found = row.sighting_index.find(key);
  if (found != row.sighting_index.end()) {
    row.d.identifiers[found->second].count += s.count;
  } else if (row.d.identifiers.size() < limits_.max_sightings &&
             sightings_listed_ < limits_.max_sightings_total) {
    ++sightings_listed_;
    row.sighting_index.emplace(std::move(key), row.d.identifiers.size());
    row.d.identifiers.push_back(std::move(s));
  } else {
    row.d.identifiers_not_listed += s.count;
  }
}

void DestinationTable::AddUninspected(Destination& d, Uninspected&& u) {
  if (d.uninspected.size() < limits_.max_uninspected) {
    d.uninspected.push_back(std::move(u));
  } else {
    ++d.uninspected_not_listed;
  }
}

void DestinationTable::Merge(Row& group, Row&& single) {
  Destination& g = group.d;
  Destination& s = single.d;
  const bool first = g.flow_count() == 0;
  if (sightings_listed_ >= s.identifiers.size()) sightings_listed_ -= s.identifiers.size();
  AddName(g, s.name, 0);
  for (const auto& [name, sources] : s.names) AddName(g, name, sources);
  g.names_not_listed += s.names_not_listed;
  for (const auto& a : s.addresses) AddAddress(g, a, a.flows, a.bytes_sent);
  g.addresses_not_listed += s.addresses_not_listed;
  g.protocols |= s.protocols;
  for (size_t p = 0; p < kProtections; ++p) g.flows[p] += s.flows[p];
  g.bytes_sent += s.bytes_sent;
  g.bytes_received += s.bytes_received;
  g.http_requests += s.http_requests;
  for (auto& sighting : s.identifiers) AddSighting(group, std::move(sighting));
  g.identifiers_not_listed += s.identifiers_not_listed;
  for (auto& u : s.uninspected) AddUninspected(g, std::move(u));
  g.uninspected_not_listed += s.uninspected_not_listed;
  g.local_resolver = (first || g.local_resolver) && s.local_resolver;
  for (const Violation& v : s.violations) {
    const std::string wording = GroupWording(v);
    auto same = std::find_if(g.violations.begin(), g.violations.end(), [&](const Violation& o) {
      return o.rule == v.rule && o.what == wording;
    });
    if (same != g.violations.end()) {
      same->count += v.count;
    } else {
      g.violations.push_back({v.rule, wording, v.count});
    }
  }
}

std::string DestinationTable::GroupLabel(const Destination& single) const {
  if (IpAddress::Parse(single.name)) {
    const DestinationAddress& a = single.addresses.front();
    if (a.scope != AddressScope::kPublic) {
      return std::string(DescribeScope(a.scope)) + " addresses";
    }
    if (a.geo.asn != 0) {
      std::string label = "addresses in AS" + std::to_string(a.geo.asn);
      if (!a.geo.as_organization.empty()) label += " " + a.geo.as_organization;
      return label;
    }
    if (!a.geo.country.empty()) return "addresses in " + a.geo.country;
    return "addresses of no known AS or country";
  }
  const auto suffix = build::PublicSuffixList::System().SuffixOf(single.name);
  if (!suffix || suffix->size() >= single.name.size()) return "other names";
  // The registrable domain: the public suffix and the label in front of it.
  const std::string_view head =
      std::string_view(single.name).substr(0, single.name.size() - suffix->size() - 1);
  const size_t dot = head.rfind('.');
  return "names under " + single.name.substr(dot == std::string_view::npos ? 0 : dot + 1);
}

std::vector<Destination> DestinationTable::Finish() {
  std::vector<Destination> out;
  out.reserve(listed_.size() + groups_.size());
  for (auto& [name, row] : listed_) {
    JudgeDestination(row.d, geo_, policy_);
    out.push_back(std::move(row.d));
  }
  for (auto& [label, row] : groups_) out.push_back(std::move(row.d));
  listed_.clear();
  groups_.clear();
  OrderDestinations(out);
  return out;
}

}  // namespace homeport::audit::capture
