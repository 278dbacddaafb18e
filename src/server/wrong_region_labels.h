// WrongRegionLabels: turns what a refused activation claims — a region and a variant, both
// chosen by whoever sent it — into the label pair under which /metrics counts it and the
// store keeps its aggregate. Whatever is sent, the pairs stay few, and a real region code
// (the 2019 case: `cn`) always keeps a series of its own: no amount of earlier junk can fold
// it into `_other` or push it out.
//
// The rule:
//  - A claimed region that is not a plausible region code — an ISO 3166-1 alpha-2 code, `eu`,
//    `uk`, or one of the configured known regions — is counted as (`_other`, `_other`).
//  - A variant that is not a short name (1-32 of a-z A-Z 0-9 . _ -) becomes `_other` under
//    its region.
//  - A (region, variant) pair seen before keeps its own label. A new pair gets one while the
//    table has room (max_named_pairs in all, max_variants_per_region per region); past that
//    it is counted as (region, `_other`). The (region, `_other`) pairs do not take room, so
//    their number is bounded by the plausible regions alone.
// So the label pairs number at most max_named_pairs + plausible regions + 1.
// Not thread-safe: ServerMetrics calls it under its lock.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace homeport {

inline constexpr std::string_view kOtherLabel = "_other";

struct WrongRegionLabelOptions {
  // Region codes that are not ISO 3166-1 alpha-2 but are real to this maker (e.g. "apac",
  // "us-east"): counted by name. Default: none.
  std::vector<std::string> known_regions;
  size_t max_named_pairs = 256;        // (region, variant) pairs with labels of their own
  size_t max_variants_per_region = 8;  // of those, per claimed region
};

class WrongRegionLabels {
 public:
  explicit WrongRegionLabels(WrongRegionLabelOptions options = {});

  // The (claimed_region, variant) labels to count this claim under.
  std::pair<std::string, std::string> Label(std::string_view claimed_region,
                                            std::string_view variant);

  // An officially assigned ISO 3166-1 alpha-2 code, lower case ("cn", "sg").
  static bool IsCountryCode(std::string_view code);
  bool IsPlausibleRegion(std::string_view code) const;
  static bool IsPlausibleVariant(std::string_view variant);

 private:
  const WrongRegionLabelOptions options_;
  std::set<std::string, std::less<>> known_regions_;
  std::set<std::pair<std::string, std::string>> named_;
  std::map<std::string, size_t, std::less<>> variants_per_region_;
};

}  // namespace homeport
