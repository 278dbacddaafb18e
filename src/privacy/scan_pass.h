// One linear pass of IdentifierScanner::Scan over a text: cuts candidates (digit runs, hex
// groups, '@', "::", numeric segments) and hands each to its detector. Private to the module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "privacy/context_key.h"
#include "privacy/identifier_scanner.h"
#include "privacy/phone_number.h"

namespace homeport::privacy {

class ScanPass {
 public:
  // `kinds`: bit i enables IdentifierKind i. `phone` must outlive the pass.
  ScanPass(uint32_t kinds, const PhoneNumberFinder& phone, std::string_view text,
           std::string_view context_key);

  // Every candidate finding, unordered and possibly overlapping (Scan resolves that).
  std::vector<Finding> Run();

 private:
  struct Key {
    KeyClass key_class = KeyClass::kNone;
    std::string_view text;
  };

  bool Enabled(IdentifierKind kind) const { return (kinds_ >> static_cast<int>(kind)) & 1u; }
  // The key for a value at `offset`: one written just before it, else the caller's.
  Key KeyAt(size_t offset) const;
  void Add(IdentifierKind kind, size_t offset, size_t length, const Key& key);

  // Handlers return where scanning continues.
  // A maximal run of ASCII letters and digits; the flags say whether all are (hex) digits.
  size_t OnWord(size_t begin, size_t end, bool all_digits, bool all_hex);
  size_t OnNumber(size_t begin, size_t end);  // ... made of digits only
  void OnHexWord(size_t begin, size_t end);   // ... of hex digits or "0x..." (not all digits)
  size_t OnPunctuation(size_t at);

  // The numeric segment: digits and phone punctuation ("+65 6123-4567", "(650) 253 0000")
  // collected for libphonenumber, which runs when the segment ends.
  void ExtendSegment(size_t begin, size_t end, bool claimed);
  void OpenSegment(size_t at);
  void CloseSegment();

  const uint32_t kinds_;
  const PhoneNumberFinder& phone_;
  const std::string_view text_;
  const Key caller_key_;
  std::vector<Finding> found_;

  bool segment_open_ = false;
  size_t segment_begin_ = 0;
  size_t segment_end_ = 0;  // just past its last digit
  int segment_digits_ = 0;
  int segment_runs_ = 0;     // digit runs in it
  int segment_claimed_ = 0;  // runs some other detector already reported
  int separators_in_row_ = 0;
};

}  // namespace homeport::privacy
