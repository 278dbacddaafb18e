// Luhn check digits.
#include "privacy/luhn.h"

namespace homeport::privacy {
namespace {

// Sum of the Luhn-weighted digits; the rightmost digit of `digits` is weighted 1 when
// `rightmost_doubled` is false. Returns -1 on a non-digit.
int LuhnSum(std::string_view digits, bool rightmost_doubled) {
  int sum = 0;
  bool doubled = rightmost_doubled;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (d < 0 || d > 9) return -1;
    if (doubled) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    doubled = !doubled;
  }
  return sum;
}

}  // namespace

bool PassesLuhn(std::string_view digits) {
  if (digits.size() < 2) return false;
  int sum = LuhnSum(digits, false);
  return sum >= 0 && sum % 10 == 0;
}

char LuhnCheckDigit(std::string_view payload) {
  // The check digit will sit to the right, so the payload's rightmost digit is doubled.
  int sum = LuhnSum(payload, true);
  if (sum < 0) return '?';
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

}  // namespace homeport::privacy
