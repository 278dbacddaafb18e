// SqliteStore: one write connection (used by the group-commit writer and operator tools) and a
// pool of read connections, so request threads read enrollments without waiting for commits.
#include "store/sqlite/sqlite_store.h"

#include <sys/stat.h>

#include <map>
#include <mutex>
#include <vector>

#include "store/log_append.h"
#include "store/log_entries.h"
#include "store/sqlite/sqlite_db.h"

namespace homeport {
namespace {

using sqlite::Connection;
using sqlite::Statement;

// Each entry moves the schema one version up; never edit an applied one, append.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE devices (
  serial     TEXT PRIMARY KEY,
  model      TEXT NOT NULL,
  sku        TEXT NOT NULL,
  variant    TEXT NOT NULL,
  region     TEXT NOT NULL,
  batch      TEXT NOT NULL,
  public_key TEXT NOT NULL
);
CREATE INDEX devices_batch ON devices(batch);
CREATE TABLE activations (
  serial           TEXT PRIMARY KEY REFERENCES devices(serial),
  warranty_start   TEXT NOT NULL,
  activated_at     TEXT NOT NULL,
  client_version   TEXT NOT NULL,
  manifest_version INTEGER NOT NULL,
  last_checkin_at  TEXT NOT NULL,
  checkins         INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE wrong_region_attempts (
  claimed_region TEXT NOT NULL,
  variant        TEXT NOT NULL,
  attempts       INTEGER NOT NULL,
  PRIMARY KEY (claimed_region, variant)
);
CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  subject   TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
)sql",
    // The UX program. No serial, no device key, no time finer than a day: nothing here can be
    // joined to the activation tables (S4).
    R"sql(
CREATE TABLE uxp_documents (
  doc_id       TEXT PRIMARY KEY,
  app_id       TEXT NOT NULL,
  doc_type     TEXT NOT NULL,
  client_id    TEXT NOT NULL,
  received_day TEXT NOT NULL,
  expires_day  TEXT NOT NULL,
  payload      TEXT NOT NULL
);
CREATE INDEX uxp_documents_client ON uxp_documents(client_id);
CREATE INDEX uxp_documents_expiry ON uxp_documents(expires_day);
)sql",
    // Times about a device are days (S4): second-resolution activation and check-in times could
    // be matched against UX-program documents. The sequence refuses replayed activations.
    R"sql(
ALTER TABLE activations RENAME COLUMN activated_at TO activated_day;
ALTER TABLE activations RENAME COLUMN last_checkin_at TO last_checkin_day;
UPDATE activations SET activated_day = substr(activated_day, 1, 10),
                       last_checkin_day = substr(last_checkin_day, 1, 10);
ALTER TABLE activations ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
)sql",
    // Erased clients, so that an erasure holds against documents that reach the store after
    // it (ClientErasure).
    R"sql(
CREATE TABLE erased_clients (
  client_digest TEXT PRIMARY KEY,
  expires_day   TEXT NOT NULL
);
)sql",
    // The log of operator reads has a name of its own: "audit" is the verifier's word.
    R"sql(
ALTER TABLE audit_log RENAME TO access_log;
)sql",
    // Daily aggregates for operators (store/daily_counts.h), seeded from what is stored already:
    // first activations on their day, each device's current versions on its activation day,
    // documents on their received day, wrong-region refusals so far on the migration's day.
    R"sql(
CREATE TABLE daily_counts (
  series TEXT NOT NULL,
  day    TEXT NOT NULL,
  k1     TEXT NOT NULL,
  k2     TEXT NOT NULL,
  k3     TEXT NOT NULL,
  k4     TEXT NOT NULL,
  writer TEXT NOT NULL,
  count  INTEGER NOT NULL,
  PRIMARY KEY (series, day, k1, k2, k3, k4, writer)
);
INSERT INTO daily_counts
  SELECT 'activations', a.activated_day, d.batch, d.model, d.variant, '', 'migration', COUNT(*)
  FROM activations a JOIN devices d USING (serial) GROUP BY 2, 3, 4, 5;
INSERT INTO daily_counts
  SELECT 'rollout', a.activated_day, d.batch, CAST(a.manifest_version AS TEXT), a.client_version,
         '', 'migration', COUNT(*)
  FROM activations a JOIN devices d USING (serial) GROUP BY 2, 3, 4, 5;
INSERT INTO daily_counts
  SELECT 'pings', received_day, app_id, doc_type, '', '', 'migration', COUNT(*)
  FROM uxp_documents GROUP BY 2, 3, 4;
INSERT INTO daily_counts
  SELECT 'wrong_region', date('now'), claimed_region, variant, '', '', 'migration', attempts
  FROM wrong_region_attempts;
CREATE TABLE retention_runs (
  at                    TEXT PRIMARY KEY,
  documents_removed     INTEGER NOT NULL,
  metric_values_removed INTEGER NOT NULL
);
CREATE INDEX uxp_documents_day_client ON uxp_documents(received_day, client_id);
)sql",
    // Device lifecycle (revocations, warranty periods ended by resets) and the region's
    // transparency log: its entries, the stored hashes of its Merkle tree (tlog/merkle.h), the
    // manifests it holds, and witnesses' cosignatures of its checkpoints.
    R"sql(
