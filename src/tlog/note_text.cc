// UTF-8 decoding for the note character rules.
#include "tlog/note_text.h"

#include <cstdint>
#include <optional>
#include <string>

#include "common/text.h"

namespace homeport::tlog {
namespace {

// Unicode White_Space (what Go's unicode.IsSpace, which the Go note package checks names with,
// reports).
bool IsUnicodeSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
         c == 0x3000;
}

bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7f && c <= 0x9f); }

}  // namespace

Status CheckNoteCharacters(std::string_view text, std::string_view what) {
  for (size_t at = 0; at < text.size();) {
    const size_t start = at;
    const std::optional<char32_t> c = DecodeUtf8(text, at);
    if (!c) {
      return Status::InvalidArgument(std::string(what) + " is not valid UTF-8 (byte " +
                                     std::to_string(start) + ")");
    }
    if (*c < 0x20 && *c != '\n') {
      return Status::InvalidArgument(std::string(what) + " has a control character (byte " +
                                     std::to_string(start) + ")");
    }
  }
  return Status::Ok();
}

bool IsValidNoteKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t at = 0; at < name.size();) {
    const std::optional<char32_t> c = DecodeUtf8(name, at);
    if (!c || *c == '+' || IsUnicodeSpace(*c) || IsControl(*c)) return false;
  }
  return true;
}

}  // namespace homeport::tlog
