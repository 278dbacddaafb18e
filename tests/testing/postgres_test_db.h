// The throwaway PostgreSQL server that `make test` starts (scripts/with-postgres.sh) and how a
// test gets an empty database on it: a fresh schema, named in the URL's search_path, so tests
// running in parallel never see each other's tables.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace homeport::testing {

// The server's URL, or "" when the suite runs without one.
inline std::string PostgresTestServer() {
  const char* url = std::getenv("HOMEPORT_TEST_POSTGRES_URL");
  return url != nullptr ? url : "";
}

inline const char* kNoPostgres =
    "no PostgreSQL test server: run through scripts/with-postgres.sh (make test does)";

// The URL of a new, empty schema on the test server; "" without a server.
inline std::string FreshPostgresUrl() {
  const std::string server = PostgresTestServer();
  if (server.empty()) return "";
  static std::atomic<int> counter{0};
  std::random_device rd;
  std::string schema = "t" + std::to_string(getpid()) + "_" + std::to_string(++counter) + "_" +
                       std::to_string(rd() % 1000000);
  PGconn* c = PQconnectdb(server.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("PostgreSQL test server unreachable: " + msg);
  }
  PGresult* r = PQexec(c, ("CREATE SCHEMA " + schema).c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string msg = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error("CREATE SCHEMA failed: " + msg);
  return server + (server.find('?') == std::string::npos ? "?" : "&") +
         "options=-csearch_path%3D" + schema;
}

}  // namespace homeport::testing
