// Printable: the one form in which the verifier's reports show text that came from the audited
// input — a file or member name in a firmware tree, an SNI, a Host header, a URL. The same form
// goes into every report (text, JSON, HTML), so a name reads the same in each, a crafted name
// cannot print a line of its own ("Result: clean") or move the cursor, and a name that is not
// valid UTF-8 cannot break the JSON writer.
#pragma once

#include <string>
#include <string_view>

namespace homeport::audit {

// `text` as valid, printable UTF-8 that maps back to exactly one input: printable characters
// (UTF-8 included) as they are, a backslash as "\\", "\n", "\r" and "\t" as those escapes, other
// C0 controls, DEL and each byte that is not part of well-formed UTF-8 as "\xNN", C1 controls and
// the bidirectional overrides as "\u{NNNN}" (common/terminal_text.h decides what is a control).
// Because a backslash is always doubled, "\xff" in the output is the byte 0xFF and "\\xff" the
// four characters — the escaping is exact, not a lossy replacement.
std::string Printable(std::string_view text);

}  // namespace homeport::audit
