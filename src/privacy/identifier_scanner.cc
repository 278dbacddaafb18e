// IdentifierScanner: options, overlap resolution and scrubbing around ScanPass.
#include "privacy/identifier_scanner.h"

#include <algorithm>
#include <utility>

#include "privacy/scan_pass.h"

namespace homeport::privacy {
namespace {

// Lower wins an overlap. An e-mail address first, because its local part may hold a phone
// number or an IMEI and scrubbing only that would leave the rest of the address. Then the
// identifiers with check digits or fixed structure, the context-only cell ID, and the phone
// number, which libphonenumber finds in many digit strings that are something else.
int Rank(IdentifierKind kind) {
  switch (kind) {
    case IdentifierKind::kEmail:
      return 0;
    case IdentifierKind::kIccid:
      return 1;
    case IdentifierKind::kImeisv:
      return 2;
    case IdentifierKind::kImei:
      return 3;
    case IdentifierKind::kImsi:
      return 4;
    case IdentifierKind::kMac:
      return 5;
    case IdentifierKind::kIpv6:
      return 6;
    case IdentifierKind::kIpv4:
      return 7;
    case IdentifierKind::kCellId:
      return 8;
    case IdentifierKind::kPhone:
      return 9;
  }
  return 10;
}

// Keeps, of each group of overlapping findings, the best-ranked one; sorted by offset.
std::vector<Finding> ResolveOverlaps(std::vector<Finding> all) {
  std::sort(all.begin(), all.end(), [](const Finding& a, const Finding& b) {
    if (a.offset != b.offset) return a.offset < b.offset;
    return Rank(a.kind) < Rank(b.kind);
  });
  std::vector<Finding> kept;
  kept.reserve(all.size());
  for (Finding& f : all) {
    // `kept` is sorted and disjoint, so what overlaps `f` is a suffix of it.
    size_t first = kept.size();
    while (first > 0 && kept[first - 1].offset + kept[first - 1].length > f.offset) --first;
    const bool wins = std::all_of(kept.begin() + static_cast<std::ptrdiff_t>(first), kept.end(),
                                  [&](const Finding& k) { return Rank(f.kind) < Rank(k.kind); });
    if (!wins) continue;
    kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(first), kept.end());
    kept.push_back(std::move(f));
  }
  return kept;
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

}  // namespace

IdentifierScanner::IdentifierScanner(uint32_t kinds, PhoneNumberFinder phone)
    : kinds_(kinds), phone_(std::move(phone)) {}

Result<IdentifierScanner> IdentifierScanner::Create(IdentifierScannerOptions options) {
  const std::string region = Upper(options.default_phone_region);
  if (region != "ZZ" && !PhoneNumberFinder::IsSupportedRegion(region)) {
    return Status::InvalidArgument("unknown phone region '" + options.default_phone_region +
                                   "': use an ISO 3166 country code such as SG or DE, or ZZ "
                                   "to find numbers in international (+) notation only");
  }
  uint32_t kinds = 0;
  for (IdentifierKind k : options.kinds) kinds |= 1u << static_cast<int>(k);
  return IdentifierScanner(kinds, PhoneNumberFinder(region));
}

std::vector<Finding> IdentifierScanner::Scan(std::string_view text,
                                             std::string_view context_key) const {
  return ResolveOverlaps(ScanPass(kinds_, phone_, text, context_key).Run());
}

ScrubResult IdentifierScanner::Scrub(std::string_view text, std::string_view context_key) const {
  ScrubResult result;
  result.text.reserve(text.size());
  size_t pos = 0;
  for (const Finding& f : Scan(text, context_key)) {
    result.text.append(text.substr(pos, f.offset - pos));
    result.text += '[';
    result.text += TagOf(f.kind);
    result.text += ']';
    pos = f.offset + f.length;
    ++result.replaced[f.kind];
  }
  result.text.append(text.substr(pos));
  return result;
}

}  // namespace homeport::privacy
