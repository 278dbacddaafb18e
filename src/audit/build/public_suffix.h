// The Public Suffix List (libpsl, reading the list of Debian's `publicsuffix` package, or the
// copy built into libpsl when that package is missing): which trailing labels of a name are a
// suffix under which anyone may register ("com", "co.uk", "cn"), so that "zzhc.vnet.cn" is a
// host name and "config.jsonx" is not.
// Only the ICANN section counts, and never libpsl's implicit "*" rule: an unknown last label
// makes a name not a host. Immutable after construction; queries are thread-safe.
#pragma once

#include <optional>
#include <string_view>

struct psl_ctx_st;

namespace homeport::audit::build {

class PublicSuffixList {
 public:
  // The list the system provides; loaded once per process and never freed.
  static const PublicSuffixList& System();

  PublicSuffixList(const PublicSuffixList&) = delete;
  PublicSuffixList& operator=(const PublicSuffixList&) = delete;
  ~PublicSuffixList();

  // The longest public suffix of `name` (lower-case, no trailing dot), as a view into `name`;
  // nullopt when no trailing labels form one. The whole of `name` may be the suffix.
  std::optional<std::string_view> SuffixOf(std::string_view name) const;
  // True when `name` has at least one label in front of its public suffix ("vnet.cn",
  // "a.b.co.uk"), i.e. it is, or lies below, a domain someone can register.
  bool IsUnderPublicSuffix(std::string_view name) const;

 private:
  explicit PublicSuffixList(psl_ctx_st* ctx, bool owned);
  psl_ctx_st* ctx_;
  bool owned_;
};

}  // namespace homeport::audit::build
