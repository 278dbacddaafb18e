// Small text helpers every module needs the same way: ASCII case folding and comparison,
// HTTP blank trimming, UUID syntax, RFC 6901 pointer tokens, HTTP media types. Header-only.
#pragma once

#include <algorithm>
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
