// The character rules signed notes (c2sp.org/signed-note) and checkpoints share: valid UTF-8,
// no ASCII control character but the newline, and key names without spaces or '+'.
#pragma once

#include <string_view>

#include "homeport/status.h"

namespace homeport::tlog {

// Ok when `text` is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF)
// with no byte below 0x20 other than '\n'; otherwise InvalidArgument naming `what` and the
// offset of the first offending byte.
Status CheckNoteCharacters(std::string_view text, std::string_view what);

// A note key name as the spec wants it (and a checkpoint origin as it recommends): non-empty
// UTF-8 without Unicode white space, '+' or control characters (C0, DEL, C1).
bool IsValidNoteKeyName(std::string_view name);

}  // namespace homeport::tlog
