// `homeport audit build DIR --root-pub FILE --policy FILE`: is a firmware tree fit for the
// policy's region? Exit 0 clean, 1 violations, 2 unusable input (no tree, no readable root
// key, an invalid policy). Files the scan cannot read are listed in the report, not fatal.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>

#include "audit/build/build_audit.h"
#include "audit/build/build_report.h"
#include "audit/build/tree_digest.h"
#include "audit/policy.h"
#include "audit/provenance.h"
#include "build_info.h"
#include "audit_group.h"
#include "command.h"
#include "common/terminal_text.h"

namespace homeport::cli {
namespace {

constexpr uint64_t kMaxMemberMib = uint64_t{1} << 20;
constexpr int kMaxNesting = 64;
constexpr uint64_t kMaxSeconds = uint64_t{7} * 24 * 3600;  // a week: past any audit

struct BuildArgs {
  std::string dir;
  std::string root_pub;
  std::string policy;
  std::string manifest;  // --manifest: a signed region manifest instead of --policy
  std::string region;
  std::string html;
  bool json = false;
  uint64_t max_member_mib = 256;
  int max_nesting = 3;
  // The overall budget and the expansion limit (BuildAuditOptions documents each).
  uint64_t max_bytes = uint64_t{64} << 30;
  uint64_t max_seconds = 1800;
  uint64_t max_ratio = 1000;
};

int Unusable(const std::string& message) {
  Warn(message);
  return 2;
}

int RunBuild(const BuildArgs& a) {
  // Checked here rather than by CLI11, so that missing input exits 2 like any unusable input.
  if (a.dir.empty()) return Unusable("audit build needs DIR, the firmware tree to check");
  if (a.root_pub.empty()) {
    return Unusable("audit build needs --root-pub FILE, the maker's root public key");
  }
  if (a.policy.empty() && a.manifest.empty() && a.region.empty()) {
    return Unusable(
        "audit build needs --policy FILE or --manifest FILE (or --region R to allow only the "
        "hosts of the tree's own verified manifests for R)");
  }
  auto root_key = crypto::ReadPublicKey(Env::Default(), a.root_pub);
  if (!root_key.ok()) return Unusable("--root-pub: " + root_key.status().message());
  auto chosen = LoadChosenPolicy({a.policy, a.manifest, a.root_pub});
  if (!chosen.ok()) return Unusable(chosen.status().message());
  std::optional<audit::AuditPolicy> policy;
  if (*chosen) {
    if (!a.region.empty() && (*chosen)->policy.region != a.region) {
      return Unusable("--region \"" + a.region + "\" contradicts the " +
                      ((*chosen)->manifest ? "manifest's" : "policy's") + " region \"" +
                      (*chosen)->policy.region + "\"");
    }
    policy = (*chosen)->policy;
  }
  // Checked here rather than by CLI11, so that a bad value exits 2 like any unusable input. A
  // TiB per member is past any firmware and keeps the shift below from overflowing.
  if (a.max_member_mib == 0 || a.max_member_mib > kMaxMemberMib) {
    return Unusable("--max-member-mb must be from 1 to " + std::to_string(kMaxMemberMib));
  }
  if (a.max_nesting < 0 || a.max_nesting > kMaxNesting) {
    return Unusable("--max-depth must be from 0 to " + std::to_string(kMaxNesting));
  }

  if (a.max_bytes == 0) return Unusable("--max-bytes must be at least 1");
  if (a.max_seconds == 0 || a.max_seconds > kMaxSeconds) {
    return Unusable("--max-seconds must be from 1 to " + std::to_string(kMaxSeconds));
  }

  audit::build::BuildAuditOptions options;
  options.max_member_bytes = a.max_member_mib << 20;
  options.max_nesting = a.max_nesting;
  options.max_total_bytes = a.max_bytes;
  options.max_time = std::chrono::seconds(a.max_seconds);
  options.max_expansion_ratio = a.max_ratio;
  audit::Provenance provenance = audit::NewProvenance(
      HOMEPORT_VERSION_STRING, HOMEPORT_COMMIT, std::chrono::system_clock::now());
  provenance.input_kind = audit::InputKind::kTree;
  provenance.input = a.dir;
  // The tree's digest reads every file once more, on another core while the scan runs.
  // Within the scan's budgets: a tree past them is named by no digest, and the report says why.
  const audit::build::TreeDigestLimits digest_limits{
      options.max_total_bytes, std::chrono::steady_clock::now() + options.max_time};
  auto digest = std::async(std::launch::async, [dir = a.dir, digest_limits] {
    return audit::build::DigestTree(dir, digest_limits);
  });
  auto findings = audit::build::ScanBuildTree(a.dir, *root_key, options);
  if (!findings.ok()) return Unusable(findings.status().message());
  if (!policy) policy = audit::build::PolicyFromManifests(*findings, a.region);
  if (auto tree = digest.get(); tree.ok()) {
    provenance.input_sha256 = tree->sha256;
    provenance.input_sha256_problem = tree->problem;
  } else {
    provenance.input_sha256_problem = tree.status().message();
  }
  // Without --policy the tree's own manifests are the policy (PolicyFromManifests).
  provenance.policy = audit::PolicyProvenance(
      *policy, a.policy.empty() ? "the tree's verified manifests for region " + a.region
                                : a.policy);
  if (*chosen && (*chosen)->manifest) {  // --manifest: its signed declaration was the policy
    const RegionManifest& m = *(*chosen)->manifest;
    provenance.policy.reset();
    provenance.manifest = {a.manifest, (*chosen)->key_id, m.region, m.version};
  }

  const audit::build::BuildVerdict verdict = audit::build::Judge(*findings, *policy);
  const std::string out =
      a.json ? TerminalSafeJson(audit::build::BuildReportJson(*findings, verdict, &provenance)) +
                   "\n"
             : audit::build::BuildReportText(*findings, verdict, &provenance);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (!a.html.empty()) {
    std::ofstream html(a.html, std::ios::binary | std::ios::trunc);
    html << audit::build::BuildReportHtml(*findings, verdict, &provenance);
    html.close();
    if (!html) return Unusable(a.html + ": cannot write the HTML report");
  }
  return verdict.Clean() ? 0 : 1;
}

}  // namespace

void AddAuditBuildCommand(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<BuildArgs>();
  CLI::App* cmd = AuditGroup(app)->add_subcommand(
      "build", "check a firmware tree: manifests for the policy's region, only allowed hosts");
  cmd->add_option("dir", args->dir,
                  "firmware tree (a directory, or a single file such as an APK); required");
  cmd->add_option("--root-pub,--manifest-root", args->root_pub,
                  "maker root public key (JWK, as `keys new` writes FILE.pub); required");
  cmd->add_option("--policy", args->policy, "the region's policy (JSON, see docs/verifier.md)");
  AddManifestOption(cmd, args->manifest);
  cmd->add_option("--region", args->region,
                  "the build's region; without --policy only the endpoints of the tree's verified "
                  "manifests for it are allowed");
  cmd->add_flag("--json", args->json, "print the report as JSON");
  cmd->add_option("--html", args->html, "also write the report as a self-contained HTML page");
  cmd->add_option("--max-member-mb", args->max_member_mib,
                  "MiB read from one archive member at most (the report names those cut short)")
      ->capture_default_str();
  cmd->add_option("--max-depth", args->max_nesting, "how deep archives inside archives are opened")
      ->capture_default_str();
  cmd->add_option("--max-bytes", args->max_bytes,
                  "bytes scanned in the whole tree at most, files and decompressed members (e.g. "
                  "64GiB); what is left is reported as not inspected")
      ->transform(CLI::AsSizeValue(false))
      ->default_str("64GiB");
  cmd->add_option("--max-seconds", args->max_seconds,
                  "seconds of scanning at most; what is left is reported as not inspected")
      ->capture_default_str();
  cmd->add_option("--max-ratio", args->max_ratio,
                  "an archive may decompress to this many times its size (at least 256 MiB); "
                  "0 for no such limit")
      ->capture_default_str();
  cmd->callback([args, &commands] { commands.run = [args] { return RunBuild(*args); }; });
}

}  // namespace homeport::cli
