// Provenance: what a verifier report was made from and by what, so that a report can stand as
// evidence — the homeport release and source commit, when the audit ran, the SHA-256 of the
// input exactly as read (docs/verifier.md, "Provenance", says how to recompute it for each kind
// of input), the capture's time span, the policy or signed manifest applied and the versions
// of the geo databases. Every report form carries it: a `provenance` object in JSON (the field
// names are a stable interface), a block of text, a section of the HTML page. Values that came
// from outside (paths, interface and policy names) are shown in audit::Printable form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/policy.h"
#include "common/time_format.h"

namespace homeport::audit {

struct ManifestPolicy;  // audit/manifest_policy.h

// What input_sha256 covers; each has its own recipe (docs/verifier.md).
enum class InputKind {
  kFile,   // a capture file: its bytes, as `sha256sum FILE` hashes them
  kStream, // a capture read from standard input: every byte read, to the end of the stream
  kLive,   // a live capture: the pcap file libpcap writes of the frames (`--write FILE`)
  kTree,   // a build tree: its regular files in path order (TreeDigest, build/tree_digest.h)
};
const char* NameOf(InputKind kind);  // "file", "stream", "live", "tree"

struct Provenance {
  std::string homeport_version;  // "0.1.0"
  std::string commit;            // the source commit the binary was built from, or "unknown"
  std::string audited_at;        // RFC 3339 UTC, when the audit started
  InputKind input_kind = InputKind::kFile;
  std::string input;             // the path, "-" for standard input, the interface's name
  std::string input_sha256;      // lower-case hex; empty when it could not be computed…
  std::string input_sha256_problem;  // …and then why
  // Captures only (nullopt for a build, or a capture without frames): the first and the last
  // frame's timestamps, RFC 3339 UTC to the millisecond.
  bool capture = false;
  std::optional<std::string> capture_start, capture_end;
  // Live captures only: frames the kernel dropped because the reader fell behind.
  std::optional<uint64_t> frames_dropped;

  // What the input was judged against: a policy file, a verified manifest, or neither (an
  // inventory).
  struct PolicyApplied {
    std::string origin;  // where it came from: "policy FILE (sha256 …)"
    std::string region;
  };
  std::optional<PolicyApplied> policy;
  struct ManifestApplied {
    std::string origin;  // "manifest FILE (sha256 …): …"
    std::string key_id;  // the RFC 7638 thumbprint of the root key that verified it
    std::string region;
    int64_t version = 0;
  };
  std::optional<ManifestApplied> manifest;

  // (database, version) pairs as GeoLookup::Versions gives them: ("country", …), ("asn", …).
  std::vector<std::pair<std::string, std::string>> geo;
};

// A provenance with the binary's identity and the time the audit started; the rest is filled in
// as the audit learns it.
Provenance NewProvenance(std::string homeport_version, std::string commit, TimePoint audited_at);

// The provenance entry for `policy`: its origin (AuditPolicy::origin, which names the file and
// its SHA-256), else `origin_otherwise` (a policy made in the program, say).
Provenance::PolicyApplied PolicyProvenance(const AuditPolicy& policy,
                                           const std::string& origin_otherwise);
// The provenance entry for a verified manifest judged against (audit/manifest_policy.h).
Provenance::ManifestApplied ManifestProvenance(const ManifestPolicy& manifest);

// "2026-12-04T07:00:00.000Z" for a capture timestamp.
std::string CaptureTimestamp(int64_t seconds, uint32_t microseconds);

nlohmann::json ProvenanceJson(const Provenance& p);
// A block of lines headed "Provenance", each indented two spaces, ending with a newline.
std::string ProvenanceText(const Provenance& p);
// A <section> with an <h2> and a table, every value escaped.
std::string ProvenanceHtml(const Provenance& p);

}  // namespace homeport::audit
