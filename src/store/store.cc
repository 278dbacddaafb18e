// Store::Open chooses the backend by URL scheme; the access log chain is backend-independent.
#include "store/store.h"

#include "crypto/ed25519.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace homeport {

namespace {

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, Env* env,
                                         StoreCreation creation) {
  if (url.rfind("sqlite:", 0) == 0) return OpenSqliteStore(url.substr(7), creation);
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return OpenPostgresStore(url, env, creation);
  }
  return Status::InvalidArgument("unknown store URL \"" + url +
                                 "\": expected sqlite:PATH or postgresql://…");
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& url, Env* env) {
  return OpenStore(url, env, StoreCreation::kCreateIfMissing);
}

Result<std::unique_ptr<Store>> Store::OpenExisting(const std::string& url, Env* env) {
  return OpenStore(url, env, StoreCreation::kMustExist);
}

Result<SchemaVersions> Store::ReadSchemaVersions(const std::string& url, Env* env) {
  if (url.rfind("sqlite:", 0) == 0) return SqliteSchemaVersions(url.substr(7));
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return PostgresSchemaVersions(url, env);
  }
  return OpenStore(url, env, StoreCreation::kMustExist).status();  // the URL's error
}

Status CheckLogRange(int64_t start, int64_t end, int64_t size) {
  if (start < 0 || end < start || end > size) {
    return Status::InvalidArgument("entries [" + std::to_string(start) + ", " +
                                   std::to_string(end) + ") are not within the log of " +
                                   std::to_string(size) + " entries");
  }
  if (end - start > kMaxLogEntriesPerRead) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxLogEntriesPerRead) +
                                   " entries are read at once");
  }
  return Status::Ok();
}

bool IsResetReason(std::string_view reason) {
  return reason == "refurbished" || reason == "repaired" || reason == "returned";
}

std::string DescribeSelection(const DeviceSelection& which) {
  return which.batch.empty() ? "serial " + which.serial : "batch " + which.batch;
}

std::string_view MigrationSummary(int64_t version) {
  // Both backends hold the same tables: one line per migration, in order.
  static constexpr std::string_view kSummaries[] = {
      "devices, activations, wrong-region counts and the log of operator reads",
      "UX-program documents",
      "device times kept as days only (activated_day, last_checkin_day); activation sequence "
      "numbers that refuse replays",
      "erased UX clients (a digest of the client id), so that an erasure holds against "
      "documents that arrive after it",
      "the log of operator reads renamed access_log",
      "daily aggregates for the operator console (seeded from the stored data), retention "
      "runs, and an index of documents by day and client",
      "device lifecycle (revocations, warranty periods ended by resets) and the region's "
      "transparency log (entries, Merkle tree hashes, logged manifests, witness cosignatures)",
      "the transparency-log entry of each erased UX client, so that a retried deletion-request "
      "is answered with the entry of the first",
      "the erasure fence: on PostgreSQL, a server's erasure of a UX client and another "
      "server's commit of that client's documents take turns",
  };
  if (version < 1 || version > static_cast<int64_t>(std::size(kSummaries))) return "";
  return kSummaries[version - 1];
}

AccessLogEntry NextAccessLogEntry(int64_t last_seq, std::string last_hash, std::string actor,
                                  std::string action, std::string subject, TimePoint now) {
  AccessLogEntry e;
  e.seq = last_seq + 1;
  e.prev_hash = std::move(last_hash);
  e.at = FormatRfc3339(now);
  e.actor = std::move(actor);
  e.action = std::move(action);
  e.subject = std::move(subject);
  e.hash = AccessLogEntryHash(e);
  return e;
}

Status CheckSchemaVersion(int64_t current, int64_t known) {
  if (current <= known) return Status::Ok();
  return Status::Corruption("database schema version " + std::to_string(current) +
                            " is newer than this homeport (" + std::to_string(known) +
                            "): run the homeport that migrated it, or a newer one (`homeport "
                            "migrate --store URL --dry-run` shows the versions)");
}

void TallyStoredDocument(DailyTally& tally, const UxpDocument& d) {
  tally.Add(daily::kPings, d.received_day, {d.app_id, d.doc_type, "", ""}, 1);
  for (const auto& [kind, n] : d.scrubbed) tally.Add(daily::kScrubbed, d.received_day, {kind, "", "", ""}, n);
}

std::string ErasedClientDigest(std::string_view client_id) {
  return crypto::Sha256Hex("homeport erased client\n" + std::string(client_id));
}

std::string AccessLogEntryHash(const AccessLogEntry& e) {
  return crypto::Sha256Hex(e.prev_hash + "\n" + std::to_string(e.seq) + "\n" + e.at + "\n" +
                           e.actor + "\n" + e.action + "\n" + e.subject);
}

Status VerifyAccessLogChain(const std::vector<AccessLogEntry>& log) {
  std::string prev(64, '0');
  int64_t seq = 0;
  for (const auto& e : log) {
    ++seq;
    if (e.seq != seq || e.prev_hash != prev || AccessLogEntryHash(e) != e.hash) {
      return Status::Corruption("access log entry " + std::to_string(e.seq) +
                                " does not match the chain: the log was altered");
    }
    prev = e.hash;
  }
  return Status::Ok();
}

}  // namespace homeport
