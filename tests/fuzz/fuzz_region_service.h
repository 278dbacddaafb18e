// A region server's request path without sockets or disk, for the fuzz targets that drive the
// Router: an in-memory Store, a fixed clock, and a fresh writer, rate limiter and metrics for
// every request, so one input's answer never depends on the inputs before it (libFuzzer needs
// that to tell new behaviour from old). The shipped Glean schemas and the identifier scanner
// are built once; they are immutable.
#pragma once

#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "server/ingest_budget.h"
#include "server/router.h"
#include "store/log_entries.h"

namespace homeport::fuzzing {

// Real files, but a clock that stands still at 2026-06-01T12:00:00Z and counted "randomness".
class FixedClockEnv : public Env {
 public:
  TimePoint Now() override { return TimePoint(std::chrono::seconds(1780315200)); }
  void SleepFor(std::chrono::milliseconds) override {}
  uint64_t RandomU64() override { return ++random_; }
  Result<std::string> ReadFile(const std::string& path) override {
    return Env::Default()->ReadFile(path);
  }
  Status WriteFileAtomic(const std::string& path, std::string_view data, unsigned mode) override {
    return Env::Default()->WriteFileAtomic(path, data, mode);
  }
  bool FileExists(const std::string& path) override { return Env::Default()->FileExists(path); }
  Status CreateDirs(const std::string& path) override { return Env::Default()->CreateDirs(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    return Env::Default()->ListDir(path);
  }
  Status RemoveFile(const std::string& path) override { return Env::Default()->RemoveFile(path); }

 private:
  std::atomic<uint64_t> random_{0};
};

// The Store contract in memory, for one request: enough that every handler's path through a
// commit, an erasure, a warranty lookup and an export runs as it does over SQLite.
class MemoryStore : public Store {
 public:
  using Store::Enroll;
  Status Enroll(const std::vector<EnrollmentRecord>& records, TimePoint now) override {
    std::map<std::string, std::vector<EnrollmentRecord>> added;
    for (const auto& r : records) {
      if (enrolled_.emplace(r.serial, r).second) added[r.batch].push_back(r);
    }
    for (const auto& [batch, rs] : added) {
      Append(EnrollmentEntry(batch, static_cast<int64_t>(rs.size()), EnrollmentRecordsDigest(rs),
                             now));
    }
    return Status::Ok();
  }
  Result<std::optional<EnrollmentRecord>> FindEnrollment(const std::string& serial) override {
    auto it = enrolled_.find(serial);
    if (it == enrolled_.end()) return std::optional<EnrollmentRecord>();
    return std::optional<EnrollmentRecord>(it->second);
  }
  Result<BatchResult> Commit(const WriteBatch& batch, TimePoint now) override {
    BatchResult result;
    for (const auto& a : batch.activations) {
      if (!enrolled_.count(a.serial)) return Status::InvalidArgument("not enrolled: " + a.serial);
    }
    for (const auto& a : batch.activations) {
      if (revoked_.count(a.serial)) {
        result.activations.push_back({RecordOutcome::kRevoked, "", 0, 0});
        continue;
      }
      auto [it, created] = activated_.try_emplace(a.serial);
      ActivationRecord& rec = it->second;
      ActivationResult r;
      if (created) {
        rec.device = enrolled_[a.serial];
        rec.warranty_start = rec.activated_day = rec.last_checkin_day = FormatDate(now);
        rec.client_version = a.client_version;
        rec.manifest_version = a.manifest_version;
        rec.sequence = a.sequence;
        r.outcome = RecordOutcome::kCreated;
        TallyFirstActivation(tally_, FormatDate(now), Labels(rec.device),
                             {a.manifest_version, a.client_version});
      } else if (rec.client_version == a.client_version &&
                 rec.manifest_version == a.manifest_version) {
        r.outcome = RecordOutcome::kRepeated;
      } else if (a.sequence <= rec.sequence ||
                 (a.manifest_version < rec.manifest_version && !a.rollback)) {
        r.outcome = RecordOutcome::kStale;
      } else {
        r.outcome = RecordOutcome::kCheckedIn;
        TallyCheckIn(tally_, FormatDate(now), Labels(rec.device),
                     {rec.manifest_version, rec.client_version},
                     {a.manifest_version, a.client_version});
        rec.last_checkin_day = FormatDate(now);
        rec.client_version = a.client_version;
        rec.manifest_version = a.manifest_version;
        rec.sequence = a.sequence;
        ++rec.checkins;
      }
      r.recorded_sequence = rec.sequence;
      r.recorded_manifest_version = rec.manifest_version;
      r.warranty_start = rec.warranty_start;
      result.activations.push_back(r);
    }
    for (const auto& w : batch.wrong_region) {
      wrong_region_[{w.claimed_region, w.variant}] += w.attempts;
      tally_.Add(daily::kWrongRegion, FormatDate(now), {w.claimed_region, w.variant, "", ""},
                 w.attempts);
    }
    for (const auto& v : batch.schema_violations) {
      tally_.Add(daily::kSchemaViolations, FormatDate(now), {v.app_id, v.doc_type, v.field, v.problem},
                 v.pings);
    }
    for (const auto& d : batch.documents) {
      bool fresh = !erased_clients_.count(d.client_id) &&
                   std::none_of(documents_.begin(), documents_.end(),
                                [&](const UxpDocument& k) { return k.doc_id == d.doc_id; });
      if (fresh) {
        documents_.push_back(d);
        TallyStoredDocument(tally_, d);
      }
      result.documents_stored.push_back(fresh);
    }
    for (const auto& e : batch.erasures) {
      if (erased_clients_.insert(e.client_id).second) {
        tally_.Add(daily::kDeletionRequests, FormatDate(now), {}, 1);
      }
      auto gone = std::remove_if(documents_.begin(), documents_.end(),
                                 [&](const UxpDocument& d) { return d.client_id == e.client_id; });
      result.erased.push_back(documents_.end() - gone);
      // Entries of the transparency log are numbered by first erasure of each client here.
      result.erasure_log_index.push_back(
          erasure_entries_.try_emplace(e.client_id, erasure_entries_.size()).first->second);
      documents_.erase(gone, documents_.end());
    }
    return result;
  }
  Result<std::optional<ActivationRecord>> LookupWarranty(const std::string& serial,
                                                         const std::string& actor,
                                                         TimePoint now) override {
    LogAccess(actor, "warranty.lookup", serial, now);
    auto it = activated_.find(serial);
    if (it == activated_.end()) return std::optional<ActivationRecord>();
    ActivationRecord r = it->second;
    if (auto rev = revoked_.find(serial); rev != revoked_.end()) {
      r.revocation = Revocation{rev->second, FormatDate(now)};
    }
    if (auto h = history_.find(serial); h != history_.end()) r.earlier = h->second;
    return std::optional<ActivationRecord>(std::move(r));
  }
  Result<RolloutReport> Rollout(const std::optional<std::string>&) override {
    return RolloutReport{};
  }
  Result<std::vector<WrongRegionCount>> WrongRegionCounts() override {
    std::vector<WrongRegionCount> out;
    for (const auto& [key, n] : wrong_region_) out.push_back({key.first, key.second, n});
    return out;
  }
  Result<std::vector<AccessLogEntry>> AccessLog() override { return access_log_; }
  Result<std::vector<UxpDocument>> ExportClient(const std::string& client_id,
                                                const std::string& actor, TimePoint now) override {
    LogAccess(actor, "uxp.export", client_id, now);
    std::vector<UxpDocument> out;
    for (const auto& d : documents_) {
      if (d.client_id == client_id) out.push_back(d);
    }
    return out;
  }
  Result<int64_t> ExpireDocuments(const std::string&) override { return int64_t{0}; }
  Result<int64_t> ExpireMetric(const std::string&, const std::string&, const std::string&,
                               const std::string&, const std::string&) override {
    return int64_t{0};
  }
  Result<std::vector<std::pair<std::string, int64_t>>> DocumentCounts() override {
    std::map<std::string, int64_t> counts;
    for (const auto& d : documents_) ++counts[d.app_id + "/" + d.doc_type];
    return std::vector<std::pair<std::string, int64_t>>(counts.begin(), counts.end());
  }

