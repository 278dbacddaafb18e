// The embedded default backend: one SQLite file in WAL mode.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace homeport {

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, StoreCreation creation);
Result<SchemaVersions> SqliteSchemaVersions(const std::string& path);

}  // namespace homeport
