// The activation exchange on the wire (POST <activation_url>/v1/activations, signed with the
// device key) and the state file that remembers its answer (activation.json).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "crypto/ed25519.h"
#include "homeport/agent.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport::agent {

// `activation_url` (one trailing '/' dropped) + "/v1/activations".
std::string ActivationsUrl(std::string_view activation_url);

// The JSON body: serial, model, sku, variant, region, client_version, manifest_version and
// nothing else (D4).
std::string ActivationBody(const DeviceProfile& profile, const RegionManifest& manifest);

// The complete request: body, Content-Type, the detached JWS over the body's exact bytes in
// X-Homeport-Signature, and a User-Agent naming only the client version.
TransportRequest BuildActivationRequest(const DeviceProfile& profile, const RegionManifest& manifest,
                                   const crypto::SecretKey& device_key);

struct ActivationReply {
  std::string serial;
  std::string warranty_start;
  ActivationOutcome outcome = ActivationOutcome::kActivated;
};

// Parses a 2xx answer. Corruption when it is not the documented JSON, names another serial,
// or has no valid warranty start date.
Result<ActivationReply> ParseActivationReply(const TransportResponse& response,
                                             std::string_view expected_serial);

// activation.json. The outcome is stored for people reading the file; a parsed state always
// has outcome kCached, because that is what answering from it means.
std::string SerializeActivationState(const ActivationState& state);
Result<ActivationState> ParseActivationState(std::string_view text);

}  // namespace homeport::agent
