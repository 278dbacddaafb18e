// Agent::Open (rule D1) and Activate (rule D2): the device's one path to its activation server.
#include "homeport/agent.h"

#include <nlohmann/json.hpp>

#include "agent/activation_protocol.h"
#include "agent/http_retry.h"
#include "common/time_format.h"
#include "crypto/base64.h"
#include "provisioning/device_profile.h"
#include "provisioning/region_manifest.h"

namespace homeport {
namespace {

constexpr const char* kStateFile = "activation.json";

Status ValidateOptions(const AgentOptions& o) {
  using std::chrono::milliseconds;
  if (o.env == nullptr) return Status::InvalidArgument("AgentOptions.env must be set");
  if (o.profile_path.empty()) return Status::InvalidArgument("no device profile path given");
  if (o.manifest_path.empty()) return Status::InvalidArgument("no region manifest path given");
  if (o.state_dir.empty()) return Status::InvalidArgument("no state directory given");
  if (o.deadline <= milliseconds::zero()) {
    return Status::InvalidArgument("the activation deadline must be positive");
  }
  if (o.initial_backoff <= milliseconds::zero() || o.max_backoff < o.initial_backoff) {
    return Status::InvalidArgument("backoff must satisfy 0 < initial backoff <= max backoff");
  }
  if (o.request_timeout <= milliseconds::zero()) {
    return Status::InvalidArgument("the request timeout must be positive");
  }
  return Status::Ok();
}

// Every field goes into the signed body and client_version into a header, so a malformed
// profile must stop here rather than produce a request the server rejects or a broken header.
Status ValidateProfileFields(const DeviceProfile& p) {
  const std::pair<const char*, const std::string*> fields[] = {
      {"serial", &p.serial}, {"model", &p.model}, {"sku", &p.sku}, {"variant", &p.variant}};
  for (const auto& [name, value] : fields) {
    if (!IsValidIdentifierField(*value)) {
      return Status::InvalidArgument(std::string("device profile: bad ") + name + " \"" + *value +
                                     "\"");
    }
  }
  bool printable = !p.client_version.empty() && p.client_version.size() <= 64;
  for (char c : p.client_version) printable = printable && c > ' ' && c <= '~';
  if (!printable) {
    return Status::InvalidArgument("device profile: bad client_version \"" + p.client_version +
                                   "\"");
  }
  return Status::Ok();
}

// The region an unverified manifest claims, only to name it in the refusal: nothing else of
// an unverified document is used.
std::string ClaimedRegion(std::string_view jws) {
  size_t a = jws.find('.');
  size_t b = a == std::string_view::npos ? a : jws.find('.', a + 1);
  if (b == std::string_view::npos) return "an unreadable region";
  auto payload = crypto::Base64UrlDecode(jws.substr(a + 1, b - a - 1));
  if (!payload.ok()) return "an unreadable region";
  auto j = nlohmann::json::parse(*payload, nullptr, false);
  if (!j.is_object() || !j.contains("region") || !j["region"].is_string()) {
    return "no region";
  }
  return "region \"" + j["region"].get<std::string>() + "\"";
}

Result<std::string> ReadInput(Env* env, const std::string& path, const char* what) {
  auto text = env->ReadFile(path);
  if (!text.ok()) return text.status().WithContext(std::string("reading the ") + what);
  return text;
}

class AgentImpl final : public Agent {
 public:
  AgentImpl(const AgentOptions& options, DeviceProfile profile, RegionManifest manifest,
            crypto::SecretKey device_key, std::unique_ptr<HttpTransport> owned_transport)
      : options_(options),
        profile_(std::move(profile)),
        manifest_(std::move(manifest)),
        device_key_(device_key),
        owned_transport_(std::move(owned_transport)),
        transport_(options.transport != nullptr ? options.transport : owned_transport_.get()),
        state_path_(options.state_dir + "/" + kStateFile) {}

  Result<ActivationState> Activate() override;
  const RegionManifest& manifest() const override { return manifest_; }

 private:
  // The state on disk, if it is readable. A file that does not parse is treated as absent:
  // activation is idempotent, so asking the server again repairs it at the cost of one request.
  Result<std::optional<ActivationState>> LoadState();

