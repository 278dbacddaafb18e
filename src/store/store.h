// Store: the server's persistent state as domain operations — enrollment, activations,
// wrong-region counters, rollout figures and the operator access log — never SQL strings.
// Backends are chosen by URL through Store::Open and hidden behind this interface; one
// conformance suite (tests/store) runs against every backend.
//
// Thread-safety: every method may be called from any thread. Writes of the request path go
// through Commit(), which the GroupCommitWriter calls from its single thread with a whole
// batch; Commit() returns only after the batch is durable (S5).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time_format.h"
#include "homeport/env.h"
#include "homeport/status.h"
#include "provisioning/device_profile.h"
#include "store/daily_counts.h"
#include "tlog/merkle.h"

namespace homeport {

// A verified activation (or check-in) of an enrolled device, as the server commits it.
// Deliberately no connection metadata (S2): no address, no user agent, no time finer than the
// day (S4).
struct Activation {
  std::string serial;
  std::string client_version;
  int64_t manifest_version = 0;
  // The device's signed counter, raised before every contact. Only a request whose sequence
  // is above the recorded one may change the recorded versions, so a replayed earlier request
  // cannot set them back.
  int64_t sequence = 0;
  // The reported manifest version is one the region serves as an explicit rollback (`manifest
  // sign --rollback`): it may be below the recorded one. Any other lower version is stale.
  bool rollback = false;
};

enum class RecordOutcome {
  kCreated,    // first activation: the warranty starts today
  kRepeated,   // same versions as recorded: nothing changed, whatever the sequence
  kCheckedIn,  // a new client or manifest version was reported and recorded
  kStale,      // other versions, but a sequence not above the recorded one or a lower
               // manifest version: a replay or a rollback, and nothing changed
  kRevoked,    // the device is revoked (homeport revoke): nothing changed
};

struct ActivationResult {
  RecordOutcome outcome = RecordOutcome::kCreated;
  std::string warranty_start;  // YYYY-MM-DD of the first activation
  // What is recorded after the commit (for kStale: what refused the request).
  int64_t recorded_sequence = 0;
  int64_t recorded_manifest_version = 0;
};

// Activations that named another region: counted, never stored (S1). The server tallies
// refusals in memory and commits one aggregate per label pair now and then, so `attempts`
// refusals cost one row update, not one write each.
struct WrongRegionAttempt {
  std::string claimed_region;
  std::string variant;
  int64_t attempts = 1;  // refusals this aggregate adds to the stored count
};

// A validated, scrubbed UX-program (Glean) document. It carries no serial, no device key and
// no connection metadata, and its time is the day only (S2, S4): nothing joins it to an
// activation.
struct UxpDocument {
  std::string doc_id;        // the submission's UUID: the deduplication key
  std::string app_id;        // e.g. "homeport-agent"
  std::string doc_type;      // the ping, e.g. "diagnostics"
  std::string client_id;     // Glean client_id; empty for pings without one
  std::string received_day;  // YYYY-MM-DD
  std::string expires_day;   // YYYY-MM-DD: removed by retention after this day
  std::string payload;       // the document as JSON, identifiers scrubbed
  // Identifiers the scrubber replaced in it, by kind ("imei", "email", …): counted in the daily
  // aggregates when the document is stored, not stored with it (and empty when read back).
  std::vector<std::pair<std::string, int64_t>> scrubbed;
};

// A deletion-request: every stored document of the client goes (S6), and a digest of the
// client id (ErasedClientDigest; never the id itself) is kept, with nothing else, until
// `expires_day`, so that a document of that client stored later (resent, or still on its way
// through another server's ingest log) is refused: an erasure holds whatever the order in which
// documents and erasures reach the store.
// The erasure is recorded in the region's transparency log (S7) once per erased client, with the
// commitment its agent sent (ErasureEntry), in the same transaction.
struct ClientErasure {
  std::string client_id;
  std::string expires_day;  // YYYY-MM-DD: the erased client id is forgotten after this day
  // The agent's commitment to the client id (IsErasureCommitment), or empty when it sent none.
  std::string commitment;
};

// Pings refused because they broke their schema (S3), tallied like wrong-region refusals: the
// data-review signal of which field clients get wrong, and how.
struct SchemaViolationCount {
  std::string app_id, doc_type;
  std::string field;    // e.g. "metrics.counter.diagnostics.crash_count"
  std::string problem;  // schema::ViolationKindName, e.g. "unknown_metric"
  int64_t pings = 1;
};

// Everything one group commit writes, in one transaction. Erasures win: a document of a client
// erased in the same batch or before is not stored, whatever the order.
struct WriteBatch {
  std::vector<Activation> activations;
  std::vector<WrongRegionAttempt> wrong_region;
  std::vector<UxpDocument> documents;
  std::vector<ClientErasure> erasures;
  std::vector<SchemaViolationCount> schema_violations;
  bool empty() const { return size() == 0; }
  size_t size() const {
    return activations.size() + wrong_region.size() + documents.size() + erasures.size() +
           schema_violations.size();
  }
};

struct BatchResult {
  std::vector<ActivationResult> activations;  // one per WriteBatch::activations, same order
  std::vector<bool> documents_stored;  // per document: false when its doc_id was known or its
                                       // client erased
  std::vector<int64_t> erased;                // per erasure: documents removed
  // Per erasure: the index of the transparency-log entry that records it. A client erased
  // before keeps the entry of its first erasure (a retried or replayed deletion-request adds
  // none).
  std::vector<int64_t> erasure_log_index;
};

// A revoked device: its activations and check-ins are refused until it is reinstated.
struct Revocation {
  std::string reason;
  std::string day;  // YYYY-MM-DD
};

// A warranty period that `homeport device reset` ended; the device's next activation started
// another.
struct PastWarrantyPeriod {
  std::string warranty_start;  // YYYY-MM-DD
  std::string ended_day;       // YYYY-MM-DD
  std::string reason;          // refurbished, repaired or returned
  std::string client_version;  // the versions last recorded in the period
  int64_t manifest_version = 0;
};

// Every time kept about a device is a day (S4): a warranty needs a date, and a finer time
// could be matched against the day-level times of UX-program documents.
struct ActivationRecord {
  EnrollmentRecord device;
  std::string warranty_start;  // YYYY-MM-DD
  std::string activated_day;   // YYYY-MM-DD
  std::string client_version;
  int64_t manifest_version = 0;
  std::string last_checkin_day;  // YYYY-MM-DD; equals activated_day until the first check-in
  int64_t checkins = 0;
  int64_t sequence = 0;  // the highest sequence that changed the record; 0 before its use
  std::optional<Revocation> revocation;     // set while the device is revoked
  std::vector<PastWarrantyPeriod> earlier;  // periods ended by resets, oldest first
};

// One line of the rollout report: how many activated devices of `batch`, not revoked, run this
// version pair.
struct RolloutRow {
  std::string batch;
  int64_t manifest_version = 0;
  std::string client_version;
  int64_t devices = 0;
};
struct BatchSize {
  std::string batch;
  int64_t enrolled = 0;
  int64_t activated = 0;  // revoked devices not included
  int64_t revoked = 0;    // revoked devices, activated or not
};
struct RolloutReport {
  std::vector<BatchSize> batches;
  std::vector<RolloutRow> versions;  // ordered by batch, then manifest version, client version
};

struct WrongRegionCount {
  std::string claimed_region;
  std::string variant;
  int64_t attempts = 0;
};

// One entry of the hash-chained operator access log (S7).
struct AccessLogEntry {
  int64_t seq = 0;
  std::string at;       // RFC 3339
  std::string actor;    // who read: "cli:<user>" or "admin-token:<id>"
  std::string action;   // e.g. "warranty.lookup"
  std::string subject;  // e.g. the serial looked up
  std::string prev_hash;
  std::string hash;  // sha256(prev_hash \n seq \n at \n actor \n action \n subject)
};

// Stored UX-program documents of one ping received on one day, with their expiry day.
struct DocumentAgeCount {
  std::string app_id, doc_type;
  std::string received_day, expires_day;
  int64_t documents = 0;
};

// A retention run, as the last one is shown to operators.
struct RetentionRun {
  std::string at;  // RFC 3339
  int64_t documents_removed = 0;
  int64_t metric_values_removed = 0;
};

// The store as the request path uses it: a device's enrollment, and group commits.
class CommitStore {
 public:
  virtual ~CommitStore() = default;

