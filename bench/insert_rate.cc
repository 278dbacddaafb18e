// insert-rate (see insert_rate.h). The schema comes from Store::Open, so the rows land in the
// very table, with the very indexes, that `homeport serve` writes to; everything after that is
// raw libsqlite3 or libpq, with nothing of homeport's own code in the timed loop.
#include "insert_rate.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

#include "common/time_format.h"
#include "request_lines.h"
#include "store/store.h"

namespace homeport::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kColumns =
    "doc_id, app_id, doc_type, client_id, received_day, expires_day, payload";
constexpr int kColumnCount = 7;

// One uxp_documents row, as the submit handler fills it for a diagnostics ping (no scrubbing
// applies to diagnostics, so the payload is the body as sent).
struct DocumentRow {
  std::string doc_id, app_id, doc_type, client_id, received_day, expires_day, payload;
  const std::string* column(int i) const {
    const std::string* columns[kColumnCount] = {&doc_id,       &app_id,      &doc_type, &client_id,
                                                &received_day, &expires_day, &payload};
    return columns[i];
  }
};

// The rows of the requests file in order; once they are used up, the same rows again under
// fresh doc_ids, so that every insert is a new document (never an ON CONFLICT no-op).
class RowSource {
 public:
  static Result<RowSource> FromRequests(const std::string& file, int retention_days) {
    auto lines = ReadRequestLines(file);
    if (!lines || lines->empty())
      return Status::InvalidArgument("cannot read requests from " + file);
    const auto now = std::chrono::system_clock::now();
    const std::string today = FormatDate(now);
    const std::string expires = FormatDate(now + std::chrono::days(retention_days));
    RowSource source;
    for (const RequestLine& line : *lines) {
      // /submit/<app_id>/<doc_type>/<doc_version>/<doc_id>
      std::vector<std::string> parts;
      for (size_t start = 1, end; start <= line.path.size(); start = end + 1) {
        end = std::min(line.path.find('/', start), line.path.size());
        parts.push_back(line.path.substr(start, end - start));
      }
      if (parts.size() != 5 || parts[0] != "submit") {
        return Status::InvalidArgument("not a /submit/ path in " + file + ": " + line.path);
      }
      static const std::string kClientKey = R"("client_id":")";
      const size_t key = line.body.find(kClientKey);
      const size_t begin = key == std::string::npos ? key : key + kClientKey.size();
      const size_t end = key == std::string::npos ? key : line.body.find('"', begin);
      if (end == std::string::npos)
        return Status::InvalidArgument("a ping without client_id in " + file);
      source.rows_.push_back({parts[4], parts[1], parts[2], line.body.substr(begin, end - begin),
                              today, expires, line.body});
    }
    return source;
  }

  std::vector<DocumentRow> NextBatch(size_t n) {
    std::vector<DocumentRow> batch;
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i, ++next_) {
      batch.push_back(rows_[next_ % rows_.size()]);
      if (next_ >= rows_.size()) batch.back().doc_id = FreshUuid();
    }
    return batch;
  }

 private:
  std::string FreshUuid() {
    const uint64_t hi = (rng_() & 0xffffffffffff0fffULL) | 0x4000ULL;              // version 4
    const uint64_t lo = (rng_() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
    char buf[37];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>(hi >> 16) & 0xffff, static_cast<unsigned>(hi) & 0xffff,
                  static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return buf;
  }

  std::vector<DocumentRow> rows_;
  size_t next_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
};

// One way of writing a batch of rows in one durable transaction.
class DocumentInserter {
 public:
  virtual ~DocumentInserter() = default;
  // Returns once the batch is committed; every row must be new.
  virtual Status InsertBatch(const std::vector<DocumentRow>& rows) = 0;
  virtual Result<int64_t> CountRows() = 0;
};

// --- SQLite: the store's connection settings and its INSERT, one transaction per batch ------

