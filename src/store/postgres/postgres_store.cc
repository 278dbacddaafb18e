// PostgresStore: the Store on a PostgreSQL-wire database, shared by any number of stateless
// servers of one region. A pool of connections serves every call; a group commit is one
// transaction sent as a libpq pipeline (BEGIN, every statement, COMMIT in one round trip).
//
// The SQL stays portable to the distributed PostgreSQL-wire engines (Citus, CockroachDB,
// YugabyteDB): idempotency through unique keys and ON CONFLICT, races between servers resolved
// by unique-key conflicts and retried transactions — no advisory locks, no LISTEN/NOTIFY, no
// table locks. docs/scale-out.md says which statements matter on such an engine.
#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "store/log_append.h"
#include "store/log_entries.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/vacuum_scheduler.h"

namespace homeport {
namespace {

using pg::Connection;
using pg::ConnectionPool;
using pg::Query;
using pg::QueryResult;
using pg::Sql;

// Each entry moves the schema one version up; never edit an applied one, append. The tables
// are the SQLite backend's, in PostgreSQL types.
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
  manifest_version BIGINT NOT NULL,
  last_checkin_at  TEXT NOT NULL,
  checkins         BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE wrong_region_attempts (
  claimed_region TEXT NOT NULL,
  variant        TEXT NOT NULL,
  attempts       BIGINT NOT NULL,
  PRIMARY KEY (claimed_region, variant)
);
CREATE TABLE audit_log (
  seq       BIGINT PRIMARY KEY,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  subject   TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
-- The access log's tail in one row. Appenders lock it (SELECT ... FOR UPDATE), so servers
-- sharing the database take turns instead of racing for the next sequence number.
CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head VALUES (1, 0, repeat('0', 64));
)sql",
    // The UX program. No serial, no device key, no time finer than a day: nothing here can be
    // joined to the activation tables (S4). stored_seq only orders a client's export.
    R"sql(
CREATE TABLE uxp_documents (
  doc_id       TEXT PRIMARY KEY,
  app_id       TEXT NOT NULL,
  doc_type     TEXT NOT NULL,
  client_id    TEXT NOT NULL,
  received_day TEXT NOT NULL,
  expires_day  TEXT NOT NULL,
  payload      TEXT NOT NULL,
  stored_seq   BIGSERIAL NOT NULL
);
CREATE INDEX uxp_documents_client ON uxp_documents(client_id);
CREATE INDEX uxp_documents_expiry ON uxp_documents(expires_day);
)sql",
    // Times about a device are days (S4); the sequence refuses replayed activations.
    R"sql(
ALTER TABLE activations RENAME COLUMN activated_at TO activated_day;
ALTER TABLE activations RENAME COLUMN last_checkin_at TO last_checkin_day;
UPDATE activations SET activated_day = substr(activated_day, 1, 10),
                       last_checkin_day = substr(last_checkin_day, 1, 10);
ALTER TABLE activations ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;
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
ALTER TABLE audit_head RENAME TO access_log_head;
)sql",
    // Daily aggregates for operators (store/daily_counts.h), seeded from what is stored already.
    R"sql(
CREATE TABLE daily_counts (
  series TEXT NOT NULL,
  day    TEXT NOT NULL,
  k1     TEXT NOT NULL,
  k2     TEXT NOT NULL,
  k3     TEXT NOT NULL,
  k4     TEXT NOT NULL,
  writer TEXT NOT NULL,
  count  BIGINT NOT NULL,
  PRIMARY KEY (series, day, k1, k2, k3, k4, writer)
);
INSERT INTO daily_counts
  SELECT 'activations', a.activated_day, d.batch, d.model, d.variant, '', 'migration', COUNT(*)
  FROM activations a JOIN devices d ON d.serial = a.serial GROUP BY 2, 3, 4, 5;
INSERT INTO daily_counts
  SELECT 'rollout', a.activated_day, d.batch, CAST(a.manifest_version AS TEXT), a.client_version,
         '', 'migration', COUNT(*)
  FROM activations a JOIN devices d ON d.serial = a.serial GROUP BY 2, 3, 4, 5;
INSERT INTO daily_counts
  SELECT 'pings', received_day, app_id, doc_type, '', '', 'migration', COUNT(*)
  FROM uxp_documents GROUP BY 2, 3, 4;
INSERT INTO daily_counts
  SELECT 'wrong_region', to_char(current_date, 'YYYY-MM-DD'), claimed_region, variant, '', '',
         'migration', attempts
  FROM wrong_region_attempts;
CREATE TABLE retention_runs (
  at                    TEXT PRIMARY KEY,
  documents_removed     BIGINT NOT NULL,
  metric_values_removed BIGINT NOT NULL
);
CREATE INDEX uxp_documents_day_client ON uxp_documents(received_day, client_id);
)sql",
    // Device lifecycle and the region's transparency log. Appenders lock the log's head row
    // (SELECT ... FOR UPDATE), so servers sharing the database append in turn.
    R"sql(
CREATE TABLE revocations (
  serial      TEXT PRIMARY KEY REFERENCES devices(serial),
  reason      TEXT NOT NULL,
  revoked_day TEXT NOT NULL
);
CREATE TABLE warranty_history (
  serial           TEXT NOT NULL REFERENCES devices(serial),
  period           BIGINT NOT NULL,
  warranty_start   TEXT NOT NULL,
  ended_day        TEXT NOT NULL,
  reason           TEXT NOT NULL,
  client_version   TEXT NOT NULL,
  manifest_version BIGINT NOT NULL,
  PRIMARY KEY (serial, period)
);
CREATE TABLE tlog_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  size BIGINT NOT NULL
);
INSERT INTO tlog_head VALUES (1, 0);
CREATE TABLE tlog_entries (
  idx  BIGINT PRIMARY KEY,
  data TEXT NOT NULL
);
CREATE TABLE tlog_hashes (
  idx  BIGINT PRIMARY KEY,
  hash TEXT NOT NULL
);
CREATE TABLE tlog_manifests (
  token_sha256 TEXT PRIMARY KEY,
  idx          BIGINT NOT NULL
);
CREATE TABLE tlog_cosignatures (
  size     BIGINT NOT NULL,
  key_name TEXT NOT NULL,
  line     TEXT NOT NULL,
  PRIMARY KEY (size, key_name)
);
)sql",
    // The transparency-log entry of each erased client's erasure: a retried deletion-request is
    // answered with the entry of the first.
    R"sql(
ALTER TABLE erased_clients ADD COLUMN log_index BIGINT;
)sql",
    // The row that orders a client's documents and its erasure across servers: a commit that
    // stores documents holds it FOR SHARE, one that erases holds it FOR UPDATE (see Commit).
    R"sql(
CREATE TABLE erasure_fence (
  id INTEGER PRIMARY KEY CHECK (id = 1)
);
INSERT INTO erasure_fence VALUES (1);
)sql",
};

// Every statement of the data path, prepared once per connection.
const Sql kMigrationsVersion{"hp_migrations_version",
                             "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"};
const Sql kFindMigrationsTable{"hp_find_migrations_table",
                               "SELECT to_regclass('schema_migrations') IS NOT NULL"};
const Sql kClaimMigration{"hp_claim_migration", "INSERT INTO schema_migrations VALUES ($1)"};

