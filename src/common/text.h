// Small text helpers every module needs the same way: ASCII case folding and comparison,
// HTTP blank trimming, UTF-8 decoding, UUID syntax, RFC 6901 pointer tokens, HTTP media types.
// Header-only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace homeport {

// ASCII letters lower-cased, every other byte unchanged (locale-independent, UTF-8 safe).
constexpr char AsciiLowerChar(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLowerChar(c);
  return out;
}

// Equal but for the case of ASCII letters (HTTP header names, tokens).
inline bool AsciiIEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLowerChar(x) == AsciiLowerChar(y);
         });
}

// Whether `needle` occurs in `haystack`, ASCII letters compared without case.
inline bool AsciiIContains(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char x, char y) { return AsciiLowerChar(x) == AsciiLowerChar(y); }) !=
         haystack.end();
}

// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
inline std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The code point starting at `at`, advancing `at` past it; nullopt for bytes that are not UTF-8
// (a bad lead or continuation byte, a cut sequence, an overlong form, a surrogate, a value past
// U+10FFFF), and then `at` is left where it was.
inline std::optional<char32_t> DecodeUtf8(std::string_view s, size_t& at) {
  const auto c = static_cast<unsigned char>(s[at]);
  const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || n > s.size() - at) return std::nullopt;
  char32_t cp = n == 1 ? c : c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[at + k]);
    if ((cc >> 6) != 0x2) return std::nullopt;
    cp = (cp << 6) | (cc & 0x3f);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
  at += n;
  return cp;
}

inline bool IsValidUtf8(std::string_view s) {
  for (size_t at = 0; at < s.size();) {
    if (!DecodeUtf8(s, at)) return false;
  }
  return true;
}

// "8-4-4-4-12" hexadecimal digits, either case (RFC 9562's textual form).
inline bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

// Appends `token` to a JSON pointer as RFC 6901 writes it: "~" as "~0", "/" as "~1".
inline void AppendJsonPointerToken(std::string& pointer, std::string_view token) {
  for (char c : token) {
    if (c == '~') {
      pointer += "~0";
    } else if (c == '/') {
      pointer += "~1";
    } else {
      pointer += c;
    }
  }
}

// The media type of a Content-Type value, lower-case, without parameters or surrounding
// spaces: "Application/JSON; charset=utf-8" → "application/json".
inline std::string MediaType(std::string_view content_type) {
  return AsciiLower(TrimBlanks(content_type.substr(0, content_type.find(';'))));
}

}  // namespace homeport
