// AuditPolicy: what a region's device may talk to, as the verifier judges a build or a capture.
// A JSON file, e.g.
//   {"region": "sg", "allow_hosts": ["*.sg.example.com"], "allow_countries": ["SG"],
//    "allow_cleartext": false}
// "*" in allow_hosts allows every host (an inventory of destinations, judged only by country,
// cleartext and identifiers); "allow_uninspected": true accepts what the verifier could not
// fully inspect (a member past a size limit, a corrupt archive, a file past the time budget),
// which is otherwise a violation.
// Parsed and validated once; errors name the field. Immutable afterwards, so thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "homeport/status.h"

namespace homeport::audit {

struct AuditPolicy {
  // The region whose devices this policy is for: manifests in a build must name it. Required.
  std::string region;
  // Host names the device may reach. "api.sg.example.com" matches that name only;
  // "*.sg.example.com" matches every name below sg.example.com (not sg.example.com itself).
  // IP literals match themselves; "*" alone matches every host. Case-insensitive; a trailing
  // dot is ignored. Required (may be empty: then nothing is allowed).
  std::vector<std::string> allow_hosts;
  // ISO 3166-1 alpha-2 codes of the countries destinations may be in. Absent: countries are
  // reported, not judged.
  std::vector<std::string> allow_countries;
  bool judge_countries = false;  // true when allow_countries was given
  // Whether application data may travel unencrypted (an HTTP request is cleartext egress).
  // DNS lookups are reported, never judged by this. Default false.
  bool allow_cleartext = false;
  // Whether private, loopback and link-local destinations (a LAN, never cross-border) are
  // allowed whatever their name. Default true.
  bool allow_private = true;
  // Identifier kinds ("imei", "email", … as privacy::NameOf prints them) that may appear in
  // cleartext. Default none: any identifier seen in the clear is a violation.
  std::vector<std::string> allow_identifiers;
  // Whether what the verifier could not fully inspect (audit/uninspected.h: data past a size,
  // depth or time limit, an unreadable file or archive) is accepted. Default false: each such
  // finding is a violation, since "clean" must mean "looked at and found nothing".
  bool allow_uninspected = false;

  // Where the policy came from, for a report's provenance: "policy FILE (sha256 …)" for a
  // policy file (Load), "manifest FILE (sha256 …): region sg, version 3, key id …" for a
  // verified region manifest (audit/manifest_policy.h); empty for one parsed from text.
  std::string origin;

  static Result<AuditPolicy> Parse(std::string_view json);
  // Parse of a file; errors start with the path.
  static Result<AuditPolicy> Load(const std::string& path);

  bool AllowsHost(std::string_view host) const;
  bool AllowsCountry(std::string_view iso_code) const;
  bool AllowsIdentifierInClear(std::string_view kind) const;
};

}  // namespace homeport::audit