const Sql kFindDevice{"hp_find_device",
                      "SELECT serial, model, sku, variant, region, batch, public_key"
                      " FROM devices WHERE serial = $1"};
const Sql kEnrollDevice{"hp_enroll_device",
                        "INSERT INTO devices (serial, model, sku, variant, region, batch,"
                        " public_key) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                        " ON CONFLICT (serial) DO NOTHING"};

// An activation is three statements, pipelined without waiting for each other: the insert
// that only a first activation passes, the check-in update that only new versions with a
// higher sequence and no lower manifest version pass, and the read of the warranty start and
// the recorded versions that every outcome returns. Each sees the effects of the
// ones before it, and under READ COMMITTED a concurrent server's first activation of the same
// device makes our insert wait and then do nothing. The insert of a serial that is not
// enrolled violates the foreign key, which aborts the whole batch before its COMMIT.
const Sql kInsertActivation{
    "hp_insert_activation",
    "INSERT INTO activations (serial, warranty_start, activated_day, client_version,"
    " manifest_version, last_checkin_day, sequence)"
    " SELECT $1::text, $2::text, $2::text, $3::text, $4::bigint, $2::text, $5::bigint"
    " WHERE NOT EXISTS (SELECT 1 FROM revocations WHERE serial = $1::text)"
    " ON CONFLICT (serial) DO NOTHING"};
// Whether the device is revoked: then the insert and the check-in change nothing.
const Sql kRevocationOf{"hp_revocation_of",
                        "SELECT reason, revoked_day FROM revocations WHERE serial = $1"};
// The versions before a check-in, and the device's labels for the daily aggregates. FOR UPDATE:
// a concurrent server's check-in of the same device waits, so "before" stays true.
const Sql kLockActivation{
    "hp_lock_activation",
    "SELECT a.client_version, a.manifest_version, d.batch, d.model, d.variant"
    " FROM activations a JOIN devices d ON d.serial = a.serial WHERE a.serial = $1"
    " FOR UPDATE OF a"};
const Sql kCheckIn{
    "hp_check_in",
    "UPDATE activations SET client_version = $2::text, manifest_version = $3::bigint,"
    " last_checkin_day = $4::text, sequence = $5::bigint, checkins = checkins + 1"
    " WHERE serial = $1::text AND (client_version <> $2::text OR manifest_version <> $3::bigint)"
    " AND sequence < $5::bigint AND (manifest_version <= $3::bigint OR $6::boolean)"
    " AND NOT EXISTS (SELECT 1 FROM revocations WHERE serial = $1::text)"};
const Sql kRecordedActivation{
    "hp_recorded_activation",
    "SELECT warranty_start, client_version, manifest_version, sequence FROM activations"
    " WHERE serial = $1"};

const Sql kCountWrongRegion{
    "hp_count_wrong_region",
    "INSERT INTO wrong_region_attempts AS w (claimed_region, variant, attempts)"
    " VALUES ($1, $2, $3::bigint) ON CONFLICT (claimed_region, variant)"
    " DO UPDATE SET attempts = w.attempts + EXCLUDED.attempts"};
// All documents of a batch in one multi-row statement: the rows arrive as one array per
// column, so the statement is prepared once whatever the batch size. Raw-insert measurements
// (bench/README.md, postgres_insert_rps_*) put multi-row inserts well ahead of one pipelined
// statement per row. RETURNING names the documents that were new.
const Sql kInsertDocuments{
    "hp_insert_documents",
    "INSERT INTO uxp_documents (doc_id, app_id, doc_type, client_id, received_day, expires_day,"
    " payload) SELECT d.doc_id, d.app_id, d.doc_type, d.client_id, d.received_day,"
    " d.expires_day, d.payload FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
    " $5::text[], $6::text[], $7::text[], $8::text[]) AS d (doc_id, app_id, doc_type,"
    " client_id, received_day, expires_day, payload, client_digest) WHERE NOT EXISTS"
    " (SELECT 1 FROM erased_clients e WHERE e.client_digest = d.client_digest) ORDER BY 1"
    " ON CONFLICT (doc_id) DO NOTHING RETURNING doc_id"};
// Two statements, so that the first tells a new erasure (counted once) from a repeated one.
const Sql kRememberErasure{"hp_remember_erasure",
                           "INSERT INTO erased_clients (client_digest, expires_day)"
                           " VALUES ($1, $2) ON CONFLICT (client_digest) DO NOTHING"};
const Sql kExtendErasure{"hp_extend_erasure",
                         "UPDATE erased_clients SET expires_day = GREATEST(expires_day, $2)"
                         " WHERE client_digest = $1 RETURNING COALESCE(log_index, -1)"};
const Sql kSetErasureLogIndex{"hp_set_erasure_log_index",
                              "UPDATE erased_clients SET log_index = $2 WHERE client_digest = $1"};
const Sql kAddDailyCount{"hp_add_daily_count",
                         "INSERT INTO daily_counts AS c VALUES ($1, $2, $3, $4, $5, $6, $7,"
                         " $8::bigint) ON CONFLICT (series, day, k1, k2, k3, k4, writer)"
                         " DO UPDATE SET count = c.count + EXCLUDED.count"};
const Sql kDailyCounts{"hp_daily_counts",
                       "SELECT day, k1, k2, k3, k4, SUM(count) FROM daily_counts"
                       " WHERE series = $1 AND day >= $2 GROUP BY day, k1, k2, k3, k4"};
const Sql kActiveClients{"hp_active_clients",
                         "SELECT received_day, COUNT(DISTINCT client_id) FROM uxp_documents"
                         " WHERE received_day >= $1 AND client_id <> '' GROUP BY received_day"};
const Sql kDocumentAges{"hp_document_ages",
                        "SELECT app_id, doc_type, received_day, expires_day, COUNT(*)"
                        " FROM uxp_documents GROUP BY 1, 2, 3, 4"};
const Sql kDatabaseBytes{"hp_database_bytes", "SELECT pg_database_size(current_database())"};
const Sql kLastRetentionRun{"hp_last_retention_run",
                            "SELECT at, documents_removed, metric_values_removed"
                            " FROM retention_runs ORDER BY at DESC LIMIT 1"};
const Sql kRecordRetentionRun{"hp_record_retention_run",
                              "INSERT INTO retention_runs AS r VALUES ($1, $2::bigint, $3::bigint)"
                              " ON CONFLICT (at) DO UPDATE SET"
                              " documents_removed = EXCLUDED.documents_removed,"
                              " metric_values_removed = EXCLUDED.metric_values_removed"};
const Sql kTrimRetentionRuns{"hp_trim_retention_runs",
                             "DELETE FROM retention_runs WHERE at NOT IN"
                             " (SELECT at FROM retention_runs ORDER BY at DESC LIMIT 100)"};
const Sql kEraseClient{"hp_erase_client", "DELETE FROM uxp_documents WHERE client_id = $1"};
const Sql kShareErasureFence{"hp_share_erasure_fence",
                             "SELECT 1 FROM erasure_fence WHERE id = 1 FOR SHARE"};
const Sql kLockErasureFence{"hp_lock_erasure_fence",
                            "SELECT 1 FROM erasure_fence WHERE id = 1 FOR UPDATE"};
const Sql kForgetErasures{"hp_forget_erasures",
                          "DELETE FROM erased_clients WHERE expires_day < $1"};

const Sql kLookupWarranty{
    "hp_lookup_warranty",
    "SELECT d.serial, d.model, d.sku, d.variant, d.region, d.batch, d.public_key,"
    " a.warranty_start, a.activated_day, a.client_version, a.manifest_version,"
    " a.last_checkin_day, a.checkins, a.sequence"
    " FROM devices d JOIN activations a ON a.serial = d.serial WHERE d.serial = $1"};
const Sql kRolloutBatches{"hp_rollout_batches",
                          "SELECT d.batch, COUNT(*),"
                          " COUNT(CASE WHEN r.serial IS NULL THEN a.serial END), COUNT(r.serial)"
                          " FROM devices d LEFT JOIN activations a ON a.serial = d.serial"
                          " LEFT JOIN revocations r ON r.serial = d.serial"
                          " WHERE $1 = '' OR d.batch = $1"
                          " GROUP BY d.batch ORDER BY d.batch"};
const Sql kRolloutVersions{"hp_rollout_versions",
                           "SELECT d.batch, a.manifest_version, a.client_version, COUNT(*)"
                           " FROM activations a JOIN devices d ON d.serial = a.serial"
                           " WHERE ($1 = '' OR d.batch = $1)"
                           " AND NOT EXISTS (SELECT 1 FROM revocations r WHERE r.serial = d.serial)"
                           " GROUP BY d.batch, a.manifest_version, a.client_version"
                           " ORDER BY d.batch, a.manifest_version, a.client_version"};
const Sql kWrongRegionCounts{"hp_wrong_region_counts",
                             "SELECT claimed_region, variant, attempts FROM wrong_region_attempts"
                             " ORDER BY claimed_region, variant"};
const Sql kAccessLogTail{"hp_access_log_tail",
                         "SELECT seq, hash FROM access_log_head WHERE id = 1 FOR UPDATE"};
const Sql kAccessLogMoveTail{"hp_access_log_move_tail",
                             "UPDATE access_log_head SET seq = $1, hash = $2 WHERE id = 1"};
const Sql kAccessLogAppend{"hp_access_log_append",
                           "INSERT INTO access_log (seq, at, actor, action, subject, prev_hash,"
                           " hash) VALUES ($1, $2, $3, $4, $5, $6, $7)"};
const Sql kAccessLogRead{"hp_access_log_read",
                         "SELECT seq, at, actor, action, subject, prev_hash, hash FROM access_log"
                         " ORDER BY seq"};
const Sql kExportClient{"hp_export_client",
                        "SELECT doc_id, app_id, doc_type, client_id, received_day, expires_day,"
                        " payload FROM uxp_documents WHERE client_id = $1"
                        " ORDER BY received_day, stored_seq"};
const Sql kExpireDocuments{"hp_expire_documents",
                           "DELETE FROM uxp_documents WHERE expires_day < $1"};
const Sql kExpireMetric{"hp_expire_metric",
                        "UPDATE uxp_documents SET payload = (payload::jsonb #- $1::text[])::text"
                        " WHERE app_id = $2 AND doc_type = $3 AND received_day < $4"
                        " AND (payload::jsonb #> $1::text[]) IS NOT NULL"};
const Sql kDocumentCounts{"hp_document_counts",
                          "SELECT app_id || '/' || doc_type, COUNT(*) FROM uxp_documents"
                          " GROUP BY app_id, doc_type ORDER BY 1"};

// Device lifecycle.
const Sql kSelectSerial{"hp_select_serial", "SELECT serial, batch FROM devices WHERE serial = $1"};
const Sql kSelectBatch{"hp_select_batch",
                       "SELECT serial, batch FROM devices WHERE batch = $1 ORDER BY serial"};
const Sql kRevoke{"hp_revoke",
                  "INSERT INTO revocations (serial, reason, revoked_day)"
                  " SELECT s, $2, $3 FROM unnest($1::text[]) AS s ORDER BY s"
                  " ON CONFLICT (serial) DO NOTHING"};
const Sql kReinstate{"hp_reinstate", "DELETE FROM revocations WHERE serial = ANY($1::text[])"};
const Sql kWarrantyHistory{"hp_warranty_history",
                           "SELECT warranty_start, ended_day, reason, client_version,"
                           " manifest_version FROM warranty_history WHERE serial = $1"
                           " ORDER BY period"};
const Sql kLockCurrentWarranty{"hp_lock_current_warranty",
                               "SELECT warranty_start, client_version, manifest_version"
                               " FROM activations WHERE serial = $1 FOR UPDATE"};
const Sql kKeepWarranty{"hp_keep_warranty",
                        "INSERT INTO warranty_history (serial, period, warranty_start, ended_day,"
                        " reason, client_version, manifest_version)"
                        " SELECT $1::text, COUNT(*) + 1, $2, $3, $4, $5, $6::bigint"
                        " FROM warranty_history WHERE serial = $1::text"};
const Sql kEndWarranty{"hp_end_warranty", "DELETE FROM activations WHERE serial = $1"};

// The transparency log. The head row is locked by every appender, so servers append in turn.
const Sql kLogHeadLocked{"hp_log_head_locked", "SELECT size FROM tlog_head WHERE id = 1 FOR UPDATE"};
const Sql kLogSize{"hp_log_size", "SELECT size FROM tlog_head WHERE id = 1"};
const Sql kLogMoveHead{"hp_log_move_head", "UPDATE tlog_head SET size = $1::bigint WHERE id = 1"};
const Sql kLogInsertEntry{"hp_log_insert_entry",
                          "INSERT INTO tlog_entries (idx, data) VALUES ($1::bigint, $2)"};
const Sql kLogInsertHashes{"hp_log_insert_hashes",
                           "INSERT INTO tlog_hashes (idx, hash)"
                           " SELECT $1::bigint + i - 1, h"
                           " FROM unnest($2::text[]) WITH ORDINALITY AS t (h, i)"};
const Sql kLogReadHashes{"hp_log_read_hashes",
                         "SELECT t.i, h.hash FROM unnest($1::bigint[]) WITH ORDINALITY AS t (idx, i)"
                         " JOIN tlog_hashes h ON h.idx = t.idx ORDER BY t.i"};
const Sql kLogEntries{"hp_log_entries",
                      "SELECT data FROM tlog_entries WHERE idx >= $1::bigint AND idx < $2::bigint"
                      " ORDER BY idx"};
const Sql kLoggedManifest{"hp_logged_manifest",
                          "SELECT idx FROM tlog_manifests WHERE token_sha256 = $1"};
const Sql kLogManifest{"hp_log_manifest",
                       "INSERT INTO tlog_manifests (token_sha256, idx) VALUES ($1, $2::bigint)"};
const Sql kAddCosignature{"hp_add_cosignature",
                          "INSERT INTO tlog_cosignatures AS c (size, key_name, line)"
                          " VALUES ($1::bigint, $2, $3) ON CONFLICT (size, key_name)"
                          " DO UPDATE SET line = EXCLUDED.line"};
const Sql kTrimCosignatures{"hp_trim_cosignatures",
                            "DELETE FROM tlog_cosignatures WHERE key_name = $1 AND size NOT IN"
                            " (SELECT size FROM tlog_cosignatures WHERE key_name = $1"
                            " ORDER BY size DESC LIMIT $2::bigint)"};
const Sql kCosignatures{"hp_cosignatures",
                        "SELECT key_name, line FROM tlog_cosignatures WHERE size = $1::bigint"};

// How often a transaction that lost a race (deadlock, serialization failure) is rerun before
// the error is returned.
constexpr int kRaceRetries = 16;

Result<EnrollmentRecord> ReadDevice(const QueryResult& r, int row) {
  EnrollmentRecord d{r.Text(row, 0),
                     r.Text(row, 1),
                     r.Text(row, 2),
                     r.Text(row, 3),
                     r.Text(row, 4),
                     r.Text(row, 5),
                     {}};
  auto key = crypto::PublicKey::FromBase64Url(r.Text(row, 6));
  if (!key.ok()) {
    return Status::Corruption("stored public key of " + d.serial +
                              " is unreadable: " + key.status().message());
  }
  d.device_key = *key;
  return d;
}

// A PostgreSQL text[] literal of plain elements, each quoted.
std::string TextArray(const std::vector<std::string>& items) {
  size_t size = 2;
  for (const auto& item : items) size += item.size() + 3;
  std::string out;
  out.reserve(size + size / 16);  // room for a few escapes
  out += '{';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

class PostgresStore final : public Store {
 public:
  PostgresStore(const std::string& url, Env* env)
      : env_(env), pool_(url, kPoolSize), vacuum_([this] { return VacuumDocuments(); }, kVacuumInterval) {}

  // NotFound unless the database (its search_path) holds a homeport schema.
  Status CheckExists() {
    return WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kFindMigrationsTable));
      if (r.rows() == 1 && r.Text(0, 0) == "t") return Status::Ok();
      return Status::NotFound(
          "the database holds no homeport store (no schema_migrations table in its "
          "search_path): check the URL (`homeport serve` and `homeport enroll` create a store; "
          "this command only reads one)");
    });
  }

  Result<SchemaVersions> ReadSchemaVersions() {
    SchemaVersions v{0, static_cast<int64_t>(std::size(kMigrations))};
    HOMEPORT_RETURN_IF_ERROR(WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kMigrationsVersion));
      v.current = r.Int(0, 0);
      return Status::Ok();
    }));
    return v;
  }

  Status Migrate() {
    return WithConnection([&](Connection& c) -> Status {
      // Two servers starting at once may both try to create it: IF NOT EXISTS does not stop
      // the loser from failing on the system catalogue, so it tries again and finds the table.
      for (int attempt = 0;; ++attempt) {
        Status created = c.Exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (version BIGINT PRIMARY KEY)");
        if (created.ok()) break;
        if (c.broken() || attempt == kRaceRetries) return created;
        env_->SleepFor(std::chrono::milliseconds(10 * (attempt + 1)));
      }
      for (int attempt = 0;; ++attempt) {
        Status st = ApplyMigrations(c);
        if (st.ok() || attempt == kRaceRetries || !(st.IsAlreadyExists() || st.IsAborted())) {
          return st;
        }
      }
    });
  }

  using Store::Enroll;
  Status Enroll(const std::vector<EnrollmentRecord>& records, TimePoint now) override {
    return WithConnection([&](Connection& c) -> Status {
      return InTransaction(c, [&]() -> Status {
        std::vector<Query> inserts;
        inserts.reserve(records.size());
        for (const auto& r : records) {
          inserts.push_back({&kEnrollDevice,
                             {r.serial, r.model, r.sku, r.variant, r.region, r.batch,
                              r.device_key.ToBase64Url()}});
        }
        HOMEPORT_ASSIGN_OR_RETURN(auto inserted, c.RunPipelined(inserts));
        // Serials that were there already must carry the same record.
        std::vector<Query> finds;
        std::vector<const EnrollmentRecord*> existing;
        for (size_t i = 0; i < records.size(); ++i) {
          if (inserted[i].affected() == 1) continue;
          finds.push_back({&kFindDevice, {records[i].serial}});
          existing.push_back(&records[i]);
        }
        HOMEPORT_ASSIGN_OR_RETURN(auto found, c.RunPipelined(finds));
        for (size_t i = 0; i < found.size(); ++i) {
          if (found[i].rows() != 1) {
            return Status::Internal("enrolled serial vanished: " + existing[i]->serial);
          }
          HOMEPORT_ASSIGN_OR_RETURN(EnrollmentRecord stored, ReadDevice(found[i], 0));
          if (!(stored == *existing[i])) {
            return Status::AlreadyExists("serial " + existing[i]->serial +
                                         " is already enrolled with a different record");
          }
        }
        std::map<std::string, std::vector<EnrollmentRecord>> added;  // by batch
        for (size_t i = 0; i < records.size(); ++i) {
          if (inserted[i].affected() == 1) added[records[i].batch].push_back(records[i]);
        }
        for (const auto& [batch, new_records] : added) {
          HOMEPORT_RETURN_IF_ERROR(AppendLog(
              c, EnrollmentEntry(batch, static_cast<int64_t>(new_records.size()),
                                 EnrollmentRecordsDigest(new_records), now)));
        }
        return Status::Ok();
      });
    });
  }

  Result<std::optional<EnrollmentRecord>> FindEnrollment(const std::string& serial) override {
    std::optional<EnrollmentRecord> out;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kFindDevice, {serial}));
      if (r.rows() == 0) return Status::Ok();
      HOMEPORT_ASSIGN_OR_RETURN(EnrollmentRecord d, ReadDevice(r, 0));
      out = std::move(d);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return out;
  }

  Result<BatchResult> Commit(const WriteBatch& batch, TimePoint now) override {
    const std::string day = FormatDate(now);
    std::vector<Query> queries;
    queries.reserve(1 + batch.activations.size() * 5 + batch.wrong_region.size() + 1 +
                    batch.erasures.size() * 3);
    // Documents and erasures of one client committed by two servers at once: each statement
    // could miss the other's uncommitted rows (the insert sees no erased client yet, the
    // erasure no document yet) and a document would outlive its erasure. The fence row, locked
    // first, orders them: commits that store documents share it, a commit that erases waits for
    // them and holds it alone, and a statement's snapshot is taken after its lock is granted.
    // A lock and not SERIALIZABLE: an erasure's commit appends to the transparency log, and a
    // long transaction would lose every serialization race to a stream of short ones.
    const bool fenced = !batch.documents.empty() || !batch.erasures.empty();
    if (fenced) {
      queries.push_back({batch.erasures.empty() ? &kShareErasureFence : &kLockErasureFence, {}});
    }
    // Rows are locked in key order, so two servers' commits cannot deadlock on each other.
    std::vector<size_t> order(batch.activations.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      return batch.activations[x].serial < batch.activations[y].serial;
    });
    for (size_t k : order) {
      const Activation& a = batch.activations[k];
      std::string version = std::to_string(a.manifest_version);
      std::string sequence = std::to_string(a.sequence);
      queries.push_back({&kInsertActivation, {a.serial, day, a.client_version, version, sequence}});
      queries.push_back({&kLockActivation, {a.serial}});
      queries.push_back({&kCheckIn, {a.serial, a.client_version, version, day, sequence,
                                     a.rollback ? "true" : "false"}});
      queries.push_back({&kRecordedActivation, {a.serial}});
      queries.push_back({&kRevocationOf, {a.serial}});
    }
    std::map<std::pair<std::string, std::string>, int64_t> wrong_region;
    for (const auto& w : batch.wrong_region) {
      wrong_region[{w.claimed_region, w.variant}] += w.attempts;
    }
    for (const auto& [key, n] : wrong_region) {
      queries.push_back({&kCountWrongRegion, {key.first, key.second, std::to_string(n)}});
    }
    if (!batch.documents.empty()) queries.push_back(InsertDocuments(batch.documents));
    std::map<std::string, std::string> erased_clients;  // client → the latest expires_day
    std::map<std::string, std::string> commitments;     // client → its first commitment
    for (const auto& e : batch.erasures) {
      std::string& until = erased_clients[e.client_id];
      until = std::max(until, e.expires_day);
      if (std::string& c = commitments[e.client_id]; c.empty()) c = e.commitment;
    }
    for (const auto& [client, until] : erased_clients) {
      std::string digest = ErasedClientDigest(client);
      queries.push_back({&kRememberErasure, {digest, until}});
      queries.push_back({&kExtendErasure, {digest, until}});
      queries.push_back({&kEraseClient, {client}});
    }
    // Two round trips: the batch, then the daily aggregates its outcomes add; one COMMIT.
    BatchResult out;
    std::map<std::string, int64_t> log_index;  // erased client → its log entry, -1 until logged
    auto tally_outcomes = [&](const std::vector<QueryResult>& results,
                              DailyTally& tally) -> Status {
      out = BatchResult{};
      log_index.clear();
      size_t i = fenced ? 1 : 0;
      out.activations.resize(batch.activations.size());
      for (size_t k : order) {
        const QueryResult& inserted = results[i++];
        const QueryResult& locked = results[i++];
        const QueryResult& checked_in = results[i++];
        const QueryResult& recorded = results[i++];
        // Read last: a revocation committed while the statements above ran is seen here, and
        // one that stopped the insert or the check-in is always seen.
        const QueryResult& revoked = results[i++];
        const Activation& a = batch.activations[k];
        if (revoked.rows() == 1) {
          out.activations[k] = {RecordOutcome::kRevoked, "", 0, 0};
          continue;
        }
        if (recorded.rows() != 1 || locked.rows() != 1) {
          return Status::InvalidArgument("activation of a serial that is not enrolled: " +
                                         a.serial);
        }
        // Neither inserted nor checked in: the recorded versions tell a repeat from a replay.
        bool same =
            recorded.Text(0, 1) == a.client_version && recorded.Int(0, 2) == a.manifest_version;
        RecordOutcome outcome = inserted.affected() == 1     ? RecordOutcome::kCreated
                                : checked_in.affected() == 1 ? RecordOutcome::kCheckedIn
                                : same                       ? RecordOutcome::kRepeated
                                                             : RecordOutcome::kStale;
        out.activations[k] = {outcome, recorded.Text(0, 0), recorded.Int(0, 3), recorded.Int(0, 2)};
        const DeviceLabels device{locked.Text(0, 2), locked.Text(0, 3), locked.Text(0, 4)};
        const VersionPair versions{a.manifest_version, a.client_version};
        if (outcome == RecordOutcome::kCreated) TallyFirstActivation(tally, day, device, versions);
        if (outcome == RecordOutcome::kCheckedIn) {
          TallyCheckIn(tally, day, device, {locked.Int(0, 1), locked.Text(0, 0)}, versions);
        }
      }
      for (const auto& [key, n] : wrong_region) {
        ++i;
        tally.Add(daily::kWrongRegion, day, {key.first, key.second, "", ""}, n);
      }
      if (!batch.documents.empty()) {
        const QueryResult& inserted = results[i++];
        std::set<std::string> fresh;
        for (int r = 0; r < inserted.rows(); ++r) fresh.insert(inserted.Text(r, 0));
        // A doc_id twice in one batch is stored once: the first occurrence counts.
        for (const auto& d : batch.documents) {
          const bool stored = fresh.erase(d.doc_id) == 1;
          out.documents_stored.push_back(stored);
          if (stored) TallyStoredDocument(tally, d);
        }
      }
      std::map<std::string, int64_t> erased;
      for (const auto& [client, until] : erased_clients) {
        if (results[i].affected() == 1) tally.Add(daily::kDeletionRequests, day, {}, 1);
        ++i;  // the erased client remembered
        const QueryResult& extended = results[i++];
        log_index[client] = extended.rows() == 1 ? extended.Int(0, 0) : -1;
        erased[client] = results[i].affected();
        if (results[i++].affected() > 0) vacuum_.Request();
      }
      // A client erased twice in one batch: the first erasure removed everything.
      for (const auto& e : batch.erasures)
        out.erased.push_back(std::exchange(erased[e.client_id], 0));
      for (const auto& v : batch.schema_violations) {
        tally.Add(daily::kSchemaViolations, day, {v.app_id, v.doc_type, v.field, v.problem},
                  v.pings);
      }
      return Status::Ok();
    };

    Status st = WithConnection([&](Connection& c) -> Status {
      for (int attempt = 0;; ++attempt) {
        Status run = [&]() -> Status {
          HOMEPORT_ASSIGN_OR_RETURN(auto results, c.BeginAndRun(queries));
          DailyTally tally;
          Status st = tally_outcomes(results, tally);
          if (st.ok()) st = LogErasures(c, commitments, log_index, now);
          if (!st.ok()) {
            if (!c.broken()) (void)c.Exec("ROLLBACK");
            return st;
          }
          for (const auto& e : batch.erasures) out.erasure_log_index.push_back(log_index[e.client_id]);
          std::vector<Query> counts;
          for (const auto& r : tally.Rows()) {
            counts.push_back({&kAddDailyCount,
                              {r.series, r.day, r.key[0], r.key[1], r.key[2], r.key[3],
                               DailyCountsWriterId(), std::to_string(r.count)}});
          }
          return c.RunAndCommit(counts).status();
        }();
        if (run.IsInvalidArgument()) return NameUnenrolled(c, batch);
        if (run.ok() || attempt == kRaceRetries || !run.IsAborted()) return run;
        env_->SleepFor(std::chrono::milliseconds(1 + attempt * 2));
      }
    });
    if (!st.ok()) return st;
    return out;
  }

  Result<std::optional<ActivationRecord>> LookupWarranty(const std::string& serial,
                                                         const std::string& actor,
                                                         TimePoint now) override {
    std::optional<ActivationRecord> found;
    Status st = WithAccessLogEntry(actor, "warranty.lookup", serial, now, [&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kLookupWarranty, {serial}));
      if (r.rows() == 0) return Status::Ok();
      HOMEPORT_ASSIGN_OR_RETURN(EnrollmentRecord d, ReadDevice(r, 0));
      found = ActivationRecord{std::move(d), r.Text(0, 7),  r.Text(0, 8), r.Text(0, 9),
                               r.Int(0, 10), r.Text(0, 11), r.Int(0, 12), r.Int(0, 13), {}, {}};
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult revoked, c.Run(kRevocationOf, {serial}));
      if (revoked.rows() == 1) found->revocation = Revocation{revoked.Text(0, 0), revoked.Text(0, 1)};
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult h, c.Run(kWarrantyHistory, {serial}));
      for (int i = 0; i < h.rows(); ++i) {
        found->earlier.push_back(
            {h.Text(i, 0), h.Text(i, 1), h.Text(i, 2), h.Text(i, 3), h.Int(i, 4)});
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return found;
  }

  Result<RolloutReport> Rollout(const std::optional<std::string>& batch) override {
    RolloutReport report;
    Status st = WithConnection([&](Connection& c) -> Status {
      // Both reads see one snapshot, so the totals and the version rows agree.
      HOMEPORT_RETURN_IF_ERROR(c.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
      Status read = ReadRollout(c, batch, report);
      if (!c.broken()) (void)c.Exec(read.ok() ? "COMMIT" : "ROLLBACK");
      return read;
    });
    if (!st.ok()) return st;
    return report;
  }

  // Sorted here, by bytes, as SQLite sorts: the database's collation may order names otherwise.
  static Status ReadRollout(Connection& c, const std::optional<std::string>& batch,
                            RolloutReport& report) {
    {
      // An empty filter means every batch (batch names are never empty).
      const std::string filter = batch.value_or("");
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult b, c.Run(kRolloutBatches, {filter}));
      for (int i = 0; i < b.rows(); ++i) {
        report.batches.push_back({b.Text(i, 0), b.Int(i, 1), b.Int(i, 2), b.Int(i, 3)});
      }
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult v, c.Run(kRolloutVersions, {filter}));
      for (int i = 0; i < v.rows(); ++i) {
        report.versions.push_back({v.Text(i, 0), v.Int(i, 1), v.Text(i, 2), v.Int(i, 3)});
      }
    }
    std::sort(report.batches.begin(), report.batches.end(),
              [](const BatchSize& x, const BatchSize& y) { return x.batch < y.batch; });
    std::sort(report.versions.begin(), report.versions.end(),
              [](const RolloutRow& x, const RolloutRow& y) {
                return std::tie(x.batch, x.manifest_version, x.client_version) <
                       std::tie(y.batch, y.manifest_version, y.client_version);
              });
    return Status::Ok();
  }

  Result<std::vector<WrongRegionCount>> WrongRegionCounts() override {
    std::vector<WrongRegionCount> out;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kWrongRegionCounts));
      for (int i = 0; i < r.rows(); ++i) out.push_back({r.Text(i, 0), r.Text(i, 1), r.Int(i, 2)});
      return Status::Ok();
    });
    if (!st.ok()) return st;
    std::sort(out.begin(), out.end(), [](const WrongRegionCount& x, const WrongRegionCount& y) {
      return std::tie(x.claimed_region, x.variant) < std::tie(y.claimed_region, y.variant);
    });
    return out;
  }

  Result<std::vector<AccessLogEntry>> AccessLog() override {
    std::vector<AccessLogEntry> out;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kAccessLogRead));
      for (int i = 0; i < r.rows(); ++i) {
        out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                       r.Text(i, 5), r.Text(i, 6)});
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return out;
  }

  Result<std::vector<UxpDocument>> ExportClient(const std::string& client_id,
                                                const std::string& actor, TimePoint now) override {
    std::vector<UxpDocument> out;
    Status st = WithAccessLogEntry(actor, "uxp.export", client_id, now, [&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kExportClient, {client_id}));
      out.clear();
      for (int i = 0; i < r.rows(); ++i) {
        out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                       r.Text(i, 5), r.Text(i, 6), {}});
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return out;
  }

  Result<PastWarrantyPeriod> ResetDevice(const std::string& serial, const std::string& reason,
                                         const std::string& actor, TimePoint now) override {
    PastWarrantyPeriod ended;
    Status st = InRetriedTransaction([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(SelectedDevices device,
                                SelectDevices(c, DeviceSelection::Serial(serial)));
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult current, c.Run(kLockCurrentWarranty, {serial}));
      if (current.rows() != 1) {
        return Status::InvalidArgument("serial " + serial +
                                          " has no current activation to reset");
      }
      ended = {current.Text(0, 0), FormatDate(now), reason, current.Text(0, 1),
               current.Int(0, 2)};
      HOMEPORT_RETURN_IF_ERROR(c.Run(kKeepWarranty, {serial, ended.warranty_start, ended.ended_day,
                                                     reason, ended.client_version,
                                                     std::to_string(ended.manifest_version)})
                                   .status());
      HOMEPORT_RETURN_IF_ERROR(c.Run(kEndWarranty, {serial}).status());
      return AppendLog(c, DeviceResetEntry(device.batch, reason, actor, now));
    });
    if (!st.ok()) return st;
    return ended;
  }

  Result<int64_t> LogSize() override {
    int64_t n = 0;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kLogSize));
      if (r.rows() != 1) return Status::Corruption("the transparency log's head row is missing");
      n = r.Int(0, 0);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return n;
  }

  Result<std::vector<std::string>> LogEntries(int64_t start, int64_t end) override {
    std::vector<std::string> out;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult size, c.Run(kLogSize));
      if (size.rows() != 1) return Status::Corruption("the transparency log's head row is missing");
      HOMEPORT_RETURN_IF_ERROR(CheckLogRange(start, end, size.Int(0, 0)));
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r,
                                c.Run(kLogEntries, {std::to_string(start), std::to_string(end)}));
      if (r.rows() != end - start) {
        return Status::Corruption("the log is missing entries in [" + std::to_string(start) +
                                  ", " + std::to_string(end) + ")");
      }
      for (int i = 0; i < r.rows(); ++i) out.push_back(r.Text(i, 0));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return out;
  }

  tlog::HashReader& LogHashes() override { return log_hashes_; }

  Result<int64_t> LogManifest(const std::string& token_sha256, const std::string& entry) override {
    int64_t index = 0;
    Status st = InRetriedTransaction([&](Connection& c) -> Status {
      // The head row first: a server logging the same manifest at once waits, then finds it.
      ConnectionLogTarget target(c);
      HOMEPORT_RETURN_IF_ERROR(target.LockedLogSize().status());
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult found, c.Run(kLoggedManifest, {token_sha256}));
      if (found.rows() == 1) {
        index = found.Int(0, 0);
        return Status::Ok();
      }
      HOMEPORT_ASSIGN_OR_RETURN(index, AppendLogEntry(target, entry));
      return c.Run(kLogManifest, {token_sha256, std::to_string(index)}).status();
    });
    if (!st.ok()) return st;
    return index;
  }

  Status AddCosignature(const LogCosignature& co) override {
    return InRetriedTransaction([&](Connection& c) -> Status {
      return c
          .RunPipelined({{&kAddCosignature, {std::to_string(co.size), co.key_name, co.line}},
                         {&kTrimCosignatures, {co.key_name, std::to_string(kMaxCosignedSizes)}}})
          .status();
    });
  }

  Result<std::vector<LogCosignature>> Cosignatures(int64_t size) override {
    std::vector<LogCosignature> out;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kCosignatures, {std::to_string(size)}));
      for (int i = 0; i < r.rows(); ++i) out.push_back({size, r.Text(i, 0), r.Text(i, 1)});
      return Status::Ok();
    });
    if (!st.ok()) return st;
    std::sort(out.begin(), out.end(),
              [](const LogCosignature& a, const LogCosignature& b) { return a.key_name < b.key_name; });
    return out;
  }

  Result<int64_t> ExpireDocuments(const std::string& today) override {
    auto n = Affected(kExpireDocuments, {today});
    if (!n.ok()) return n;
    if (*n > 0) vacuum_.Request();
    HOMEPORT_RETURN_IF_ERROR(Affected(kForgetErasures, {today}).status());
    return n;
  }

  Result<int64_t> ExpireMetric(const std::string& app_id, const std::string& doc_type,
                               const std::string& metric_type, const std::string& metric_name,
                               const std::string& cutoff_day) override {
    // The metric name contains dots: it is one path element, not a nested path.
    auto n = Affected(kExpireMetric, {TextArray({"metrics", metric_type, metric_name}), app_id,
                                      doc_type, cutoff_day});
    // The old row versions still hold the value until a vacuum removes them.
    if (n.ok() && *n > 0) vacuum_.Request();
    return n;
  }

  // Sorted here, by bytes, as SQLite sorts (see ReadRollout).
  Result<std::vector<DailyCount>> DailyCounts(std::string_view series,
                                              const std::string& from_day) override {
    std::vector<DailyCount> out;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kDailyCounts, {std::string(series), from_day}));
      for (int i = 0; i < r.rows(); ++i) {
        out.push_back({r.Text(i, 0),
                       {r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)},
                       r.Int(i, 5)});
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    std::sort(out.begin(), out.end(), [](const DailyCount& x, const DailyCount& y) {
      return std::tie(x.day, x.key) < std::tie(y.day, y.key);
    });
    return out;
  }

  Result<std::vector<std::pair<std::string, int64_t>>> ActiveClients(
      const std::string& from_day) override {
    std::vector<std::pair<std::string, int64_t>> out;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kActiveClients, {from_day}));
      for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.Text(i, 0), r.Int(i, 1));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    std::sort(out.begin(), out.end());
    return out;
  }

  Result<std::vector<DocumentAgeCount>> DocumentAges() override {
    std::vector<DocumentAgeCount> out;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kDocumentAges));
      for (int i = 0; i < r.rows(); ++i) {
        out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Int(i, 4)});
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    std::sort(out.begin(), out.end(), [](const DocumentAgeCount& x, const DocumentAgeCount& y) {
      return std::tie(x.app_id, x.doc_type, x.received_day, x.expires_day) <
             std::tie(y.app_id, y.doc_type, y.received_day, y.expires_day);
    });
    return out;
  }

  Result<int64_t> DatabaseBytes() override {
    int64_t bytes = 0;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kDatabaseBytes));
      bytes = r.Int(0, 0);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return bytes;
  }

  Result<std::optional<RetentionRun>> LastRetentionRun() override {
    std::optional<RetentionRun> out;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kLastRetentionRun));
      if (r.rows() == 1) out = RetentionRun{r.Text(0, 0), r.Int(0, 1), r.Int(0, 2)};
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return out;
  }

  Status RecordRetentionRun(const RetentionRun& run) override {
    return WithConnection([&](Connection& c) -> Status {
      return c
          .RunTransaction({{&kRecordRetentionRun,
                            {run.at, std::to_string(run.documents_removed),
                             std::to_string(run.metric_values_removed)}},
                           {&kTrimRetentionRuns, {}}})
          .status();
    });
  }

  Result<std::vector<std::pair<std::string, int64_t>>> DocumentCounts() override {
    std::vector<std::pair<std::string, int64_t>> out;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kDocumentCounts));
      for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.Text(i, 0), r.Int(i, 1));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  // Request threads, the writer, retention and operator calls: enough that none waits long.
  static constexpr size_t kPoolSize = 16;
  // The most often the documents table is vacuumed after erasures: a flood of deletion-requests
  // costs one vacuum a minute, and no erasure's dead rows wait longer than that.
  static constexpr std::chrono::seconds kVacuumInterval{60};

  // VACUUM cannot run inside a transaction block: a plain statement on a pooled connection.
  Status VacuumDocuments() {
    return WithConnection([](Connection& c) { return c.Exec("VACUUM uxp_documents"); });
  }

  template <typename Fn>
  Status WithConnection(Fn&& fn) {
    HOMEPORT_ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
    return fn(*lease);
  }

  template <typename Fn>
  static Status InTransaction(Connection& c, Fn&& fn) {
    HOMEPORT_RETURN_IF_ERROR(c.Exec("BEGIN"));
    Status st = fn();
    if (st.ok()) st = c.Exec("COMMIT");
    if (!st.ok() && !c.broken()) (void)c.Exec("ROLLBACK");
    return st;
  }

  static Query InsertDocuments(const std::vector<UxpDocument>& documents) {
    std::vector<std::string> columns[8];
    for (auto& c : columns) c.reserve(documents.size());
    for (const auto& d : documents) {
      columns[0].push_back(d.doc_id);
      columns[1].push_back(d.app_id);
      columns[2].push_back(d.doc_type);
      columns[3].push_back(d.client_id);
      columns[4].push_back(d.received_day);
      columns[5].push_back(d.expires_day);
      columns[6].push_back(d.payload);
      columns[7].push_back(ErasedClientDigest(d.client_id));
    }
    Query q{&kInsertDocuments, {}};
    for (const auto& c : columns) q.params.push_back(TextArray(c));
    return q;
  }

  // The batch failed on the foreign key: say which serial, as the caller's bug it is.
  static Status NameUnenrolled(Connection& c, const WriteBatch& batch) {
    for (const auto& a : batch.activations) {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kFindDevice, {a.serial}));
      if (r.rows() == 0) {
        return Status::InvalidArgument("activation of a serial that is not enrolled: " + a.serial);
      }
    }
    return Status::Internal("a batch failed on a foreign key, yet every serial is enrolled");
  }

  Result<int64_t> Affected(const Sql& sql, const std::vector<std::string>& params) {
    int64_t n = 0;
    Status st = WithConnection([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(sql, params));
      n = r.affected();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return n;
  }

  // The transparency log on one connection, inside its open transaction.
  class ConnectionLogTarget final : public LogAppendTarget {
   public:
    explicit ConnectionLogTarget(Connection& c) : c_(c) {}
    Result<int64_t> LockedLogSize() override {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c_.Run(kLogHeadLocked));
      if (r.rows() != 1) return Status::Corruption("the transparency log's head row is missing");
      return r.Int(0, 0);
    }
    Result<std::vector<tlog::Hash>> ReadHashes(std::span<const int64_t> indexes) override {
      return ReadHashesOn(c_, indexes);
    }
    Status WriteLogEntries(int64_t first_index, std::span<const std::string> entries,
                           int64_t first_hash_index, std::span<const tlog::Hash> hashes) override {
      std::vector<std::string> hex;
      for (const auto& h : hashes) hex.push_back(HashToHex(h));
      std::vector<Query> writes;
      for (size_t i = 0; i < entries.size(); ++i) {
        writes.push_back(
            {&kLogInsertEntry, {std::to_string(first_index + static_cast<int64_t>(i)), entries[i]}});
      }
      writes.push_back({&kLogInsertHashes, {std::to_string(first_hash_index), TextArray(hex)}});
      writes.push_back(
          {&kLogMoveHead, {std::to_string(first_index + static_cast<int64_t>(entries.size()))}});
      return c_.RunPipelined(writes).status();
    }

   private:
    Connection& c_;
  };

  static Result<std::vector<tlog::Hash>> ReadHashesOn(Connection& c,
                                                      std::span<const int64_t> indexes) {
    std::vector<std::string> wanted;
    wanted.reserve(indexes.size());
    for (int64_t i : indexes) wanted.push_back(std::to_string(i));
    HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kLogReadHashes, {TextArray(wanted)}));
    if (r.rows() != static_cast<int>(indexes.size())) {
      return Status::NotFound("stored hashes of the log are missing");
    }
    std::vector<tlog::Hash> out;
    out.reserve(indexes.size());
    for (int i = 0; i < r.rows(); ++i) {
      HOMEPORT_ASSIGN_OR_RETURN(tlog::Hash h, HashFromHex(r.Text(i, 1)));
      out.push_back(h);
    }
    return out;
  }

  // Appends the log entries of the erased clients that have none yet, in one write, in the
  // open transaction, and fills in `log_index`: a flood of erasures costs a few round trips a
  // batch, not a few an erasure.
  static Status LogErasures(Connection& c, const std::map<std::string, std::string>& commitments,
                            std::map<std::string, int64_t>& log_index, TimePoint now) {
    std::vector<std::string> entries;
    for (const auto& [client, index] : log_index) {
      if (index < 0) entries.push_back(ErasureEntry(commitments.at(client), now));
    }
    if (entries.empty()) return Status::Ok();
    ConnectionLogTarget target(c);
    HOMEPORT_ASSIGN_OR_RETURN(int64_t next, AppendLogEntries(target, entries));
    std::vector<Query> remember;
    for (auto& [client, index] : log_index) {
      if (index >= 0) continue;
      index = next++;
      remember.push_back({&kSetErasureLogIndex, {ErasedClientDigest(client), std::to_string(index)}});
    }
    return c.RunPipelined(remember).status();
  }

  static Status AppendLog(Connection& c, const std::string& entry) {
    ConnectionLogTarget target(c);
    return AppendLogEntry(target, entry).status();
  }

  // Reads of the log's hashes from any thread, on a pooled connection.
  class PooledLogHashes final : public tlog::HashReader {
   public:
    explicit PooledLogHashes(PostgresStore& store) : store_(store) {}
    Result<std::vector<tlog::Hash>> ReadHashes(std::span<const int64_t> indexes) override {
      std::vector<tlog::Hash> out;
      Status st = store_.WithConnection([&](Connection& c) -> Status {
        HOMEPORT_ASSIGN_OR_RETURN(out, ReadHashesOn(c, indexes));
        return Status::Ok();
      });
      if (!st.ok()) return st;
      return out;
    }

   private:
    PostgresStore& store_;
  };

  static Result<SelectedDevices> SelectDevices(Connection& c, const DeviceSelection& which) {
    HOMEPORT_ASSIGN_OR_RETURN(
        QueryResult r, which.batch.empty() ? c.Run(kSelectSerial, {which.serial})
                                           : c.Run(kSelectBatch, {which.batch}));
    if (r.rows() == 0) return Status::NotFound(DescribeSelection(which) + " is not enrolled");
    SelectedDevices out;
    for (int i = 0; i < r.rows(); ++i) out.serials.push_back(r.Text(i, 0));
    out.batch = r.Text(0, 1);
    return out;
  }

  Result<int64_t> ChangeRevocations(const DeviceSelection& which, const std::string& reason,
                                    const std::string& actor, TimePoint now,
                                    bool revoke) override {
    int64_t changed = 0;
    Status st = InRetriedTransaction([&](Connection& c) -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(SelectedDevices selected, SelectDevices(c, which));
      const std::string serials = TextArray(selected.serials);
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r,
                                revoke ? c.Run(kRevoke, {serials, reason, FormatDate(now)})
                                       : c.Run(kReinstate, {serials}));
      changed = r.affected();
      if (changed == 0) return Status::Ok();
      return AppendLog(c, RevocationEntry(revoke, which, selected.batch, changed, actor, now));
    });
    if (!st.ok()) return st;
    return changed;
  }

  // One transaction on a pooled connection, run again when it lost a race with another
  // server's (serialization failure, deadlock).
  template <typename Fn>
  Status InRetriedTransaction(Fn&& fn) {
    return WithConnection([&](Connection& c) -> Status {
      for (int attempt = 0;; ++attempt) {
        Status st = InTransaction(c, [&]() -> Status { return fn(c); });
        if (!st.IsAborted() || attempt == kRaceRetries) return st;
        env_->SleepFor(std::chrono::milliseconds(1 + attempt * 2));
      }
    });
  }

  // Runs `read` in the transaction that appends the access log entry (S7): no read without its
  // entry. The locked tail row makes concurrent appenders, of any server, wait their turn.
  template <typename Fn>
  Status WithAccessLogEntry(const std::string& actor, const std::string& action,
                            const std::string& subject, TimePoint now, Fn&& read) {
    return WithConnection([&](Connection& c) -> Status {
      for (int attempt = 0;; ++attempt) {
        Status st = InTransaction(c, [&]() -> Status {
          HOMEPORT_ASSIGN_OR_RETURN(QueryResult tail, c.Run(kAccessLogTail));
          if (tail.rows() != 1) return Status::Corruption("the access log's tail row is missing");
          AccessLogEntry e =
              NextAccessLogEntry(tail.Int(0, 0), tail.Text(0, 1), actor, action, subject, now);
          HOMEPORT_RETURN_IF_ERROR(c.Run(kAccessLogAppend, {std::to_string(e.seq), e.at, e.actor,
                                                            e.action, e.subject, e.prev_hash,
                                                            e.hash})
                                       .status());
          HOMEPORT_RETURN_IF_ERROR(
              c.Run(kAccessLogMoveTail, {std::to_string(e.seq), e.hash}).status());
          HOMEPORT_RETURN_IF_ERROR(AppendLog(c, OperatorReadEntry(actor, action, now)));
          return read(c);
        });
        if (!st.IsAborted() || attempt == kRaceRetries) return st;
      }
    });
  }

  static Status ApplyMigrations(Connection& c) {
    return InTransaction(c, [&]() -> Status {
      HOMEPORT_ASSIGN_OR_RETURN(QueryResult r, c.Run(kMigrationsVersion));
      const int64_t current = r.Int(0, 0);
      const int64_t known = std::size(kMigrations);
      HOMEPORT_RETURN_IF_ERROR(CheckSchemaVersion(current, known));
      for (int64_t v = current + 1; v <= known; ++v) {
        // Claiming the version first makes a concurrent migrator wait on the key, then fail
        // and start over on the migrated schema.
        HOMEPORT_RETURN_IF_ERROR(c.Run(kClaimMigration, {std::to_string(v)}).status());
        HOMEPORT_RETURN_IF_ERROR(c.Exec(kMigrations[v - 1]));
      }
      return Status::Ok();
    });
  }

  Env* const env_;
  ConnectionPool pool_;
  // Declared after the pool: destroyed first, its last vacuum still has connections.
  VacuumScheduler vacuum_;
  PooledLogHashes log_hashes_{*this};
};

}  // namespace

Result<SchemaVersions> PostgresSchemaVersions(const std::string& url, Env* env) {
  PostgresStore store(url, env);
  HOMEPORT_RETURN_IF_ERROR(store.CheckExists());
  return store.ReadSchemaVersions();
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, Env* env,
                                                 StoreCreation creation) {
  auto store = std::make_unique<PostgresStore>(url, env);
  if (creation == StoreCreation::kMustExist) HOMEPORT_RETURN_IF_ERROR(store->CheckExists());
  HOMEPORT_RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace homeport
