// Telephone numbers, found and validated by Google's libphonenumber.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "privacy/text_span.h"

namespace homeport::privacy {

// Runs libphonenumber's PhoneNumberMatcher (leniency VALID) on short numeric segments the
// scanner cut out of the text. Its regular expressions are far too slow to run over whole
// captures, and it gives up on a whole text that is not valid UTF-8; segments are ASCII.
// Thread-safe: libphonenumber's PhoneNumberUtil is a thread-safe singleton and each call
// builds its own matcher.
class PhoneNumberFinder {
 public:
  // Segments with fewer digits are not looked at: no valid number outside a few tiny island
  // states has fewer than seven digits with its area or country code.
  static constexpr int kMinDigits = 7;

  // `default_region` (ISO 3166 alpha-2, e.g. "SG") is where numbers written without "+" are
  // assumed to be from; "ZZ" assumes nothing, so only "+" numbers are found. It must be "ZZ"
  // or one IsSupportedRegion accepts.
  explicit PhoneNumberFinder(std::string default_region);

  static bool IsSupportedRegion(const std::string& region);

  // Phone numbers inside text[begin, end). The byte just before and just after the segment,
  // if ASCII, is passed along so libphonenumber can refuse numbers glued to letters
  // ("abc6502530000"). Dates ("2026-11-29", "29.11.2026") are never numbers.
  //
  // libphonenumber costs 15-70 microseconds per segment (ICU regular expressions), so
  // segments that cannot hold a valid number are refused first: dates; with region "ZZ", any
  // without "+"; otherwise any without "+" with fewer digits than the region's shortest
  // possible national number (8 for SG, 10 for US).
  std::vector<TextSpan> FindInSegment(std::string_view text, size_t begin, size_t end) const;

 private:
  std::string region_;
  int min_national_digits_;  // digits a segment without "+" needs; 0: never look
};

}  // namespace homeport::privacy