  virtual Result<std::optional<EnrollmentRecord>> FindEnrollment(const std::string& serial) = 0;

  // Commits the whole batch in one transaction, durably. Activations of serials that are not
  // enrolled are a bug of the caller (InvalidArgument, nothing committed). When the batch
  // erases, the erased data is gone from the store's files before this returns (SQLite) or a
  // vacuum of the table is scheduled (PostgreSQL); docs/operations.md says what each means.
  virtual Result<BatchResult> Commit(const WriteBatch& batch, TimePoint now) = 0;
};

// What operators read: personal data only through reads appended to the access log first
// (S7), and aggregates.
class OperatorReads {
 public:
  virtual ~OperatorReads() = default;

  // One device's warranty.
  virtual Result<std::optional<ActivationRecord>> LookupWarranty(const std::string& serial,
                                                                 const std::string& actor,
                                                                 TimePoint now) = 0;
  // An access request: every stored document of `client_id`, oldest first.
  virtual Result<std::vector<UxpDocument>> ExportClient(const std::string& client_id,
                                                        const std::string& actor, TimePoint now) = 0;
  virtual Result<RolloutReport> Rollout(const std::optional<std::string>& batch) = 0;
  virtual Result<std::vector<WrongRegionCount>> WrongRegionCounts() = 0;
  // Documents stored, per app and ping.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> DocumentCounts() = 0;
  // The hash-chained log of the reads above that touched personal data.
  virtual Result<std::vector<AccessLogEntry>> AccessLog() = 0;

