// Agent::Open (rule D1) and Activate (rule D2): the device's one path to its activation server.
#include "homeport/agent.h"

#include "agent/activation_protocol.h"
#include "agent/http_retry.h"
#include "agent/verified_device.h"
#include "common/time_format.h"

namespace homeport {
namespace {

constexpr const char* kStateFile = "activation.json";
// Apart from activation.json, which is treated as absent when it does not parse: the counter
// must survive that.
constexpr const char* kSequenceFile = "activation_sequence";

// The earliest warranty start of a device whose profile does not say when it was made: no
// device ran this client before then.
constexpr const char* kEarliestWarrantyStart = "2020-01-01";

std::string EarliestWarrantyStart(const DeviceProfile& profile) {
  return profile.made_on.empty() ? kEarliestWarrantyStart : profile.made_on;
}

// A warranty cannot start before the device was made, nor after tomorrow (a day allows for a
// device clock running behind the server's). A server that answers otherwise is broken or
// hostile; storing its date would show the user a wrong warranty for good (D2 never asks again).
// Dates are "YYYY-MM-DD", so they compare as text.
Status CheckWarrantyStart(const std::string& date, const DeviceProfile& profile,
                          Env::TimePoint now) {
  if (date < EarliestWarrantyStart(profile)) {
    return Status::Corruption("the server's warranty_start \"" + date + "\" is before " +
                              (profile.made_on.empty()
                                   ? std::string("any device was made (") + kEarliestWarrantyStart
                                   : "this device's batch was made (" + profile.made_on) +
                              "): refused, nothing stored");
  }
  const std::string tomorrow = FormatDate(now + std::chrono::hours(24));
  if (date > tomorrow) {
    return Status::Corruption("the server's warranty_start \"" + date +
                              "\" is in the future (this device's date is " + FormatDate(now) +
                              "): refused, nothing stored");
  }
  return Status::Ok();
}

class AgentImpl final : public Agent {
 public:
  AgentImpl(const AgentOptions& options, agent::VerifiedDevice device)
      : options_(options),
        profile_(std::move(device.profile)),
        manifest_(std::move(device.manifest)),
        device_key_(device.device_key),
        owned_transport_(std::move(device.owned_transport)),
        transport_(device.transport),
        state_path_(options.state_dir + "/" + kStateFile),
        sequence_path_(options.state_dir + "/" + kSequenceFile) {}

  Result<ActivationState> Activate() override;
  const RegionManifest& manifest() const override { return manifest_; }

 private:
  // The state on disk, if it is readable. A file that does not parse is treated as absent:
  // activation is idempotent, so asking the server again repairs it at the cost of one request.
  Result<std::optional<ActivationState>> LoadState();
  // Raises the counter to above `at_least`, signs a request with it and posts it until a final
  // answer.
  Result<TransportResponse> Send(int64_t at_least);

  const AgentOptions options_;
  const DeviceProfile profile_;
  const RegionManifest manifest_;
  const crypto::SecretKey device_key_;
  std::unique_ptr<HttpTransport> owned_transport_;
  HttpTransport* const transport_;
  const std::string state_path_;
  const std::string sequence_path_;
};

Result<TransportResponse> AgentImpl::Send(int64_t at_least) {
  Env* env = options_.env;
  HOMEPORT_ASSIGN_OR_RETURN(int64_t sequence,
                            agent::NextActivationSequence(*env, sequence_path_, at_least));
  TransportRequest request =
      agent::BuildActivationRequest(profile_, manifest_, device_key_, sequence);
  return agent::PostUntilFinal(*transport_, request, *env, agent::RetryPolicyOf(options_));
}

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
  // Only the clock-free half of the check: a device clock set back must not cost a request.
  if (state->warranty_start < EarliestWarrantyStart(profile_)) {
    return std::optional<ActivationState>();
  }
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

  HOMEPORT_ASSIGN_OR_RETURN(TransportResponse response, Send(0));
  if (auto stale = agent::ParseStaleActivation(response);
      stale && stale->recorded_manifest_version <= manifest_.version) {
    // The server holds a sequence this device does not remember having sent: its counter was
    // lost (a state wipe). Continue above it, once; the versions sent are this device's own.
    HOMEPORT_ASSIGN_OR_RETURN(response, Send(stale->recorded_sequence));
  }
  if (response.status < 200 || response.status > 299) return agent::HttpErrorStatus(response);
  HOMEPORT_ASSIGN_OR_RETURN(agent::ActivationReply reply,
                            agent::ParseActivationReply(response, profile_.serial));
  HOMEPORT_RETURN_IF_ERROR(CheckWarrantyStart(reply.warranty_start, profile_, env->Now()));

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
  HOMEPORT_ASSIGN_OR_RETURN(agent::VerifiedDevice device, agent::OpenVerifiedDevice(options));
  return std::unique_ptr<Agent>(std::make_unique<AgentImpl>(options, std::move(device)));
}

}  // namespace homeport
