// One decoder walks the text as UTF-8 and decides, character by character, what a terminal may
// see as it is; both renderings share it so they cannot disagree on what is dangerous.
#include "common/terminal_text.h"

#include <cstdint>
#include <cstdio>

namespace homeport {
namespace {

// Length of the well-formed UTF-8 sequence at the start of `s` and its code point, or 0 when
// the first byte does not start one (RFC 3629: no overlong forms, no surrogates, <= U+10FFFF).
size_t DecodeUtf8(std::string_view s, uint32_t& cp) {
  const auto b = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t b0 = b(0);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t n;
  uint32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, cp = b0 & 0x1Fu, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, cp = b0 & 0x0Fu, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, cp = b0 & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i) & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Characters a terminal acts on rather than shows, beyond C0 and DEL: the C1 controls (U+009B
// is CSI on many terminals) and the bidirectional controls that can make a line read as
// something else.
bool IsNonAsciiControl(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

void AppendHex(std::string& out, const char* format, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  out += buf;
}

}  // namespace

std::string TerminalSafe(std::string_view text, LineBreaks line_breaks) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    uint32_t cp = 0;
    const size_t n = DecodeUtf8(text, cp);
    if (n == 0) {
      AppendHex(out, "\\x%02x", static_cast<uint8_t>(text[0]));
      text.remove_prefix(1);
      continue;
    }
    if (cp < 0x20 || cp == 0x7F) {
      const bool keep = line_breaks == LineBreaks::kKeep && (cp == '\n' || cp == '\t');
      if (keep) {
        out += static_cast<char>(cp);
      } else if (cp == '\n') {
        out += "\\n";
      } else if (cp == '\r') {
        out += "\\r";
      } else if (cp == '\t') {
        out += "\\t";
      } else {
        AppendHex(out, "\\x%02x", cp);
      }
    } else if (IsNonAsciiControl(cp)) {
      AppendHex(out, "\\u{%04x}", cp);
    } else {
      out.append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
  return out;
}

std::string TerminalSafeJson(const nlohmann::json& value, int indent) {
  // The library escapes C0 itself; DEL and the others can only occur inside strings here, where
  // a \u escape is the same character to any JSON reader.
  const std::string dumped =
      value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string_view text = dumped;
  std::string out;
  out.reserve(dumped.size());
  while (!text.empty()) {
    uint32_t cp = 0;
    const size_t n = DecodeUtf8(text, cp);
    if (n == 0) {
      // Not after a replacing dump; kept as the library wrote it rather than dropped.
      out += text[0];
      text.remove_prefix(1);
      continue;
    }
    if (cp == 0x7F || IsNonAsciiControl(cp)) {
      AppendHex(out, "\\u%04x", cp);
    } else {
      out.append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
  return out;
}

}  // namespace homeport
