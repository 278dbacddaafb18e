// SQLite connections tuned for homeport: WAL journal, full fsync on commit (S5), a busy
// timeout so the CLI and a running server can share one file.
#include "store/sqlite/sqlite_db.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace homeport::sqlite {
namespace {

Status Error(sqlite3* db, const std::string& what) {
  int code = sqlite3_extended_errcode(db);
  std::string msg = what + ": " + sqlite3_errmsg(db);
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) {
    return Status::Unavailable(msg);
  }
  if ((code & 0xff) == SQLITE_IOERR || (code & 0xff) == SQLITE_FULL) return Status::IoError(msg);
  if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB) {
    return Status::Corruption(msg);
  }
  return Status::Internal(msg);
}

}  // namespace

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status st = Error(db_, "sqlite step");
  sqlite3_reset(stmt_);
  return st;
}

Status Statement::Run() {
  for (;;) {
    auto r = Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::Ok();
  }
}

std::string Statement::Text(int column) const {
  auto* p = sqlite3_column_text(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string();
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

namespace {

// SQLite would create the file with 0644 less the umask: the data of every device and client
// readable by every local user. An empty file is a valid new database.
Status CreateOwnerOnly(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Ok();
    return Status::IoError("cannot create SQLite database " + path + ": " + std::strerror(errno));
  }
  // The umask can only take permissions away, but the mode must not depend on it at all.
  int rc = ::fchmod(fd, 0600);
  int err = errno;
  ::close(fd);
  if (rc != 0) {
    return Status::IoError("cannot restrict SQLite database " + path + ": " + std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path) {
  HOMEPORT_RETURN_IF_ERROR(CreateOwnerOnly(path));
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::IoError("cannot open SQLite database " + path + ": " + msg);
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, 5000);
  // secure_delete: erased and expired documents are overwritten, not left in free pages (S6).
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                             "PRAGMA foreign_keys=ON", "PRAGMA secure_delete=ON"}) {
    HOMEPORT_RETURN_IF_ERROR(conn->Exec(pragma).WithContext(path));
  }
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, entry] : cache_) sqlite3_finalize(entry.first);
  sqlite3_close(db_);
}

Status Connection::CheckpointTruncate() {
  int frames = 0;
  int copied = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &frames, &copied);
  if (rc != SQLITE_OK) return Error(db_, "sqlite checkpoint");
  if (frames != 0) {
    return Status::Unavailable("sqlite checkpoint: the write-ahead log still holds " +
                               std::to_string(frames) + " frames");
  }
  return Status::Ok();
}

Status Connection::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    Status st = Error(db_, err ? err : "sqlite exec");
    sqlite3_free(err);
    return st;
  }
  return Status::Ok();
}

Result<Statement*> Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
        SQLITE_OK) {
      return Error(db_, "sqlite prepare");
    }
    it = cache_.emplace(sql, std::make_pair(stmt, std::make_unique<Statement>(db_, stmt))).first;
  }
  it->second.second->Reset();
  return it->second.second.get();
}

}  // namespace homeport::sqlite
