// Root key rotation statements: the maker root key that devices trust names its successor in a
// JWS compact token (EdDSA, "typ": "homeport-rotation+jws") signed with itself. Shipped with an
// update, it moves a device's trust to the new key once (agent/device_trust.h); only the key a
// device trusts at that moment can move it, so a retired key cannot take a device elsewhere.
#pragma once

#include <string>
#include <string_view>

#include "crypto/ed25519.h"
#include "homeport/status.h"

namespace homeport {

inline constexpr std::string_view kRotationType = "homeport-rotation+jws";

// What a verified statement says. The payload holds exactly these, as
// {"old_kid", "new_kid", "new_root_public_key": <JWK>, "issued_at"}.
struct RootRotation {
  std::string old_kid;         // RFC 7638 thumbprint of the key that signed the statement
  std::string new_kid;         // thumbprint of new_root
  crypto::PublicKey new_root;  // the key devices trust once they apply the statement
  std::string issued_at;       // RFC 3339, UTC
};

// The statement by which `old_root` hands over to `new_root`. InvalidArgument when both are the
// same key or `issued_at` is not RFC 3339.
Result<std::string> SignRootRotation(const crypto::SecretKey& old_root,
                                     const crypto::PublicKey& new_root,
                                     const std::string& issued_at);

// The statement, if it is one signed by `trusted` that hands `trusted` itself over to another
// key. PermissionDenied when the signature does not verify against `trusted` or the document is
// not a rotation statement; Corruption when the signed payload is malformed (unknown or missing
// members, a new key that is not an Ed25519 JWK, a new_kid that is not its thumbprint, an
// old_kid other than the signer's, the same key on both sides). Trailing white space (a file's
// final newline) is ignored.
Result<RootRotation> VerifyRootRotation(std::string_view jws, const crypto::PublicKey& trusted);

}  // namespace homeport
