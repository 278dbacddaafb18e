// Host patterns, as an audit policy's "allow_hosts" and a region manifest's data-flow
// declaration both write them. One reading and one matcher for both, so that a manifest and a
// policy that say the same thing allow the same hosts:
//   "api.sg.example.com"  that name only;
//   "*.sg.example.com"    every name below sg.example.com (not sg.example.com itself);
//   "203.0.113.7", "2001:db8::1"  that address only (IPv6 compared in inet_ntop's form);
//   "*"                   every host (policies only: a manifest must name its hosts).
// Case-insensitive; a trailing dot is ignored. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "homeport/status.h"

namespace homeport {

// Lower case, trailing dots dropped, an IPv6 literal (bracketed or not) in inet_ntop's form.
std::string NormalizeHostName(std::string_view host);

// Ok when `pattern` (normalised or not) is one of the forms above; otherwise InvalidArgument
// saying what is wrong with it (a URL, a port, a misplaced wildcard, a bad label).
Status CheckHostPattern(std::string_view pattern);

// Whether `pattern` allows `host`; both already normalised (NormalizeHostName).
bool HostPatternMatches(std::string_view normalized_pattern, std::string_view normalized_host);

}  // namespace homeport
