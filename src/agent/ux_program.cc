// UxProgram: consent (D3), recording, feedback and the upload of the pending-ping queues.
#include <chrono>
#include <functional>

#include "agent/glean_document.h"
#include "agent/http_retry.h"
#include "agent/ping_queue.h"
#include "agent/uxp_consent.h"
#include "agent/uxp_receipts.h"
#include "agent/uxp_recorded_metrics.h"
#include "agent/uxp_schema.h"
#include "agent/verified_device.h"
#include "common/time_format.h"
#include "homeport/uxp.h"
#include "provisioning/device_profile.h"
#include "tlog/erasure_commitment.h"
#include "tlog/inclusion_bundle.h"
#include "tlog/sha256.h"

namespace homeport {
namespace {

using agent::GleanDocument;
using agent::PingQueue;
using agent::QueuedPing;
using agent::RecordedMetrics;
using agent::UxpConsent;
using nlohmann::json;
using std::chrono::milliseconds;

// Glean's limit on one ping's body; the server takes no more than 1 MB on the wire either.
constexpr size_t kMaxPingBodyBytes = 1 << 20;

int64_t EpochMs(Env::TimePoint t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

const char* ReasonName(DiagnosticsReason reason) {
  return reason == DiagnosticsReason::kOnDemand ? "on_demand" : "scheduled";
}

// The UX program never needs the device key; not holding it means no ping can carry it (S4).
DeviceProfile WithoutDeviceKey(DeviceProfile profile) {
  profile.device_key_jwk.clear();
  return profile;
}

Status NotOptedIn(const char* what) {
  return Status::PermissionDenied(std::string("the user has not opted in to the UX program: ") +
                                  what + " (opt in first)");
}

class UxProgramImpl final : public UxProgram {
 public:
  UxProgramImpl(const AgentOptions& options, agent::VerifiedDevice device)
      : options_(options),
        env_(options.env),
        profile_(WithoutDeviceKey(std::move(device.profile))),
        manifest_(std::move(device.manifest)),
        owned_transport_(std::move(device.owned_transport)),
        transport_(device.transport),
        dir_(options.state_dir + "/uxp"),
        consent_path_(dir_ + "/consent.json"),
        metrics_path_(dir_ + "/metrics.json"),
        receipts_path_(dir_ + "/erasure_receipts.json"),
        pending_(env_, dir_ + "/pending_pings"),
        deletion_requests_(env_, dir_ + "/deletion_request") {}

  Status OptIn() override;
  Result<UploadSummary> OptOut() override;
  Result<UxpStatus> GetStatus() override;
  Status Record(std::string_view name, std::string_view value) override;
  Status Feedback(std::string_view text, std::optional<int> rating) override;
  Result<UploadSummary> Upload(DiagnosticsReason reason) override;
  Result<std::vector<ErasureReceipt>> ErasureReceipts() override;
  Result<ErasureProof> ProveErasure(const ErasureReceipt& receipt) override;

 private:
  // A missing file is no receipt; a damaged one is Corruption (its nonces are lost).
  Result<std::vector<ErasureReceipt>> LoadReceipts();
  // Applies `change` to the receipts and stores them (the last kMaxErasureReceipts). A damaged
  // file is started afresh. Receipts never hold up an erasure: callers go on when this fails.
  Status UpdateReceipts(const std::function<void(std::vector<ErasureReceipt>&)>& change);
  // The commitment of the deletion-request's receipt, as a header; none without a receipt.
  void AddErasureCommitment(const std::string& doc_id, TransportRequest& request);
  // Records the log index the server answered a deletion-request with in its receipt.
  void RecordLogIndex(const std::string& doc_id, const TransportResponse& answer);
  // A missing or unreadable-as-JSON consent file means "not opted in": without a valid record
  // of consent, nothing is collected (D3).
  Result<UxpConsent> LoadConsent();
  Status StoreConsent(const UxpConsent& consent);
  // A missing or corrupt file is an empty record.
  Result<RecordedMetrics> LoadMetrics();
  // The recorded metrics and every non-deletion ping: what opting out erases.
  Status WipeCollectedData();
  // A document of `ping` for consent's client, advancing the ping's seq and start in `consent`.
  GleanDocument NewDocument(UxpConsent& consent, const std::string& ping, const std::string& reason,
                            const json& metrics, const json& events);
  // Stores the advanced consent, then queues `doc` in pending_pings within the bounds.
  Result<QueuedPing> QueuePing(const UxpConsent& consent, const GleanDocument& doc);
  Status QueueDiagnostics(UxpConsent& consent, DiagnosticsReason reason);
  // Posts deletion-requests, then (when `with_pending`) the other pending pings.
  Result<UploadSummary> Send(bool with_pending);

  const AgentOptions options_;
  Env* const env_;
  const DeviceProfile profile_;
  const RegionManifest manifest_;
  std::unique_ptr<HttpTransport> owned_transport_;
  HttpTransport* const transport_;
  const std::string dir_, consent_path_, metrics_path_, receipts_path_;
  PingQueue pending_;
  PingQueue deletion_requests_;
};

Result<UxpConsent> UxProgramImpl::LoadConsent() {
  auto text = env_->ReadFile(consent_path_);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return UxpConsent{};
    return text.status().WithContext("reading the UX-program consent");
  }
  auto consent = agent::ParseConsent(*text);
  return consent.ok() ? std::move(consent).value() : UxpConsent{};
}

Status UxProgramImpl::StoreConsent(const UxpConsent& consent) {
  HOMEPORT_RETURN_IF_ERROR(env_->CreateDirs(dir_));
  Status written = env_->WriteFileAtomic(consent_path_, agent::SerializeConsent(consent), 0600);
  return written.ok() ? written : written.WithContext("storing the UX-program consent");
}

Result<RecordedMetrics> UxProgramImpl::LoadMetrics() {
  auto text = env_->ReadFile(metrics_path_);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return RecordedMetrics{};
    return text.status().WithContext("reading the recorded UX metrics");
  }
  auto metrics = RecordedMetrics::Parse(*text);
  return metrics.ok() ? std::move(metrics).value() : RecordedMetrics{};
}

Status UxProgramImpl::WipeCollectedData() {
  HOMEPORT_RETURN_IF_ERROR(env_->RemoveFile(metrics_path_));
  return pending_.Clear();
}

GleanDocument UxProgramImpl::NewDocument(UxpConsent& consent, const std::string& ping,
                                         const std::string& reason, const json& metrics,
                                         const json& events) {
  const Env::TimePoint now = env_->Now();
  agent::PingCursor cursor = consent.Advance(ping, now);
  agent::PingInfo info{ping, cursor.seq, Env::TimePoint(milliseconds(cursor.start_ms)), now,
                       reason};
  return agent::BuildGleanDocument(
      info, agent::ClientInfo(profile_, consent.client_id, consent.first_run_date), metrics, events,
      agent::NewUuidV4(*env_));
}

Result<QueuedPing> UxProgramImpl::QueuePing(const UxpConsent& consent, const GleanDocument& doc) {
  // Consent first: if queueing then fails, a seq number is skipped, never reused.
  HOMEPORT_RETURN_IF_ERROR(StoreConsent(consent));
  HOMEPORT_ASSIGN_OR_RETURN(QueuedPing queued, pending_.Add(doc));
  HOMEPORT_RETURN_IF_ERROR(
      pending_.DropOldestBeyond(options_.max_pending_pings, options_.max_pending_bytes).status());
  return queued;
}

Status UxProgramImpl::OptIn() {
  HOMEPORT_ASSIGN_OR_RETURN(UxpConsent consent, LoadConsent());
  if (consent.upload_enabled) return Status::Ok();
  // Leftovers of an interrupted opt-out must not end up under the new id.
  HOMEPORT_RETURN_IF_ERROR(WipeCollectedData());
  const Env::TimePoint now = env_->Now();
  UxpConsent fresh;
  fresh.upload_enabled = true;
  fresh.client_id = agent::NewUuidV4(*env_);
  // Today, not the first opt-in ever: a date carried over would link the new id to the old.
  fresh.first_run_date = agent::GleanDate(now);
  fresh.opted_in_ms = EpochMs(now);
  return StoreConsent(fresh);
}

Result<UploadSummary> UxProgramImpl::OptOut() {
  HOMEPORT_ASSIGN_OR_RETURN(UxpConsent consent, LoadConsent());
  if (consent.upload_enabled) {
    GleanDocument doc = NewDocument(consent, std::string(agent::kDeletionRequestPing),
                                    "set_upload_enabled", json::object(), json::array());
    HOMEPORT_ASSIGN_OR_RETURN(QueuedPing queued, deletion_requests_.Add(doc));
    // The receipt's commitment is made now, while the client id still exists. A receipt that
    // cannot be stored leaves the deletion-request without a commitment, never the user opted in.
    (void)UpdateReceipts([&](std::vector<ErasureReceipt>& receipts) {
      receipts.push_back(agent::NewErasureReceipt(*env_, queued.doc_id, consent.client_id,
                                                  FormatDate(env_->Now())));
    });
    Status disabled = StoreConsent(UxpConsent{});
    if (!disabled.ok()) {
      // Still opted in: a deletion-request for a client that keeps reporting would be wrong.
      (void)deletion_requests_.Remove(queued);
      (void)UpdateReceipts([&](std::vector<ErasureReceipt>& receipts) {
        std::erase_if(receipts, [&](const ErasureReceipt& r) { return r.doc_id == queued.doc_id; });
      });
      return disabled;
    }
    Status wiped = WipeCollectedData();
    if (!wiped.ok()) return wiped.WithContext("wiping UX-program data after opting out");
  }
  return Send(/*with_pending=*/false);
}

Result<UxpStatus> UxProgramImpl::GetStatus() {
  HOMEPORT_ASSIGN_OR_RETURN(UxpConsent consent, LoadConsent());
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<QueuedPing> pending, pending_.List());
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<QueuedPing> deletions, deletion_requests_.List());
  UxpStatus status;
  status.enabled = consent.upload_enabled;
  if (consent.upload_enabled) status.client_id = consent.client_id;
  status.pending_pings = static_cast<int>(pending.size());
  status.pending_deletion_requests = static_cast<int>(deletions.size());
  return status;
}

