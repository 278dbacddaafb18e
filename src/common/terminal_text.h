// Text homeport prints to a terminal that came from outside — a server's error message, a host
// name in a capture, a file name in a firmware tree, a string read from a store — goes through
// TerminalSafe (or TerminalSafeJson for JSON output), so that no such text can move the cursor,
// rewrite earlier lines, set the window title or reorder a line: control characters are shown
// as visible escapes instead of being obeyed.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace homeport {

enum class LineBreaks {
  kEscape,  // one-line field: "\n", "\r" and "\t" are shown as escapes like every other control
  kKeep,    // several lines of text: "\n" and "\t" pass; "\r" is still escaped
};

// `text` with every character a terminal would act on replaced by a visible escape: C0 controls
// as "\n", "\r", "\t" or "\xNN" (ESC is "\x1b", so an escape sequence is printed, not run), DEL
// as "\x7f", C1 controls (U+0080..U+009F) and the bidirectional overrides and isolates
// (U+202A..U+202E, U+2066..U+2069) as "\u{NNNN}", and each byte of invalid UTF-8 as "\xNN".
// Printable text, UTF-8 included, is unchanged.
std::string TerminalSafe(std::string_view text, LineBreaks line_breaks = LineBreaks::kEscape);

// `value` as JSON text (indented by `indent`, or one line for -1) that is safe on a terminal and
// means the same to a JSON reader: the characters TerminalSafe escapes become \uXXXX escapes
// inside strings, and invalid UTF-8 becomes U+FFFD instead of an exception.
std::string TerminalSafeJson(const nlohmann::json& value, int indent = 2);

}  // namespace homeport
