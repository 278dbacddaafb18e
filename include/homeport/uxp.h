// libhomeport's User Experience Program client (rule D3): diagnostics and feedback the user
// opted in to, sent as Glean pings of app "homeport-agent" to the UX-program URL of the device's
// verified region manifest (D1), through an offline queue that follows Glean's upload rules.
// Nothing it stores or sends identifies the device (D4); its client id is random and unrelated
// to the serial or the device key (S4).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "homeport/agent.h"
#include "homeport/status.h"

namespace homeport {

// The most opt-out receipts a device keeps; older ones are forgotten first.
inline constexpr int kMaxErasureReceipts = 50;

struct UxpStatus {
  bool enabled = false;
  // The random client id while opted in, nullopt otherwise.
  std::optional<std::string> client_id;
  int pending_pings = 0;              // diagnostics and feedback pings waiting for upload
  // Deletion-requests the server has not accepted yet (the server still holds that data).
  int pending_deletion_requests = 0;
};

struct UploadSummary {
  int sent = 0;     // accepted by the server (2xx, a duplicate included) and removed
  // Refused for good (4xx other than 408 and 429) or unreadable, and removed; never a
  // deletion-request that could be read.
  int dropped = 0;
  int pending = 0;  // still queued, deletion-requests included
  // Why pings remain queued (no network, a redirect, 5xx or 429 until the deadline, a refused
  // TLS identity) or, failing that, the last refusal. Ok when every ping was accepted. Server
  // text in it is escaped (TerminalSafe).
  Status last_error;
};

// What a device keeps of one opt-out (docs/transparency-log.md, "Erasure receipts"): the
// commitment it sent with the deletion-request — SHA-256 of a random nonce and the client id —
// the nonce, and the index of the log entry the server answered with once the erasure was
// final. The client id itself is wiped (D3): whoever knows it and is handed the nonce can open
// the commitment; no one else can tell whose erasure the entry records.
struct ErasureReceipt {
  std::string doc_id;        // the deletion-request's doc_id
  std::string requested_on;  // YYYY-MM-DD, the day of the opt-out
  std::string nonce;         // base64url of the 32 random bytes
  std::string commitment;    // 64 lower-case hex digits
  std::optional<int64_t> log_index;  // once the server answered
};

// A receipt proven against the region's log.
struct ErasureProof {
  ErasureReceipt receipt;
  std::string log_origin;  // the checkpoint's origin line
  int64_t tree_size = 0;   // entries in the checkpoint's tree
  std::string root_hash;   // base64
  std::string entry;       // the log entry's bytes (JSON)
  // The inclusion proof as a self-contained file: checked offline by anyone with the log key
  // (tlog/inclusion_bundle.h).
  std::string bundle_json;
};

// Whether `commitment` is SHA-256(nonce || client_id), the nonce given in base64url.
bool ErasureCommitmentOpensTo(const ErasureReceipt& receipt, std::string_view client_id);

enum class DiagnosticsReason {
  kScheduled,  // ping_info.reason "scheduled": the embedding code's periodic upload
  kOnDemand,   // ping_info.reason "on_demand": a person asked for an upload now
};

// State lives in AgentOptions::state_dir/uxp/, every write atomic through the Env. A UxProgram
// is used from one thread; it holds no thread of its own: the embedding code calls Upload()
// when it sees fit (say daily, and when the network returns).
class UxProgram {
 public:
  // Applies D1 exactly as Agent::Open does: PermissionDenied naming both regions, and no
  // transport ever used, unless the manifest verifies against the trusted root key, is for the
  // device's region and is no rollback the device must refuse. InvalidArgument for bad options.
  // Opening changes nothing on disk but trust.json, as Agent::Open does.
  static Result<std::unique_ptr<UxProgram>> Open(const AgentOptions& options);

  virtual ~UxProgram() = default;

  // Starts the program with a new random client id (a UUIDv4 from the Env's randomness) and
  // today as first_run_date. Ok and no change when already opted in.
  virtual Status OptIn() = 0;

  // Queues a deletion-request ping carrying the current client id, then wipes the recorded
  // metrics, every other pending ping and the client id, and tries to upload the
  // deletion-request(s) until the deadline. A failed upload leaves them queued; Upload() sends
  // them later even while opted out. When not opted in, only sends deletion-requests still
  // queued. Errors are local (the disk): if the deletion-request cannot be queued or the
  // opt-out stored, the user stays opted in and nothing is queued.
  virtual Result<UploadSummary> OptOut() = 0;

  virtual Result<UxpStatus> GetStatus() = 0;

  // Records a value of a metric of the diagnostics ping, as declared in the agent's schema:
  // counters ("diagnostics.crash_count") add a whole number > 0; quantities set a whole
  // number >= 0; timespans ("diagnostics.boot_time") set a whole number of milliseconds; a
  // labeled counter is named "diagnostics.thermal_throttling/severe"; an event's value is ""
  // or "key=value,..." over its extra keys. PermissionDenied when not opted in, InvalidArgument
  // for an undeclared metric or a bad value; nothing is stored then.
  virtual Status Record(std::string_view name, std::string_view value) = 0;

  // Queues a feedback ping at once: `text` (UTF-8, 1 byte to 200 KiB) and an optional rating
  // from 1 to 5. PermissionDenied when not opted in, InvalidArgument for bad input.
  virtual Status Feedback(std::string_view text, std::optional<int> rating) = 0;

  // When opted in and anything was recorded, first turns the recorded metrics into a
  // diagnostics ping (and clears them). Then posts every pending ping, deletion-requests
  // first, oldest first: 2xx removes it, 4xx other than 408/429 drops it, and everything else
  // — 3xx (redirects are never followed), 5xx, 408, 429 (honouring Retry-After) and network
  // failures — is retried with backoff until the deadline, after which the rest stays queued
  // for a later call. A deletion-request is never dropped: every answer but a 2xx, a 4xx
  // included, keeps it queued and retried. Errors are local (the disk).
  virtual Result<UploadSummary> Upload(DiagnosticsReason reason) = 0;
  Result<UploadSummary> Upload() { return Upload(DiagnosticsReason::kScheduled); }

  // The receipts of this device's opt-outs, oldest first (the last kMaxErasureReceipts).
  virtual Result<std::vector<ErasureReceipt>> ErasureReceipts() = 0;

  // Proves that the receipt's erasure is in the region's transparency log: fetches the log's
  // checkpoint, the entry at the receipt's index and its inclusion proof from the UX-program
  // server, and checks the checkpoint's signature with the profile's log_public_key, the proof,
  // and that the entry is an erasure holding the receipt's commitment. NotFound while
  // the server has not answered the deletion-request (no index yet) or the profile has no log
  // key; PermissionDenied naming what does not hold; Unavailable when the server cannot be
  // reached.
  virtual Result<ErasureProof> ProveErasure(const ErasureReceipt& receipt) = 0;
};

}  // namespace homeport