Status UxProgramImpl::Record(std::string_view name, std::string_view value) {
  HOMEPORT_ASSIGN_OR_RETURN(UxpConsent consent, LoadConsent());
  if (!consent.upload_enabled) return NotOptedIn("nothing was recorded");
  HOMEPORT_ASSIGN_OR_RETURN(RecordedMetrics metrics, LoadMetrics());
  HOMEPORT_RETURN_IF_ERROR(metrics.Record(name, value, env_->Now()));
  HOMEPORT_RETURN_IF_ERROR(env_->CreateDirs(dir_));
  Status written = env_->WriteFileAtomic(metrics_path_, metrics.Serialize(), 0600);
  return written.ok() ? written : written.WithContext("storing the recorded UX metrics");
}

Status UxProgramImpl::Feedback(std::string_view text, std::optional<int> rating) {
  HOMEPORT_ASSIGN_OR_RETURN(UxpConsent consent, LoadConsent());
  if (!consent.upload_enabled) return NotOptedIn("no feedback was queued");
  const agent::UxpMetric* text_metric = agent::FindUxpMetric(agent::kFeedbackTextMetric);
  if (text_metric == nullptr) return Status::Internal("feedback.text missing from the schema");
  HOMEPORT_ASSIGN_OR_RETURN(json text_value, agent::ParseMetricValue(*text_metric, text));
  json metrics = {{"text", {{std::string(agent::kFeedbackTextMetric), std::move(text_value)}}}};
  if (rating) {
    if (*rating < 1 || *rating > 5) {
      return Status::InvalidArgument("feedback.rating: " + std::to_string(*rating) +
                                     " is not between 1 and 5");
    }
    metrics["quantity"][std::string(agent::kFeedbackRatingMetric)] = *rating;
  }
  GleanDocument doc = NewDocument(consent, std::string(agent::kFeedbackPing), "user_submitted",
                                  metrics, json::array());
  if (doc.body.size() > kMaxPingBodyBytes) {
    return Status::InvalidArgument("feedback.text: too long once encoded (" +
                                   std::to_string(doc.body.size()) + " bytes, limit " +
                                   std::to_string(kMaxPingBodyBytes) + ")");
  }
  return QueuePing(consent, doc).status();
}

