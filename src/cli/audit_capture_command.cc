// `homeport audit capture FILE --policy P`: where a device's captured traffic went, judged
// against a region's policy. Exit 0 clean, 1 violations, 2 unusable input (a damaged capture
// still gets its report, for what could be read).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "audit/capture_analysis.h"
#include "audit/capture_report.h"
#include "audit/geo.h"
#include "audit/policy.h"
#include "audit/provenance.h"
#include "audit_capture_input.h"
#include "audit_group.h"
#include "build_info.h"
#include "command.h"
#include "privacy/identifier_scanner.h"

namespace homeport::cli {
namespace {

struct CaptureArgs {
  CaptureInputArgs input;  // FILE, -, or --interface (audit_capture_input.h)
  std::string policy;
  std::string manifest;  // --manifest with --root-pub: a signed region manifest instead
  std::string root_pub;
  std::string geo_db;
  std::string html;
  std::string phone_region = "ZZ";
  bool json = false;
  bool show_values = false;
};

int Unusable(const std::string& message) {
  Warn(message);
  return 2;
}

int RunCapture(const CaptureArgs& a) {
  // Without a policy the report is an inventory: nothing judged, exit 0 unless damaged.
  std::optional<audit::AuditPolicy> policy;
  auto chosen = LoadChosenPolicy({a.policy, a.manifest, a.root_pub});
  if (!chosen.ok()) return Unusable(chosen.status().message());
  if (*chosen) policy = (*chosen)->policy;
  privacy::IdentifierScannerOptions scanner_options;
  scanner_options.default_phone_region = a.phone_region;
  auto scanner = privacy::IdentifierScanner::Create(scanner_options);
  if (!scanner.ok()) return Unusable("--phone-region: " + scanner.status().message());
  const std::string geo_dir = a.geo_db.empty() ? audit::DefaultGeoDirectory() : a.geo_db;
  auto geo = audit::GeoDatabase::Open(geo_dir);
  if (!geo.ok()) {
    return Unusable("geo database: " + geo.status().message() +
                    " (run scripts/install-deps.sh, or point --geo-db or HOMEPORT_GEO_DB at a "
                    "folder with the @ip-location-db files)");
  }
  audit::Provenance provenance = audit::NewProvenance(
      HOMEPORT_VERSION_STRING, HOMEPORT_COMMIT, std::chrono::system_clock::now());
  auto input = OpenCaptureInput(a.input);
  if (!input.ok()) return Unusable(input.status().message());
  std::optional<audit::CaptureReport> report =
      audit::AnalyzeCapture(*input->source, *scanner, **geo, policy ? &*policy : nullptr);
  report->file =
      input->kind == audit::InputKind::kLive ? "live capture on " + input->name : input->name;
  DescribeCaptureInput(*input, provenance);
  if (policy) provenance.policy = audit::PolicyProvenance(*policy, a.policy);
  if (*chosen && (*chosen)->manifest) {  // --manifest: its signed declaration was the policy
    const RegionManifest& m = *(*chosen)->manifest;
    provenance.policy.reset();
    provenance.manifest = {a.manifest, (*chosen)->key_id, m.region, m.version};
  }
  provenance.geo = (*geo)->Versions();
  for (const std::string& warning : (*geo)->Warnings()) Warn("warning: " + warning);
  if (Status asn = (*geo)->AsnStatus(); !asn.ok()) {
    Warn("warning: AS numbers unavailable: " + asn.message());
  }
  const audit::CaptureReportOptions options{a.show_values, &provenance};
  if (a.json) {
    audit::WriteCaptureJson(*report, options, std::cout);
  } else {
    audit::WriteCaptureText(*report, options, std::cout);
  }
  std::cout.flush();
  if (!a.html.empty()) {
    std::ofstream html(a.html, std::ios::binary | std::ios::trunc);
    audit::WriteCaptureHtml(*report, options, html);
    html.close();
    if (!html) return Unusable(a.html + ": cannot write the HTML report");
  }
  if (!report->damage.empty()) return Unusable(report->damage);
  return report->ExitCode();
}

}  // namespace

void AddAuditCaptureCommand(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<CaptureArgs>();
  CLI::App* cmd = AuditGroup(app)->add_subcommand(
      "capture", "where a device's packet capture sent data, judged against a region's policy");
  AddCaptureInputOptions(cmd, args->input);
  cmd->add_option("--policy", args->policy,
                  "the region's policy (JSON, see docs/verifier.md); without one, the report is "
                  "an inventory");
  AddManifestOption(cmd, args->manifest);
  cmd->add_option("--root-pub", args->root_pub,
                  "maker root public key (JWK, as `keys new` writes FILE.pub) that verifies "
                  "--manifest");
  cmd->add_flag("--json", args->json, "print the report as JSON");
  cmd->add_option("--html", args->html, "also write the report as a self-contained HTML page");
  cmd->add_flag("--show-values", args->show_values, "show identifiers as sent instead of masked");
  cmd->add_option("--geo-db", args->geo_db,
                  "folder with the @ip-location-db country and ASN files (default: "
                  "$HOMEPORT_GEO_DB, else the source tree's node_modules/@ip-location-db)");
  cmd->add_option("--phone-region", args->phone_region,
                  "country whose national phone-number notation to recognise (ISO code)")
      ->capture_default_str();
  cmd->callback([args, &commands] { commands.run = [args] { return RunCapture(*args); }; });
}

}  // namespace homeport::cli