CREATE TABLE revocations (
  serial      TEXT PRIMARY KEY REFERENCES devices(serial),
  reason      TEXT NOT NULL,
  revoked_day TEXT NOT NULL
);
CREATE TABLE warranty_history (
  serial           TEXT NOT NULL REFERENCES devices(serial),
  period           INTEGER NOT NULL,
  warranty_start   TEXT NOT NULL,
  ended_day        TEXT NOT NULL,
  reason           TEXT NOT NULL,
  client_version   TEXT NOT NULL,
  manifest_version INTEGER NOT NULL,
  PRIMARY KEY (serial, period)
);
CREATE TABLE tlog_entries (
  idx  INTEGER PRIMARY KEY,
  data TEXT NOT NULL
);
CREATE TABLE tlog_hashes (
  idx  INTEGER PRIMARY KEY,
  hash TEXT NOT NULL
);
CREATE TABLE tlog_manifests (
  token_sha256 TEXT PRIMARY KEY,
  idx          INTEGER NOT NULL
);
CREATE TABLE tlog_cosignatures (
  size     INTEGER NOT NULL,
  key_name TEXT NOT NULL,
  line     TEXT NOT NULL,
  PRIMARY KEY (size, key_name)
);
)sql",
    // The transparency-log entry of each erased client's erasure: a retried deletion-request is
    // answered with the entry of the first.
    R"sql(
ALTER TABLE erased_clients ADD COLUMN log_index INTEGER;
)sql",
    // PostgreSQL's erasure fence, kept so that both backends hold the same tables. Unused here:
    // SQLite has one writer, so documents and erasures never commit at the same time.
    R"sql(
CREATE TABLE erasure_fence (
  id INTEGER PRIMARY KEY CHECK (id = 1)
);
INSERT INTO erasure_fence VALUES (1);
)sql",
};

constexpr const char* kDeviceColumns = "serial, model, sku, variant, region, batch, public_key";

