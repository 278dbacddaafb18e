// The single pass behind IdentifierScanner::Scan. Each byte is looked at a bounded number of
// times: words are cut once, detectors look only a few bytes around their trigger, and
// libphonenumber only sees short numeric segments with enough digits.
#include "privacy/scan_pass.h"

#include <array>
#include <optional>
#include <utility>

#include "privacy/ascii.h"
#include "privacy/digit_identifiers.h"
#include "privacy/email_address.h"
#include "privacy/ip_address.h"
#include "privacy/mac_address.h"

namespace homeport::privacy {
namespace {

// A numeric segment longer than this is a table of numbers, not one phone number; it is cut
// so libphonenumber's work stays bounded. "+49 (0) 30 1234 5678-90" has 23 bytes.
constexpr size_t kMaxSegment = 48;
// "650 - 253" has three punctuation characters in a row; more ends the segment.
constexpr int kMaxSeparatorsInRow = 3;
// Longest hex cell identifier taken beside a cell key (an NR NCI is 36 bits, 9 hex digits).
constexpr size_t kMaxHexCellId = 18;

// Byte classes for the hot loop, one table look-up per byte.
enum : uint8_t {
  kWordByte = 1,  // ASCII letter or digit
  kDigitByte = 2,
  kHexByte = 4,
  kTriggerByte = 8,  // punctuation that can start something: '@' '%' ':' '+' '('
};

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    if (IsAlnum(ch)) t[c] |= kWordByte;
    if (IsDigit(ch)) t[c] |= kDigitByte;
    if (IsHexDigit(ch)) t[c] |= kHexByte;
  }
  for (char ch : {'@', '%', ':', '+', '('}) t[static_cast<unsigned char>(ch)] |= kTriggerByte;
  return t;
}
constexpr std::array<uint8_t, 256> kByteClasses = MakeByteClasses();

uint8_t ClassOf(char c) { return kByteClasses[static_cast<unsigned char>(c)]; }

bool IsPhonePunctuation(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')' || c == '+';
}

bool IsHexLiteral(std::string_view w) {
  if (w.size() < 3 || w[0] != '0' || (w[1] != 'x' && w[1] != 'X')) return false;
  for (char c : w.substr(2)) {
    if (!IsHexDigit(c)) return false;
  }
  return true;
}

bool HasDigit(std::string_view w) {
  for (char c : w) {
    if (IsDigit(c)) return true;
  }
  return false;
}

// Whether a key of this class is what made a value of this kind (and so belongs in Finding).
bool KeySupports(KeyClass key, IdentifierKind kind) {
  switch (key) {
    case KeyClass::kImei:
      return kind == IdentifierKind::kImei || kind == IdentifierKind::kImeisv;
    case KeyClass::kImsi:
      return kind == IdentifierKind::kImsi;
    case KeyClass::kMac:
      return kind == IdentifierKind::kMac;
    case KeyClass::kCell:
      return kind == IdentifierKind::kCellId;
    default:
      return false;
  }
}

}  // namespace

ScanPass::ScanPass(uint32_t kinds, const PhoneNumberFinder& phone, std::string_view text,
                   std::string_view context_key)
    : kinds_(kinds),
      phone_(phone),
      text_(text),
      caller_key_{ClassifyKey(context_key).key_class, context_key} {}

std::vector<Finding> ScanPass::Run() {
  const size_t n = text_.size();
  size_t i = 0;
  while (i < n) {
    const uint8_t cls = ClassOf(text_[i]);
    if (cls & kWordByte) {
      uint8_t common = cls;  // the classes every byte of the word has
      size_t j = i + 1;
      for (; j < n; ++j) {
        const uint8_t next = ClassOf(text_[j]);
        if (!(next & kWordByte)) break;
        common &= next;
      }
      i = OnWord(i, j, (common & kDigitByte) != 0, (common & kHexByte) != 0);
    } else if (!segment_open_ && !(cls & kTriggerByte)) {
      ++i;  // white space and most punctuation: nothing starts or ends here
    } else {
      i = OnPunctuation(i);
    }
  }
  CloseSegment();
  return std::move(found_);
}

