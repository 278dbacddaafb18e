// Backups of the embedded store: SQLite's online backup API copies a database page by page while
// a server keeps writing to it, and the copy is a consistent snapshot. `homeport backup` and
// `homeport restore` are both this copy, in opposite directions.
#pragma once

#include <string>

#include "homeport/status.h"

namespace homeport {

// Copies the homeport store in the SQLite file `from` into the new file `to` (owner-only).
// NotFound when `from` is not a homeport store, Corruption when it fails SQLite's check,
// AlreadyExists when `to` exists: nothing is ever overwritten. A failed copy leaves no `to`.
Status CopySqliteStore(const std::string& from, const std::string& to);

}  // namespace homeport