// A stored key that does not decode is reported, never replaced by a zero key: the record
// would otherwise look valid and every signature of the device fail for no visible reason.
Result<EnrollmentRecord> ReadDevice(const Statement& s, int first) {
  EnrollmentRecord r{s.Text(first),     s.Text(first + 1), s.Text(first + 2), s.Text(first + 3),
                     s.Text(first + 4), s.Text(first + 5), {}};
  auto key = crypto::PublicKey::FromBase64Url(s.Text(first + 6));
  if (!key.ok()) {
    return Status::Corruption("stored public key of " + r.serial + " is unreadable: " +
                              key.status().message());
  }
  r.device_key = *key;
  return r;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, std::unique_ptr<Connection> writer)
      : path_(std::move(path)), writer_(std::move(writer)) {}

  Status Migrate() {
    std::lock_guard lock(write_mu_);
    HOMEPORT_RETURN_IF_ERROR(writer_->Exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)"));
    HOMEPORT_RETURN_IF_ERROR(writer_->Begin());
    auto applied = ApplyMigrations();
    if (!applied.ok()) {
      writer_->Rollback();
      return applied.status();
    }
    HOMEPORT_RETURN_IF_ERROR(writer_->Commit());
    // A migration may rewrite rows (times cut to the day): the old values leave the WAL too.
    return *applied ? writer_->CheckpointTruncate() : Status::Ok();
  }

  using Store::Enroll;
  Status Enroll(const std::vector<EnrollmentRecord>& records, TimePoint now) override {
    std::lock_guard lock(write_mu_);
    return InTransaction([&]() -> Status {
      std::map<std::string, std::vector<EnrollmentRecord>> added;  // by batch
      for (const auto& r : records) {
        HOMEPORT_ASSIGN_OR_RETURN(auto existing, FindEnrollmentOn(*writer_, r.serial));
        if (existing) {
          if (*existing == r) continue;
          return Status::AlreadyExists("serial " + r.serial +
                                       " is already enrolled with a different record");
        }
        added[r.batch].push_back(r);  // a serial twice in an import is found above the 2nd time
        HOMEPORT_ASSIGN_OR_RETURN(
            Statement * s, writer_->Prepare(std::string("INSERT INTO devices (") + kDeviceColumns +
                                            ") VALUES (?, ?, ?, ?, ?, ?, ?)"));
        s->Bind(1, r.serial).Bind(2, r.model).Bind(3, r.sku).Bind(4, r.variant);
        s->Bind(5, r.region).Bind(6, r.batch).Bind(7, r.device_key.ToBase64Url());
        HOMEPORT_RETURN_IF_ERROR(s->Run());
      }
      for (const auto& [batch, new_records] : added) {
        HOMEPORT_RETURN_IF_ERROR(AppendLog(EnrollmentEntry(
            batch, static_cast<int64_t>(new_records.size()), EnrollmentRecordsDigest(new_records),
            now)));
      }
      return Status::Ok();
    });
  }

  Result<std::optional<EnrollmentRecord>> FindEnrollment(const std::string& serial) override {
    auto reader = AcquireReader();
    if (!reader.ok()) return reader.status();
    auto result = FindEnrollmentOn(**reader, serial);
    ReleaseReader(std::move(*reader));
    return result;
  }

  Result<BatchResult> Commit(const WriteBatch& batch, TimePoint now) override {
    std::lock_guard lock(write_mu_);
    BatchResult out;
    const std::string day = FormatDate(now);
    DailyTally tally;
    Status st = InTransaction([&]() -> Status {
      for (const auto& a : batch.activations) {
        HOMEPORT_ASSIGN_OR_RETURN(ActivationResult r, RecordActivation(a, day, tally));
        out.activations.push_back(std::move(r));
      }
      for (const auto& w : batch.wrong_region) {
        tally.Add(daily::kWrongRegion, day, {w.claimed_region, w.variant, "", ""}, w.attempts);
        HOMEPORT_ASSIGN_OR_RETURN(
            Statement * s,
            writer_->Prepare("INSERT INTO wrong_region_attempts (claimed_region, variant, attempts)"
                             " VALUES (?, ?, ?) ON CONFLICT (claimed_region, variant)"
                             " DO UPDATE SET attempts = attempts + excluded.attempts"));
        HOMEPORT_RETURN_IF_ERROR(
            s->Bind(1, w.claimed_region).Bind(2, w.variant).Bind(3, w.attempts).Run());
      }
      for (const auto& d : batch.documents) {
        HOMEPORT_ASSIGN_OR_RETURN(
            Statement * s,
            writer_->Prepare("INSERT INTO uxp_documents (doc_id, app_id, doc_type, client_id,"
                             " received_day, expires_day, payload) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7"
                             " WHERE NOT EXISTS (SELECT 1 FROM erased_clients WHERE client_digest = ?8)"
                             " ON CONFLICT (doc_id) DO NOTHING"));
        s->Bind(1, d.doc_id).Bind(2, d.app_id).Bind(3, d.doc_type).Bind(4, d.client_id);
        s->Bind(5, d.received_day).Bind(6, d.expires_day).Bind(7, d.payload);
        s->Bind(8, ErasedClientDigest(d.client_id));
        HOMEPORT_RETURN_IF_ERROR(s->Run());
        const bool stored = writer_->Changes() == 1;
        out.documents_stored.push_back(stored);
        if (stored) TallyStoredDocument(tally, d);
      }
      for (const auto& e : batch.erasures) {
        // Counted once per client, however often its deletion-request is retried or replayed.
        HOMEPORT_ASSIGN_OR_RETURN(
            Statement * first,
            writer_->Prepare("INSERT INTO erased_clients (client_digest, expires_day) VALUES (?, ?)"
                             " ON CONFLICT (client_digest) DO NOTHING"));
        HOMEPORT_RETURN_IF_ERROR(
            first->Bind(1, ErasedClientDigest(e.client_id)).Bind(2, e.expires_day).Run());
        if (writer_->Changes() == 1) tally.Add(daily::kDeletionRequests, day, {}, 1);
        HOMEPORT_ASSIGN_OR_RETURN(
            Statement * erased,
            writer_->Prepare("UPDATE erased_clients SET expires_day = max(expires_day, ?)"
                             " WHERE client_digest = ? RETURNING coalesce(log_index, -1)"));
        erased->Bind(1, e.expires_day).Bind(2, ErasedClientDigest(e.client_id));
        HOMEPORT_ASSIGN_OR_RETURN(bool row, erased->Step());
        int64_t log_index = row ? erased->Int(0) : -1;
        erased->Reset();
        if (log_index < 0) {
          WriterLogTarget target(*writer_);
          HOMEPORT_ASSIGN_OR_RETURN(log_index,
                                    AppendLogEntry(target, ErasureEntry(e.commitment, now)));
          HOMEPORT_ASSIGN_OR_RETURN(
              Statement * logged,
              writer_->Prepare("UPDATE erased_clients SET log_index = ? WHERE client_digest = ?"));
          HOMEPORT_RETURN_IF_ERROR(
              logged->Bind(1, log_index).Bind(2, ErasedClientDigest(e.client_id)).Run());
        }
        out.erasure_log_index.push_back(log_index);
        HOMEPORT_ASSIGN_OR_RETURN(Statement * s,
                                  writer_->Prepare("DELETE FROM uxp_documents WHERE client_id = ?"));
        HOMEPORT_RETURN_IF_ERROR(s->Bind(1, e.client_id).Run());
        out.erased.push_back(writer_->Changes());
      }
      for (const auto& v : batch.schema_violations) {
        tally.Add(daily::kSchemaViolations, day, {v.app_id, v.doc_type, v.field, v.problem},
                  v.pings);
      }
      return WriteTally(tally);
    });
    if (!st.ok()) return st;
    // Every erasure, even of nothing, ends with the checkpoint: a deletion-request retried
    // after a failed checkpoint must not be answered while old copies remain.
    if (!batch.erasures.empty()) {
      HOMEPORT_RETURN_IF_ERROR(
          writer_->CheckpointTruncate().WithContext("the erasure is committed, its old copies"));
    }
    return out;
  }

  Result<std::optional<ActivationRecord>> LookupWarranty(const std::string& serial,
                                                         const std::string& actor,
                                                         TimePoint now) override {
    std::lock_guard lock(write_mu_);
    std::optional<ActivationRecord> found;
    Status st = InTransaction([&]() -> Status {
      HOMEPORT_RETURN_IF_ERROR(AppendAccessLog(actor, "warranty.lookup", serial, now));
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * s,
          writer_->Prepare(std::string("SELECT ") + kDeviceColumns +
                           ", warranty_start, activated_day, client_version, manifest_version,"
                           " last_checkin_day, checkins, sequence"
                           " FROM devices JOIN activations USING (serial) WHERE serial = ?"));
      s->Bind(1, serial);
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      Status read = Status::Ok();
      if (row) {
        auto device = ReadDevice(*s, 0);
        if (device.ok()) {
          found = ActivationRecord{std::move(*device), s->Text(7),  s->Text(8), s->Text(9),
                                   s->Int(10),         s->Text(11), s->Int(12), s->Int(13), {}, {}};
        } else {
          read = device.status();
        }
      }
      s->Reset();
      if (!read.ok() || !found) return read;
      return ReadLifecycle(*found);
    });
    if (!st.ok()) return st;
    return found;
  }

  Result<RolloutReport> Rollout(const std::optional<std::string>& batch) override {
    std::lock_guard lock(write_mu_);
    RolloutReport report;
    std::string where = batch ? " WHERE d.batch = ?" : "";
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * s,
        writer_->Prepare("SELECT d.batch, COUNT(*), COUNT(CASE WHEN r.serial IS NULL THEN a.serial END),"
                         " COUNT(r.serial) FROM devices d"
                         " LEFT JOIN activations a ON a.serial = d.serial"
                         " LEFT JOIN revocations r ON r.serial = d.serial" +
                         where + " GROUP BY d.batch ORDER BY d.batch"));
    if (batch) s->Bind(1, *batch);
    for (;;) {
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      report.batches.push_back({s->Text(0), s->Int(1), s->Int(2), s->Int(3)});
    }
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * v,
        writer_->Prepare("SELECT d.batch, a.manifest_version, a.client_version, COUNT(*)"
                         " FROM activations a JOIN devices d ON d.serial = a.serial"
                         " WHERE NOT EXISTS (SELECT 1 FROM revocations r WHERE r.serial = d.serial)" +
                         (batch ? std::string(" AND d.batch = ?") : std::string()) +
                         " GROUP BY d.batch, a.manifest_version, a.client_version"
                         " ORDER BY d.batch, a.manifest_version, a.client_version"));
    if (batch) v->Bind(1, *batch);
    for (;;) {
      HOMEPORT_ASSIGN_OR_RETURN(bool row, v->Step());
      if (!row) break;
      report.versions.push_back({v->Text(0), v->Int(1), v->Text(2), v->Int(3)});
    }
    return report;
  }

  Result<std::vector<WrongRegionCount>> WrongRegionCounts() override {
    std::lock_guard lock(write_mu_);
    std::vector<WrongRegionCount> out;
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * s, writer_->Prepare("SELECT claimed_region, variant, attempts FROM"
                                        " wrong_region_attempts ORDER BY claimed_region, variant"));
    for (;;) {
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      out.push_back({s->Text(0), s->Text(1), s->Int(2)});
    }
    return out;
  }

  Result<std::vector<AccessLogEntry>> AccessLog() override {
    std::lock_guard lock(write_mu_);
    std::vector<AccessLogEntry> out;
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * s, writer_->Prepare("SELECT seq, at, actor, action, subject, prev_hash, hash"
                                        " FROM access_log ORDER BY seq"));
    for (;;) {
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      out.push_back({s->Int(0), s->Text(1), s->Text(2), s->Text(3), s->Text(4), s->Text(5),
                     s->Text(6)});
    }
    return out;
  }

  Result<std::vector<UxpDocument>> ExportClient(const std::string& client_id,
                                                const std::string& actor, TimePoint now) override {
    std::lock_guard lock(write_mu_);
    std::vector<UxpDocument> out;
    Status st = InTransaction([&]() -> Status {
      HOMEPORT_RETURN_IF_ERROR(AppendAccessLog(actor, "uxp.export", client_id, now));
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * s,
          writer_->Prepare("SELECT doc_id, app_id, doc_type, client_id, received_day, expires_day,"
                           " payload FROM uxp_documents WHERE client_id = ?"
                           " ORDER BY received_day, rowid"));
      s->Bind(1, client_id);
      for (;;) {
        HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
        if (!row) break;
        out.push_back({s->Text(0), s->Text(1), s->Text(2), s->Text(3), s->Text(4), s->Text(5),
                       s->Text(6), {}});
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return out;
  }

  Result<int64_t> ExpireDocuments(const std::string& today) override {
    std::lock_guard lock(write_mu_);
    int64_t n = 0;
    Status st = InTransaction([&]() -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(Statement * s,
                                writer_->Prepare("DELETE FROM uxp_documents WHERE expires_day < ?"));
      HOMEPORT_RETURN_IF_ERROR(s->Bind(1, today).Run());
      n = writer_->Changes();
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * forget, writer_->Prepare("DELETE FROM erased_clients WHERE expires_day < ?"));
      return forget->Bind(1, today).Run();
    });
    if (!st.ok()) return st;
    if (n > 0) HOMEPORT_RETURN_IF_ERROR(writer_->CheckpointTruncate());
    return n;
  }

  Result<int64_t> ExpireMetric(const std::string& app_id, const std::string& doc_type,
                               const std::string& metric_type, const std::string& metric_name,
                               const std::string& cutoff_day) override {
    std::lock_guard lock(write_mu_);
    int64_t n = 0;
    // The metric name contains dots: quote it as one JSON path member.
    std::string path = "$.metrics.\"" + metric_type + "\".\"" + metric_name + "\"";
    Status st = InTransaction([&]() -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * s,
          writer_->Prepare("UPDATE uxp_documents SET payload = json_remove(payload, ?)"
                           " WHERE app_id = ? AND doc_type = ? AND received_day < ?"
                           " AND json_extract(payload, ?) IS NOT NULL"));
      s->Bind(1, path).Bind(2, app_id).Bind(3, doc_type).Bind(4, cutoff_day).Bind(5, path);
      HOMEPORT_RETURN_IF_ERROR(s->Run());
      n = writer_->Changes();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    if (n > 0) HOMEPORT_RETURN_IF_ERROR(writer_->CheckpointTruncate());
    return n;
  }

  Result<std::vector<DailyCount>> DailyCounts(std::string_view series,
                                              const std::string& from_day) override {
    std::lock_guard lock(write_mu_);
    std::vector<DailyCount> out;
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * s,
        writer_->Prepare("SELECT day, k1, k2, k3, k4, SUM(count) FROM daily_counts"
                         " WHERE series = ? AND day >= ? GROUP BY day, k1, k2, k3, k4"
                         " ORDER BY day, k1, k2, k3, k4"));
    s->Bind(1, series).Bind(2, from_day);
    for (;;) {
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      out.push_back({s->Text(0), {s->Text(1), s->Text(2), s->Text(3), s->Text(4)}, s->Int(5)});
    }
    return out;
  }

  Result<std::vector<std::pair<std::string, int64_t>>> ActiveClients(
      const std::string& from_day) override {
    std::lock_guard lock(write_mu_);
    std::vector<std::pair<std::string, int64_t>> out;
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * s,
        writer_->Prepare("SELECT received_day, COUNT(DISTINCT client_id) FROM uxp_documents"
                         " WHERE received_day >= ? AND client_id <> ''"
                         " GROUP BY received_day ORDER BY received_day"));
    s->Bind(1, from_day);
    for (;;) {
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      out.emplace_back(s->Text(0), s->Int(1));
    }
    return out;
  }

  Result<std::vector<DocumentAgeCount>> DocumentAges() override {
    std::lock_guard lock(write_mu_);
    std::vector<DocumentAgeCount> out;
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * s,
        writer_->Prepare("SELECT app_id, doc_type, received_day, expires_day, COUNT(*)"
                         " FROM uxp_documents GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"));
    for (;;) {
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      out.push_back({s->Text(0), s->Text(1), s->Text(2), s->Text(3), s->Int(4)});
    }
    return out;
  }

  Result<int64_t> DatabaseBytes() override {
    int64_t bytes = 0;
    for (const std::string& file : {path_, path_ + "-wal"}) {
      struct stat st;
      if (::stat(file.c_str(), &st) == 0) bytes += st.st_size;
    }
    return bytes;
  }

  Result<std::optional<RetentionRun>> LastRetentionRun() override {
    std::lock_guard lock(write_mu_);
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * s,
        writer_->Prepare("SELECT at, documents_removed, metric_values_removed FROM retention_runs"
                         " ORDER BY at DESC LIMIT 1"));
    HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
    std::optional<RetentionRun> out;
    if (row) out = RetentionRun{s->Text(0), s->Int(1), s->Int(2)};
    s->Reset();
    return out;
  }

  Status RecordRetentionRun(const RetentionRun& run) override {
    std::lock_guard lock(write_mu_);
    return InTransaction([&]() -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * s,
          writer_->Prepare("INSERT INTO retention_runs VALUES (?, ?, ?) ON CONFLICT (at)"
                           " DO UPDATE SET documents_removed = excluded.documents_removed,"
                           " metric_values_removed = excluded.metric_values_removed"));
      HOMEPORT_RETURN_IF_ERROR(
          s->Bind(1, run.at).Bind(2, run.documents_removed).Bind(3, run.metric_values_removed).Run());
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * trim,
          writer_->Prepare("DELETE FROM retention_runs WHERE at NOT IN"
                           " (SELECT at FROM retention_runs ORDER BY at DESC LIMIT 100)"));
      return trim->Run();
    });
  }

  Result<PastWarrantyPeriod> ResetDevice(const std::string& serial, const std::string& reason,
                                         const std::string& actor, TimePoint now) override {
    std::lock_guard lock(write_mu_);
    PastWarrantyPeriod ended;
    Status st = InTransaction([&]() -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(auto device, FindEnrollmentOn(*writer_, serial));
      if (!device) return Status::NotFound("serial " + serial + " is not enrolled");
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * s,
          writer_->Prepare("SELECT warranty_start, client_version, manifest_version FROM"
                           " activations WHERE serial = ?"));
      s->Bind(1, serial);
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) {
        s->Reset();
        return Status::InvalidArgument("serial " + serial +
                                          " has no current activation to reset");
      }
      ended = {s->Text(0), FormatDate(now), reason, s->Text(1), s->Int(2)};
      s->Reset();
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * keep,
          writer_->Prepare("INSERT INTO warranty_history (serial, period, warranty_start,"
                           " ended_day, reason, client_version, manifest_version)"
                           " SELECT ?1, COUNT(*) + 1, ?2, ?3, ?4, ?5, ?6 FROM warranty_history"
                           " WHERE serial = ?1"));
      keep->Bind(1, serial).Bind(2, ended.warranty_start).Bind(3, ended.ended_day);
      keep->Bind(4, reason).Bind(5, ended.client_version).Bind(6, ended.manifest_version);
      HOMEPORT_RETURN_IF_ERROR(keep->Run());
      HOMEPORT_ASSIGN_OR_RETURN(Statement * drop,
                                writer_->Prepare("DELETE FROM activations WHERE serial = ?"));
      HOMEPORT_RETURN_IF_ERROR(drop->Bind(1, serial).Run());
      return AppendLog(DeviceResetEntry(device->batch, reason, actor, now));
    });
    if (!st.ok()) return st;
    return ended;
  }

  Result<int64_t> LogSize() override {
    HOMEPORT_ASSIGN_OR_RETURN(auto reader, AcquireReader());
    auto n = LogSizeOn(*reader);
    ReleaseReader(std::move(reader));
    return n;
  }

  Result<std::vector<std::string>> LogEntries(int64_t start, int64_t end) override {
    HOMEPORT_ASSIGN_OR_RETURN(auto reader, AcquireReader());
    auto entries = [&]() -> Result<std::vector<std::string>> {
      HOMEPORT_ASSIGN_OR_RETURN(int64_t size, LogSizeOn(*reader));
      HOMEPORT_RETURN_IF_ERROR(CheckLogRange(start, end, size));
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * s,
          reader->Prepare("SELECT data FROM tlog_entries WHERE idx >= ? AND idx < ? ORDER BY idx"));
      s->Bind(1, start).Bind(2, end);
      std::vector<std::string> out;
      for (;;) {
        HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
        if (!row) break;
        out.push_back(s->Text(0));
      }
      if (static_cast<int64_t>(out.size()) != end - start) {
        return Status::Corruption("the log is missing entries in [" + std::to_string(start) +
                                  ", " + std::to_string(end) + ")");
      }
      return out;
    }();
    ReleaseReader(std::move(reader));
    return entries;
  }

  tlog::HashReader& LogHashes() override { return log_hashes_; }

  Result<int64_t> LogManifest(const std::string& token_sha256, const std::string& entry) override {
    std::lock_guard lock(write_mu_);
    int64_t index = 0;
    Status st = InTransaction([&]() -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * s, writer_->Prepare("SELECT idx FROM tlog_manifests WHERE token_sha256 = ?"));
      s->Bind(1, token_sha256);
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (row) index = s->Int(0);
      s->Reset();
      if (row) return Status::Ok();
      WriterLogTarget target(*writer_);
      HOMEPORT_ASSIGN_OR_RETURN(index, AppendLogEntry(target, entry));
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * ins, writer_->Prepare("INSERT INTO tlog_manifests (token_sha256, idx)"
                                            " VALUES (?, ?)"));
      return ins->Bind(1, token_sha256).Bind(2, index).Run();
    });
    if (!st.ok()) return st;
    return index;
  }

  Status AddCosignature(const LogCosignature& c) override {
    std::lock_guard lock(write_mu_);
    return InTransaction([&]() -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * s,
          writer_->Prepare("INSERT INTO tlog_cosignatures (size, key_name, line) VALUES (?, ?, ?)"
                           " ON CONFLICT (size, key_name) DO UPDATE SET line = excluded.line"));
      HOMEPORT_RETURN_IF_ERROR(s->Bind(1, c.size).Bind(2, c.key_name).Bind(3, c.line).Run());
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * trim,
          writer_->Prepare("DELETE FROM tlog_cosignatures WHERE key_name = ?1 AND size NOT IN"
                           " (SELECT size FROM tlog_cosignatures WHERE key_name = ?1"
                           " ORDER BY size DESC LIMIT ?2)"));
      return trim->Bind(1, c.key_name).Bind(2, kMaxCosignedSizes).Run();
    });
  }

  Result<std::vector<LogCosignature>> Cosignatures(int64_t size) override {
    std::lock_guard lock(write_mu_);
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * s, writer_->Prepare("SELECT key_name, line FROM tlog_cosignatures"
                                        " WHERE size = ? ORDER BY key_name"));
    s->Bind(1, size);
    std::vector<LogCosignature> out;
    for (;;) {
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      out.push_back({size, s->Text(0), s->Text(1)});
    }
    return out;
  }

  Result<std::vector<std::pair<std::string, int64_t>>> DocumentCounts() override {
    std::lock_guard lock(write_mu_);
    std::vector<std::pair<std::string, int64_t>> out;
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * s, writer_->Prepare("SELECT app_id || '/' || doc_type, COUNT(*) FROM"
                                        " uxp_documents GROUP BY app_id, doc_type ORDER BY 1"));
    for (;;) {
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      out.emplace_back(s->Text(0), s->Int(1));
    }
    return out;
  }

 private:
  template <typename Fn>
  Status InTransaction(Fn&& fn) {
    HOMEPORT_RETURN_IF_ERROR(writer_->Begin());
    Status st = fn();
    if (st.ok()) st = writer_->Commit();
    if (!st.ok()) writer_->Rollback();
    return st;
  }

  Status WriteTally(const DailyTally& tally) {
    for (const auto& r : tally.Rows()) {
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * s,
          writer_->Prepare("INSERT INTO daily_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                           " ON CONFLICT (series, day, k1, k2, k3, k4, writer)"
                           " DO UPDATE SET count = count + excluded.count"));
      s->Bind(1, r.series).Bind(2, r.day).Bind(3, r.key[0]).Bind(4, r.key[1]);
      s->Bind(5, r.key[2]).Bind(6, r.key[3]).Bind(7, DailyCountsWriterId()).Bind(8, r.count);
      HOMEPORT_RETURN_IF_ERROR(s->Run());
    }
    return Status::Ok();
  }

  // Returns whether any migration was applied.
  Result<bool> ApplyMigrations() {
    HOMEPORT_ASSIGN_OR_RETURN(Statement * s,
                              writer_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    HOMEPORT_RETURN_IF_ERROR(s->Step().status());
    int64_t current = s->Int(0);
    s->Reset();
    const int64_t known = std::size(kMigrations);
    HOMEPORT_RETURN_IF_ERROR(CheckSchemaVersion(current, known));
    for (int64_t v = current + 1; v <= known; ++v) {
      HOMEPORT_RETURN_IF_ERROR(writer_->Exec(kMigrations[v - 1]));
      HOMEPORT_ASSIGN_OR_RETURN(Statement * ins,
                                writer_->Prepare("INSERT INTO schema_migrations VALUES (?)"));
      HOMEPORT_RETURN_IF_ERROR(ins->Bind(1, v).Run());
    }
    return current < known;
  }

  Result<std::optional<EnrollmentRecord>> FindEnrollmentOn(Connection& c, const std::string& serial) {
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * s,
        c.Prepare(std::string("SELECT ") + kDeviceColumns + " FROM devices WHERE serial = ?"));
    s->Bind(1, serial);
    HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
    std::optional<EnrollmentRecord> out;
    Status read = Status::Ok();
    if (row) {
      auto device = ReadDevice(*s, 0);
      if (device.ok()) {
        out = std::move(*device);
      } else {
        read = device.status();
      }
    }
    s->Reset();
    if (!read.ok()) return read;
    return out;
  }

  Result<ActivationResult> RecordActivation(const Activation& a, const std::string& day,
                                            DailyTally& tally) {
    HOMEPORT_ASSIGN_OR_RETURN(Statement * revoked,
                              writer_->Prepare("SELECT 1 FROM revocations WHERE serial = ?"));
    revoked->Bind(1, a.serial);
    HOMEPORT_ASSIGN_OR_RETURN(bool is_revoked, revoked->Step());
    revoked->Reset();
    if (is_revoked) return ActivationResult{RecordOutcome::kRevoked, "", 0, 0};
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * ins,
        writer_->Prepare("INSERT INTO activations (serial, warranty_start, activated_day,"
                         " client_version, manifest_version, last_checkin_day, sequence)"
                         " SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS"
                         " (SELECT 1 FROM devices WHERE serial = ?)"
                         " ON CONFLICT (serial) DO NOTHING"));
    ins->Bind(1, a.serial).Bind(2, day).Bind(3, day).Bind(4, a.client_version);
    ins->Bind(5, a.manifest_version).Bind(6, day).Bind(7, a.sequence).Bind(8, a.serial);
    HOMEPORT_RETURN_IF_ERROR(ins->Run());
    const bool created = writer_->Changes() == 1;

    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * sel,
        writer_->Prepare("SELECT warranty_start, client_version, manifest_version, sequence,"
                         " batch, model, variant FROM activations JOIN devices USING (serial)"
                         " WHERE serial = ?"));
    sel->Bind(1, a.serial);
    HOMEPORT_ASSIGN_OR_RETURN(bool row, sel->Step());
    if (!row) {
      sel->Reset();
      return Status::InvalidArgument("activation of a serial that is not enrolled: " + a.serial);
    }
    ActivationResult r{RecordOutcome::kRepeated, sel->Text(0), sel->Int(3), sel->Int(2)};
    const VersionPair before{sel->Int(2), sel->Text(1)};
    const DeviceLabels device{sel->Text(4), sel->Text(5), sel->Text(6)};
    sel->Reset();
    const VersionPair now{a.manifest_version, a.client_version};
    if (created) {
      TallyFirstActivation(tally, day, device, now);
      return ActivationResult{RecordOutcome::kCreated, day, a.sequence, a.manifest_version};
    }
    bool same = before.client_version == a.client_version &&
                before.manifest_version == a.manifest_version;
    if (same) return r;
    if (a.sequence <= r.recorded_sequence ||
        (a.manifest_version < r.recorded_manifest_version && !a.rollback)) {
      r.outcome = RecordOutcome::kStale;
      return r;
    }

    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * upd,
        writer_->Prepare("UPDATE activations SET client_version = ?, manifest_version = ?,"
                         " last_checkin_day = ?, sequence = ?, checkins = checkins + 1"
                         " WHERE serial = ?"));
    upd->Bind(1, a.client_version).Bind(2, a.manifest_version).Bind(3, day);
    upd->Bind(4, a.sequence).Bind(5, a.serial);
    HOMEPORT_RETURN_IF_ERROR(upd->Run());
    TallyCheckIn(tally, day, device, before, now);
    return ActivationResult{RecordOutcome::kCheckedIn, r.warranty_start, a.sequence,
                            a.manifest_version};
  }

  // The serials a selection names, all enrolled, and their batch; NotFound when there are
  // none.
  Result<SelectedDevices> SelectDevices(const DeviceSelection& which) {
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * s, writer_->Prepare(which.batch.empty()
                                            ? "SELECT serial, batch FROM devices WHERE serial = ?"
                                            : "SELECT serial, batch FROM devices WHERE batch = ?"
                                              " ORDER BY serial"));
    s->Bind(1, which.batch.empty() ? which.serial : which.batch);
    SelectedDevices out;
    for (;;) {
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      out.serials.push_back(s->Text(0));
      out.batch = s->Text(1);
    }
    if (out.serials.empty()) return Status::NotFound(DescribeSelection(which) + " is not enrolled");
    return out;
  }

  Result<int64_t> ChangeRevocations(const DeviceSelection& which, const std::string& reason,
                                    const std::string& actor, TimePoint now,
                                    bool revoke) override {
    std::lock_guard lock(write_mu_);
    int64_t changed = 0;
    Status st = InTransaction([&]() -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(SelectedDevices selected, SelectDevices(which));
      HOMEPORT_ASSIGN_OR_RETURN(
          Statement * s,
          writer_->Prepare(revoke ? "INSERT INTO revocations (serial, reason, revoked_day)"
                                    " VALUES (?, ?, ?) ON CONFLICT (serial) DO NOTHING"
                                  : "DELETE FROM revocations WHERE serial = ?"));
      for (const auto& serial : selected.serials) {
        s->Reset();
        s->Bind(1, serial);
        if (revoke) s->Bind(2, reason).Bind(3, FormatDate(now));
        HOMEPORT_RETURN_IF_ERROR(s->Run());
        changed += writer_->Changes();
      }
      if (changed == 0) return Status::Ok();
      return AppendLog(RevocationEntry(revoke, which, selected.batch, changed, actor, now));
    });
    if (!st.ok()) return st;
    return changed;
  }

  // The revocation and earlier warranty periods of a device whose record was read.
  Status ReadLifecycle(ActivationRecord& r) {
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * s,
        writer_->Prepare("SELECT reason, revoked_day FROM revocations WHERE serial = ?"));
    s->Bind(1, r.device.serial);
    HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
    if (row) r.revocation = Revocation{s->Text(0), s->Text(1)};
    s->Reset();
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * h,
        writer_->Prepare("SELECT warranty_start, ended_day, reason, client_version,"
                         " manifest_version FROM warranty_history WHERE serial = ?"
                         " ORDER BY period"));
    h->Bind(1, r.device.serial);
    for (;;) {
      HOMEPORT_ASSIGN_OR_RETURN(bool more, h->Step());
      if (!more) break;
      r.earlier.push_back({h->Text(0), h->Text(1), h->Text(2), h->Text(3), h->Int(4)});
    }
    return Status::Ok();
  }

  Status AppendAccessLog(const std::string& actor, const std::string& action,
                         const std::string& subject, TimePoint now) {
    HOMEPORT_ASSIGN_OR_RETURN(
        Statement * last,
        writer_->Prepare("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1"));
    HOMEPORT_ASSIGN_OR_RETURN(bool row, last->Step());
    AccessLogEntry e = NextAccessLogEntry(row ? last->Int(0) : 0,
                                          row ? last->Text(1) : std::string(64, '0'), actor,
                                          action, subject, now);
    last->Reset();
    HOMEPORT_ASSIGN_OR_RETURN(Statement * ins,
                              writer_->Prepare("INSERT INTO access_log VALUES (?, ?, ?, ?, ?, ?, ?)"));
    ins->Bind(1, e.seq).Bind(2, e.at).Bind(3, e.actor).Bind(4, e.action).Bind(5, e.subject);
    HOMEPORT_RETURN_IF_ERROR(ins->Bind(6, e.prev_hash).Bind(7, e.hash).Run());
    return AppendLog(OperatorReadEntry(actor, action, now));
  }

  // The transparency log, appended to on the write connection inside the caller's transaction
  // (write_mu_ held): SQLite has one writer, so no other append can interleave.
  class WriterLogTarget final : public LogAppendTarget {
   public:
    explicit WriterLogTarget(Connection& c) : c_(c) {}
    Result<int64_t> LockedLogSize() override { return LogSizeOn(c_); }
    Result<std::vector<tlog::Hash>> ReadHashes(std::span<const int64_t> indexes) override {
      return ReadHashesOn(c_, indexes);
    }
    Status WriteLogEntries(int64_t first_index, std::span<const std::string> entries,
                           int64_t first_hash_index, std::span<const tlog::Hash> hashes) override {
      HOMEPORT_ASSIGN_OR_RETURN(Statement * e,
                                c_.Prepare("INSERT INTO tlog_entries (idx, data) VALUES (?, ?)"));
      for (size_t i = 0; i < entries.size(); ++i) {
        e->Reset();
        HOMEPORT_RETURN_IF_ERROR(
            e->Bind(1, first_index + static_cast<int64_t>(i)).Bind(2, entries[i]).Run());
      }
      HOMEPORT_ASSIGN_OR_RETURN(Statement * h,
                                c_.Prepare("INSERT INTO tlog_hashes (idx, hash) VALUES (?, ?)"));
      for (size_t i = 0; i < hashes.size(); ++i) {
        h->Reset();
        HOMEPORT_RETURN_IF_ERROR(
            h->Bind(1, first_hash_index + static_cast<int64_t>(i)).Bind(2, HashToHex(hashes[i])).Run());
      }
      return Status::Ok();
    }

   private:
    Connection& c_;
  };

  static Result<int64_t> LogSizeOn(Connection& c) {
    HOMEPORT_ASSIGN_OR_RETURN(Statement * s,
                              c.Prepare("SELECT COALESCE(MAX(idx) + 1, 0) FROM tlog_entries"));
    HOMEPORT_RETURN_IF_ERROR(s->Step().status());
    const int64_t n = s->Int(0);
    s->Reset();
    return n;
  }

  static Result<std::vector<tlog::Hash>> ReadHashesOn(Connection& c,
                                                      std::span<const int64_t> indexes) {
    HOMEPORT_ASSIGN_OR_RETURN(Statement * s,
                              c.Prepare("SELECT hash FROM tlog_hashes WHERE idx = ?"));
    std::vector<tlog::Hash> out;
    out.reserve(indexes.size());
    for (int64_t index : indexes) {
      s->Reset();
      s->Bind(1, index);
      HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) {
        return Status::NotFound("the log's stored hash " + std::to_string(index) + " is missing");
      }
      auto hash = HashFromHex(s->Text(0));
      s->Reset();
      if (!hash.ok()) return hash.status();
      out.push_back(*hash);
    }
    return out;
  }

  // Appends `entry` in the open transaction of the write connection.
  Status AppendLog(const std::string& entry) {
    WriterLogTarget target(*writer_);
    return AppendLogEntry(target, entry).status();
  }

  // Reads of the log's hashes from any thread, on a reader connection.
  class ReaderLogHashes final : public tlog::HashReader {
   public:
    explicit ReaderLogHashes(SqliteStore& store) : store_(store) {}
    Result<std::vector<tlog::Hash>> ReadHashes(std::span<const int64_t> indexes) override {
      HOMEPORT_ASSIGN_OR_RETURN(auto reader, store_.AcquireReader());
      auto hashes = ReadHashesOn(*reader, indexes);
      store_.ReleaseReader(std::move(reader));
      return hashes;
    }

   private:
    SqliteStore& store_;
  };

  Result<std::unique_ptr<Connection>> AcquireReader() {
    {
      std::lock_guard lock(pool_mu_);
      if (!readers_.empty()) {
        auto c = std::move(readers_.back());
        readers_.pop_back();
        return c;
      }
    }
    return Connection::Open(path_);
  }

  void ReleaseReader(std::unique_ptr<Connection> c) {
    std::lock_guard lock(pool_mu_);
    readers_.push_back(std::move(c));
  }

  const std::string path_;
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> readers_;
  ReaderLogHashes log_hashes_{*this};
};

}  // namespace

