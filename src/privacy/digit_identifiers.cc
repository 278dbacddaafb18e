// Digit-run classification (rules in the header).
#include "privacy/digit_identifiers.h"

#include <initializer_list>

#include "privacy/ascii.h"
#include "privacy/luhn.h"
#include "privacy/numbering_plans.h"

namespace homeport::privacy {
namespace {

bool IsIccid(std::string_view d) {
  return (d.size() == 19 || d.size() == 20) && d.starts_with("89") && PassesLuhn(d);
}

bool IsImsi(std::string_view d) {
  return d.size() >= 10 && d.size() <= 15 && StartsWithAssignedMcc(d);
}

bool IsImei(std::string_view d, bool has_key) {
  return d.size() == 15 && PassesLuhn(d) && (has_key || StartsWithImeiReportingBody(d));
}

bool IsImeisv(std::string_view d, bool has_key) {
  return d.size() == 16 && (has_key || StartsWithImeiReportingBody(d));
}

}  // namespace

std::optional<IdentifierKind> ClassifyDigits(std::string_view digits, KeyClass key) {
  if (IsIccid(digits)) return IdentifierKind::kIccid;
  if (key == KeyClass::kImsi && IsImsi(digits)) return IdentifierKind::kImsi;
  const bool imei_key = key == KeyClass::kImei;
  if (IsImei(digits, imei_key)) return IdentifierKind::kImei;
  if (IsImeisv(digits, imei_key)) return IdentifierKind::kImeisv;
  if (key == KeyClass::kCell && !digits.empty() && digits.size() <= 20) {
    return IdentifierKind::kCellId;
  }
  return std::nullopt;
}

namespace {

// Reads digit groups of the given widths separated by one `sep`; the last group may be one
// digit (IMEI check digit) or two (IMEISV software version).
std::optional<GroupedDigits> MatchGroups(std::string_view text, size_t offset, char sep,
                                         std::initializer_list<size_t> widths) {
  GroupedDigits out;
  size_t i = offset;
  size_t group = 0;
  for (size_t width : widths) {
    if (group++ > 0) {
      if (i >= text.size() || text[i] != sep) return std::nullopt;
      ++i;
    }
    const size_t start = i;
    while (i < text.size() && IsDigit(text[i]) && i - start < width) ++i;
    if (i - start != width) return std::nullopt;
    out.digits.append(text.substr(start, width));
  }
  if (i < text.size() && IsDigit(text[i])) out.digits.push_back(text[i++]);  // IMEISV
  if (i < text.size() &&
      (IsAlnum(text[i]) || (text[i] == sep && i + 1 < text.size() && IsDigit(text[i + 1])))) {
    return std::nullopt;
  }
  out.length = i - offset;
  return out;
}

}  // namespace

std::optional<GroupedDigits> MatchGroupedImei(std::string_view text, size_t offset) {
  size_t run = 0;
  while (offset + run < text.size() && IsDigit(text[offset + run])) ++run;
  const size_t sep_at = offset + run;
  if (sep_at + 1 >= text.size() || !IsDigit(text[sep_at + 1])) return std::nullopt;
  const char sep = text[sep_at];
  if (sep != ' ' && sep != '-') return std::nullopt;
  if (run == 2) return MatchGroups(text, offset, sep, {2, 6, 6, 1});
  if (run == 8) return MatchGroups(text, offset, sep, {8, 6, 1});
  return std::nullopt;
}

}  // namespace homeport::privacy
