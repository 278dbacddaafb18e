// `homeport audit build`: is a firmware tree fit for a region? Two steps, so that the scan
// (slow, I/O) and the judgement (pure) are tested apart:
//   ScanBuildTree — every file of the tree, every member of its zip/APK/JAR/tar archives
//                   (nested too), read as bytes: host names, URLs, region manifests;
//   Judge         — the findings against an AuditPolicy: a manifest must verify and name the
//                   policy's region; every host must be allowed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/build/build_findings.h"
#include "audit/build/string_extractor.h"
#include "audit/policy.h"
#include "crypto/ed25519.h"
#include "homeport/status.h"

namespace homeport::audit::build {

struct BuildAuditOptions {
  // Bytes read from one archive member at most; the rest of it is not scanned, and the
  // report says so. Default 256 MiB.
  uint64_t max_member_bytes = uint64_t{256} << 20;
  // Decompressed bytes scanned from one archive of the tree, its nested archives included;
  // past this the archive's remaining members are not scanned (a zip bomb ends here), and the
  // report says so. Default 4 GiB.
  uint64_t max_archive_bytes = uint64_t{4} << 30;
  // How deep archives inside archives are opened: 1 opens the tree's archives only, 3 (the
  // default) also an APK inside a zip and a JAR inside that APK.
  int max_nesting = 3;
  StringExtractorOptions strings;
};

// Scans `root` (a directory, or a single file). Fails only when `root` cannot be used;
// unreadable files and archives inside it become notes of the findings.
Result<BuildFindings> ScanBuildTree(const std::string& root, const crypto::PublicKey& root_key,
                                    const BuildAuditOptions& options = {});

struct ManifestJudgement {
  const ManifestFinding* finding;  // points into the judged BuildFindings
  bool ok = false;
  std::string problem;  // why not: bad signature, another region
};

struct HostJudgement {
  const HostFindings* findings;  // points into the judged BuildFindings
  bool allowed = false;
  std::string reason;  // "allowed by the policy", "private address", "not allowed by the policy"
};

struct BuildVerdict {
  std::string region;                        // the policy's
  std::vector<ManifestJudgement> manifests;  // failing ones first, then in the order found
  std::vector<HostJudgement> hosts;          // not allowed first, then by name
  std::vector<std::string> warnings;  // e.g. no manifest at all: worth a look, not a violation

  size_t ManifestViolations() const;
  size_t HostViolations() const;
  bool Clean() const { return ManifestViolations() == 0 && HostViolations() == 0; }
};

// `findings` must outlive the verdict.
BuildVerdict Judge(const BuildFindings& findings, const AuditPolicy& policy);

// The policy `audit build --region R` uses without --policy: region R, and only the hosts the
// tree's verified manifests for R declare are allowed.
AuditPolicy PolicyFromManifests(const BuildFindings& findings, const std::string& region);

// Loopback, private (RFC 1918, fc00::/7), link-local and CGNAT addresses, and "localhost":
// never a cross-border destination, allowed when the policy's allow_private is set.
bool IsPrivateDestination(std::string_view host);

}  // namespace homeport::audit::build
