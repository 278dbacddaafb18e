// A thin RAII layer over the SQLite C API: connections, prepared statements, transactions.
// Errors come back as Status; no exceptions. A Connection is used by one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "homeport/status.h"

namespace homeport::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  // SQLITE_ROW -> true, SQLITE_DONE -> false, otherwise an error.
  Result<bool> Step();
  // Steps to completion, ignoring rows.
  Status Run();
  std::string Text(int column) const;
  int64_t Int(int column) const;
  void Reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // A database file that does not exist yet is created readable and writable by its owner
  // only, whatever the umask; SQLite gives its -wal and -shm files the same mode.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path);
  ~Connection();

  Status Exec(const std::string& sql);
  // A cached prepared statement, reset and with its bindings cleared.
  Result<Statement*> Prepare(const std::string& sql);

  Status Begin() { return Exec("BEGIN IMMEDIATE"); }
  Status Commit() { return Exec("COMMIT"); }
  void Rollback() { (void)Exec("ROLLBACK"); }
  int64_t Changes() const { return sqlite3_changes64(db_); }

  // Copies every WAL frame into the database file and truncates the WAL to nothing, so that
  // erased rows survive in no older page image. Waits (busy timeout) for readers of older
  // snapshots; Unavailable when they stay.
  Status CheckpointTruncate();

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::pair<sqlite3_stmt*, std::unique_ptr<Statement>>> cache_;
};

}  // namespace homeport::sqlite
