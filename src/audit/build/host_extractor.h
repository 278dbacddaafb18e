// Host names in one string of a firmware file: URL hosts (names and IP literals), e-mail
// domains, and names standing alone that pass the rule in host_name.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "audit/build/public_suffix.h"

namespace homeport::audit::build {

// How a host was found, from the strongest evidence to the weakest.
enum class HostEvidence {
  kManifest,  // an endpoint a region manifest declares
  kUrl,       // the host of a URL (scheme://host[:port]/...)
  kEmail,     // the domain of an e-mail address
  kName,      // a host name on its own
};
std::string_view NameOf(HostEvidence evidence);

struct HostSighting {
  std::string host;  // lower-case, no trailing dot; IPv6 literals without brackets
  HostEvidence evidence = HostEvidence::kName;
  std::string text;  // the URL or name as written, clipped to 200 bytes
  size_t end = 0;    // offset just past it in the scanned string
};

// URLs of network schemes (http, https, ws(s), ftp, mqtt, …) count with any host name,
// "localhost" and IP literals included; other schemes ("content://", "myapp://") only when
// their host passes the name rule. Templates ("http://%s/", "https://${HOST}/") have no host.
// JSON-escaped URLs ("https:\/\/host\/path") are read too.
std::vector<HostSighting> ExtractHosts(std::string_view text, const PublicSuffixList& psl);

}  // namespace homeport::audit::build
