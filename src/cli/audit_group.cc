// `homeport audit`: the verifier's commands hang off one group, and take their policy from one
// place.
#include "audit_group.h"

#include "audit/manifest_policy.h"

namespace homeport::cli {

CLI::App* AuditGroup(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == "audit") return sub;
  }
  CLI::App* audit = app.add_subcommand(
      "audit", "verify a firmware tree or a device's packet capture against a region's policy");
  audit->require_subcommand(1);
  return audit;
}

void AddManifestOption(CLI::App* cmd, std::string& manifest) {
  cmd->add_option("--manifest", manifest,
                  "judge against this signed region manifest's declaration instead of a policy "
                  "(verified with --root-pub; see docs/verifier.md)");
}

Result<std::optional<ChosenPolicy>> LoadChosenPolicy(const PolicySourceArgs& args) {
  if (!args.policy.empty() && !args.manifest.empty()) {
    return Status::InvalidArgument(
        "--manifest and --policy are mutually exclusive: judge against the signed manifest's "
        "declaration or against a policy file, not both");
  }
  if (!args.manifest.empty()) {
    if (args.root_pub.empty()) {
      return Status::InvalidArgument(
          "--manifest needs --root-pub FILE, the maker's root public key that signed it");
    }
    auto loaded = audit::LoadManifestPolicy(args.manifest, args.root_pub);
    if (!loaded.ok()) return Status::InvalidArgument("--manifest: " + loaded.status().message());
    return std::optional<ChosenPolicy>(ChosenPolicy{
        std::move(loaded->policy), std::move(loaded->manifest), std::move(loaded->key_id)});
  }
  if (!args.policy.empty()) {
    auto loaded = audit::AuditPolicy::Load(args.policy);
    if (!loaded.ok()) return Status::InvalidArgument("--policy: " + loaded.status().message());
    return std::optional<ChosenPolicy>(ChosenPolicy{std::move(*loaded), std::nullopt, ""});
  }
  return std::optional<ChosenPolicy>();
}

}  // namespace homeport::cli