namespace {

// NotFound unless `path` holds a homeport store; the connection is opened only when the file
// exists and is not empty, so that nothing is created.
Result<std::unique_ptr<Connection>> OpenExistingStoreFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || st.st_size == 0) {
    return Status::NotFound("no store at " + path +
                            ": check the path (`homeport serve` and `homeport enroll` create "
                            "a store; this command only reads one)");
  }
  HOMEPORT_ASSIGN_OR_RETURN(auto c, Connection::Open(path));
  HOMEPORT_ASSIGN_OR_RETURN(
      Statement * s, c->Prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                " AND name = 'schema_migrations'"));
  HOMEPORT_ASSIGN_OR_RETURN(bool row, s->Step());
  const bool is_store = row && s->Int(0) > 0;
  s->Reset();
  if (!is_store) return Status::NotFound(path + " is an SQLite file but not a homeport store");
  return c;
}

}  // namespace

Result<SchemaVersions> SqliteSchemaVersions(const std::string& path) {
  HOMEPORT_ASSIGN_OR_RETURN(auto c, OpenExistingStoreFile(path));
  HOMEPORT_ASSIGN_OR_RETURN(Statement * s,
                            c->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  HOMEPORT_RETURN_IF_ERROR(s->Step().status());
  SchemaVersions v{s->Int(0), static_cast<int64_t>(std::size(kMigrations))};
  s->Reset();
  return v;
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, StoreCreation creation) {
  if (path.empty()) return Status::InvalidArgument("sqlite store URL needs a path: sqlite:PATH");
  std::unique_ptr<Connection> writer;
  if (creation == StoreCreation::kMustExist) {
    HOMEPORT_ASSIGN_OR_RETURN(writer, OpenExistingStoreFile(path));
  } else {
    HOMEPORT_ASSIGN_OR_RETURN(writer, Connection::Open(path));
  }
  auto store = std::make_unique<SqliteStore>(path, std::move(writer));
  HOMEPORT_RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace homeport
