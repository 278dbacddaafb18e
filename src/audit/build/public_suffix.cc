// libpsl behind PublicSuffixList.
#include "audit/build/public_suffix.h"

#include <libpsl.h>

#include <string>

namespace homeport::audit::build {
namespace {

constexpr const char* kDebianList = "/usr/share/publicsuffix/public_suffix_list.dat";

}  // namespace

const PublicSuffixList& PublicSuffixList::System() {
  // The text list of Debian's publicsuffix package first: libpsl 0.21 answers some lookups
  // wrongly from its compiled DAFSA form (the built-in list and the .dafsa file both call
  // "a.m" a public suffix, though there is no "m" top-level domain). psl_latest(NULL), the
  // newer of the built-in list and the .dafsa file, only when the text list is missing.
  static const PublicSuffixList* const kSystem = [] {
    if (psl_ctx_t* text = psl_load_file(kDebianList)) return new PublicSuffixList(text, true);
    psl_ctx_t* latest = psl_latest(nullptr);
    if (latest != nullptr) return new PublicSuffixList(latest, /*owned=*/true);
    return new PublicSuffixList(const_cast<psl_ctx_t*>(psl_builtin()), /*owned=*/false);
  }();
  return *kSystem;
}

PublicSuffixList::PublicSuffixList(psl_ctx_st* ctx, bool owned) : ctx_(ctx), owned_(owned) {}

PublicSuffixList::~PublicSuffixList() {
  if (owned_) psl_free(ctx_);
}

std::optional<std::string_view> PublicSuffixList::SuffixOf(std::string_view name) const {
  if (name.empty() || ctx_ == nullptr) return std::nullopt;
  // Candidates from the longest ("a.b.co.uk") to the shortest ("uk"): the first one the list
  // names is the public suffix. Wildcard and exception rules are libpsl's business.
  size_t start = 0;
  for (;;) {
    std::string candidate(name.substr(start));
    if (psl_is_public_suffix2(ctx_, candidate.c_str(), PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) !=
        0) {
      return name.substr(start);
    }
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) return std::nullopt;
    start = dot + 1;
  }
}

bool PublicSuffixList::IsUnderPublicSuffix(std::string_view name) const {
  auto suffix = SuffixOf(name);
  return suffix && suffix->size() < name.size();
}

}  // namespace homeport::audit::build