ScanPass::Key ScanPass::KeyAt(size_t offset) const {
  if (std::optional<InlineKey> inline_key = FindInlineKey(text_, offset)) {
    return {inline_key->key_class, inline_key->text};
  }
  return caller_key_;
}

void ScanPass::Add(IdentifierKind kind, size_t offset, size_t length, const Key& key) {
  Finding f{kind, offset, length, {}};
  if (KeySupports(key.key_class, kind)) f.context_key = std::string(key.text);
  found_.push_back(std::move(f));
}

size_t ScanPass::OnWord(size_t begin, size_t end, bool all_digits, bool all_hex) {
  const size_t len = end - begin;
  if (!all_hex) {  // the common case: an ordinary word
    CloseSegment();
    if (text_[begin] == '0' && IsHexLiteral(text_.substr(begin, len))) OnHexWord(begin, end);
    return end;
  }
  const char next = end < text_.size() ? text_[end] : '\0';
  // Both need the separator right after the first group, which keeps them off most words.
  if (Enabled(IdentifierKind::kMac) &&
      ((len == 2 && (next == ':' || next == '-')) || (len == 4 && next == '.'))) {
    if (size_t m = MatchMacAt(text_, begin)) {
      CloseSegment();
      Add(IdentifierKind::kMac, begin, m, {});
      return begin + m;
    }
  }
  if (Enabled(IdentifierKind::kIpv6) && len <= 4 && next == ':') {
    if (size_t m = MatchIpv6At(text_, begin)) {
      CloseSegment();
      Add(IdentifierKind::kIpv6, begin, m, {});
      return begin + m;
    }
  }
  if (all_digits) return OnNumber(begin, end);
  CloseSegment();
  OnHexWord(begin, end);
  return end;
}

size_t ScanPass::OnNumber(size_t begin, size_t end) {
  const size_t n = text_.size();
  const bool dotted_before = begin >= 2 && text_[begin - 1] == '.' && IsDigit(text_[begin - 2]);
  const bool dotted_after = end + 1 < n && text_[end] == '.' && IsDigit(text_[end + 1]);
  if (dotted_after && !dotted_before && end - begin <= 3 && Enabled(IdentifierKind::kIpv4)) {
    if (size_t m = MatchIpv4At(text_, begin)) {
      CloseSegment();
      if (KeyAt(begin).key_class != KeyClass::kVersion) {
        Add(IdentifierKind::kIpv4, begin, m, {});
      }
      return begin + m;
    }
  }
  // Part of a decimal, a version or a dotted phone number: never an identifier on its own.
  if (dotted_before || dotted_after) {
    ExtendSegment(begin, end, false);
    return end;
  }
  if (std::optional<GroupedDigits> grouped = MatchGroupedImei(text_, begin)) {
    const Key key = KeyAt(begin);
    std::optional<IdentifierKind> kind = ClassifyDigits(grouped->digits, key.key_class);
    if (kind && (*kind == IdentifierKind::kImei || *kind == IdentifierKind::kImeisv) &&
        Enabled(*kind)) {
      CloseSegment();
      Add(*kind, begin, grouped->length, key);
      return begin + grouped->length;
    }
  }
  // "+490154203237518" is written as a phone number; let libphonenumber judge it.
  if (begin > 0 && text_[begin - 1] == '+') {
    ExtendSegment(begin, end, false);
    return end;
  }
  const Key key = KeyAt(begin);
  const std::string_view digits = text_.substr(begin, end - begin);
  std::optional<IdentifierKind> kind = ClassifyDigits(digits, key.key_class);
  if (!kind && key.key_class == KeyClass::kMac && IsBareMac(digits)) kind = IdentifierKind::kMac;
  const bool claimed = kind && Enabled(*kind);
  if (claimed) Add(*kind, begin, end - begin, key);
  ExtendSegment(begin, end, claimed);
  return end;
}

