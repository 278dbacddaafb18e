#include "store/sqlite/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

namespace homeport {
namespace {

using Db = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;

Result<Db> OpenDb(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  Db owned(db, sqlite3_close);
  if (rc != SQLITE_OK) {
    return Status::IoError("cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : "no memory"));
  }
  sqlite3_busy_timeout(db, 5000);
  return owned;
}

// The first column of the first row of `sql`, as text ("" when no row).
Result<std::string> QueryText(sqlite3* db, const char* sql, const std::string& path) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    return Status::NotFound(path + " is not an SQLite database: " + sqlite3_errmsg(db));
  }
  std::string out;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return Status::Corruption(path + ": " + sqlite3_errmsg(db));
  }
  return out;
}

Status Copy(const std::string& from, const std::string& to) {
  HOMEPORT_ASSIGN_OR_RETURN(Db src, OpenDb(from, SQLITE_OPEN_READONLY));
  HOMEPORT_ASSIGN_OR_RETURN(
      std::string tables,
      QueryText(src.get(),
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                "'schema_migrations'",
                from));
  if (tables != "1") return Status::NotFound(from + " is not a homeport store");
  HOMEPORT_ASSIGN_OR_RETURN(std::string check, QueryText(src.get(), "PRAGMA quick_check", from));
  if (check != "ok") return Status::Corruption(from + " fails SQLite's check: " + check);

  HOMEPORT_ASSIGN_OR_RETURN(Db dst, OpenDb(to, SQLITE_OPEN_READWRITE));
  sqlite3_backup* backup = sqlite3_backup_init(dst.get(), "main", src.get(), "main");
  if (backup == nullptr) return Status::IoError("cannot copy into " + to + ": " + sqlite3_errmsg(dst.get()));
  int rc;
  do {
    rc = sqlite3_backup_step(backup, 1024);
    // A writer holds the source for a moment: wait for it rather than fail the copy.
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return Status::IoError("copying " + from + " into " + to + ": " + sqlite3_errstr(rc));
  }
  return Status::Ok();
}

}  // namespace

Status CopySqliteStore(const std::string& from, const std::string& to) {
  if (access(from.c_str(), F_OK) != 0) return Status::NotFound("no store at " + from);
  // Created here, exclusively and owner-only, before SQLite opens it.
  int fd = ::open(to.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::AlreadyExists(to + " exists; refusing to overwrite it");
    return Status::IoError("cannot create " + to + ": " + std::strerror(errno));
  }
  ::close(fd);
  Status st = Copy(from, to);
  if (!st.ok()) ::unlink(to.c_str());
  return st;
}

}  // namespace homeport
