// SimulatedDevice: one device of the fleet as the agent would behave — its activation, then, if
// its user takes part in the User Experience Program, each day's Glean pings under a random
// client id (baseline, diagnostics, feedback, and the deletion-request of an opt-out). Requests
// are built with the agent's own code, so they are exactly what a real device sends.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "agent/uxp_consent.h"
#include "fleet/fleet_loader.h"
#include "fleet/ping_mix.h"
#include "homeport/agent.h"
#include "homeport/env.h"
#include "homeport/status.h"

namespace homeport::fleet {

enum class RequestKind { kActivation, kBaseline, kDiagnostics, kFeedback, kDeletionRequest };
inline constexpr int kRequestKinds = 5;
// "activation", "baseline", "diagnostics", "feedback", "deletion-request".
std::string_view RequestKindName(RequestKind kind);

class SimulatedDevice {
 public:
  // `device` and `manifest` must outlive this object. `in_program`: the user opted in at first
  // boot.
  SimulatedDevice(const FleetDevice& device, const RegionManifest& manifest, MixRandom random,
                  bool in_program);

  // Plans the next day and queues its requests: the activation on the first day, then, for a
  // user in the program (or joining today: `joins_today`), the day's pings. Opting in happens
  // here, with a new random client id from `env`. Returns the plan.
  const DayPlan& StartDay(const PingMixOptions& mix, bool joins_today, Env& env);

  bool has_request() const { return next_ < count_; }
  // The kind of the current request; has_request() must hold.
  RequestKind current_kind() const { return steps_[next_]; }
  // The current request, built on first use — a ping's times, client id and doc_id are those of
  // its first try, so a retry sends the same document and the server deduplicates it. Opting
  // out takes effect when the deletion-request is built: the client id is forgotten.
  Result<const TransportRequest*> CurrentRequest(Env& env);
  // The current request is finished (accepted or given up on); the next one becomes current.
  void PopRequest();

  // Tries of the current request so far; the simulator counts them.
  int attempts = 0;

  const DeviceProfile& profile() const { return device_.profile; }
  bool in_program() const { return in_program_; }
  const DayPlan& today() const { return today_; }

 private:
  // A Glean document of `ping` for the current client id, advancing that ping's seq and start.
  TransportRequest NewPing(std::string_view ping, const char* reason, const nlohmann::json& metrics,
                           const nlohmann::json& events, Env& env);
  Result<TransportRequest> Build(RequestKind kind, Env& env);

  const FleetDevice& device_;
  const RegionManifest& manifest_;
  MixRandom random_;
  bool activated_ = false;  // the activation was queued (once, D2)
  bool in_program_ = false;
  agent::UxpConsent consent_;
  DayPlan today_;
  std::array<RequestKind, 6> steps_{};
  uint8_t next_ = 0, count_ = 0;
  std::optional<TransportRequest> current_;
};

}  // namespace homeport::fleet
