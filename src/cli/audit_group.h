// The `homeport audit` command group, shared by its subcommands (build, capture): the group
// itself, and where an audit's policy comes from.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "audit/policy.h"
#include "homeport/provisioning.h"
#include "homeport/status.h"

namespace homeport::cli {

// The "audit" subcommand of `app`, created on first use.
CLI::App* AuditGroup(CLI::App& app);

// Where an audit's policy comes from, as the command line says: a JSON policy (--policy FILE)
// or a region manifest verified against the maker's root key (--manifest FILE --root-pub FILE),
// whose signed declaration is then the policy (audit/manifest_policy.h).
struct PolicySourceArgs {
  std::string policy;    // --policy
  std::string manifest;  // --manifest
  std::string root_pub;  // --root-pub: the key the manifest must verify against
};

// Registers --manifest on `cmd` (each command registers its own --policy and --root-pub).
void AddManifestOption(CLI::App* cmd, std::string& manifest);

struct ChosenPolicy {
  audit::AuditPolicy policy;  // its `origin` says where it came from, for the provenance
  // Set for --manifest: the verified manifest and the thumbprint of the key that verified it.
  std::optional<RegionManifest> manifest;
  std::string key_id;
};

// The policy the arguments name; nullopt when they name none (each command says what that
// means). Errors are messages for a person, for exit 2: --policy and --manifest together,
// --manifest without --root-pub, an unreadable or invalid policy, a manifest that does not
// verify.
Result<std::optional<ChosenPolicy>> LoadChosenPolicy(const PolicySourceArgs& args);

}  // namespace homeport::cli