  // A daily series (daily::k…) from `from_day` (YYYY-MM-DD, inclusive; "" for all), summed over
  // writers, ordered by day then key.
  virtual Result<std::vector<DailyCount>> DailyCounts(std::string_view series,
                                                      const std::string& from_day) = 0;
  // Distinct UX clients with a stored document received that day, from `from_day`, by day.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> ActiveClients(
      const std::string& from_day) = 0;
  // Stored documents by ping, day received and expiry day.
  virtual Result<std::vector<DocumentAgeCount>> DocumentAges() = 0;
  // The space the store takes: the database file and its WAL (SQLite), the database
  // (PostgreSQL).
  virtual Result<int64_t> DatabaseBytes() = 0;
  // The latest RecordRetentionRun, if any.
  virtual Result<std::optional<RetentionRun>> LastRetentionRun() = 0;
};

// What retention removes.
class RetentionStore {
 public:
  virtual ~RetentionStore() = default;

  // Removes documents whose expires_day is before `today`, and erased clients past theirs.
  // Returns how many documents. Removed data is overwritten as an erasure's is (see Commit).
  virtual Result<int64_t> ExpireDocuments(const std::string& today) = 0;
  // Retention of one metric shorter than its ping's: removes the metric's value from
  // documents of `app_id`/`doc_type` received before `cutoff_day`. Returns documents changed.
  virtual Result<int64_t> ExpireMetric(const std::string& app_id, const std::string& doc_type,
                                       const std::string& metric_type,
                                       const std::string& metric_name,
                                       const std::string& cutoff_day) = 0;
  // Notes a finished run for operators (OperatorReads::LastRetentionRun); the last 100 are kept.
  virtual Status RecordRetentionRun(const RetentionRun& run) = 0;
};

// The devices a lifecycle change applies to: one serial, or every device of one batch.
struct DeviceSelection {
  std::string serial;  // exactly one of the two is set
  std::string batch;
  static DeviceSelection Serial(std::string s) { return {std::move(s), ""}; }
  static DeviceSelection Batch(std::string b) { return {"", std::move(b)}; }
};

// Device lifecycle: revocation (stolen devices, leaked device keys), reinstatement, and the
// reset that starts a new warranty period (refurbished, repaired, returned devices). Each
// change is recorded in the region's transparency log in the same transaction.
class LifecycleStore {
 public:
  virtual ~LifecycleStore() = default;

  // Revokes (`revoke`) the selected devices, or lifts their revocation; returns how many
  // changed. NotFound when the serial or batch is not enrolled. The records stay: only new
  // activations and check-ins of a revoked device are refused.
  virtual Result<int64_t> ChangeRevocations(const DeviceSelection& which,
                                            const std::string& reason, const std::string& actor,
                                            TimePoint now, bool revoke) = 0;
  Result<int64_t> Revoke(const DeviceSelection& which, const std::string& reason,
                         const std::string& actor, TimePoint now) {
    return ChangeRevocations(which, reason, actor, now, true);
  }
  Result<int64_t> Reinstate(const DeviceSelection& which, const std::string& reason,
                            const std::string& actor, TimePoint now) {
    return ChangeRevocations(which, reason, actor, now, false);
  }
  // Ends the device's warranty period (kept in its history) so that its next activation starts
  // a new one. NotFound when the serial is not enrolled, InvalidArgument when it has no
  // current activation.
  virtual Result<PastWarrantyPeriod> ResetDevice(const std::string& serial,
                                                 const std::string& reason,
                                                 const std::string& actor, TimePoint now) = 0;
};

// A witness's cosignature of a checkpoint: its signed-note line, as the witness made it.
struct LogCosignature {
  int64_t size = 0;      // the checkpoint's tree size
  std::string key_name;  // the witness
  std::string line;      // "— <name> <base64>"
};

// The most entries one read returns (GET /v1/log/entries pages through longer ranges).
inline constexpr int64_t kMaxLogEntriesPerRead = 1000;

// The region's transparency log (S7) as stored. Entries are appended by the changes they record,
// in the same transaction (enrollment, lifecycle changes, operator reads, erasures) or by
// LogManifest; these are its reads, for the public endpoints and the auditor's tools.
class TransparencyLogStore {
 public:
  virtual ~TransparencyLogStore() = default;

