// The activation exchange on the wire (POST <activation_url>/v1/activations, signed with the
// device key) and the state file that remembers its answer (activation.json).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "crypto/ed25519.h"
#include "homeport/agent.h"
#include "homeport/env.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport::agent {

// `activation_url` (one trailing '/' dropped) + "/v1/activations".
std::string ActivationsUrl(std::string_view activation_url);

// The JSON body: serial, model, sku, variant, region, client_version, manifest_version,
// sequence and nothing else (D4).
std::string ActivationBody(const DeviceProfile& profile, const RegionManifest& manifest,
                           int64_t sequence);

// The complete request: body, Content-Type, the detached JWS over the body's exact bytes in
// X-Homeport-Signature, and a User-Agent naming only the client version. `sequence` must be
// above every sequence this device sent before (see NextActivationSequence): the server
// refuses a request whose sequence is not above the recorded one, so that a replayed earlier
// request cannot set the recorded versions back.
TransportRequest BuildActivationRequest(const DeviceProfile& profile,
                                        const RegionManifest& manifest,
                                        const crypto::SecretKey& device_key, int64_t sequence);

// The device's activation counter, kept in `path` (a decimal number): reads it (a missing or
// unreadable file counts as 0), raises it to at least `at_least`, adds one, stores the result
// atomically and returns it. Stored before the request is sent, so no two requests share one.
Result<int64_t> NextActivationSequence(Env& env, const std::string& path, int64_t at_least = 0);

// The highest sequence the agent accepts from a server's stale_activation answer: far above
// any device's lifetime of contacts, far below overflow.
constexpr int64_t kMaxActivationSequence = int64_t{1} << 53;

// A 409 stale_activation answer: the server holds a newer record than the request.
struct StaleActivation {
  int64_t recorded_sequence = 0;
  int64_t recorded_manifest_version = 0;
};
// nullopt unless `response` is a 409 stale_activation carrying both figures in range.
std::optional<StaleActivation> ParseStaleActivation(const TransportResponse& response);

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
