// libhomeport's activation client: verifies the device's region manifest (D1), activates the
// device once with its region's server and answers from local state afterwards (D2).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "homeport/env.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport {

struct TransportRequest {
  std::string url;
  // Sent as given, in order. A transport adds only what HTTP itself needs (Host,
  // Content-Length) and nothing that identifies the device or its software stack.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct TransportResponse {
  int status = 0;
  // Header names lower-cased ("retry-after"); a repeated header keeps its last value.
  std::map<std::string, std::string> headers;
  std::string body;
};

// How the agent reaches the network; tests substitute their own.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends one POST. A response of any HTTP status is ok. Unavailable when no response arrived
  // (connection refused, DNS failure, timeout): the caller may retry. PermissionDenied when the
  // server's TLS identity is refused (certificate or pin): retrying cannot help.
  virtual Result<TransportResponse> Post(const TransportRequest& request) = 0;
  // Sends one GET (`request.body` is ignored), with the same outcomes. Transports that only
  // post (most test doubles) need not implement it.
  virtual Result<TransportResponse> Get(const TransportRequest& request) {
    return Status::InvalidArgument("this transport cannot GET " + request.url);
  }
};

struct CurlTransportOptions {
  // PEM bundle of trusted CAs (CURLOPT_CAINFO). Default empty: libcurl's system bundle.
  std::string ca_file;
  // Accepted server public keys, "sha256//<base64>" each (CURLOPT_PINNEDPUBLICKEY). Default
  // empty: no pinning beyond CA verification.
  std::vector<std::string> tls_pins;
  // Default 10 s: limit for establishing a connection.
  std::chrono::milliseconds connect_timeout{10'000};
  // Default 10 s: limit for a whole request, connection included.
  std::chrono::milliseconds request_timeout{10'000};
};

// The libcurl transport. It never follows redirects: a redirect could carry the body to a
// host the manifest does not name. Use it from one thread at a time.
std::unique_ptr<HttpTransport> NewCurlTransport(const CurlTransportOptions& options);

struct AgentOptions {
  // Required: the device profile JSON written at the factory.
  std::string profile_path;
  // Required: the signed region manifest (JWS compact) shipped in the firmware.
  std::string manifest_path;
  // Required: the device's state directory: activation.json, trust.json and the UX program's
  // uxp/ folder. Created if missing.
  std::string state_dir;
  // Default empty: root key rotation statements shipped with the firmware (JWS compact files
  // written by `homeport keys rotate`; a file may hold several, one per line), oldest first. A
  // statement signed by the root key the device trusts moves its trust to the key it names,
  // once, recorded in state_dir/trust.json; statements already applied are skipped, and any
  // other is refused with PermissionDenied and changes nothing (docs/lifecycle.md).
  std::vector<std::string> rotation_paths;
  // Default false: accept the manifest only with an inclusion proof in a checkpoint signed by
  // the region's transparency-log key (the profile's log_public_key), as when the profile says
  // require_log_proof. The proof is the file log_proof_path (written by `homeport log prove`);
  // without one, or when it does not prove this manifest, PermissionDenied.
  bool require_log_proof = false;
  // Default empty: manifest_path + ".proof".
  std::string log_proof_path;
  // PEM bundle of trusted CAs for the default transport. Default empty: the system bundle.
  std::string ca_file;
  // Default 60 s: Activate() stops retrying and returns DeadlineExceeded once a further wait
  // would end past this much time after it started; UxProgram uploads stop (leaving pings
  // queued) likewise. A request in flight may add up to request_timeout.
  std::chrono::milliseconds deadline{60'000};
  // Default 500 ms: the cap on the first retry wait; each later cap doubles.
  std::chrono::milliseconds initial_backoff{500};
  // Default 30 s: the largest cap. A server's Retry-After may ask for longer and is honoured.
  std::chrono::milliseconds max_backoff{30'000};
  // Default 10 s: connect and total time limit of one request with the default transport.
  std::chrono::milliseconds request_timeout{10'000};
  // Default 500: the most UX-program pings kept waiting for upload; the oldest are dropped
  // first. Deletion-requests are kept apart and never dropped.
  int max_pending_pings = 500;
  // Default 50 MiB: the most bytes those pending pings may take on disk, enforced likewise.
  int64_t max_pending_bytes = int64_t{50} << 20;
  // Default Env::Default(): clock, sleeping, randomness and files. Not owned.
  Env* env = Env::Default();
  // Default nullptr: a curl transport honouring the manifest's TLS pins and ca_file. When set,
  // not owned and must outlive the Agent.
  HttpTransport* transport = nullptr;
};

enum class ActivationOutcome {
  kActivated,         // the server recorded this device's first activation (HTTP 201)
  kAlreadyActivated,  // the server knew the device already (HTTP 200), e.g. after a state wipe
  kCheckedIn,         // the server recorded a new client or manifest version (HTTP 200)
  kCached,            // answered from local state; nothing was sent
};
// "activated", "already_activated", "checked_in", "cached".
const char* ToString(ActivationOutcome outcome);

struct ActivationState {
  std::string serial;
  std::string warranty_start;  // "YYYY-MM-DD", as the server recorded it
  std::string client_version;  // the versions last reported to the server
  int64_t manifest_version = 0;
  std::string activated_at;  // RFC 3339: when this device first had its activation confirmed
  ActivationOutcome outcome = ActivationOutcome::kCached;

  bool from_network() const { return outcome != ActivationOutcome::kCached; }
};

// A root key rotation a device has applied.
struct AppliedRotation {
  std::string old_kid;     // RFC 7638 thumbprint of the key trusted before
  std::string new_kid;     // thumbprint of the key trusted after
  std::string issued_at;   // RFC 3339: when the maker signed the statement
  std::string applied_at;  // RFC 3339: when this device applied it, by its own clock
};

// What a device trusts (state_dir/trust.json, or its profile before it has recorded anything).
struct DeviceTrust {
  // The root key manifests and rotation statements must be signed with: the profile's built-in
  // key until a rotation moves it.
  std::string root_kid;
  std::string root_public_jwk;             // that key as a public JWK
  std::vector<AppliedRotation> rotations;  // oldest first
  // The highest manifest version the device has accepted; lower ones only as an explicit
  // rollback. 0 before it has accepted any.
  int64_t highest_manifest_version = 0;
};

// Reads what the device of `options.profile_path` and `options.state_dir` trusts, changing
// nothing: no rotation statement or manifest is read. Corruption when trust.json exists but is
// not a valid trust record (the device then refuses every manifest until it is replaced).
Result<DeviceTrust> ReadDeviceTrust(const AgentOptions& options);

// The device's activation client. An Agent is used from one thread; it holds no thread of its
// own and does nothing between calls.
class Agent {
 public:
  // Loads the profile and the manifest and applies D1: after the rotation statements of
  // `options.rotation_paths`, the manifest must verify against the root key the device trusts
  // (the profile's until a rotation moves it), name the device's region and variant, and have a
  // version no lower than the highest the device has accepted unless it is an explicit
  // rollback. Otherwise PermissionDenied naming both regions (or both key ids, or both
  // versions), nothing changed on disk and no transport ever used. When everything holds, an
  // applied rotation or a higher manifest version is stored in state_dir/trust.json before Open
  // returns (the Env's error if it cannot be). InvalidArgument for bad options.
  static Result<std::unique_ptr<Agent>> Open(const AgentOptions& options);

  virtual ~Agent() = default;

  // Answers from state_dir/activation.json when it records this serial, client version and
  // manifest version (D2: no network). Otherwise POSTs one activation (first time) or check-in
  // (a version changed), retrying 3xx (never followed), 5xx, 408, 429 and network failures
  // until the deadline, and stores the confirmed state atomically before returning it.
  // Errors: DeadlineExceeded with the last failure; a Status carrying the server's
  // "code: message" for other 4xx; Corruption for an answer that is not plausible (a
  // warranty_start after tomorrow or before profile.made_on, else before 2020-01-01), and then
  // nothing is stored; the Env's error when the state cannot be written (the previous state is
  // then left intact).
  virtual Result<ActivationState> Activate() = 0;

  // The verified manifest this agent reports under.
  virtual const RegionManifest& manifest() const = 0;
};

}  // namespace homeport
