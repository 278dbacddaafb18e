// The throwaway PostgreSQL server that `make test` starts (scripts/with-postgres.sh) and how a
// test gets an empty database on it: a fresh schema, named in the URL's search_path, so tests
// running in parallel never see each other's tables.
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

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
  return server + (server.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

// `url` with its port replaced: the same server reached through a TcpProxy.
inline std::string ThroughPort(const std::string& url, uint16_t port) {
  size_t host = url.find("127.0.0.1:");
  if (host == std::string::npos)
    throw std::runtime_error("test server URL without 127.0.0.1: " + url);
  size_t digits = host + 10;
  size_t end = url.find_first_not_of("0123456789", digits);
  return url.substr(0, digits) + std::to_string(port) + url.substr(end);
}

// The test server's port.
inline uint16_t PostgresTestPort() {
  const std::string url = PostgresTestServer();
  size_t host = url.find("127.0.0.1:");
  return host == std::string::npos ? 0 : static_cast<uint16_t>(std::stoi(url.substr(host + 10)));
}

// Runs one SQL statement on `url` and returns the first column of the first row ("" if none).
inline std::string QueryOne(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  PGresult* r = PQexec(c, sql.c_str());
  std::string out;
  auto st = PQresultStatus(r);
  if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
  std::string error =
      st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK ? "" : PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  if (!error.empty()) throw std::runtime_error(sql + ": " + error);
  return out;
}

}  // namespace homeport::testing
