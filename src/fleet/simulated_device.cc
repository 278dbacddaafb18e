// Day planning and request building for one simulated device.
#include "fleet/simulated_device.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "agent/activation_protocol.h"
#include "agent/glean_document.h"
#include "agent/uxp_recorded_metrics.h"
#include "agent/uxp_schema.h"

namespace homeport::fleet {
namespace {

using nlohmann::json;

// Glean's built-in baseline ping carries the SDK's own session length.
constexpr const char* kBaselinePing = "baseline";
constexpr const char* kBaselineDuration = "glean.baseline.duration";

int64_t EpochMs(Env::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string_view RequestKindName(RequestKind kind) {
  switch (kind) {
    case RequestKind::kActivation:
      return "activation";
    case RequestKind::kBaseline:
      return kBaselinePing;
    case RequestKind::kDiagnostics:
      return agent::kDiagnosticsPing;
    case RequestKind::kFeedback:
      return agent::kFeedbackPing;
    case RequestKind::kDeletionRequest:
      return agent::kDeletionRequestPing;
  }
  return "unknown";
}

SimulatedDevice::SimulatedDevice(const FleetDevice& device, const RegionManifest& manifest,
                                 MixRandom random, bool in_program)
    : device_(device), manifest_(manifest), random_(random), in_program_(in_program) {}

const DayPlan& SimulatedDevice::StartDay(const PingMixOptions& mix, bool joins_today, Env& env) {
  next_ = count_ = 0;
  current_.reset();
  attempts = 0;
  today_ = DayPlan{};
  auto push = [this](RequestKind kind) { steps_[count_++] = kind; };
  if (!activated_) {
    activated_ = true;
    push(RequestKind::kActivation);
  }
  const bool joins = joins_today || (in_program_ && !consent_.upload_enabled);
  if (!in_program_ && !joins_today) return today_;
  today_ = PlanParticipantDay(mix, joins, random_);
  if (joins) {
    // As UxProgram::OptIn: a new random id, unrelated to the serial or the device key (S4), and
    // today as first_run_date.
    const Env::TimePoint now = env.Now();
    consent_ = agent::UxpConsent{};
    consent_.upload_enabled = true;
    consent_.client_id = agent::NewUuidV4(env);
    consent_.first_run_date = agent::GleanDate(now);
    consent_.opted_in_ms = EpochMs(now);
    in_program_ = true;
  }
  if (today_.baseline) push(RequestKind::kBaseline);
  if (!today_.diagnostics.empty()) push(RequestKind::kDiagnostics);
  if (today_.feedback) push(RequestKind::kFeedback);
  if (today_.opt_out) push(RequestKind::kDeletionRequest);
  return today_;
}

Result<const TransportRequest*> SimulatedDevice::CurrentRequest(Env& env) {
  if (!has_request()) return Status::Internal("no request is queued");
  if (!current_) {
    HOMEPORT_ASSIGN_OR_RETURN(TransportRequest built, Build(current_kind(), env));
    current_ = std::move(built);
  }
  return &*current_;
}

void SimulatedDevice::PopRequest() {
  if (has_request()) ++next_;
  current_.reset();
  attempts = 0;
}

TransportRequest SimulatedDevice::NewPing(std::string_view ping, const char* reason,
                                          const json& metrics, const json& events, Env& env) {
  const Env::TimePoint now = env.Now();
  agent::PingCursor cursor = consent_.Advance(std::string(ping), now);
  agent::PingInfo info{std::string(ping), cursor.seq,
                       Env::TimePoint(std::chrono::milliseconds(cursor.start_ms)), now, reason};
  agent::GleanDocument doc = agent::BuildGleanDocument(
      info, agent::ClientInfo(device_.profile, consent_.client_id, consent_.first_run_date),
      metrics, events, agent::NewUuidV4(env));
  // BuildUploadRequest fails only for what the agent's queue could hold; a fresh document is fine.
  auto request = agent::BuildUploadRequest(manifest_.uxp_url, doc.path, doc.body, now);
  return std::move(request).value();
}

Result<TransportRequest> SimulatedDevice::Build(RequestKind kind, Env& env) {
  switch (kind) {
    case RequestKind::kActivation:
      // The device's counter must rise between contacts, and a simulated device keeps no state
      // between runs: the clock in milliseconds rises as the agent's counter would, so a rerun
      // with other versions is a check-in, and one with the same versions a plain repeat.
      return agent::BuildActivationRequest(
          device_.profile, manifest_, device_.device_key,
          std::chrono::duration_cast<std::chrono::milliseconds>(env.Now().time_since_epoch())
              .count());
    case RequestKind::kBaseline: {
      json metrics = {
          {"timespan",
           {{kBaselineDuration, {{"time_unit", "second"}, {"value", today_.session_seconds}}}}}};
      return NewPing(kBaselinePing, "inactive", metrics, json::array(), env);
    }
    case RequestKind::kDiagnostics: {
      // Recorded as the agent records them, so the ping has the agent's exact shape.
      agent::RecordedMetrics recorded;
      for (const auto& [name, value] : today_.diagnostics) {
        HOMEPORT_RETURN_IF_ERROR(recorded.Record(name, value, env.Now()));
      }
      return NewPing(agent::kDiagnosticsPing, "scheduled", recorded.PingMetrics(),
                     recorded.PingEvents(), env);
    }
    case RequestKind::kFeedback: {
      const agent::UxpMetric* text = agent::FindUxpMetric(agent::kFeedbackTextMetric);
      if (text == nullptr) return Status::Internal("feedback.text missing from the agent's schema");
      HOMEPORT_ASSIGN_OR_RETURN(json value, agent::ParseMetricValue(*text, today_.feedback->text));
      json metrics = {
          {"text", {{std::string(agent::kFeedbackTextMetric), std::move(value)}}},
          {"quantity", {{std::string(agent::kFeedbackRatingMetric), today_.feedback->rating}}}};
      return NewPing(agent::kFeedbackPing, "user_submitted", metrics, json::array(), env);
    }
    case RequestKind::kDeletionRequest: {
      TransportRequest request = NewPing(agent::kDeletionRequestPing, "set_upload_enabled",
                                         json::object(), json::array(), env);
      // As UxProgram::OptOut: the client id is forgotten; a later opt-in gets a new one (D3).
      consent_ = agent::UxpConsent{};
      in_program_ = false;
      return request;
    }
  }
  return Status::Internal("unknown request kind");
}

}  // namespace homeport::fleet
