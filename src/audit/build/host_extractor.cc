// URL, e-mail and name scanning over one string. URLs and addresses are found first; their
// bytes are then masked so that the name pass does not report their parts a second time.
#include "audit/build/host_extractor.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <iterator>

#include "audit/build/host_name.h"
#include "common/host_pattern.h"
#include "common/text.h"
#include "privacy/ascii.h"
#include "privacy/email_address.h"
#include "privacy/ip_address.h"

namespace homeport::audit::build {
namespace {

using privacy::IsAlnum;
using privacy::IsAlpha;

constexpr size_t kMaxShownText = 200;

// Schemes whose authority is a network endpoint.
constexpr std::array<std::string_view, 40> kNetworkSchemes = {
    "http",  "https", "ws",    "wss",    "ftp",  "ftps",     "sftp",       "ssh",
    "git",   "mqtt",  "mqtts", "tcp",    "udp",  "tls",      "ssl",        "rtsp",
    "rtsps", "rtmp",  "rtmps", "xmpp",   "ldap", "ldaps",    "smtp",       "smtps",
    "imap",  "imaps", "pop3",  "telnet", "coap", "coaps",    "grpc",       "grpcs",
    "amqp",  "amqps", "redis", "rediss", "nats", "postgres", "postgresql", "mysql"};

bool IsSchemeChar(char c) { return IsAlnum(c) || c == '+' || c == '.' || c == '-'; }
bool IsAuthorityChar(char c) {
  return IsAlnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == '%' || c == ':' ||
         c == '@' || c == '[' || c == ']' || c == '+' || c == '$' || c == '{' || c == '}';
}
bool EndsUrl(char c, bool escaped) {
  if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return true;
  switch (c) {
    case '"':
    case '\'':
    case '<':
    case '>':
    case '`':
    case '{':
    case '}':
    case '|':
    case '^':
      return true;
    case '\\':
      return !escaped;
    default:
      return false;
  }
}
bool IsNameChar(char c) { return IsAlnum(c) || c == '.' || c == '-' || c == '_' || c == '$'; }


std::string Clip(std::string_view s) { return std::string(s.substr(0, kMaxShownText)); }

bool IsIpv4(std::string_view s) { return !s.empty() && privacy::MatchIpv4At(s, 0) == s.size(); }
bool IsIpv6(std::string_view s) {
  std::string z(s);
  unsigned char buf[16];
  return !z.empty() && z.size() < 64 && inet_pton(AF_INET6, z.c_str(), buf) == 1;
}

struct Span {
  size_t begin, end;
};

class Scan {
 public:
  Scan(std::string_view text, const PublicSuffixList& psl) : text_(text), psl_(psl) {}

  std::vector<HostSighting> Run() {
    FindUrls();
    FindEmails();
    FindNames();
    return std::move(found_);
  }

 private:
  // Spans are kept sorted by start and without overlap (see Consume), so a binary search
  // answers: a minified script line can hold hundreds of URLs.
  bool Consumed(size_t pos) const {
    auto next = std::upper_bound(spans_.begin(), spans_.end(), pos,
                                 [](size_t p, const Span& s) { return p < s.begin; });
    return next != spans_.begin() && pos < std::prev(next)->end;
  }

  void Consume(Span span) {
    auto at = std::upper_bound(spans_.begin(), spans_.end(), span.begin,
                               [](size_t p, const Span& s) { return p < s.begin; });
    if (at != spans_.begin() && std::prev(at)->end > span.begin) {
      span.begin = std::prev(at)->end;  // overlaps its predecessor: keep only the new part
    }
    if (at != spans_.end() && span.end > at->begin) span.end = at->begin;
    if (span.end > span.begin) spans_.insert(at, span);
  }

  void FindUrls() {
    for (size_t pos = text_.find(':'); pos != std::string_view::npos;
         pos = text_.find(':', pos + 1)) {
      bool escaped = false;
      size_t authority;
      if (text_.compare(pos, 3, "://") == 0) {
        authority = pos + 3;
      } else if (text_.compare(pos, 5, R"(:\/\/)") == 0) {
        authority = pos + 5;
        escaped = true;
      } else {
        continue;
      }
      size_t scheme_begin = pos;
      while (scheme_begin > 0 && IsSchemeChar(text_[scheme_begin - 1])) --scheme_begin;
      while (scheme_begin < pos && !IsAlpha(text_[scheme_begin])) ++scheme_begin;
      if (scheme_begin == pos) continue;
      size_t authority_end = authority;
      while (authority_end < text_.size() && IsAuthorityChar(text_[authority_end])) {
        ++authority_end;
      }
      size_t url_end = authority_end;
      while (url_end < text_.size() && !EndsUrl(text_[url_end], escaped)) ++url_end;
      // Sentence punctuation after a URL is not part of it.
      while (url_end > authority_end &&
             std::string_view(".,;:!?)").find(text_[url_end - 1]) != std::string_view::npos) {
        --url_end;
      }
      Consume({scheme_begin, url_end});
      const std::string scheme = AsciiLower(text_.substr(scheme_begin, pos - scheme_begin));
      AddUrlHost(scheme, text_.substr(authority, authority_end - authority),
                 text_.substr(scheme_begin, url_end - scheme_begin));
      pos = url_end > pos ? url_end - 1 : pos;
    }
  }

