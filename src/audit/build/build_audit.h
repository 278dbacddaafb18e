// `homeport audit build`: is a firmware tree fit for a region? Two steps, so that the scan
// (slow, I/O) and the judgement (pure) are tested apart:
//   ScanBuildTree — every file of the tree, every member of its zip/APK/JAR/tar archives
//                   (nested too), read as bytes: host names, URLs, region manifests;
//   Judge         — the findings against an AuditPolicy: a manifest must verify and name the
//                   policy's region; every host must be allowed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "audit/build/build_findings.h"
#include "audit/build/string_extractor.h"
#include "audit/policy.h"
#include "crypto/ed25519.h"
#include "homeport/status.h"

namespace homeport::audit::build {

// Every limit below ends inspection with an Uninspected finding naming what was not looked at,
// never silently: the scan reads what fits (the first bytes up to the limit).
struct BuildAuditOptions {
  // Bytes read from one archive member at most; the rest of it is not scanned. Default 256 MiB.
  uint64_t max_member_bytes = uint64_t{256} << 20;
  // Decompressed bytes scanned from one archive of the tree, its nested archives included;
  // past this the rest of the archive is not scanned. Default 4 GiB.
  uint64_t max_archive_bytes = uint64_t{4} << 30;
  // An archive of the tree may also decompress to at most this many times its own size, but
  // always to max_expansion_floor: an 18 KB zip bomb stops after 256 MiB, not 4 GiB. Default
  // 1000: deflate cannot pass about 1032:1, so past it is a nested bomb (or a mostly empty
  // image in xz or zstd, which the report then names).
  uint64_t max_expansion_ratio = 1000;
  uint64_t max_expansion_floor = uint64_t{256} << 20;
  // How deep archives inside archives are opened: 1 opens the tree's archives only, 3 (the
  // default) also an APK inside a zip and a JAR inside that APK.
  int max_nesting = 3;
  // The overall budget: bytes scanned in the whole tree (file contents and decompressed
  // members; the holes of sparse files are not read and do not count), and wall-clock time.
  // When either runs out, the file being read and every file after it are not inspected.
  // Defaults 64 GiB and 1800 s.
  uint64_t max_total_bytes = uint64_t{64} << 30;
  std::chrono::milliseconds max_time = std::chrono::seconds(1800);
  // The clock max_time is measured on; steady_clock when empty (tests inject their own).
  std::function<std::chrono::steady_clock::time_point()> clock;
  StringExtractorOptions strings;
};

// Scans `root` (a directory, or a single file). Fails only when `root` cannot be used;
// whatever inside it could not be (fully) read becomes an Uninspected finding.
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
  // The findings' Uninspected count, and whether the policy accepts them (allow_uninspected).
  uint64_t uninspected = 0;
  bool uninspected_allowed = false;

  size_t ManifestViolations() const;
  size_t HostViolations() const;
  uint64_t UninspectedViolations() const { return uninspected_allowed ? 0 : uninspected; }
  bool Clean() const {
    return ManifestViolations() == 0 && HostViolations() == 0 && UninspectedViolations() == 0;
  }
};

// `findings` must outlive the verdict.
BuildVerdict Judge(const BuildFindings& findings, const AuditPolicy& policy);

// The policy `audit build --region R` uses without --policy: region R, and only the hosts the
// tree's verified manifests for R declare are allowed.
AuditPolicy PolicyFromManifests(const BuildFindings& findings, const std::string& region);

// "localhost" and every address capture::ScopeOf does not call public (private, CGNAT,
// loopback, link-local, unique local, multicast, unspecified): never a cross-border
// destination, allowed when the policy's allow_private is set. The same table as `audit
// capture`, so the two audits cannot disagree about an address.
bool IsPrivateDestination(std::string_view host);

}  // namespace homeport::audit::build
