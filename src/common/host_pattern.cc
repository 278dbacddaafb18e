// Host patterns: RFC 1123 names (with "_", which real DNS names carry), an optional leading
// "*." and IP literals through inet_pton, so a pattern means what a resolver would read.
#include "common/host_pattern.h"

#include <arpa/inet.h>

#include "common/text.h"

namespace homeport {
namespace {

constexpr size_t kMaxHostName = 253;  // RFC 1035, without the trailing dot
constexpr size_t kMaxLabel = 63;

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// The inet_ntop form of an IPv6 literal, or "" when `host` is not one.
std::string CanonicalIpv6(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || host.size() >= INET6_ADDRSTRLEN || host.find(':') == std::string_view::npos) {
    return "";
  }
  const std::string text(host);
  unsigned char raw[16];
  if (inet_pton(AF_INET6, text.c_str(), raw) != 1) return "";
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, raw, buf, sizeof buf) == nullptr) return "";
  return buf;
}

bool IsLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

std::string NormalizeHostName(std::string_view host) {
  std::string out = AsciiLower(host);
  while (!out.empty() && out.back() == '.') out.pop_back();
  if (std::string v6 = CanonicalIpv6(out); !v6.empty()) return v6;
  return out;
}

Status CheckHostPattern(std::string_view given) {
  const std::string pattern = NormalizeHostName(given);
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("host " + Quoted(given) + ": " + why);
  };
  if (pattern.empty()) return bad("empty");
  if (pattern == "*") {
    if (given != "*") return bad("a wildcard \"*.\" needs a domain after it");
    return Status::Ok();
  }
  if (pattern.find(':') != std::string::npos) {
    if (pattern.find('/') != std::string::npos) {
      return bad("a host name, not a URL: write act.example.com, not https://act.example.com/");
    }
    if (CanonicalIpv6(pattern).empty()) {
      return bad("not a host name or an IP address (a host is written without a port)");
    }
    return Status::Ok();
  }
  if (pattern.find('/') != std::string::npos) {
    return bad("a host name, not a path or a network: write act.example.com or 203.0.113.7");
  }
  std::string_view name = pattern;
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.find('*') != std::string_view::npos) {
    return bad(
        "a wildcard may only be a leading \"*.\" (or, in a policy, \"*\" alone for every "
        "host)");
  }
  if (name.size() > kMaxHostName) return bad("longer than 253 characters");
  size_t start = 0;
  for (;;) {
    const size_t dot = name.find('.', start);
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty()) return bad("an empty label (two dots in a row, or a leading dot)");
    if (label.size() > kMaxLabel) return bad("a label longer than 63 characters");
    for (char c : label) {
      if (!IsLabelChar(c)) {
        return bad(std::string("the character '") + c +
                   "' is not in a host name (letters, digits, '-', '_' and dots)");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return bad("a label starts or ends with '-'");
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return Status::Ok();
}

bool HostPatternMatches(std::string_view pattern, std::string_view host) {
  if (host.empty()) return false;
  if (pattern == "*") return true;
  if (pattern.starts_with("*.")) {
    const std::string_view suffix = pattern.substr(1);  // ".sg.example.com"
    return host.size() > suffix.size() && host.ends_with(suffix);
  }
  return host == pattern;
}

}  // namespace homeport
