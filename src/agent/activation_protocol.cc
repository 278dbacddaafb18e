// Building activation requests, checking the server's answers and the state file format.
#include "agent/activation_protocol.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "crypto/jws.h"
#include "provisioning/region_manifest.h"

namespace homeport::agent {
namespace {

bool IsDate(const std::string& s) {
  // Calendar validity (no 2026-02-30) comes from the RFC 3339 parser.
  return s.size() == 10 && ParseRfc3339(s + "T00:00:00Z").ok();
}

std::optional<ActivationOutcome> OutcomeFromName(std::string_view name) {
  for (auto o : {ActivationOutcome::kActivated, ActivationOutcome::kAlreadyActivated,
                 ActivationOutcome::kCheckedIn, ActivationOutcome::kCached}) {
    if (name == ToString(o)) return o;
  }
  return std::nullopt;
}

}  // namespace

std::string ActivationsUrl(std::string_view activation_url) {
  if (!activation_url.empty() && activation_url.back() == '/') activation_url.remove_suffix(1);
  return std::string(activation_url) + std::string(kActivationPath);
}

std::string ActivationBody(const DeviceProfile& profile, const RegionManifest& manifest,
                           int64_t sequence) {
  nlohmann::json body = {{"serial", profile.serial},
                         {"model", profile.model},
                         {"sku", profile.sku},
                         {"variant", profile.variant},
                         {"region", profile.region},
                         {"client_version", profile.client_version},
                         {"manifest_version", manifest.version},
                         {"sequence", sequence}};
  return body.dump();
}

TransportRequest BuildActivationRequest(const DeviceProfile& profile,
                                        const RegionManifest& manifest,
                                        const crypto::SecretKey& device_key, int64_t sequence) {
  TransportRequest request;
  request.url = ActivationsUrl(manifest.activation_url);
  request.body = ActivationBody(profile, manifest, sequence);
  request.headers = {
      {"Content-Type", "application/json"},
      {"X-Homeport-Signature", crypto::SignDetached(request.body, device_key)},
      {"User-Agent", "homeport-agent/" + profile.client_version},
  };
  return request;
}

Result<int64_t> NextActivationSequence(Env& env, const std::string& path, int64_t at_least) {
  int64_t current = 0;
  auto text = env.ReadFile(path);
  if (text.ok()) {
    // Anything but a plain number in range counts as lost: the server's stale_activation
    // answer then tells the agent where to continue.
    auto parsed = nlohmann::json::parse(*text, nullptr, false);
    if (parsed.is_number_integer() && parsed.get<int64_t>() > 0 &&
        parsed.get<int64_t>() < kMaxActivationSequence) {
      current = parsed.get<int64_t>();
    }
  } else if (!text.status().IsNotFound()) {
    return text.status().WithContext("reading the activation sequence");
  }
  if (at_least < 0 || at_least >= kMaxActivationSequence) {
    return Status::InvalidArgument("activation sequence " + std::to_string(at_least) +
                                   " is out of range");
  }
  const int64_t next = std::max(current, at_least) + 1;
  Status written = env.WriteFileAtomic(path, std::to_string(next) + "\n", 0600);
  if (!written.ok()) return written.WithContext("storing the activation sequence");
  return next;
}

std::optional<StaleActivation> ParseStaleActivation(const TransportResponse& response) {
  if (response.status != 409) return std::nullopt;
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (!j.is_object() || j.value("error", "") != "stale_activation") return std::nullopt;
  auto in_range = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() && it->get<int64_t>() >= 0 &&
           it->get<int64_t>() < kMaxActivationSequence;
  };
  if (!in_range("recorded_sequence") || !in_range("recorded_manifest_version")) return std::nullopt;
  return StaleActivation{j["recorded_sequence"].get<int64_t>(),
                         j["recorded_manifest_version"].get<int64_t>()};
}

Result<ActivationReply> ParseActivationReply(const TransportResponse& response,
                                             std::string_view expected_serial) {
  const std::string where = "activation answer (HTTP " + std::to_string(response.status) + ")";
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (!j.is_object()) return Status::Corruption(where + " is not a JSON object");
  ActivationReply reply;
  std::string status;
  try {
    reply.serial = j.at("serial").get<std::string>();
    reply.warranty_start = j.at("warranty_start").get<std::string>();
    status = j.at("status").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(where + ": " + e.what());
  }
  if (reply.serial != expected_serial) {
    return Status::Corruption(where + " is for serial \"" + reply.serial + "\", not \"" +
                              std::string(expected_serial) + "\"");
  }
  if (!IsDate(reply.warranty_start)) {
    return Status::Corruption(where + ": warranty_start \"" + reply.warranty_start +
                              "\" is not a YYYY-MM-DD date");
  }
  auto outcome = OutcomeFromName(status);
  if (!outcome || *outcome == ActivationOutcome::kCached) {
    return Status::Corruption(where + ": unknown status \"" + status + "\"");
  }
  reply.outcome = *outcome;
  return reply;
}

std::string SerializeActivationState(const ActivationState& state) {
  nlohmann::json j = {{"serial", state.serial},
                      {"warranty_start", state.warranty_start},
                      {"client_version", state.client_version},
                      {"manifest_version", state.manifest_version},
                      {"activated_at", state.activated_at},
                      {"last_outcome", ToString(state.outcome)}};
  return j.dump(2) + "\n";
}

Result<ActivationState> ParseActivationState(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::Corruption("activation state is not a JSON object");
  ActivationState state;
  try {
    state.serial = j.at("serial").get<std::string>();
    state.warranty_start = j.at("warranty_start").get<std::string>();
    state.client_version = j.at("client_version").get<std::string>();
    state.manifest_version = j.at("manifest_version").get<int64_t>();
    state.activated_at = j.at("activated_at").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("activation state: ") + e.what());
  }
  if (!IsDate(state.warranty_start)) {
    return Status::Corruption("activation state: bad warranty_start \"" + state.warranty_start +
                              "\"");
  }
  state.outcome = ActivationOutcome::kCached;
  return state;
}

}  // namespace homeport::agent
