// Small text helpers every module needs the same way: ASCII case folding, UUID syntax, RFC 6901 pointer tokens, HTTP media types. Header-only.
#pragma once

#include <string>
#include <string_view>

namespace homeport {

// ASCII letters lower-cased, every other byte unchanged (locale-independent, UTF-8 safe).
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
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
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return AsciiLower(type);
}

}  // namespace homeport
