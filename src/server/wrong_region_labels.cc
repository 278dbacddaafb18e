// The label rule of the wrong-region alarm; see wrong_region_labels.h.
#include "server/wrong_region_labels.h"

namespace homeport {
namespace {

// ISO 3166-1 alpha-2, officially assigned codes (iso-codes 4.15), then the two exceptionally
// reserved ones a maker is likely to name a region after.
constexpr std::string_view kCountryCodes =
    "ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi "
    "bj bl bm bn bo bq br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn "
    "co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg eh er es et fi fj fk "
    "fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm "
    "hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn "
    "kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk "
    "ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np "
    "nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw "
    "sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st sv sx sy sz tc td tf "
    "tg th tj tk tl tm tn to tr tt tv tw tz ua ug um us uy uz va vc ve vg vi "
    "vn vu wf ws ye yt za zm zw "
    "eu uk";

constexpr size_t kMaxVariantChars = 32;

}  // namespace

WrongRegionLabels::WrongRegionLabels(WrongRegionLabelOptions options)
    : options_(std::move(options)),
      known_regions_(options_.known_regions.begin(), options_.known_regions.end()) {}

bool WrongRegionLabels::IsCountryCode(std::string_view code) {
  if (code.size() != 2) return false;
  for (size_t at = 0; at + 2 <= kCountryCodes.size(); at += 3) {
    if (kCountryCodes.substr(at, 2) == code) return true;
  }
  return false;
}

bool WrongRegionLabels::IsPlausibleRegion(std::string_view code) const {
  return IsCountryCode(code) || known_regions_.count(code) > 0;
}

bool WrongRegionLabels::IsPlausibleVariant(std::string_view variant) {
  if (variant.empty() || variant.size() > kMaxVariantChars || variant == kOtherLabel) return false;
  for (char c : variant) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::pair<std::string, std::string> WrongRegionLabels::Label(std::string_view claimed_region,
                                                             std::string_view variant) {
  const std::string other(kOtherLabel);
  if (!IsPlausibleRegion(claimed_region)) return {other, other};
  std::string region(claimed_region);
  if (!IsPlausibleVariant(variant)) return {region, other};
  std::pair<std::string, std::string> pair{region, std::string(variant)};
  if (named_.count(pair)) return pair;
  size_t& variants = variants_per_region_[region];
  if (named_.size() >= options_.max_named_pairs || variants >= options_.max_variants_per_region) {
    return {region, other};
  }
  ++variants;
  named_.insert(pair);
  return pair;
}

}  // namespace homeport
