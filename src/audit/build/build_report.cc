// Text and JSON forms of the build report. Names in a firmware tree (files, members, hosts,
// manifest fields) are whatever its maker put there: the text form escapes each through
// TerminalSafe, so a crafted name cannot rewrite the report on a terminal.
#include "audit/build/build_report.h"

#include <cstdio>

#include "common/terminal_text.h"

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
    out += "      " + TerminalSafe(location) + "  x" + std::to_string(place.count) + "  " +
           EvidenceNames(place.evidence) + "  " + TerminalSafe(place.example) + "\n";
  }
  if (h.unlisted_sightings > 0) {
    out += "      … and " + Plural(h.unlisted_sightings, "sighting", "sightings") +
           " in further places\n";
  }
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
    places.push_back({{"location", location},
                      {"count", place.count},
                      {"evidence", evidence},
                      {"example", place.example}});
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

std::string BuildReportText(const BuildFindings& findings, const BuildVerdict& verdict) {
  std::string out = "homeport audit build: " + TerminalSafe(findings.root) + " for region \"" +
                    TerminalSafe(verdict.region) + "\"\n";
  const size_t mv = verdict.ManifestViolations(), hv = verdict.HostViolations();
  if (verdict.Clean()) {
    out += "Result: clean, no violations\n";
  } else {
    out += "Result: " + Plural(mv + hv, "violation", "violations") + " (" +
           Plural(mv, "manifest", "manifests") + ", " + Plural(hv, "host", "hosts") + ")\n";
    out += "\nViolations\n";
    for (const ManifestJudgement& j : verdict.manifests) {
      if (j.ok) continue;
      out +=
          "  MANIFEST " + TerminalSafe(j.finding->location) + ": " + TerminalSafe(j.problem) + "\n";
    }
    for (const HostJudgement& j : verdict.hosts) {
      if (j.allowed) continue;
      out += "  HOST " + TerminalSafe(j.findings->host) + ": " + TerminalSafe(j.reason) +
             "; seen " + Plural(j.findings->total, "time", "times") + "\n";
      AppendPlaces(out, *j.findings);
    }
  }

  out += "\nManifests (" + std::to_string(verdict.manifests.size()) + ")\n";
  if (verdict.manifests.empty()) out += "  none\n";
  for (const ManifestJudgement& j : verdict.manifests) {
    out += std::string(j.ok ? "  ok   " : "  FAIL ") + TerminalSafe(j.finding->location) + ": " +
           TerminalSafe(ManifestLine(*j.finding)) + "\n";
  }

  const size_t allowed = verdict.hosts.size() - hv;
  out += "\nAllowed hosts (" + std::to_string(allowed) + ")\n";
  if (allowed == 0) out += "  none\n";
  for (const HostJudgement& j : verdict.hosts) {
    if (!j.allowed) continue;
    out += "  " + TerminalSafe(j.findings->host) + ": " + TerminalSafe(j.reason) + "; seen " +
           Plural(j.findings->total, "time", "times") + "\n";
    AppendPlaces(out, *j.findings);
  }

  if (!findings.notes.empty()) {
    out += "\nNot (fully) scanned (" + std::to_string(findings.notes.size()) + ")\n";
    for (const ScanNote& n : findings.notes) {
      out += "  " + TerminalSafe(n.location) + ": " + TerminalSafe(n.reason) + "\n";
    }
  }
  if (!verdict.warnings.empty()) {
    out += "\nWarnings\n";
    for (const auto& w : verdict.warnings) out += "  " + TerminalSafe(w) + "\n";
  }
  const ScanSummary& s = findings.summary;
  out += "\nScanned " + Plural(s.files, "file", "files") + ", " +
         Plural(s.archives, "archive", "archives") + ", " +
         Plural(s.members, "archive member", "archive members") + ", " + HumanBytes(s.bytes);
  if (s.symlinks > 0)
    out += "; " + Plural(s.symlinks, "symbolic link", "symbolic links") + " not followed";
  out += "\n";
  return out;
}

nlohmann::json BuildReportJson(const BuildFindings& findings, const BuildVerdict& verdict) {
  nlohmann::json violations = nlohmann::json::array();
  nlohmann::json manifests = nlohmann::json::array();
  for (const ManifestJudgement& j : verdict.manifests) {
    const FoundManifest& m = j.finding->found;
    nlohmann::json entry = {{"location", j.finding->location},
                            {"ok", j.ok},
                            {"verified", m.verified},
                            {"readable", m.readable},
                            {"kid", m.kid}};
    if (m.readable) {
      entry["region"] = m.manifest.region;
      entry["variants"] = m.manifest.variants;
      entry["version"] = m.manifest.version;
      entry["activation_url"] = m.manifest.activation_url;
      entry["uxp_url"] = m.manifest.uxp_url;
      entry["issued_at"] = m.manifest.issued_at;
    }
    if (!j.ok) {
      entry["problem"] = j.problem;
      nlohmann::json v = entry;
      v["kind"] = "manifest";
      violations.push_back(v);
    }
    manifests.push_back(entry);
  }
  nlohmann::json hosts = nlohmann::json::array();
  for (const HostJudgement& j : verdict.hosts) {
    const HostFindings& h = *j.findings;
    nlohmann::json entry = {{"host", h.host},
                            {"ip", h.is_ip},
                            {"allowed", j.allowed},
                            {"reason", j.reason},
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
  nlohmann::json notes = nlohmann::json::array();
  for (const ScanNote& n : findings.notes) {
    notes.push_back({{"location", n.location}, {"reason", n.reason}});
  }
  const ScanSummary& s = findings.summary;
  return {{"tool", "homeport audit build"},
          {"root", findings.root},
          {"region", verdict.region},
          {"clean", verdict.Clean()},
          {"violations", violations},
          {"manifests", manifests},
          {"hosts", hosts},
          {"not_scanned", notes},
          {"warnings", verdict.warnings},
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
            {"host_violations", verdict.HostViolations()}}}};
}

}  // namespace homeport::audit::build
