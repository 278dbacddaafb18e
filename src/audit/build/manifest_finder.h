// Region manifests inside arbitrary text: any JWS compact token whose protected header says
// "typ": "homeport-manifest+jws", wherever it sits (a .jws file, a JSON value, a resource
// string). Each is verified against the maker's root key; one that does not verify is still
// read, unverified, so the report can say what it claims.
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
};

std::vector<FoundManifest> FindManifests(std::string_view text, const crypto::PublicKey& root);

}  // namespace homeport::audit::build