  void AddUrlHost(const std::string& scheme, std::string_view authority, std::string_view url) {
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) authority.remove_prefix(at + 1);  // user:password@
    std::string_view host;
    if (!authority.empty() && authority.front() == '[') {
      size_t close = authority.find(']');
      if (close == std::string_view::npos) return;
      host = authority.substr(1, close - 1);
      if (!IsIpv6(host)) return;
    } else {
      host = authority.substr(0, authority.find(':'));
      std::string_view port =
          authority.size() > host.size() ? authority.substr(host.size() + 1) : std::string_view();
      if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return;
      }
      if (!IsIpv4(host)) {
        if (!IsHostnameSyntax(host)) return;  // templates and garbage: "%s", "${HOST}"
        const bool network = std::find(kNetworkSchemes.begin(), kNetworkSchemes.end(), scheme) !=
                             kNetworkSchemes.end();
        if (!network && ClassifyName(host, false, psl_) != NameVerdict::kHost) return;
        if (network && host.find('.') != std::string_view::npos &&
            std::all_of(host.begin(), host.end(),
                        [](char c) { return (c >= '0' && c <= '9') || c == '.'; })) {
          return;  // "http://1.2.3/": neither an address nor a name
        }
      }
    }
    found_.push_back({NormalizeHostName(host), HostEvidence::kUrl, Clip(url), EndOf(url)});
  }

  void FindEmails() {
    for (size_t at = text_.find('@'); at != std::string_view::npos; at = text_.find('@', at + 1)) {
      if (Consumed(at)) continue;
      auto span = privacy::MatchEmailAround(text_, at, 1);
      if (!span) continue;
      Consume({span->offset, span->offset + span->length});
      std::string_view domain = text_.substr(at + 1, span->offset + span->length - at - 1);
      // Random bytes (a compressed image) hold "x@aB.to" now and then; addresses in firmware
      // have a longer local part and a domain in one case.
      if (at - span->offset < 2 || MixesCase(domain)) continue;
      if (ClassifyName(domain, /*has_evidence=*/true, psl_) == NameVerdict::kHost) {
        found_.push_back({NormalizeHostName(domain), HostEvidence::kEmail,
                          Clip(text_.substr(span->offset, span->length)),
                          span->offset + span->length});
      }
    }
  }

  void FindNames() {
    size_t i = 0;
    while (i < text_.size()) {
      if (!IsNameChar(text_[i]) || Consumed(i)) {
        ++i;
        continue;
      }
      size_t end = i;
      while (end < text_.size() && IsNameChar(text_[end]) && !Consumed(end)) ++end;
      ConsiderName(i, end);
      i = end;
    }
  }

  void ConsiderName(size_t begin, size_t end) {
    std::string_view token = text_.substr(begin, end - begin);
    if (token.find('.') == std::string_view::npos || token.size() > 253) return;
    if (token.find('_') != std::string_view::npos || token.find('$') != std::string_view::npos) {
      return;  // identifiers ("test_setup.py", "Outer$Inner.class"), not host names
    }
    const size_t written_begin = begin;
    while (!token.empty() && (token.front() == '.' || token.front() == '-')) {
      token.remove_prefix(1);
      ++begin;
    }
    const bool leading_dot = begin > written_begin && text_[written_begin] == '.';
    const char before_dot = written_begin > 0 ? text_[written_begin - 1] : ' ';
    const bool templated = leading_dot && before_dot == '}';
    const bool wildcard = leading_dot && before_dot == '*';
    while (!token.empty() && (token.back() == '.' || token.back() == '-')) token.remove_suffix(1);
    if (token.find('.') == std::string_view::npos) return;

    const char before = written_begin > 0 ? text_[written_begin - 1] : ' ';
    const size_t after_pos = begin + token.size();
    const char after = after_pos < text_.size() ? text_[after_pos] : ' ';
    if (before == '@' || after == '(' || after == '[') return;  // "@scope", "obj.call(", "a.b["
    bool scheme_relative = false;
    if (before == '/' || before == '\\') {
      // "//cdn.example.com/x" is a host; "assets/setup.py" a path component.
      scheme_relative = written_begin >= 2 && before == '/' && text_[written_begin - 2] == '/';
      if (!scheme_relative) return;
    }
    const HostKey key = HostKeyBefore(text_.substr(0, written_begin));
    if (IsIpv4(token)) {
      if (key != HostKey::kNone) {
        found_.push_back({std::string(token), HostEvidence::kName, Clip(token), EndOf(token)});
      }
      return;
    }
    const bool evidence = key == HostKey::kQuoted || scheme_relative || templated;
    // ".data.rel.ro" and ".note.gnu.property" are ELF sections; "domain=.example.com" and
    // "*.example.com" are names to judge.
    if (leading_dot && !evidence && !wildcard && key == HostKey::kNone) return;
    if (ClassifyName(token, evidence, psl_) == NameVerdict::kHost) {
      found_.push_back({NormalizeHostName(token), HostEvidence::kName, Clip(token), EndOf(token)});
    }
  }

  // `part` is a view into text_.
  size_t EndOf(std::string_view part) const {
    return static_cast<size_t>(part.data() - text_.data()) + part.size();
  }

  std::string_view text_;
  const PublicSuffixList& psl_;
  std::vector<Span> spans_;
  std::vector<HostSighting> found_;
};

}  // namespace

std::string_view NameOf(HostEvidence evidence) {
  switch (evidence) {
    case HostEvidence::kManifest:
      return "manifest";
    case HostEvidence::kUrl:
      return "url";
    case HostEvidence::kEmail:
      return "email";
    case HostEvidence::kName:
      return "name";
  }
  return "name";
}

std::vector<HostSighting> ExtractHosts(std::string_view text, const PublicSuffixList& psl) {
  // Most strings of a binary hold neither a dot nor an '@': nothing to find there.
  if (text.find('.') == std::string_view::npos && text.find('@') == std::string_view::npos &&
      text.find(":/") == std::string_view::npos && text.find(":\\/") == std::string_view::npos) {
    return {};
  }
  return Scan(text, psl).Run();
}

}  // namespace homeport::audit::build
