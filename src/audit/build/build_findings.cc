// Accumulating host sightings with a bound on the places kept per host.
#include "audit/build/build_findings.h"

#include <arpa/inet.h>

namespace homeport::audit::build {

bool IsIpLiteral(std::string_view host) {
  if (host.empty() || host.size() >= 64) return false;
  std::string h(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

void BuildFindings::AddUninspected(Uninspected u) {
  if (uninspected.size() >= kMaxUninspectedListed) {
    ++uninspected_unlisted;
    return;
  }
  uninspected.push_back(std::move(u));
}

void BuildFindings::AddHost(const HostSighting& sighting, const std::string& location) {
  auto [it, inserted] = hosts.try_emplace(sighting.host);
  HostFindings& h = it->second;
  if (inserted) {
    h.host = sighting.host;
    h.is_ip = IsIpLiteral(sighting.host);
  }
  ++h.total;
  auto place = h.places.find(location);
  if (place == h.places.end()) {
    if (h.places.size() >= kMaxPlacesPerHost) {
      ++h.unlisted_sightings;
      return;
    }
    place = h.places.emplace(location, HostPlace{}).first;
    place->second.example = sighting.text;
  }
  ++place->second.count;
  place->second.evidence |= 1u << static_cast<unsigned>(sighting.evidence);
}

}  // namespace homeport::audit::build