class SqliteInserter final : public DocumentInserter {
 public:
  static Result<std::unique_ptr<DocumentInserter>> Open(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      return Status::IoError("cannot open " + path + ": " + msg);
    }
    std::unique_ptr<SqliteInserter> inserter(new SqliteInserter(db));
    // As src/store/sqlite/sqlite_db.cc: WAL, a full fsync on every commit (S5).
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                               "PRAGMA foreign_keys=ON", "PRAGMA secure_delete=ON"}) {
      HOMEPORT_RETURN_IF_ERROR(inserter->Exec(pragma));
    }
    const std::string sql = std::string("INSERT INTO uxp_documents (") + kColumns +
                            ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO NOTHING";
    if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &inserter->insert_,
                           nullptr) != SQLITE_OK) {
      return inserter->Error("prepare");
    }
    return std::unique_ptr<DocumentInserter>(std::move(inserter));
  }

  ~SqliteInserter() override {
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }

  Status InsertBatch(const std::vector<DocumentRow>& rows) override {
    HOMEPORT_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    for (const DocumentRow& row : rows) {
      for (int c = 0; c < kColumnCount; ++c) {
        const std::string* v = row.column(c);
        sqlite3_bind_text(insert_, c + 1, v->data(), static_cast<int>(v->size()), SQLITE_STATIC);
      }
      const int rc = sqlite3_step(insert_);
      sqlite3_reset(insert_);
      if (rc != SQLITE_DONE || sqlite3_changes(db_) != 1) {
        Status st = rc != SQLITE_DONE ? Error("insert") : Status::Internal("doc_id already stored");
        Exec("ROLLBACK");
        return st;
      }
    }
    return Exec("COMMIT");
  }

  Result<int64_t> CountRows() override {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM uxp_documents", -1, &s, nullptr) !=
        SQLITE_OK) {
      return Error("count");
    }
    const int rc = sqlite3_step(s);
    const int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) return Error("count");
    return n;
  }

 private:
  explicit SqliteInserter(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql) {
    return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK ? Status::Ok()
                                                                          : Error(sql);
  }
  Status Error(const std::string& what) {
    return Status::IoError("sqlite " + what + ": " + sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  sqlite3_stmt* insert_ = nullptr;
};

// --- PostgreSQL: three ways to send a batch over libpq ---------------------------------------

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

class PostgresInserter final : public DocumentInserter {
 public:
  enum class Method { kPipeline, kMultiRow, kCopy };

  static Result<std::unique_ptr<DocumentInserter>> Open(const std::string& url, Method method,
                                                        size_t batch) {
    std::unique_ptr<PostgresInserter> p(new PostgresInserter(PQconnectdb(url.c_str()), method));
    if (PQstatus(p->conn_) != CONNECTION_OK) return p->Error("connect to " + url);
    if (method == Method::kPipeline) {
      HOMEPORT_RETURN_IF_ERROR(p->Prepare("insert_one", InsertSql(1), kColumnCount));
    } else if (method == Method::kMultiRow) {
      HOMEPORT_RETURN_IF_ERROR(
          p->Prepare("insert_batch", InsertSql(batch), static_cast<int>(batch) * kColumnCount));
    }
    return std::unique_ptr<DocumentInserter>(std::move(p));
  }

  ~PostgresInserter() override { PQfinish(conn_); }

  Status InsertBatch(const std::vector<DocumentRow>& rows) override {
    switch (method_) {
      case Method::kPipeline:
        return InsertPipelined(rows);
      case Method::kMultiRow:
        return InsertMultiRow(rows);
      case Method::kCopy:
        return InsertCopy(rows);
    }
    return Status::Internal("unknown method");
  }

  Result<int64_t> CountRows() override {
    if (PQpipelineStatus(conn_) != PQ_PIPELINE_OFF && PQexitPipelineMode(conn_) != 1) {
      return Error("exit pipeline mode");
    }
    PgResult r(PQexec(conn_, "SELECT COUNT(*) FROM uxp_documents"), PQclear);
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return Error("count", r.get());
    return std::stoll(PQgetvalue(r.get(), 0, 0));
  }

 private:
  PostgresInserter(PGconn* conn, Method method) : conn_(conn), method_(method) {}

  // INSERT ... VALUES ($1, ..., $7), ($8, ...) ... ON CONFLICT (doc_id) DO NOTHING
  static std::string InsertSql(size_t rows) {
    std::string sql = std::string("INSERT INTO uxp_documents (") + kColumns + ") VALUES ";
    for (size_t r = 0; r < rows; ++r) {
      sql += r ? ", (" : "(";
      for (int c = 0; c < kColumnCount; ++c) {
        sql += (c ? ", $" : "$") + std::to_string(r * kColumnCount + c + 1);
      }
      sql += ")";
    }
    return sql + " ON CONFLICT (doc_id) DO NOTHING";
  }

  Status Prepare(const char* name, const std::string& sql, int params) {
    PgResult r(PQprepare(conn_, name, sql.c_str(), params, nullptr), PQclear);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return Error("prepare", r.get());
    return Status::Ok();
  }

  // One INSERT per row, all sent before any result is read, then one Sync: the statements
  // between two Syncs run as one implicit transaction, so the batch costs one commit.
  Status InsertPipelined(const std::vector<DocumentRow>& rows) {
    if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF && PQenterPipelineMode(conn_) != 1) {
      return Error("enter pipeline mode");
    }
    for (const DocumentRow& row : rows) {
      const char* values[kColumnCount];
      int lengths[kColumnCount];
      for (int c = 0; c < kColumnCount; ++c) {
        values[c] = row.column(c)->data();
        lengths[c] = static_cast<int>(row.column(c)->size());
      }
      if (PQsendQueryPrepared(conn_, "insert_one", kColumnCount, values, lengths, nullptr, 0) !=
          1) {
        return Error("send insert");
      }
    }
    if (PQpipelineSync(conn_) != 1) return Error("pipeline sync");
    Status first_error = Status::Ok();
    size_t inserted = 0;
    for (;;) {
      PGresult* raw = PQgetResult(conn_);
      if (raw == nullptr) {  // the end of one statement's results, or a broken connection
        if (PQstatus(conn_) == CONNECTION_BAD) return Error("pipeline");
        continue;
      }
      PgResult r(raw, PQclear);
      const ExecStatusType status = PQresultStatus(r.get());
      if (status == PGRES_PIPELINE_SYNC) break;
      if (status == PGRES_COMMAND_OK) {
        inserted += std::string_view(PQcmdTuples(r.get())) == "1";
      } else if (first_error.ok()) {
        first_error = Error("insert", r.get());
      }
    }
    HOMEPORT_RETURN_IF_ERROR(first_error);
    if (inserted != rows.size()) return Status::Internal("a doc_id was already stored");
    return Status::Ok();
  }

  Status InsertMultiRow(const std::vector<DocumentRow>& rows) {
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (const DocumentRow& row : rows) {
      for (int c = 0; c < kColumnCount; ++c) {
        values.push_back(row.column(c)->data());
        lengths.push_back(static_cast<int>(row.column(c)->size()));
      }
    }
    PgResult r(PQexecPrepared(conn_, "insert_batch", static_cast<int>(values.size()), values.data(),
                              lengths.data(), nullptr, 0),
               PQclear);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return Error("insert", r.get());
    if (std::stoul(PQcmdTuples(r.get())) != rows.size()) {
      return Status::Internal("a doc_id was already stored");
    }
    return Status::Ok();
  }

  // COPY cannot skip conflicts: a duplicate doc_id fails the batch (none is ever sent).
  Status InsertCopy(const std::vector<DocumentRow>& rows) {
    std::string data;
    for (const DocumentRow& row : rows) {
      for (int c = 0; c < kColumnCount; ++c) {
        if (c) data += '\t';
        for (char ch : *row.column(c)) {  // COPY text format escapes
          switch (ch) {
            case '\\':
              data += "\\\\";
              break;
            case '\t':
              data += "\\t";
              break;
            case '\n':
              data += "\\n";
              break;
            case '\r':
              data += "\\r";
              break;
            default:
              data += ch;
          }
        }
      }
      data += '\n';
    }
    const std::string copy = std::string("COPY uxp_documents (") + kColumns + ") FROM STDIN";
    PgResult start(PQexec(conn_, copy.c_str()), PQclear);
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) return Error("copy", start.get());
    if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1 ||
        PQputCopyEnd(conn_, nullptr) != 1) {
      return Error("copy data");
    }
    Status st = Status::Ok();
    while (PGresult* raw = PQgetResult(conn_)) {
      PgResult r(raw, PQclear);
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && st.ok())
        st = Error("copy", r.get());
      else if (st.ok() && std::stoul(PQcmdTuples(r.get())) != rows.size()) {
        st = Status::Internal("COPY stored fewer rows than sent");
      }
    }
    return st;
  }

  Status Error(const std::string& what, const PGresult* r = nullptr) {
    std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return Status::Unavailable("postgresql " + what + ": " + msg);
  }

  PGconn* conn_;
  const Method method_;
};

