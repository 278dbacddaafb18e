// The host-name rule; see host_name.h for the rule itself and why each part is there.
#include "audit/build/host_name.h"

#include <algorithm>
#include <array>
#include <vector>

#include "common/text.h"
#include "privacy/ascii.h"

namespace homeport::audit::build {
namespace {

using privacy::IsAlnum;
using privacy::IsDigit;

constexpr size_t kMaxName = 253;
constexpr size_t kMaxLabel = 63;

// Rule 5: first labels of Java/Kotlin/Android package names. A host name starting with
// one of these is practically unheard of; a package name starting with them is the norm.
constexpr std::array<std::string_view, 16> kPackageHeads = {
    "com",  "org",   "net", "edu", "gov",    "mil",     "int",    "io",
    "java", "javax", "jdk", "sun", "kotlin", "kotlinx", "dalvik", "androidx"};

// Rule 6: top-level domains that are also common file extensions.
constexpr std::array<std::string_view, 35> kFileExtensionSuffixes = {
    "ac",         "ai", "am",  "app", "br", "bz", "cab", "cc", "gd",    "gs", "in", "java",
    "la",         "md", "mk",  "ml",  "mm", "mo", "mov", "ms", "ninja", "pl", "pm", "pro",
    "properties", "ps", "pub", "py",  "rs", "sb", "sc",  "sh", "so",    "sv", "zip"};

// Rule 6: top-level domains that are also common property and method names in code, so that
// `event.target`, `user.name` or `location.host` are not hosts.
constexpr std::array<std::string_view, 62> kCodeWordSuffixes = {
    "audio",    "box",      "build",  "call",   "channel", "click",   "contact", "data",   "date",
    "day",      "download", "email",  "events", "game",    "global",  "group",   "help",   "host",
    "id",       "info",     "link",   "live",   "map",     "media",   "menu",    "mobile", "music",
    "name",     "network",  "new",    "next",   "now",     "one",     "online",  "open",   "page",
    "phone",    "photo",    "photos", "play",   "post",    "report",  "run",     "save",   "search",
    "security", "services", "show",   "site",   "space",   "storage", "store",   "stream", "style",
    "support",  "tab",      "target", "team",   "tel",     "top",     "total",   "video"};

// Rule 6: labels that mark a file name ("app.js.map", "bundle.min.sh", "objcxx.hxx.mm").
constexpr std::array<std::string_view, 34> kFileNameWords = {
    "js",  "mjs", "cjs", "ts",  "css", "scss", "min", "map",    "json",  "xml", "html",  "htm",
    "txt", "tar", "gz",  "tgz", "bz2", "xz",   "zst", "bundle", "chunk", "d",   "class", "jar",
    "c",   "h",   "cc",  "cpp", "cxx", "hh",   "hpp", "hxx",    "m",     "o"};

// Rule 7: generic top-level domains older than the 2013 expansion, which host names use.
constexpr std::array<std::string_view, 9> kEstablishedGenericTlds = {
    "com", "net", "org", "edu", "gov", "biz", "info", "mobi", "asia"};
// Rule 7: newer ones common enough in device endpoints to need no evidence with 3+ labels.
constexpr std::array<std::string_view, 5> kPopularNewerTlds = {"app", "dev", "cloud", "xyz",
                                                               "tech"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& words, std::string_view w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

std::vector<std::string_view> Labels(std::string_view name) {
  std::vector<std::string_view> labels;
  size_t start = 0;
  for (;;) {
    size_t dot = name.find('.', start);
    labels.push_back(name.substr(start, dot - start));
    if (dot == std::string_view::npos) return labels;
    start = dot + 1;
  }
}

bool ValidLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabel) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char c) { return IsAlnum(c) || c == '-'; });
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return IsDigit(c); });
}

// Keys whose value is a host or a URL; matched as the end of the key ("api_server",
// "activationHost", "BASE_URL").
constexpr std::array<std::string_view, 16> kHostKeys = {
    "host", "hostname", "server", "servers", "url",    "uri",    "endpoint", "domain",
    "addr", "address",  "proxy",  "origin",  "broker", "remote", "upstream", "api"};

}  // namespace

bool MixesCase(std::string_view name) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  return std::any_of(name.begin(), name.end(), upper) &&
         std::any_of(name.begin(), name.end(), lower);
}

bool IsHostnameSyntax(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > kMaxName) return false;
  for (std::string_view label : Labels(name)) {
    if (!ValidLabel(label)) return false;
  }
  return true;
}

