// Router: the server's protocol logic as a plain function from request to response, over
// injected services. Tests call it without sockets; the HTTP session only reads and writes.
#pragma once

#include <string>
#include <vector>

#include "homeport/env.h"
#include "ingest/ingest_loader.h"
#include "ingest/ingest_log.h"
#include "privacy/identifier_scanner.h"
#include "schema/catalogue.h"
#include "schema/schema_registry.h"
#include "server/answer_deadline.h"
#include "server/client_rate_limiter.h"
#include "server/group_commit_writer.h"
#include "server/http_message.h"
#include "server/ingest_budget.h"
#include "server/log_service.h"
#include "server/schema_violation_tally.h"
#include "server/server_metrics.h"
#include "server/worker_pool.h"
#include "store/store.h"

namespace homeport {

// Everything a handler may use. Not owned; all of it outlives the Router.
struct ServiceContext {
  std::string region;      // the only region this server serves
  Store* store = nullptr;  // reads; writes go through `writer` and the ingest log
  GroupCommitWriter* writer = nullptr;  // activations and wrong-region counts
  // UX-program documents and erasures: acknowledged once in the log, moved into the store by
  // the loader, which operator reads of documents wait for.
  IngestLog* ingest_log = nullptr;
  IngestLoader* ingest_loader = nullptr;
  ServerMetrics* metrics = nullptr;
  Env* env = nullptr;
  std::vector<std::string> manifests;  // signed region manifests served at GET /v1/manifest
  // The UX program: registered Glean schemas, the identifier scrubber, per-client limits.
  const schema::SchemaRegistry* schemas = nullptr;
  const privacy::IdentifierScanner* scanner = nullptr;
  ClientRateLimiter* rate_limiter = nullptr;
  // Bearer token of /v1/admin/…; empty disables those endpoints.
  std::string admin_token;
  // Documents and bytes per second for the whole process, whatever the client ids; null: no
  // global budget (handler tests that do not exercise it).
  IngestBudget* ingest_budget = nullptr;
  // Where work that waits for the store runs (activations after their cheap checks, operator
  // reads); null: on the calling thread (handler tests, fuzzing).
  WorkerPool* workers = nullptr;
  // Answers 503 + Retry-After for a request whose store work outlasts its limit (below); null:
  // no limit (handler tests, fuzzing).
  AnswerDeadline* deadlines = nullptr;
  // The data catalogue's controller contact (/privacy).
  schema::CatalogueOptions catalogue{};
  // Refused pings, counted for the daily aggregates; null: not counted (handler tests).
  SchemaViolationTally* violations = nullptr;
  // Operator statistics show a count of UX-program data below this as "< N" (--min-count).
  int64_t min_count = 5;
  // The transparency log's signing key and witnesses (--log-key); null: no /v1/log/ endpoints.
  const LogSigner* log = nullptr;
  // The log index of each of `manifests`, when the log is on.
  std::vector<int64_t> manifest_log_indexes{};
  // The versions of `manifests` signed as an explicit rollback: a device's check-in may report
  // one below its recorded version.
  std::vector<int64_t> rollback_manifest_versions{};
};

// How long a request waiting for the store is left waiting before it gets 503 + Retry-After: an
// activation normally answers in milliseconds; an operator read or an erasure may have more to do.
inline constexpr std::chrono::seconds kActivationAnswerLimit{5};
inline constexpr std::chrono::seconds kStoreWorkAnswerLimit{30};

// `respond`, guarded by ctx.deadlines (when set) with a 503 after `limit`.
Respond WithAnswerLimit(const ServiceContext& ctx, Respond respond, std::chrono::seconds limit);

inline constexpr size_t kMaxBodyBytes = 1 << 20;          // 1 MB on the wire
inline constexpr size_t kMaxDecompressedBytes = 8 << 20;  // 8 MB after gzip
// What one request may leave in the store: a document is inflated and validated up to 8 MB,
// but what is stored of it (after scrubbing) is at most 1 MB, or the request is a 413.
inline constexpr size_t kMaxStoredDocumentBytes = 1 << 20;

// Which endpoints a listener serves: the device-facing port has activations, pings, the
// manifest and /privacy; the operator port (--admin-listen) has /metrics and /v1/admin/…;
// both have /healthz. Elsewhere an endpoint is a 404, as if it did not exist.
enum class Listener { kDevices, kOperators, kBoth };

class Router {
 public:
  explicit Router(ServiceContext ctx, Listener listener = Listener::kBoth)
      : ctx_(std::move(ctx)), listener_(listener) {}

  // Calls `respond` exactly once, now or later (after a commit), from any thread.
  void Handle(const HttpRequest& request, Respond respond) const;

  const ServiceContext& context() const { return ctx_; }

 private:
  ServiceContext ctx_;
  Listener listener_;
};

// POST /v1/activations
void HandleActivation(const ServiceContext& ctx, const HttpRequest& request, Respond respond);
// POST (and CORS OPTIONS) /submit/<app_id>/<doc_type>/<doc_version>/<doc_id>
void HandleSubmit(const ServiceContext& ctx, const HttpRequest& request, Respond respond);
// GET /privacy: the data catalogue, HTML or (Accept: application/json or ?format=json) JSON.
void HandlePrivacy(const ServiceContext& ctx, const HttpRequest& request, Respond respond);
// One device's warranty record, as the admin API and `homeport warranty` show it.
nlohmann::json WarrantyJson(const ActivationRecord& r);
// The access-request export of one client: {"client_id", "documents": [...]}.
nlohmann::json UxpExportJson(const std::string& client_id, const std::vector<UxpDocument>& docs);
// GET /v1/admin/uxp/clients/<client_id>, GET /v1/admin/warranty/<serial>: bearer token, audited.
void HandleAdmin(const ServiceContext& ctx, const HttpRequest& request, Respond respond);

}  // namespace homeport