  const AgentOptions options_;
  const DeviceProfile profile_;
  const RegionManifest manifest_;
  const crypto::SecretKey device_key_;
  std::unique_ptr<HttpTransport> owned_transport_;
  HttpTransport* const transport_;
  const std::string state_path_;
};

Result<std::optional<ActivationState>> AgentImpl::LoadState() {
  Env* env = options_.env;
  auto text = env->ReadFile(state_path_);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return std::optional<ActivationState>();
    // An unreadable disk must not turn every boot into a request (D2): report it instead.
    return text.status().WithContext("reading the activation state");
  }
  auto state = agent::ParseActivationState(*text);
  if (!state.ok()) return std::optional<ActivationState>();
  return std::optional<ActivationState>(std::move(*state));
}

Result<ActivationState> AgentImpl::Activate() {
  Env* env = options_.env;
  HOMEPORT_ASSIGN_OR_RETURN(std::optional<ActivationState> previous, LoadState());
  const bool same_device = previous && previous->serial == profile_.serial;
  if (same_device && previous->client_version == profile_.client_version &&
      previous->manifest_version == manifest_.version) {
    return *previous;
  }
  // Fail before sending: a confirmation that cannot be stored would be asked for again.
  HOMEPORT_RETURN_IF_ERROR(env->CreateDirs(options_.state_dir));

  TransportRequest request = agent::BuildActivationRequest(profile_, manifest_, device_key_);
  agent::RetryPolicy policy{options_.deadline, options_.initial_backoff, options_.max_backoff};
  HOMEPORT_ASSIGN_OR_RETURN(TransportResponse response,
                            agent::PostWithRetry(*transport_, request, *env, policy));
  HOMEPORT_ASSIGN_OR_RETURN(agent::ActivationReply reply,
                            agent::ParseActivationReply(response, profile_.serial));

  ActivationState state;
  state.serial = profile_.serial;
  state.warranty_start = reply.warranty_start;
  state.client_version = profile_.client_version;
  state.manifest_version = manifest_.version;
  state.activated_at = same_device ? previous->activated_at : FormatRfc3339(env->Now());
  state.outcome = reply.outcome;
  // The serial links to a warranty: readable by the device's own user only.
  Status written = env->WriteFileAtomic(state_path_, agent::SerializeActivationState(state), 0600);
  if (!written.ok()) return written.WithContext("storing the activation state");
  return state;
}

}  // namespace

const char* ToString(ActivationOutcome outcome) {
  switch (outcome) {
    case ActivationOutcome::kActivated:
      return "activated";
    case ActivationOutcome::kAlreadyActivated:
      return "already_activated";
    case ActivationOutcome::kCheckedIn:
      return "checked_in";
    case ActivationOutcome::kCached:
      return "cached";
  }
  return "unknown";
}

Result<std::unique_ptr<Agent>> Agent::Open(const AgentOptions& options) {
  HOMEPORT_RETURN_IF_ERROR(ValidateOptions(options));
  Env* env = options.env;
  HOMEPORT_ASSIGN_OR_RETURN(std::string profile_text,
                            ReadInput(env, options.profile_path, "device profile"));
  HOMEPORT_ASSIGN_OR_RETURN(DeviceProfile profile, ParseDeviceProfile(profile_text));
  HOMEPORT_RETURN_IF_ERROR(ValidateProfileFields(profile));
  HOMEPORT_ASSIGN_OR_RETURN(crypto::PublicKey root, RootKey(profile));
  HOMEPORT_ASSIGN_OR_RETURN(crypto::SecretKey device_key, DeviceKey(profile));
  HOMEPORT_ASSIGN_OR_RETURN(std::string manifest_text,
                            ReadInput(env, options.manifest_path, "region manifest"));

  // D1: nothing is sent under a manifest that does not verify or is for another region.
  auto manifest = VerifyManifest(manifest_text, root);
  if (!manifest.ok()) {
    return Status::PermissionDenied(
        "the region manifest " + options.manifest_path + " (claiming " +
        ClaimedRegion(manifest_text) + ") is not usable by this device of region \"" +
        profile.region + "\": " + manifest.status().message() + "; refusing to send anything");
  }
  HOMEPORT_RETURN_IF_ERROR(CheckManifestForDevice(*manifest, profile));

  std::unique_ptr<HttpTransport> owned;
  if (options.transport == nullptr) {
    owned = NewCurlTransport({.ca_file = options.ca_file,
                              .tls_pins = manifest->tls_pins,
                              .connect_timeout = options.request_timeout,
                              .request_timeout = options.request_timeout});
  }
  return std::unique_ptr<Agent>(std::make_unique<AgentImpl>(
      options, std::move(profile), std::move(*manifest), device_key, std::move(owned)));
}

}  // namespace homeport
