// libpq connections for the PostgreSQL store; see pg_connection.h for the error contract.
#include "store/postgres/pg_connection.h"

#include <poll.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace homeport::pg {
namespace {

bool StartsWith(const char* s, const char* prefix) {
  return s != nullptr && std::strncmp(s, prefix, std::strlen(prefix)) == 0;
}

}  // namespace

std::string QueryResult::Text(int row, int column) const {
  return std::string(PQgetvalue(r_.get(), row, column),
                     static_cast<size_t>(PQgetlength(r_.get(), row, column)));
}

int64_t QueryResult::Int(int row, int column) const {
  return std::strtoll(PQgetvalue(r_.get(), row, column), nullptr, 10);
}

int64_t QueryResult::affected() const { return std::strtoll(PQcmdTuples(r_.get()), nullptr, 10); }

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
  // Keywords before "dbname" are defaults: the expanded URL overrides them.
  const char* keys[] = {"connect_timeout",  "keepalives",
                        "keepalives_idle",  "keepalives_interval",
                        "keepalives_count", "tcp_user_timeout",
                        "application_name", "client_encoding",
                        "dbname",           nullptr};
  const char* values[] = {"5",     "1",        "10",   "3",         "3",
                          "15000", "homeport", "UTF8", url.c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (c == nullptr) return Status::Unavailable("postgresql: out of memory while connecting");
  // Server notices ("relation already exists, skipping") are not errors: keep them off stderr.
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(c);
    return Status::Unavailable("cannot connect to the PostgreSQL store: " + msg);
  }
  return std::unique_ptr<Connection>(new Connection(c));
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::broken() const { return unusable_ || PQstatus(conn_) != CONNECTION_OK; }

