// Region manifests inside arbitrary text: any JWS compact token whose protected header says
// "typ": "homeport-manifest+jws", wherever it sits (a .jws file, a JSON value, a resource
// string). Found by parsing, not by a prefix: every run of three or more dot-separated
// base64url segments is tried, at every segment, as header.payload.signature, and the header
// is decoded — so `{ "alg"…` (Base64 "eyAi…") or a header after white space is found as
// surely as `{"alg"…` ("eyJ…"). Each is verified against the maker's root key; one that does
// not verify is still read, unverified, so the report can say what it claims.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "homeport/provisioning.h"

namespace homeport::audit::build {

struct FoundManifest {
  std::string token;      // the JWS as found
  bool verified = false;  // signature and fields check out against the root key
  std::string problem;    // why not, when !verified
  bool readable = false;  // the payload decoded, so `manifest` holds what it claims
  RegionManifest manifest;
  std::string kid;  // key id from the header, if any
  size_t end = 0;   // offset just past the token in the searched text
};

std::vector<FoundManifest> FindManifests(std::string_view text, const crypto::PublicKey& root);

}  // namespace homeport::audit::build