Status UxProgramImpl::QueueDiagnostics(UxpConsent& consent, DiagnosticsReason reason) {
  HOMEPORT_ASSIGN_OR_RETURN(RecordedMetrics metrics, LoadMetrics());
  if (metrics.empty()) return Status::Ok();  // send_if_empty: false
  GleanDocument doc = NewDocument(consent, std::string(agent::kDiagnosticsPing), ReasonName(reason),
                                  metrics.PingMetrics(), metrics.PingEvents());
  HOMEPORT_ASSIGN_OR_RETURN(QueuedPing queued, QueuePing(consent, doc));
  Status cleared = env_->RemoveFile(metrics_path_);
  if (!cleared.ok()) {
    // Keeping both would send the same counts twice.
    (void)pending_.Remove(queued);
    return cleared.WithContext("clearing the recorded UX metrics");
  }
  return Status::Ok();
}

Result<UploadSummary> UxProgramImpl::Upload(DiagnosticsReason reason) {
  HOMEPORT_ASSIGN_OR_RETURN(UxpConsent consent, LoadConsent());
  if (consent.upload_enabled) {
    HOMEPORT_RETURN_IF_ERROR(QueueDiagnostics(consent, reason));
  } else {
    // Only deletion-requests leave a device that is not opted in (D3).
    HOMEPORT_RETURN_IF_ERROR(WipeCollectedData());
  }
  return Send(/*with_pending=*/consent.upload_enabled);
}