bool Connection::Alive() {
  if (broken()) return false;
  // An idle connection has nothing to read. If it has, the server most likely ended the
  // session (restart, failover, an administrator) and its goodbye is waiting; in the rare
  // other case (an asynchronous notice) a reconnect costs little.
  pollfd p{PQsocket(conn_), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

Status Connection::Error(const std::string& what, const PGresult* r) {
  std::string msg = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  msg = "postgresql " + what + ": " + msg;
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  if (broken() || state == nullptr || StartsWith(state, "08") || StartsWith(state, "57P")) {
    return Status::Unavailable(msg);  // connection lost, server shutting down
  }
  if (std::strcmp(state, "23505") == 0) return Status::AlreadyExists(msg);
  if (std::strcmp(state, "23503") == 0) return Status::InvalidArgument(msg);
  // Serialization failure and deadlock: the transaction lost a race and may simply be retried.
  if (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0) {
    return Status::Aborted(msg);
  }
  return Status::Internal(msg);
}

Status Connection::Exec(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  QueryResult owner(r);
  if (r == nullptr || PQresultStatus(r) != PGRES_COMMAND_OK) return Error(sql.substr(0, 40), r);
  return Status::Ok();
}

Status Connection::Prepare(const Sql& sql) {
  if (prepared_.count(sql.name) != 0) return Status::Ok();
  PGresult* r = PQprepare(conn_, sql.name, sql.text, 0, nullptr);
  QueryResult owner(r);
  if (r == nullptr || PQresultStatus(r) != PGRES_COMMAND_OK) {
    return Error(std::string("prepare ") + sql.name, r);
  }
  prepared_.insert(sql.name);
  return Status::Ok();
}

namespace {

std::vector<const char*> ParamPointers(const std::vector<std::string>& params) {
  std::vector<const char*> out;
  out.reserve(params.size());
  for (const auto& p : params) out.push_back(p.c_str());
  return out;
}

bool ResultOk(const PGresult* r) {
  auto st = PQresultStatus(r);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

}  // namespace

Result<QueryResult> Connection::Run(const Sql& sql, const std::vector<std::string>& params) {
  HOMEPORT_RETURN_IF_ERROR(Prepare(sql));
  auto values = ParamPointers(params);
  PGresult* r = PQexecPrepared(conn_, sql.name, static_cast<int>(values.size()), values.data(),
                               nullptr, nullptr, 0);
  QueryResult out(r);
  if (r == nullptr || !ResultOk(r)) return Error(sql.name, r);
  return out;
}

Status Connection::RunChunk(const Query* queries, size_t n, const char* begin, bool commit,
                            std::vector<QueryResult>& out) {
  if (PQenterPipelineMode(conn_) != 1) return Error("enter pipeline mode");
  // Whatever happens below, the connection leaves pipeline mode usable or is marked broken.
  struct Exit {
    Connection* c;
    ~Exit() {
      if (PQpipelineStatus(c->conn_) != PQ_PIPELINE_OFF && PQexitPipelineMode(c->conn_) != 1) {
        c->unusable_ = true;  // results left unread: the pool must not hand it out again
      }
    }
  } exit{this};

  size_t sent = 0;
  auto send_text = [&](const char* sql) {
    return PQsendQueryParams(conn_, sql, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
  };
  if (begin && !send_text(begin)) return Error("send BEGIN");
  for (size_t i = 0; i < n; ++i) {
    auto values = ParamPointers(queries[i].params);
    if (PQsendQueryPrepared(conn_, queries[i].sql->name, static_cast<int>(values.size()),
                            values.data(), nullptr, nullptr, 0) != 1) {
      return Error(std::string("send ") + queries[i].sql->name);
    }
    ++sent;
  }
  if (commit && !send_text("COMMIT")) return Error("send COMMIT");
  if (PQpipelineSync(conn_) != 1) return Error("pipeline sync");

  // One result (then a null) per statement sent, then the sync point.
  Status first_error = Status::Ok();
  const size_t expected = sent + (begin ? 1 : 0) + (commit ? 1 : 0);
  for (size_t i = 0; i < expected; ++i) {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) return Error("read pipeline result");
    QueryResult result(r);
    if (ResultOk(r)) {
      bool is_query = !(begin && i == 0) && !(commit && i + 1 == expected);
      if (is_query && first_error.ok()) out.push_back(result);
    } else if (PQresultStatus(r) != PGRES_PIPELINE_ABORTED && first_error.ok()) {
      first_error = Error("pipelined statement", r);
    }
    PGresult* end = PQgetResult(conn_);  // the null that closes this statement's results
    if (end != nullptr) {
      PQclear(end);
      return Status::Internal("postgresql: unexpected extra result in pipeline");
    }
  }
  PGresult* sync = PQgetResult(conn_);
  QueryResult sync_owner(sync);
  if (sync == nullptr || PQresultStatus(sync) != PGRES_PIPELINE_SYNC) {
    return Error("read pipeline sync");
  }
  return first_error;
}

Result<std::vector<QueryResult>> Connection::RunPipelined(const std::vector<Query>& queries) {
  for (const auto& q : queries) HOMEPORT_RETURN_IF_ERROR(Prepare(*q.sql));
  std::vector<QueryResult> out;
  out.reserve(queries.size());
  for (size_t at = 0; at < queries.size(); at += kPipelineChunk) {
    size_t n = std::min(kPipelineChunk, queries.size() - at);
    HOMEPORT_RETURN_IF_ERROR(RunChunk(queries.data() + at, n, nullptr, false, out));
  }
  return out;
}

Result<std::vector<QueryResult>> Connection::RunTransaction(const std::vector<Query>& queries) {
  return RunInTransaction(queries, /*begin=*/true, /*commit=*/true);
}

Result<std::vector<QueryResult>> Connection::BeginAndRun(const std::vector<Query>& queries) {
  return RunInTransaction(queries, /*begin=*/true, /*commit=*/false);
}

Result<std::vector<QueryResult>> Connection::RunAndCommit(const std::vector<Query>& queries) {
  return RunInTransaction(queries, /*begin=*/false, /*commit=*/true);
}

Result<std::vector<QueryResult>> Connection::RunInTransaction(const std::vector<Query>& queries,
                                                              bool begin, bool commit) {
  const char* begin_sql = begin ? "BEGIN" : nullptr;
  for (const auto& q : queries) HOMEPORT_RETURN_IF_ERROR(Prepare(*q.sql));
  std::vector<QueryResult> out;
  out.reserve(queries.size());
  // The usual batch is one chunk: BEGIN, the statements and COMMIT in a single round trip.
  Status st = Status::Ok();
  size_t at = 0;
  do {
    size_t n = std::min(kPipelineChunk, queries.size() - at);
    bool last = at + n == queries.size();
    st = RunChunk(queries.data() + at, n, at == 0 ? begin_sql : nullptr, commit && last, out);
    at += n;
  } while (st.ok() && at < queries.size());
  if (!st.ok()) {
    if (!broken() && PQtransactionStatus(conn_) != PQTRANS_IDLE) (void)Exec("ROLLBACK");
    return st;
  }
  return out;
}

Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, std::chrono::seconds(5),
                    [&] { return !idle_.empty() || open_ < max_size_; })) {
    return Status::Unavailable("all " + std::to_string(max_size_) +
                               " PostgreSQL connections stayed busy for 5 s");
  }
  while (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    if (c->Alive()) return Lease(this, std::move(c));
    --open_;  // closed while idle: drop it and try the next, or open a fresh one
  }
  if (std::chrono::steady_clock::now() < retry_connect_at_)
    return Status::Unavailable(last_connect_error_);
  ++open_;
  lock.unlock();
  auto c = Connection::Open(url_);
  if (!c.ok()) {
    lock.lock();
    --open_;
    retry_connect_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    last_connect_error_ = c.status().message();
    cv_.notify_one();
    return c.status();
  }
  return Lease(this, std::move(*c));
}

void ConnectionPool::Release(std::unique_ptr<Connection> c) {
  std::lock_guard lock(mu_);
  if (c->broken()) {
    // The database went away under this connection, so probably under the idle ones too:
    // close them all rather than fail one request per stale connection once it is back.
    open_ -= 1 + idle_.size();
    idle_.clear();
  } else {
    idle_.push_back(std::move(c));
  }
  cv_.notify_all();
}

}  // namespace homeport::pg