  Result<std::vector<DailyCount>> DailyCounts(std::string_view series,
                                              const std::string& from_day) override {
    std::vector<DailyCount> out;
    for (const auto& r : tally_.Rows()) {
      if (r.series == series && r.day >= from_day) out.push_back({r.day, r.key, r.count});
    }
    std::sort(out.begin(), out.end(), [](const DailyCount& x, const DailyCount& y) {
      return std::tie(x.day, x.key) < std::tie(y.day, y.key);
    });
    return out;
  }
  Result<std::vector<std::pair<std::string, int64_t>>> ActiveClients(
      const std::string& from_day) override {
    std::map<std::string, std::set<std::string>> clients;
    for (const auto& d : documents_) {
      if (d.received_day >= from_day && !d.client_id.empty()) clients[d.received_day].insert(d.client_id);
    }
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& [day, ids] : clients) out.emplace_back(day, static_cast<int64_t>(ids.size()));
    return out;
  }
  Result<std::vector<DocumentAgeCount>> DocumentAges() override {
    std::map<std::tuple<std::string, std::string, std::string, std::string>, int64_t> counts;
    for (const auto& d : documents_) ++counts[{d.app_id, d.doc_type, d.received_day, d.expires_day}];
    std::vector<DocumentAgeCount> out;
    for (const auto& [k, n] : counts) {
      out.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), n});
    }
    return out;
  }
  Result<int64_t> DatabaseBytes() override { return int64_t{0}; }
  Result<std::optional<RetentionRun>> LastRetentionRun() override { return last_run_; }
  Status RecordRetentionRun(const RetentionRun& run) override {
    last_run_ = run;
    return Status::Ok();
  }

  Result<PastWarrantyPeriod> ResetDevice(const std::string& serial, const std::string& reason,
                                         const std::string& actor, TimePoint now) override {
    auto it = activated_.find(serial);
    if (it == activated_.end()) return Status::InvalidArgument("not activated: " + serial);
    PastWarrantyPeriod ended{it->second.warranty_start, FormatDate(now), reason,
                             it->second.client_version, it->second.manifest_version};
    history_[serial].push_back(ended);
    Append(DeviceResetEntry(it->second.device.batch, reason, actor, now));
    activated_.erase(it);
    return ended;
  }

  Result<int64_t> LogSize() override { return log_.size(); }
  Result<std::vector<std::string>> LogEntries(int64_t start, int64_t end) override {
    HOMEPORT_RETURN_IF_ERROR(CheckLogRange(start, end, log_.size()));
    return std::vector<std::string>(entries_.begin() + start, entries_.begin() + end);
  }
  tlog::HashReader& LogHashes() override { return log_; }
  Result<int64_t> LogManifest(const std::string& token_sha256, const std::string& entry) override {
    auto [it, added] = manifests_.try_emplace(token_sha256, log_.size());
    if (added) Append(entry);
    return it->second;
  }
  Status AddCosignature(const LogCosignature& c) override {
    cosignatures_[{c.size, c.key_name}] = c;
    return Status::Ok();
  }
  Result<std::vector<LogCosignature>> Cosignatures(int64_t size) override {
    std::vector<LogCosignature> out;
    for (const auto& [key, c] : cosignatures_) {
      if (key.first == size) out.push_back(c);
    }
    return out;
  }

 private:
  static DeviceLabels Labels(const EnrollmentRecord& d) { return {d.batch, d.model, d.variant}; }

  Result<int64_t> ChangeRevocations(const DeviceSelection& which, const std::string& reason,
                                    const std::string& actor, TimePoint now,
                                    bool revoke) override {
    int64_t changed = 0;
    std::string batch;
    for (const auto& [serial, r] : enrolled_) {
      if (which.batch.empty() ? serial != which.serial : r.batch != which.batch) continue;
      batch = r.batch;
      changed += revoke ? revoked_.emplace(serial, reason).second : revoked_.erase(serial);
    }
    if (batch.empty()) return Status::NotFound(DescribeSelection(which) + " is not enrolled");
    if (changed > 0) Append(RevocationEntry(revoke, which, batch, changed, actor, now));
    return changed;
  }

  void Append(const std::string& entry) {
    entries_.push_back(entry);
    if (!log_.Append(entry).ok()) abort();
  }

  void LogAccess(const std::string& actor, const std::string& action, const std::string& subject,
             TimePoint now) {
    Append(OperatorReadEntry(actor, action, now));
    AccessLogEntry e;
    e.seq = static_cast<int64_t>(access_log_.size()) + 1;
    e.at = FormatRfc3339(now);
    e.actor = actor;
    e.action = action;
    e.subject = subject;
    e.prev_hash = access_log_.empty() ? std::string(64, '0') : access_log_.back().hash;
    e.hash = AccessLogEntryHash(e);
    access_log_.push_back(std::move(e));
  }

  std::map<std::string, EnrollmentRecord> enrolled_;
  std::map<std::string, ActivationRecord> activated_;
  std::map<std::pair<std::string, std::string>, int64_t> wrong_region_;
  std::vector<UxpDocument> documents_;
  std::set<std::string> erased_clients_;
  std::map<std::string, int64_t> erasure_entries_;
  std::vector<AccessLogEntry> access_log_;
  DailyTally tally_;
  std::optional<RetentionRun> last_run_;
  std::map<std::string, std::string> revoked_;  // serial → reason
  std::map<std::string, std::vector<PastWarrantyPeriod>> history_;
  std::vector<std::string> entries_;
  tlog::MemoryHashStore log_;
  std::map<std::string, int64_t> manifests_;
  std::map<std::pair<int64_t, std::string>, LogCosignature> cosignatures_;
};