void ScanPass::OnHexWord(size_t begin, size_t end) {
  const std::string_view word = text_.substr(begin, end - begin);
  const bool bare_mac = IsBareMac(word);
  // Most English words of hex letters ("be", "face") have no digit: skip the key look-up.
  if (!bare_mac && !HasDigit(word)) return;
  const Key key = KeyAt(begin);
  if (key.key_class == KeyClass::kMac && bare_mac && Enabled(IdentifierKind::kMac)) {
    Add(IdentifierKind::kMac, begin, word.size(), key);
  } else if (key.key_class == KeyClass::kCell && word.size() <= kMaxHexCellId &&
             Enabled(IdentifierKind::kCellId)) {
    Add(IdentifierKind::kCellId, begin, word.size(), key);  // "lac": "10A5", "ci": "0x2B1F"
  }
}

size_t ScanPass::OnPunctuation(size_t at) {
  const size_t n = text_.size();
  const char c = text_[at];
  const bool url_encoded_at =
      c == '%' && at + 2 < n && text_[at + 1] == '4' && text_[at + 2] == '0';
  if (c == '@' || url_encoded_at) {
    CloseSegment();
    const size_t at_length = c == '@' ? 1 : 3;
    if (Enabled(IdentifierKind::kEmail)) {
      if (std::optional<TextSpan> email = MatchEmailAround(text_, at, at_length)) {
        Add(IdentifierKind::kEmail, email->offset, email->length, {});
        return email->offset + email->length;
      }
    }
    return at + at_length;
  }
  if (c == ':' && at + 1 < n && text_[at + 1] == ':' && Enabled(IdentifierKind::kIpv6)) {
    if (size_t m = MatchIpv6At(text_, at)) {  // "::ffff:192.0.2.1"
      CloseSegment();
      Add(IdentifierKind::kIpv6, at, m, {});
      return at + m;
    }
  }
  if (!IsPhonePunctuation(c)) {
    CloseSegment();
    return at + 1;
  }
  if (segment_open_) {
    if (++separators_in_row_ > kMaxSeparatorsInRow) CloseSegment();
  } else if ((c == '+' || c == '(') && at + 1 < n &&
             (IsDigit(text_[at + 1]) || text_[at + 1] == '+')) {
    OpenSegment(at);  // the "+" or "(" belongs to the number
  }
  return at + 1;
}

void ScanPass::OpenSegment(size_t at) {
  segment_open_ = true;
  segment_begin_ = at;
  segment_end_ = at;
  segment_digits_ = 0;
  segment_runs_ = 0;
  segment_claimed_ = 0;
  separators_in_row_ = 0;
}

void ScanPass::ExtendSegment(size_t begin, size_t end, bool claimed) {
  if (segment_open_ && end - segment_begin_ > kMaxSegment) CloseSegment();
  if (!segment_open_) OpenSegment(begin);
  segment_end_ = end;
  segment_digits_ += static_cast<int>(end - begin);
  segment_runs_ += 1;
  segment_claimed_ += claimed ? 1 : 0;
  separators_in_row_ = 0;
}

void ScanPass::CloseSegment() {
  if (!segment_open_) return;
  segment_open_ = false;
  if (!Enabled(IdentifierKind::kPhone) || segment_digits_ < PhoneNumberFinder::kMinDigits) return;
  // Every digit run is already an IMEI, ICCID, cell ID...: a phone reading would lose anyway.
  if (segment_claimed_ == segment_runs_) return;
  for (const TextSpan& span : phone_.FindInSegment(text_, segment_begin_, segment_end_)) {
    Add(IdentifierKind::kPhone, span.offset, span.length, {});
  }
}

}  // namespace homeport::privacy