Result<UploadSummary> UxProgramImpl::Send(bool with_pending) {
  UploadSummary summary;
  const Env::TimePoint give_up_at = env_->Now() + options_.deadline;
  bool stopped = false;
  for (PingQueue* queue : {&deletion_requests_, with_pending ? &pending_ : nullptr}) {
    if (queue == nullptr) continue;
    HOMEPORT_ASSIGN_OR_RETURN(std::vector<QueuedPing> pings, queue->List());
    for (const QueuedPing& queued : pings) {
      if (stopped) break;
      const auto left = std::chrono::duration_cast<milliseconds>(give_up_at - env_->Now());
      if (left <= milliseconds::zero()) {
        summary.last_error = Status::DeadlineExceeded("the upload deadline passed");
        stopped = true;
        break;
      }
      auto ping = queue->Read(queued);
      if (!ping.ok()) {
        if (ping.status().IsNotFound()) continue;  // gone since it was listed
        HOMEPORT_RETURN_IF_ERROR(queue->Remove(queued));
        ++summary.dropped;
        summary.last_error = ping.status();
        continue;
      }
      HOMEPORT_ASSIGN_OR_RETURN(
          TransportRequest request,
          agent::BuildUploadRequest(manifest_.uxp_url, ping->path, ping->body, env_->Now()));
      const bool deletion = queue == &deletion_requests_;
      if (deletion) AddErasureCommitment(queued.doc_id, request);
      agent::RetryPolicy policy = agent::RetryPolicyOf(options_);
      policy.deadline = left;
      // Dropping a deletion-request would leave the client's data on the server for good, and
      // its client id is already wiped here: whatever the answer, it waits for a 2xx.
      policy.retry_client_errors = deletion;
      auto response = agent::PostUntilFinal(*transport_, request, *env_, policy);
      const bool accepted = response.ok() && response->status >= 200 && response->status <= 299;
      if (!response.ok() || (deletion && !accepted)) {
        // Not delivered: it and everything behind it wait for a later upload.
        summary.last_error = response.ok() ? agent::HttpErrorStatus(*response) : response.status();
        if (deletion) {
          summary.last_error = summary.last_error.WithContext(
              "deletion-request " + queued.doc_id + " not delivered; kept for a later upload");
        }
        stopped = true;
        break;
      }
      HOMEPORT_RETURN_IF_ERROR(queue->Remove(queued));
      if (deletion) RecordLogIndex(queued.doc_id, *response);
      if (accepted) {
        ++summary.sent;
      } else {
        ++summary.dropped;
        summary.last_error = agent::HttpErrorStatus(*response).WithContext(
            "the server refused ping " + queued.doc_id + "; dropped it");
      }
    }
  }
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<QueuedPing> pending, pending_.List());
  HOMEPORT_ASSIGN_OR_RETURN(std::vector<QueuedPing> deletions, deletion_requests_.List());
  summary.pending = static_cast<int>(pending.size() + deletions.size());
  return summary;
}

Result<std::vector<ErasureReceipt>> UxProgramImpl::LoadReceipts() {
  auto text = env_->ReadFile(receipts_path_);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return std::vector<ErasureReceipt>{};
    return text.status().WithContext("reading the erasure receipts");
  }
  return agent::ParseReceipts(*text);
}

