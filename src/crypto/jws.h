// JSON Web Signatures (RFC 7515) with alg "EdDSA" (RFC 8037), in the two forms homeport uses:
//  - compact: "header.payload.signature", for region manifests;
//  - detached with an unencoded payload (RFC 7797, "b64": false): "header..signature" over the
//    exact bytes of an HTTP body, sent in a header beside it, for activation requests.
// Only EdDSA is accepted on verification; "alg": "none" and every other algorithm are refused.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "crypto/ed25519.h"

namespace homeport::crypto {

struct VerifiedJws {
  nlohmann::json header;
  std::string payload;
};

// `extra_header` members (e.g. "typ") are added to {"alg":"EdDSA","kid":<thumbprint>}.
std::string SignCompact(std::string_view payload, const SecretKey& key,
                        const nlohmann::json& extra_header = nlohmann::json::object());
Result<VerifiedJws> VerifyCompact(std::string_view token, const PublicKey& key);
// Decodes the protected header without verifying anything (to choose the key by "kid").
Result<nlohmann::json> PeekHeader(std::string_view token);
// The header's "kid", unverified: only to name the key a refused token claims to be signed with.
// Empty when the header is unreadable or has no string "kid".
std::string PeekKeyId(std::string_view token);

std::string SignDetached(std::string_view payload, const SecretKey& key);
Status VerifyDetached(std::string_view jws, std::string_view payload, const PublicKey& key);

}  // namespace homeport::crypto