// The enrolled test device of region "sg": its key comes from a fixed seed, so checked-in seed
// inputs can carry valid signatures (tests/fuzz/README.md says how they were made).
inline crypto::SecretKey FuzzDeviceKey() {
  crypto::SecretKey key;
  unsigned char seed[crypto_sign_SEEDBYTES];
  for (size_t i = 0; i < sizeof seed; ++i) seed[i] = static_cast<unsigned char>(i + 1);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, key.bytes.data(), seed) != 0) abort();
  return key;
}

inline EnrollmentRecord FuzzDevice() {
  return {"HP7-FUZZ-0001", "HP7", "HP7-64", "global", "sg", "B1", FuzzDeviceKey().Public()};
}

inline constexpr const char* kFuzzAdminToken = "fuzz-admin-token-0123456789";

class RegionService {
 public:
  RegionService() {
    auto schemas = schema::SchemaRegistry::Load({});
    auto scanner = privacy::IdentifierScanner::Create({"SG"});
    if (!schemas.ok() || !scanner.ok()) abort();
    schemas_ = std::make_unique<schema::SchemaRegistry>(std::move(*schemas));
    scanner_ = std::make_unique<privacy::IdentifierScanner>(std::move(*scanner));
  }

  // One request against a fresh region "sg" server whose only enrolled device is FuzzDevice().
  HttpResponse Call(const HttpRequest& request) {
    MemoryStore store;
    if (!store.Enroll({FuzzDevice()}).ok()) abort();
    ServerMetrics metrics;
    GroupCommitWriter writer(store, &env_, &metrics);
    // A log of its own per request, unsynced: what a request leaves must not reach the next.
    char dir[] = "/tmp/homeport-fuzz-ingest-XXXXXX";
    if (!mkdtemp(dir)) abort();
    IngestLogOptions log_options;
    log_options.dir = dir;
    log_options.sync = false;
    auto log = IngestLog::Open(log_options, &env_);
    if (!log.ok()) abort();
    IngestLoader loader(**log, store, &env_, &metrics);
    ClientRateLimiter rate_limiter{ClientRateLimit{}};
    IngestBudget ingest_budget(IngestBudgetOptions{}, &env_);
    ServiceContext ctx;
    ctx.region = "sg";
    ctx.store = &store;
    ctx.writer = &writer;
    ctx.ingest_log = log->get();
    ctx.ingest_loader = &loader;
    ctx.metrics = &metrics;
    ctx.env = &env_;
    ctx.manifests = {"manifest.for.tests"};
    ctx.schemas = schemas_.get();
    ctx.scanner = scanner_.get();
    ctx.rate_limiter = &rate_limiter;
    ctx.admin_token = kFuzzAdminToken;
    ctx.ingest_budget = &ingest_budget;
    Router router(std::move(ctx));
    std::promise<HttpResponse> answer;
    std::future<HttpResponse> answered = answer.get_future();
    // A second call of `respond` throws (promise already satisfied): a broken contract is a
    // crash the fuzzer reports.
    router.Handle(request, [&answer](HttpResponse r) { answer.set_value(std::move(r)); });
    HttpResponse response = answered.get();
    writer.Stop();
    (*log)->Stop();
    loader.Stop();
    log->reset();
    std::filesystem::remove_all(dir);
    return response;
  }

 private:
  FixedClockEnv env_;
  std::unique_ptr<schema::SchemaRegistry> schemas_;
  std::unique_ptr<privacy::IdentifierScanner> scanner_;
};

}  // namespace homeport::fuzzing