Status UxProgramImpl::UpdateReceipts(
    const std::function<void(std::vector<ErasureReceipt>&)>& change) {
  auto receipts = LoadReceipts();
  if (!receipts.ok() && !receipts.status().IsCorruption()) return receipts.status();
  std::vector<ErasureReceipt> list = receipts.ok() ? std::move(*receipts) : std::vector<ErasureReceipt>{};
  change(list);
  if (list.size() > static_cast<size_t>(kMaxErasureReceipts)) {
    list.erase(list.begin(), list.end() - kMaxErasureReceipts);
  }
  HOMEPORT_RETURN_IF_ERROR(env_->CreateDirs(dir_));
  return env_->WriteFileAtomic(receipts_path_, agent::SerializeReceipts(list), 0600);
}

void UxProgramImpl::AddErasureCommitment(const std::string& doc_id, TransportRequest& request) {
  auto receipts = LoadReceipts();
  if (!receipts.ok()) return;  // a damaged receipts file never holds up a deletion-request
  for (const auto& r : *receipts) {
    if (r.doc_id == doc_id) request.headers.emplace_back(kErasureCommitmentHeader, r.commitment);
  }
}

void UxProgramImpl::RecordLogIndex(const std::string& doc_id, const TransportResponse& answer) {
  json body = json::parse(answer.body, nullptr, false);
  if (!body.is_object() || !body.contains("log_index") || !body["log_index"].is_number_integer() ||
      body["log_index"].get<int64_t>() < 0) {
    return;  // a server that keeps no log, or a Glean server other than homeport's
  }
  // The erasure is done whatever happens here; a receipt left without its index says so.
  (void)UpdateReceipts([&](std::vector<ErasureReceipt>& receipts) {
    for (auto& r : receipts) {
      if (r.doc_id == doc_id) r.log_index = body["log_index"].get<int64_t>();
    }
  });
}

Result<std::vector<ErasureReceipt>> UxProgramImpl::ErasureReceipts() { return LoadReceipts(); }

Result<ErasureProof> UxProgramImpl::ProveErasure(const ErasureReceipt& receipt) {
  if (!receipt.log_index) {
    return Status::NotFound("the deletion-request " + receipt.doc_id +
                            " has not been answered by the server with a log index (upload "
                            "first; a server without a log answers none)");
  }
  auto log_key = LogKey(profile_);
  if (!log_key.ok()) {
    return Status::NotFound(log_key.status().message() +
                            ": the erasure cannot be proven on this device");
  }
  std::string base = manifest_.uxp_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  tlog::LogGet get = [&](const std::string& path) -> Result<std::string> {
    HOMEPORT_ASSIGN_OR_RETURN(TransportResponse r, transport_->Get({base + path, {}, {}}));
    if (r.status != 200) return agent::HttpErrorStatus(r).WithContext("GET " + base + path);
    return std::move(r.body);
  };
  HOMEPORT_ASSIGN_OR_RETURN(tlog::InclusionBundle bundle,
                            tlog::FetchInclusionBundle(get, *receipt.log_index));
  HOMEPORT_ASSIGN_OR_RETURN(tlog::Checkpoint checkpoint,
                            tlog::VerifyInclusionBundle(bundle, *log_key));
  if (!tlog::IsErasureEntry(bundle.entry, receipt.commitment)) {
    return Status::PermissionDenied("log entry " + std::to_string(*receipt.log_index) +
                                    " is not the erasure this device committed to (commitment " +
                                    receipt.commitment + ")");
  }
  ErasureProof proof;
  proof.receipt = receipt;
  proof.log_origin = checkpoint.origin;
  proof.tree_size = checkpoint.size;
  proof.root_hash = tlog::HashToBase64(checkpoint.root);
  proof.entry = bundle.entry;
  proof.bundle_json = tlog::InclusionBundleToJson(bundle);
  return proof;
}

}  // namespace

Result<std::unique_ptr<UxProgram>> UxProgram::Open(const AgentOptions& options) {
  HOMEPORT_ASSIGN_OR_RETURN(agent::VerifiedDevice device, agent::OpenVerifiedDevice(options));
  return std::unique_ptr<UxProgram>(std::make_unique<UxProgramImpl>(options, std::move(device)));
}

}  // namespace homeport
