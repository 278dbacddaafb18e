// The shared backend: a PostgreSQL-wire database (PostgreSQL 15, or Citus, CockroachDB,
// YugabyteDB) that any number of stateless servers of one region use at once.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace homeport {

// `url` is a libpq URI, postgresql://user@host:port/db?…; applies pending migrations.
// Unavailable when the database cannot be reached. Retries after lost races wait through `env`.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, Env* env,
                                                 StoreCreation creation);
Result<SchemaVersions> PostgresSchemaVersions(const std::string& url, Env* env);

}  // namespace homeport