Result<std::unique_ptr<DocumentInserter>> OpenInserter(const InsertRateOptions& o) {
  if (o.store.starts_with("sqlite:")) {
    if (o.method != "pipeline") {
      return Status::InvalidArgument("--method applies to PostgreSQL; SQLite has one way");
    }
    return SqliteInserter::Open(o.store.substr(7));
  }
  if (o.store.starts_with("postgresql://") || o.store.starts_with("postgres://")) {
    PostgresInserter::Method method;
    if (o.method == "pipeline")
      method = PostgresInserter::Method::kPipeline;
    else if (o.method == "multirow")
      method = PostgresInserter::Method::kMultiRow;
    else if (o.method == "copy")
      method = PostgresInserter::Method::kCopy;
    else
      return Status::InvalidArgument("--method: pipeline, multirow or copy, not " + o.method);
    return PostgresInserter::Open(o.store, method, o.batch);
  }
  return Status::InvalidArgument("--store: sqlite:PATH or postgresql://..., not " + o.store);
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "homeport_bench insert-rate: %s\n", message.c_str());
  return 1;
}

}  // namespace

int InsertRate(const InsertRateOptions& o) {
  if (o.batch == 0 || o.seconds <= 0) return Fail("--batch and --seconds must be positive");
  auto source = RowSource::FromRequests(o.requests, o.retention_days);
  if (!source.ok()) return Fail(source.status().ToString());
  {
    // The store's migrations make the table; then the store is closed again.
    auto store = Store::Open(o.store);
    if (!store.ok()) return Fail("--store: " + store.status().ToString());
  }
  auto inserter = OpenInserter(o);
  if (!inserter.ok()) return Fail(inserter.status().ToString());
  auto before = (*inserter)->CountRows();
  if (!before.ok()) return Fail(before.status().ToString());

  std::vector<double> batch_ms;
  size_t rows = 0;
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  Clock::time_point now = start;
  while (now < deadline) {
    const std::vector<DocumentRow> batch = source->NextBatch(o.batch);
    const auto t0 = Clock::now();
    if (Status st = (*inserter)->InsertBatch(batch); !st.ok()) return Fail(st.ToString());
    now = Clock::now();
    batch_ms.push_back(std::chrono::duration<double, std::milli>(now - t0).count());
    rows += batch.size();
  }
  const double elapsed = std::chrono::duration<double>(now - start).count();

  auto after = (*inserter)->CountRows();
  if (!after.ok()) return Fail(after.status().ToString());
  if (*after - *before != static_cast<int64_t>(rows)) {
    return Fail("inserted " + std::to_string(rows) + " rows but the table grew by " +
                std::to_string(*after - *before));
  }
  double sum = 0;
  for (double ms : batch_ms) sum += ms;
  std::sort(batch_ms.begin(), batch_ms.end());
  const double p99 = batch_ms[std::min(batch_ms.size() - 1, batch_ms.size() * 99 / 100)];
  std::fprintf(stderr, "insert-rate: %s, %s: %zu rows in %zu transactions of %zu in %.2f s\n",
               o.store.substr(0, o.store.find(':')).c_str(),
               o.store.starts_with("sqlite:") ? "prepared INSERT per row" : o.method.c_str(), rows,
               batch_ms.size(), o.batch, elapsed);
  std::printf("rows=%zu seconds=%.3f rps=%.0f batches=%zu mean_batch_ms=%.3f p99_batch_ms=%.3f\n",
              rows, elapsed, static_cast<double>(rows) / elapsed, batch_ms.size(),
              sum / static_cast<double>(batch_ms.size()), p99);
  return 0;
}

}  // namespace homeport::bench
