// The audit policy a signed region manifest declares: `audit build|capture --manifest M
// --root-pub PUB` judge against the maker's own signed declaration instead of a hand-written
// policy, so one document goes from the factory to the regulator.
#pragma once

#include <string>

#include "audit/policy.h"
#include "homeport/env.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport::audit {

// The policy of a verified manifest (provisioning::EffectiveDataFlow): its region; as hosts the
// endpoints' hosts and the declared ones; the declared countries (judged only when declared);
// cleartext and identifier kinds as declared. Private destinations are allowed, as in a policy
// by default. A manifest without a declaration allows its two endpoints as written and nothing
// else. InvalidArgument when it declares an identifier kind the detectors do not know.
Result<AuditPolicy> PolicyFromManifest(const RegionManifest& manifest);

struct ManifestPolicy {
  AuditPolicy policy;  // its `origin` names the manifest, its region, version and key id
  RegionManifest manifest;
  std::string key_id;  // RFC 7638 thumbprint of the root key that verified the signature
};

// Reads `manifest_path`, verifies it against the root public key (JWK) in `root_pub_path` and
// returns its policy. Errors name the file: NotFound when a file cannot be read,
// PermissionDenied when the manifest does not verify.
Result<ManifestPolicy> LoadManifestPolicy(const std::string& manifest_path,
                                          const std::string& root_pub_path,
                                          Env* env = Env::Default());

}  // namespace homeport::audit