  virtual Result<int64_t> LogSize() = 0;
  // Entries [start, end) in order: 0 <= start <= end <= LogSize() and at most
  // kMaxLogEntriesPerRead of them, else InvalidArgument.
  virtual Result<std::vector<std::string>> LogEntries(int64_t start, int64_t end) = 0;
  // The stored hashes of the log's Merkle tree, for tree hashes and proofs (tlog/merkle.h).
  // Safe to use from any thread.
  virtual tlog::HashReader& LogHashes() = 0;
  // Appends `entry` (ManifestEntry) unless a manifest with this token SHA-256 is logged already;
  // returns the index of its entry either way.
  virtual Result<int64_t> LogManifest(const std::string& token_sha256, const std::string& entry) = 0;
  // Keeps a witness's cosignature (one per witness and tree size: a later one replaces it). Only
  // the newest kMaxCosignedSizes sizes are kept per witness.
  virtual Status AddCosignature(const LogCosignature& cosignature) = 0;
  // The cosignatures of the checkpoint of `size` entries, by witness name.
  virtual Result<std::vector<LogCosignature>> Cosignatures(int64_t size) = 0;
};
inline constexpr int64_t kMaxCosignedSizes = 100;

// InvalidArgument unless 0 <= start <= end <= size and end - start <= kMaxLogEntriesPerRead.
Status CheckLogRange(int64_t start, int64_t end, int64_t size);

// The reasons `homeport device reset` takes.
bool IsResetReason(std::string_view reason);
// "serial S" or "batch B", for messages.
std::string DescribeSelection(const DeviceSelection& which);
// What a selection named in the store.
struct SelectedDevices {
  std::vector<std::string> serials;
  std::string batch;
};

// The schema version a store is at, and the latest this homeport knows.
struct SchemaVersions {
  int64_t current = 0;
  int64_t known = 0;
};

// What migration `version` (1…known) changes, in a line for an operator (homeport migrate).
std::string_view MigrationSummary(int64_t version);

// Whether opening may create the store (serve, enroll) or must find one (reads).
enum class StoreCreation { kCreateIfMissing, kMustExist };

// A backend: all of the above, and enrollment (the maker's import).
class Store : public CommitStore, public OperatorReads, public RetentionStore,
              public LifecycleStore, public TransparencyLogStore {
 public:
  // "sqlite:PATH" (created if missing, owner-only, WAL mode) or "postgresql://user@host:port/db?…"
  // (a libpq URI; servers of one region may share it). Applies pending migrations.
  // Waits (retries after a lost race) go through `env`.
  static Result<std::unique_ptr<Store>> Open(const std::string& url, Env* env = Env::Default());
  // For commands that only read or tidy a store: the same, but a store that does not exist (a
  // typo in the path, an empty database) is a NotFound error, never created.
  static Result<std::unique_ptr<Store>> OpenExisting(const std::string& url,
                                                     Env* env = Env::Default());
  // The versions of an existing store, read without migrating or changing anything.
  static Result<SchemaVersions> ReadSchemaVersions(const std::string& url,
                                                   Env* env = Env::Default());

  // All or nothing. A serial already enrolled with the same record is left as it is; one
  // enrolled with a different record is an AlreadyExists error naming it. Each batch with new
  // records gets a log entry (EnrollmentEntry) in the same transaction.
  virtual Status Enroll(const std::vector<EnrollmentRecord>& records, TimePoint now) = 0;
  Status Enroll(const std::vector<EnrollmentRecord>& records) {
    return Enroll(records, Env::Default()->Now());
  }
};

// What a stored document adds to the daily aggregates: its ping on its received day, and the
// identifiers scrubbed from it.
void TallyStoredDocument(DailyTally& tally, const UxpDocument& document);

// What the store keeps of an erased client: SHA-256 of a fixed prefix and the id. It matches
// the client's documents, and tells nothing to whoever does not already know the id.
std::string ErasedClientDigest(std::string_view client_id);

// The entry that follows the one with `last_seq` and `last_hash` (0 and 64 zeros for the
// first): the chain's rule, shared by every backend.
AccessLogEntry NextAccessLogEntry(int64_t last_seq, std::string last_hash, std::string actor,
                                  std::string action, std::string subject, TimePoint now);

// Migrations: Corruption when the database was migrated by a newer homeport than this one,
// which knows `known` migrations.
Status CheckSchemaVersion(int64_t current, int64_t known);

// Recomputes the chain; Corruption naming the first entry that does not match.
Status VerifyAccessLogChain(const std::vector<AccessLogEntry>& log);
std::string AccessLogEntryHash(const AccessLogEntry& e);

}  // namespace homeport
