// Text and JSON forms of the build report. Names in a firmware tree (files, members, hosts,
// manifest fields) are whatever its maker put there: both forms show each through Printable,
// so a crafted name cannot rewrite the report on a terminal, forge a "Result:" line, or stop
// the JSON writer with bytes that are not UTF-8.
#include "audit/build/build_report.h"

#include <cstdio>

#include "audit/printable.h"

namespace homeport::audit::build {
namespace {

std::string Join(const std::vector<std::string>& items, const char* sep = ",") {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string Plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

void AppendPlaces(std::string& out, const HostFindings& h) {
  for (const auto& [location, place] : h.places) {
    out += "      " + Printable(location) + "  x" + std::to_string(place.count) + "  " +
           EvidenceNames(place.evidence) + "  " + Printable(place.example) + "\n";
  }
  if (h.unlisted_sightings > 0) {
    out += "      … and " + Plural(h.unlisted_sightings, "sighting", "sightings") +
           " in further places\n";
  }
}

nlohmann::json PrintableList(const std::vector<std::string>& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : items) out.push_back(Printable(s));
  return out;
}

// "  app.apk!lib/x.so: larger than … (limit 268435456 bytes, from offset 268435456)"
std::string UninspectedLine(const Uninspected& u) {
  std::string line = "  " + Printable(u.subject) + ": " + Printable(u.reason);
  if (u.limit != 0 || u.offset != 0) {
    line += " (";
    if (u.limit != 0) line += "limit " + std::to_string(u.limit) + " bytes, ";
    line += "from offset " + std::to_string(u.offset) + ")";
  }
  return line + "\n";
}

nlohmann::json UninspectedJson(const Uninspected& u) {
  return {{"subject", Printable(u.subject)},
          {"reason", Printable(u.reason)},
          {"limit", u.limit},
          {"offset", u.offset}};
}

std::string ManifestLine(const ManifestFinding& f) {
  const FoundManifest& m = f.found;
  if (!m.readable) return "payload unreadable";
  return "region " + m.manifest.region + ", variants " + Join(m.manifest.variants) + ", version " +
         std::to_string(m.manifest.version) + ", activation " + m.manifest.activation_url +
         ", UX program " + m.manifest.uxp_url +
         (m.verified ? ", signature verified" : ", NOT verified");
}

nlohmann::json PlacesJson(const HostFindings& h) {
  nlohmann::json places = nlohmann::json::array();
  for (const auto& [location, place] : h.places) {
    nlohmann::json evidence = nlohmann::json::array();
    for (unsigned bit = 0; bit < 4; ++bit) {
      if (place.evidence & (1u << bit)) evidence.push_back(NameOf(static_cast<HostEvidence>(bit)));
    }
    places.push_back({{"location", Printable(location)},
                      {"count", place.count},
                      {"evidence", evidence},
                      {"example", Printable(place.example)}});
  }
  return places;
}

}  // namespace

std::string EvidenceNames(unsigned evidence_bits) {
  std::string out;
  for (unsigned bit = 0; bit < 4; ++bit) {
    if (evidence_bits & (1u << bit)) {
      out += (out.empty() ? "" : ",") + std::string(NameOf(static_cast<HostEvidence>(bit)));
    }
  }
  return out;
}

std::string HumanBytes(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024) return std::to_string(bytes) + " B";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::string BuildReportText(const BuildFindings& findings, const BuildVerdict& verdict,
                            const Provenance* provenance) {
  std::string out = "homeport audit build: " + Printable(findings.root) + " for region \"" +
                    Printable(verdict.region) + "\"\n";
  const size_t mv = verdict.ManifestViolations(), hv = verdict.HostViolations();
  const uint64_t uv = verdict.UninspectedViolations();
  if (verdict.Clean()) {
    out += verdict.uninspected == 0
               ? "Result: clean, no violations\n"
               : "Result: clean, no violations; " +
                     Plural(verdict.uninspected, "part", "parts") +
                     " not fully inspected, accepted by the policy (allow_uninspected)\n";
  } else {
    out += "Result: " + Plural(mv + hv + uv, "violation", "violations") + " (" +
           Plural(mv, "manifest", "manifests") + ", " + Plural(hv, "host", "hosts");
    if (uv > 0) out += ", " + std::to_string(uv) + " not fully inspected";
    out += ")\n";
    out += "\nViolations\n";
    for (const ManifestJudgement& j : verdict.manifests) {
      if (j.ok) continue;
      out +=
          "  MANIFEST " + Printable(j.finding->location) + ": " + Printable(j.problem) + "\n";
    }
    for (const HostJudgement& j : verdict.hosts) {
      if (j.allowed) continue;
      out += "  HOST " + Printable(j.findings->host) + ": " + Printable(j.reason) +
             "; seen " + Plural(j.findings->total, "time", "times") + "\n";
      AppendPlaces(out, *j.findings);
    }
    if (uv > 0) {
      out += "  UNINSPECTED: " + Plural(uv, "part", "parts") +
             " of the tree not fully inspected (listed below); a clean result needs every byte "
             "inspected, or \"allow_uninspected\": true in the policy\n";
    }
  }

  out += "\nManifests (" + std::to_string(verdict.manifests.size()) + ")\n";
  if (verdict.manifests.empty()) out += "  none\n";
  for (const ManifestJudgement& j : verdict.manifests) {
    out += std::string(j.ok ? "  ok   " : "  FAIL ") + Printable(j.finding->location) + ": " +
           Printable(ManifestLine(*j.finding)) + "\n";
  }

  const size_t allowed = verdict.hosts.size() - hv;
  out += "\nAllowed hosts (" + std::to_string(allowed) + ")\n";
  if (allowed == 0) out += "  none\n";
  for (const HostJudgement& j : verdict.hosts) {
    if (!j.allowed) continue;
    out += "  " + Printable(j.findings->host) + ": " + Printable(j.reason) + "; seen " +
           Plural(j.findings->total, "time", "times") + "\n";
    AppendPlaces(out, *j.findings);
  }

  if (verdict.uninspected > 0) {
    out += "\nNot fully inspected (" + std::to_string(verdict.uninspected) + ")\n";
    for (const Uninspected& u : findings.uninspected) out += UninspectedLine(u);
    if (findings.uninspected_unlisted > 0) {
      out += "  … and " + std::to_string(findings.uninspected_unlisted) + " more\n";
    }
  }
  if (!findings.notes.empty()) {
    out += "\nNotes (" + std::to_string(findings.notes.size()) + ")\n";
    for (const ScanNote& n : findings.notes) {
      out += "  " + Printable(n.location) + ": " + Printable(n.reason) + "\n";
    }
  }
  if (!verdict.warnings.empty()) {
    out += "\nWarnings\n";
    for (const auto& w : verdict.warnings) out += "  " + Printable(w) + "\n";
  }
  if (provenance != nullptr) out += "\n" + ProvenanceText(*provenance);
  const ScanSummary& s = findings.summary;
  out += "\nScanned " + Plural(s.files, "file", "files") + ", " +
         Plural(s.archives, "archive", "archives") + ", " +
         Plural(s.members, "archive member", "archive members") + ", " + HumanBytes(s.bytes);
  if (s.symlinks > 0)
    out += "; " + Plural(s.symlinks, "symbolic link", "symbolic links") + " not followed";
  out += "\n";
  return out;
}

nlohmann::json BuildReportJson(const BuildFindings& findings, const BuildVerdict& verdict,
                               const Provenance* provenance) {
  nlohmann::json violations = nlohmann::json::array();
  nlohmann::json manifests = nlohmann::json::array();
  for (const ManifestJudgement& j : verdict.manifests) {
    const FoundManifest& m = j.finding->found;
    nlohmann::json entry = {{"location", Printable(j.finding->location)},
                            {"ok", j.ok},
                            {"verified", m.verified},
                            {"readable", m.readable},
                            {"kid", Printable(m.kid)}};
    if (m.readable) {
      entry["region"] = Printable(m.manifest.region);
      entry["variants"] = PrintableList(m.manifest.variants);
      entry["version"] = m.manifest.version;
      entry["activation_url"] = Printable(m.manifest.activation_url);
      entry["uxp_url"] = Printable(m.manifest.uxp_url);
      entry["issued_at"] = Printable(m.manifest.issued_at);
    }
    if (!j.ok) {
      entry["problem"] = Printable(j.problem);
      nlohmann::json v = entry;
      v["kind"] = "manifest";
      violations.push_back(v);
    }
    manifests.push_back(entry);
  }
  nlohmann::json hosts = nlohmann::json::array();
  for (const HostJudgement& j : verdict.hosts) {
    const HostFindings& h = *j.findings;
    nlohmann::json entry = {{"host", Printable(h.host)},
                            {"ip", h.is_ip},
                            {"allowed", j.allowed},
                            {"reason", Printable(j.reason)},
                            {"sightings", h.total},
                            {"places", PlacesJson(h)},
                            {"unlisted_sightings", h.unlisted_sightings}};
    if (!j.allowed) {
      nlohmann::json v = entry;
      v["kind"] = "host";
      violations.push_back(v);
    }
    hosts.push_back(entry);
  }
  nlohmann::json uninspected = nlohmann::json::array();
  for (const Uninspected& u : findings.uninspected) {
    uninspected.push_back(UninspectedJson(u));
    if (!verdict.uninspected_allowed) {
      nlohmann::json v = uninspected.back();
      v["kind"] = "uninspected";
      violations.push_back(v);
    }
  }
  nlohmann::json notes = nlohmann::json::array();
  for (const ScanNote& n : findings.notes) {
    notes.push_back({{"location", Printable(n.location)}, {"reason", Printable(n.reason)}});
  }
  nlohmann::json warnings = nlohmann::json::array();
  for (const std::string& w : verdict.warnings) warnings.push_back(Printable(w));
  const ScanSummary& s = findings.summary;
  nlohmann::json report = {{"tool", "homeport audit build"},
          {"root", Printable(findings.root)},
          {"region", Printable(verdict.region)},
          {"clean", verdict.Clean()},
          {"violations", violations},
          {"manifests", manifests},
          {"hosts", hosts},
          {"uninspected", uninspected},
          {"uninspected_unlisted", findings.uninspected_unlisted},
          {"uninspected_allowed", verdict.uninspected_allowed},
          {"not_scanned", notes},
          {"warnings", warnings},
          {"summary",
           {{"files", s.files},
            {"archives", s.archives},
            {"members", s.members},
            {"bytes", s.bytes},
            {"symlinks_not_followed", s.symlinks},
            {"special_files", s.special},
            {"manifests", verdict.manifests.size()},
            {"hosts", verdict.hosts.size()},
            {"manifest_violations", verdict.ManifestViolations()},
            {"host_violations", verdict.HostViolations()},
            {"uninspected", verdict.uninspected},
            {"uninspected_violations", verdict.UninspectedViolations()}}}};
  if (provenance != nullptr) report["provenance"] = ProvenanceJson(*provenance);
  return report;
}

}  // namespace homeport::audit::build
