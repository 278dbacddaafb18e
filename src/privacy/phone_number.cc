// libphonenumber on numeric segments.
#include "privacy/phone_number.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumbermatch.h>
#include <phonenumbers/phonenumbermatcher.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "privacy/ascii.h"

namespace homeport::privacy {
namespace {

using i18n::phonenumbers::PhoneNumberMatch;
using i18n::phonenumbers::PhoneNumberMatcher;
using i18n::phonenumbers::PhoneNumberUtil;

// libphonenumber's own bound on candidates per text; a segment holds one or two numbers.
constexpr int kMaxTries = 16;

// Widths of the digit groups of "2026-11-29", separated by one of - . / used throughout;
// empty when `s` has any other shape.
std::vector<size_t> DigitGroupWidths(std::string_view s) {
  std::vector<size_t> widths;
  size_t width = 0;
  char sep = 0;
  for (char c : s) {
    if (IsDigit(c)) {
      ++width;
      continue;
    }
    if ((c != '-' && c != '.' && c != '/') || width == 0 || (sep != 0 && c != sep)) return {};
    sep = c;
    widths.push_back(width);
    width = 0;
  }
  if (width == 0) return {};
  widths.push_back(width);
  return widths;
}

// YYYY-MM-DD, DD.MM.YYYY, MM/DD/YY and the like. libphonenumber already refuses some
// slash-separated dates; eight digits in a row are a valid number in many regions, so
// every separated date shape is refused here.
bool IsDateLike(std::string_view s) {
  const std::vector<size_t> w = DigitGroupWidths(s);
  if (w.size() != 3) return false;
  if (w[0] == 4) return w[1] <= 2 && w[2] <= 2;
  return w[0] <= 2 && w[1] <= 2 && (w[2] == 2 || w[2] == 4);
}

bool IsAscii(char c) { return static_cast<unsigned char>(c) < 0x80; }

// The shortest national significant number libphonenumber calls possible in `region`, found
// by asking about 1, 10, 100, ... with the region's calling code; 0 for "ZZ".
int ShortestNationalNumber(const std::string& region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  const int country_code = util.GetCountryCodeForRegion(region);
  if (country_code == 0) return 0;
  uint64_t national = 1;
  for (int digits = 1; digits <= 17; ++digits, national *= 10) {
    i18n::phonenumbers::PhoneNumber number;
    number.set_country_code(country_code);
    number.set_national_number(national);
    if (util.IsPossibleNumberWithReason(number) == PhoneNumberUtil::IS_POSSIBLE) return digits;
  }
  return 0;
}

int MinNationalDigits(const std::string& region) {
  const int shortest = ShortestNationalNumber(region);
  return shortest == 0 ? 0 : std::max(PhoneNumberFinder::kMinDigits, shortest);
}

// A byte next to a number that leaves it a number on its own: not a letter, digit, '%' or '$'
// (libphonenumber refuses numbers glued to those), and ASCII.
bool IsQuietNeighbour(char c) {
  return IsAscii(c) && !IsAlnum(c) && c != '%' && c != '$';
}

// The common case, without the matcher: the whole segment is one number in international
// notation ("+65 6123 4567", "+1 650-253-0000"), set apart by quiet neighbours. Its digits are
// split into the calling code (calling codes are prefix-free, so the first of 1-3 digits that
// is one) and the national number, and the number is checked with IsValidNumber alone. A
// segment of any other shape, or a number this reading does not find valid, goes to the
// matcher, so the answer is the matcher's: only its cost is saved (its regular expressions
// scanning, parsing and re-checking the text take most of the time). Empty when not taken.
std::optional<TextSpan> WholeInternationalNumber(std::string_view text, size_t begin,
                                                 size_t end) {
  if (begin > 0 && !IsQuietNeighbour(text[begin - 1])) return std::nullopt;
  if (end < text.size() && !IsQuietNeighbour(text[end])) return std::nullopt;
  size_t first = begin;
  while (first < end && text[first] == ' ') ++first;
  if (first == end || text[first] != '+') return std::nullopt;
  std::string digits;
  size_t last = first;
  for (size_t i = first + 1; i < end; ++i) {
    const char c = text[i];
    if (IsDigit(c)) {
      digits.push_back(c);
      last = i;
    } else if (c != ' ' && c != '-' && c != '.') {
      return std::nullopt;  // brackets, slashes, a second "+": the matcher's rules apply
    }
  }
  if (digits.size() < PhoneNumberFinder::kMinDigits || digits.size() > 17) return std::nullopt;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  for (size_t cc_digits = 1; cc_digits <= 3; ++cc_digits) {
    const int calling_code = std::stoi(digits.substr(0, cc_digits));
    std::string region;
    util.GetRegionCodeForCountryCode(calling_code, &region);
    if (region == "ZZ") continue;
    const std::string national = digits.substr(cc_digits);
    if (national.empty() || national[0] == '0') return std::nullopt;  // leading zeros, trunk "0"
    i18n::phonenumbers::PhoneNumber number;
    number.set_country_code(calling_code);
    number.set_national_number(std::stoull(national));
    if (!util.IsValidNumber(number)) return std::nullopt;
    return TextSpan{first, last + 1 - first};
  }
  return std::nullopt;
}

}  // namespace

PhoneNumberFinder::PhoneNumberFinder(std::string default_region)
    : region_(std::move(default_region)), min_national_digits_(MinNationalDigits(region_)) {}

bool PhoneNumberFinder::IsSupportedRegion(const std::string& region) {
  return PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(region) != 0;
}

std::vector<TextSpan> PhoneNumberFinder::FindInSegment(std::string_view text, size_t begin,
                                                       size_t end) const {
  const std::string_view candidate = text.substr(begin, end - begin);
  int digits = 0;
  for (char c : candidate) digits += IsDigit(c) ? 1 : 0;
  const bool international = candidate.find('+') != std::string_view::npos;
  if (!international && min_national_digits_ == 0) return {};
  if (digits < (international ? kMinDigits : min_national_digits_)) return {};
  if (IsDateLike(candidate)) return {};
  if (international) {
    if (auto span = WholeInternationalNumber(text, begin, end)) return {*span};
  }
  const size_t from = begin > 0 && IsAscii(text[begin - 1]) ? begin - 1 : begin;
  const size_t to = end < text.size() && IsAscii(text[end]) ? end + 1 : end;
  const std::string segment(text.substr(from, to - from));
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumberMatcher matcher(util, segment, region_, PhoneNumberMatcher::VALID, kMaxTries);
  std::vector<TextSpan> found;
  PhoneNumberMatch match;
  while (matcher.HasNext() && matcher.Next(&match)) {
    if (IsDateLike(match.raw_string())) continue;
    found.push_back(
        {from + static_cast<size_t>(match.start()), static_cast<size_t>(match.length())});
  }
  return found;
}

}  // namespace homeport::privacy
