// A verified region manifest read as an AuditPolicy. The manifest's declaration and an audit
// policy share their field names and host patterns (common/host_pattern.h), so the mapping is
// one to one; what a manifest without a declaration means is provisioning's to say
// (EffectiveDataFlow), not the verifier's.
#include "audit/manifest_policy.h"

#include "crypto/ed25519.h"
#include "privacy/identifier_kind.h"
#include "provisioning/region_manifest.h"

namespace homeport::audit {
namespace {

// A manifest is a few KB; this bounds what a wrong path (a capture, a disk image) costs.
constexpr size_t kMaxManifestBytes = size_t{1} << 20;

}  // namespace

Result<AuditPolicy> PolicyFromManifest(const RegionManifest& manifest) {
  const DataFlowDeclaration flow = EffectiveDataFlow(manifest);
  AuditPolicy p;
  p.region = manifest.region;
  p.allow_hosts = flow.allow_hosts;
  p.allow_countries = flow.allow_countries;
  p.judge_countries = !flow.allow_countries.empty();
  p.allow_cleartext = flow.allow_cleartext;
  for (const auto& kind : flow.allow_identifiers) {
    if (!privacy::KindFromName(kind)) {
      return Status::InvalidArgument("the manifest declares the identifier kind \"" + kind +
                                     "\", which this verifier does not know");
    }
  }
  p.allow_identifiers = flow.allow_identifiers;
  return p;
}

Result<ManifestPolicy> LoadManifestPolicy(const std::string& manifest_path,
                                          const std::string& root_pub_path, Env* env) {
  auto root = crypto::ReadPublicKey(env, root_pub_path);
  if (!root.ok()) {
    return root.status().WithContext("the root public key " + root_pub_path);
  }
  auto text = env->ReadRange(manifest_path, 0, kMaxManifestBytes + 1);
  if (!text.ok()) return Status::NotFound(manifest_path + ": cannot read the manifest");
  if (text->size() > kMaxManifestBytes) {
    return Status::InvalidArgument(manifest_path +
                                   ": over 1 MiB, so not a region manifest (one is a few KB)");
  }
  auto manifest = VerifyManifest(*text, *root);
  if (!manifest.ok()) {
    return Status::PermissionDenied(manifest_path + ": " + manifest.status().message() +
                                    "; nothing was judged against it");
  }
  ManifestPolicy out;
  auto policy = PolicyFromManifest(*manifest);
  if (!policy.ok()) return policy.status().WithContext(manifest_path);
  out.policy = std::move(*policy);
  out.key_id = root->Thumbprint();
  out.policy.origin = "manifest " + manifest_path + " (sha256 " + crypto::Sha256Hex(*text) +
                      "): region " + manifest->region + ", version " +
                      std::to_string(manifest->version) + ", key id " + out.key_id;
  out.manifest = std::move(*manifest);
  return out;
}

}  // namespace homeport::audit
