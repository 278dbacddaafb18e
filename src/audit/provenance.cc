#include "audit/provenance.h"

#include <chrono>

#include "audit/manifest_policy.h"
#include "audit/printable.h"
#include "common/html.h"
#include "common/time_format.h"

namespace homeport::audit {

const char* NameOf(InputKind kind) {
  switch (kind) {
    case InputKind::kFile:
      return "file";
    case InputKind::kStream:
      return "stream";
    case InputKind::kLive:
      return "live";
    case InputKind::kTree:
      return "tree";
  }
  return "file";
}

Provenance NewProvenance(std::string homeport_version, std::string commit,
                         TimePoint audited_at) {
  Provenance p;
  p.homeport_version = std::move(homeport_version);
  p.commit = std::move(commit);
  p.audited_at = FormatRfc3339(audited_at);
  return p;
}

Provenance::PolicyApplied PolicyProvenance(const AuditPolicy& policy,
                                           const std::string& origin_otherwise) {
  return {policy.origin.empty() ? origin_otherwise : policy.origin, policy.region};
}

Provenance::ManifestApplied ManifestProvenance(const ManifestPolicy& m) {
  return {m.policy.origin, m.key_id, m.manifest.region, m.manifest.version};
}

std::string CaptureTimestamp(int64_t seconds, uint32_t microseconds) {
  return FormatRfc3339(TimePoint(std::chrono::seconds(seconds)) +
                       std::chrono::microseconds(microseconds));
}

namespace {

// What input_sha256 is the digest of, in words.
std::string InputWords(const Provenance& p) {
  switch (p.input_kind) {
    case InputKind::kFile:
      return "capture file " + Printable(p.input);
    case InputKind::kStream:
      return "capture read from standard input";
    case InputKind::kLive:
      return "live capture on interface " + Printable(p.input);
    case InputKind::kTree:
      return "build tree " + Printable(p.input);
  }
  return Printable(p.input);
}

std::string Sha256Words(const Provenance& p) {
  if (!p.input_sha256.empty()) return p.input_sha256;
  return "not computed: " + Printable(p.input_sha256_problem);
}

std::string ManifestWords(const Provenance::ManifestApplied& m) {
  return Printable(m.origin) + " (region " + Printable(m.region) + ", version " +
         std::to_string(m.version) + ", signed by key " + Printable(m.key_id) + ")";
}

std::string GeoWords(const Provenance& p) {
  if (p.geo.empty()) return "none";
  std::string out;
  for (const auto& [database, version] : p.geo) {
    out += (out.empty() ? "" : "; ") + Printable(database) + ": " + Printable(version);
  }
  return out;
}

// The rows every form shows, in order: label, value.
std::vector<std::pair<std::string, std::string>> Rows(const Provenance& p) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"homeport", p.homeport_version + ", commit " + p.commit},
      {"audited at", p.audited_at},
      {"input", InputWords(p)},
      {"input SHA-256", Sha256Words(p)},
  };
  if (p.capture) {
    rows.emplace_back("capture", p.capture_start ? "from " + *p.capture_start + " to " +
                                                       p.capture_end.value_or("")
                                                 : std::string("no frames"));
  }
  if (p.frames_dropped) {
    rows.emplace_back("frames dropped", std::to_string(*p.frames_dropped) +
                                            (*p.frames_dropped == 0 ? "" : " (not inspected)"));
  }
  if (p.manifest) rows.emplace_back("manifest", ManifestWords(*p.manifest));
  if (p.policy) {
    rows.emplace_back("policy", Printable(p.policy->origin) + " (region " +
                                    Printable(p.policy->region) + ")");
  }
  if (!p.manifest && !p.policy) rows.emplace_back("judged against", "nothing (an inventory)");
  rows.emplace_back("geo databases", GeoWords(p));
  return rows;
}

}  // namespace

nlohmann::json ProvenanceJson(const Provenance& p) {
  nlohmann::json j = {
      {"homeport_version", p.homeport_version},
      {"commit", p.commit},
      {"audited_at", p.audited_at},
      {"input", Printable(p.input)},
      {"input_kind", NameOf(p.input_kind)},
      {"input_sha256", p.input_sha256.empty() ? nlohmann::json() : nlohmann::json(p.input_sha256)},
  };
  if (p.input_sha256.empty()) j["input_sha256_problem"] = Printable(p.input_sha256_problem);
  if (p.capture) {
    j["capture_start"] = p.capture_start ? nlohmann::json(*p.capture_start) : nlohmann::json();
    j["capture_end"] = p.capture_end ? nlohmann::json(*p.capture_end) : nlohmann::json();
  }
  if (p.input_kind == InputKind::kLive) j["interface"] = Printable(p.input);
  if (p.frames_dropped) j["frames_dropped"] = *p.frames_dropped;
  j["policy"] = p.policy ? nlohmann::json{{"origin", Printable(p.policy->origin)},
                                          {"region", Printable(p.policy->region)}}
                         : nlohmann::json();
  if (p.manifest) {
    j["manifest"] = {{"origin", Printable(p.manifest->origin)},
                     {"key_id", Printable(p.manifest->key_id)},
                     {"region", Printable(p.manifest->region)},
                     {"version", p.manifest->version}};
  }
  nlohmann::json geo = nlohmann::json::object();
  for (const auto& [database, version] : p.geo) geo[Printable(database)] = Printable(version);
  j["geo"] = geo;
  return j;
}

std::string ProvenanceText(const Provenance& p) {
  std::string out = "Provenance\n";
  for (const auto& [label, value] : Rows(p)) out += "  " + label + ": " + value + "\n";
  return out;
}

std::string ProvenanceHtml(const Provenance& p) {
  std::string out = "<section class=provenance><h2>Provenance</h2>\n<table>\n";
  for (const auto& [label, value] : Rows(p)) {
    out += "<tr><th>" + HtmlEscape(label) + "</th><td><code>" + HtmlEscape(value) +
           "</code></td></tr>\n";
  }
  out += "</table></section>\n";
  return out;
}

}  // namespace homeport::audit