NameVerdict ClassifyName(std::string_view name, bool has_evidence, const PublicSuffixList& psl) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > kMaxName) return NameVerdict::kNotHostSyntax;
  const std::vector<std::string_view> labels = Labels(name);
  if (labels.size() < 2) return NameVerdict::kNotHostSyntax;
  for (std::string_view label : labels) {
    if (!ValidLabel(label)) return NameVerdict::kNotHostSyntax;
  }
  if (AllDigits(labels.back())) return NameVerdict::kNotHostSyntax;

  const std::string lower = AsciiLower(name);
  auto suffix = psl.SuffixOf(lower);
  if (!suffix || suffix->size() == lower.size()) return NameVerdict::kNoPublicSuffix;
  const size_t suffix_labels =
      static_cast<size_t>(std::count(suffix->begin(), suffix->end(), '.')) + 1;
  const size_t front_labels = labels.size() - suffix_labels;
  if (front_labels >= 2 &&
      std::all_of(labels.begin(), labels.begin() + static_cast<std::ptrdiff_t>(front_labels),
                  [](std::string_view l) { return AllDigits(l); })) {
    return NameVerdict::kVersionLike;
  }

  const std::string first = AsciiLower(labels.front());
  if (has_evidence || first == "www") return NameVerdict::kHost;

  if (MixesCase(name)) return NameVerdict::kCodeCase;

  bool file_extension = Contains(kFileExtensionSuffixes, *suffix);
  if (!file_extension && suffix_labels >= 2 &&
      Contains(kFileExtensionSuffixes, AsciiLower(labels.back()))) {
    // A wildcard suffix ("*.mm") makes any label in front of the top-level domain part of the
    // suffix: "objcxx.hxx.mm" is a list of file extensions all the same.
    file_extension = Contains(kFileNameWords, AsciiLower(labels[labels.size() - 2]));
  }
  const bool code_word = Contains(kCodeWordSuffixes, *suffix);
  if (Contains(kPackageHeads, first)) return NameVerdict::kReversedDomain;
  if (code_word) return NameVerdict::kAmbiguousSuffix;
  if (file_extension) {
    if (labels.size() < 3) return NameVerdict::kAmbiguousSuffix;
    for (std::string_view label : labels) {
      if (Contains(kFileNameWords, AsciiLower(label))) return NameVerdict::kAmbiguousSuffix;
    }
  }
  if (first == "android" && (labels.size() < 3 || file_extension)) {
    return NameVerdict::kReversedDomain;
  }
  const std::string tld = AsciiLower(labels.back());
  const bool generic = Contains(kEstablishedGenericTlds, tld);
  const bool country = tld.size() == 2 || tld.starts_with("xn--");
  if (!generic && !country && !Contains(kPopularNewerTlds, tld)) {
    return NameVerdict::kUncommonTopLevel;
  }
  if (labels.size() == 2 && !generic) return NameVerdict::kTwoLabels;
  // Random bytes spell "i.z.ir" now and then; a host name has a registrable label of two or
  // more characters and, under a country code, some label of three or more.
  if (labels[labels.size() - suffix_labels - 1].size() < 2) return NameVerdict::kShortLabels;
  if (!generic &&
      std::none_of(labels.begin(), labels.end() - static_cast<std::ptrdiff_t>(suffix_labels),
                   [](std::string_view l) { return l.size() >= 3; })) {
    return NameVerdict::kShortLabels;
  }
  return NameVerdict::kHost;
}

HostKey HostKeyBefore(std::string_view before) {
  auto ends_with = [&](std::string_view s) { return before.ends_with(s); };
  auto drop = [&](size_t n) { before.remove_suffix(n); };
  auto drop_spaces = [&] {
    size_t n = before.size();
    while (!before.empty() && (before.back() == ' ' || before.back() == '\t')) drop(1);
    return before.size() < n;
  };
  auto drop_quote = [&] {
    if (!ends_with("\"") && !ends_with("'")) return false;
    drop(1);
    return true;
  };
  bool quoted = false;
  bool only_spaced = false;
  if (ends_with(">") && !ends_with("=>")) {
    drop(1);  // <hostname>example.app
    quoted = true;
  } else {
    quoted = drop_quote();
    const bool spaced = drop_spaces();
    if (ends_with("=>") || ends_with(":=")) {
      drop(2);
    } else if (ends_with(":") || ends_with("=")) {
      drop(1);
    } else if (!spaced) {
      return HostKey::kNone;  // "xfoo.app": no separator between a word and the name
    } else {
      only_spaced = true;
    }
    drop_spaces();
    drop_quote();
  }
  size_t key_begin = before.size();
  while (key_begin > 0 && (IsAlnum(before[key_begin - 1]) || before[key_begin - 1] == '_' ||
                           before[key_begin - 1] == '-')) {
    --key_begin;
  }
  // "server pool.ntp.org" is a directive; "window.location.host user.name" is not: a key
  // followed by a mere space must be a word of its own.
  if (only_spaced && key_begin > 0 && before[key_begin - 1] != ' ' &&
      before[key_begin - 1] != '\t') {
    return HostKey::kNone;
  }
  const std::string key = AsciiLower(before.substr(key_begin));
  for (std::string_view k : kHostKeys) {
    if (key.ends_with(k)) return quoted ? HostKey::kQuoted : HostKey::kUnquoted;
  }
  return HostKey::kNone;
}

}  // namespace homeport::audit::build
