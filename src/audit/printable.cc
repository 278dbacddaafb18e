// Printable doubles backslashes, then leaves the decision of what a terminal would act on to
// TerminalSafe, whose own escapes all start with a backslash: the doubled input backslashes keep
// the two apart.
#include "audit/printable.h"

#include "common/terminal_text.h"

namespace homeport::audit {

std::string Printable(std::string_view text) {
  if (text.find('\\') == std::string_view::npos) return TerminalSafe(text);
  std::string doubled;
  doubled.reserve(text.size() + 8);
  for (const char c : text) {
    if (c == '\\') doubled += '\\';
    doubled += c;
  }
  return TerminalSafe(doubled);
}

}  // namespace homeport::audit
