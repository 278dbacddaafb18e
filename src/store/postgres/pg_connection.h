// A thin RAII layer over libpq for the PostgreSQL store: connections with homeport's defaults,
// lazily prepared named statements, pipelined batches (libpq pipeline mode: many statements,
// one round trip per chunk) and a bounded pool. Errors come back as Status, no exceptions:
//   Unavailable      the server cannot be reached or the connection broke (retry later)
//   Aborted          the transaction lost a race (serialization failure, deadlock): rerun it
//   AlreadyExists    a unique constraint was violated
//   InvalidArgument  a foreign key was violated
//   Internal         anything else the server reported
// A Connection is used by one thread at a time; the pool is thread-safe.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "homeport/status.h"

namespace homeport::pg {

// A statement the connection prepares once under `name`, then executes by name.
struct Sql {
  const char* name;
  const char* text;
};

// One execution of a prepared statement; parameters are sent as text.
struct Query {
  const Sql* sql;
  std::vector<std::string> params;
};

// The rows (or the affected-row count) of one statement.
class QueryResult {
 public:
  explicit QueryResult(PGresult* r) : r_(r, PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  std::string Text(int row, int column) const;
  int64_t Int(int row, int column) const;
  // Rows inserted, updated or deleted.
  int64_t affected() const;

 private:
  std::shared_ptr<PGresult> r_;
};

class Connection {
 public:
  // `url` is a libpq connection URI or key=value string. Defaults added underneath it (the URL
  // wins): connect_timeout=5, TCP keepalives and tcp_user_timeout, so that a database that
  // vanishes is noticed in seconds rather than hanging a request.
  static Result<std::unique_ptr<Connection>> Open(const std::string& url);
  ~Connection();

  // True once the connection is unusable; the pool then drops it.
  bool broken() const;
  // For an idle connection: false when the server has closed it meanwhile. No round trip.
  bool Alive();

  // Simple-protocol statements without parameters (DDL, BEGIN, COMMIT).
  Status Exec(const std::string& sql);
  Result<QueryResult> Run(const Sql& sql, const std::vector<std::string>& params = {});
  // Runs every query in order, pipelined (chunks of kPipelineChunk statements per round trip).
  // Stops at the first error and returns it; the caller decides about the transaction.
  Result<std::vector<QueryResult>> RunPipelined(const std::vector<Query>& queries);
  // BEGIN, the queries pipelined, COMMIT. On any error the transaction is rolled back; a
  // serialization failure or deadlock is an Aborted status.
  Result<std::vector<QueryResult>> RunTransaction(const std::vector<Query>& queries);
  // The same in two round trips, for a second step that depends on the first's results:
  // BeginAndRun leaves the transaction open on success, RunAndCommit ends it. Either rolls it
  // back on an error.
  Result<std::vector<QueryResult>> BeginAndRun(const std::vector<Query>& queries);
  Result<std::vector<QueryResult>> RunAndCommit(const std::vector<Query>& queries);

  // Pipelines are cut into chunks so that neither side's socket buffer can fill while the
  // other waits for it: results are read after each chunk.
  static constexpr size_t kPipelineChunk = 256;

 private:
  explicit Connection(PGconn* c) : conn_(c) {}
  Status Prepare(const Sql& sql);
  Status Error(const std::string& what, const PGresult* r = nullptr);
  Result<std::vector<QueryResult>> RunInTransaction(const std::vector<Query>& queries,
                                                    bool begin, bool commit);
  Status RunChunk(const Query* queries, size_t n, const char* begin, bool commit,
                  std::vector<QueryResult>& out);

  PGconn* conn_;
  bool unusable_ = false;
  std::set<std::string> prepared_;
};

// At most `max_size` connections, opened on demand; Acquire waits (up to 5 s) while all are in
// use. A connection that broke is dropped on release, so service resumes by itself once the
// database is back: the next Acquire opens a fresh one. After a failed connect, Acquire fails
// at once for a second instead of making every caller wait out its own connect timeout.
class ConnectionPool {
 public:
  ConnectionPool(std::string url, size_t max_size) : url_(std::move(url)), max_size_(max_size) {}

  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;  // would drop the held connection without Release
    ~Lease() {
      if (pool_ && c_) pool_->Release(std::move(c_));
    }
    Connection& operator*() { return *c_; }
    Connection* operator->() { return c_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> c_;
  };

  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<Connection> c);

  const std::string url_;
  const size_t max_size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;  // idle plus leased
  std::chrono::steady_clock::time_point retry_connect_at_{};
  std::string last_connect_error_;
};

}  // namespace homeport::pg
