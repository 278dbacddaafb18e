// E-mail address matching outward from the '@'.
#include "privacy/email_address.h"

#include "privacy/ascii.h"

namespace homeport::privacy {
namespace {

constexpr size_t kMaxLocal = 64;  // RFC 5321 limits
constexpr size_t kMaxDomain = 253;
constexpr size_t kMaxLabel = 63;

bool IsLocalChar(char c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool IsDomainChar(char c) { return IsAlnum(c) || c == '.' || c == '-'; }

bool ValidLocal(std::string_view s) {
  return !s.empty() && s.front() != '.' && s.back() != '.' &&
         s.find("..") == std::string_view::npos;
}

bool ValidTopLabel(std::string_view label) {
  if (label.starts_with("xn--")) return label.size() > 4;
  if (label.size() < 2) return false;
  for (char c : label) {
    if (!IsAlpha(c)) return false;
  }
  return true;
}

bool ValidDomain(std::string_view d) {
  size_t labels = 0;
  std::string_view label;
  while (!d.empty()) {
    size_t dot = d.find('.');
    label = d.substr(0, dot);
    if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-') {
      return false;
    }
    ++labels;
    d = dot == std::string_view::npos ? std::string_view() : d.substr(dot + 1);
    if (dot != std::string_view::npos && d.empty()) return false;  // trailing dot
  }
  return labels >= 2 && ValidTopLabel(label);
}

}  // namespace

std::optional<TextSpan> MatchEmailAround(std::string_view text, size_t at, size_t at_length) {
  size_t begin = at;
  while (begin > 0 && at - begin < kMaxLocal && IsLocalChar(text[begin - 1])) --begin;
  if (begin > 0 && IsLocalChar(text[begin - 1])) return std::nullopt;  // local part too long
  if (begin > 0 && text[begin - 1] == '@') return std::nullopt;  // "a@b@c.com": not an address
  if (!ValidLocal(text.substr(begin, at - begin))) return std::nullopt;

  const size_t domain_begin = at + at_length;
  size_t end = domain_begin;
  while (end < text.size() && end - domain_begin < kMaxDomain && IsDomainChar(text[end])) ++end;
  if (end < text.size() && IsDomainChar(text[end])) return std::nullopt;  // domain too long
  while (end > domain_begin && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
  if (end < text.size() && text[end] == '@') return std::nullopt;  // "a@b@c": not an address
  if (!ValidDomain(text.substr(domain_begin, end - domain_begin))) return std::nullopt;
  return TextSpan{begin, end - begin};
}

}  // namespace homeport::privacy
