// The HTML form of the build report: one page with inline CSS, readable offline and without
// JavaScript, every value from the firmware escaped (a file name or URL in a build is
// attacker-controlled text).
#include "audit/build/build_report.h"
#include "audit/printable.h"
#include "common/html.h"

namespace homeport::audit::build {
namespace {

// Input text as HTML: Printable first, so bytes that are not UTF-8 show as \xNN (the page says
// charset=utf-8) and read the same as in the text and JSON forms.
std::string Html(std::string_view text) { return HtmlEscape(Printable(text)); }

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

constexpr const char* kStyle = R"(
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
.verdict{padding:.8em 1em;border-radius:6px;font-weight:600}
.clean{background:#e3f4e1;color:#1b5e20}.bad{background:#fde2e1;color:#8e1b13}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{text-align:left;vertical-align:top;padding:.3em .5em;border-bottom:1px solid #eee}
th{background:#f5f5f5}code{font-family:ui-monospace,monospace;font-size:.92em;word-break:break-all}
.no{color:#8e1b13;font-weight:600}.yes{color:#1b5e20}.muted{color:#666}
)";

std::string PlacesCell(const HostFindings& h) {
  std::string out;
  for (const auto& [location, place] : h.places) {
    out += "<div><code>" + Html(location) + "</code> &times;" + std::to_string(place.count) +
           " <span class=muted>" + Html(EvidenceNames(place.evidence)) + "</span> <code>" +
           Html(place.example) + "</code></div>";
  }
  if (h.unlisted_sightings > 0) {
    out += "<div class=muted>and " + std::to_string(h.unlisted_sightings) +
           " sightings in further places</div>";
  }
  return out;
}

void HostRows(std::string& out, const BuildVerdict& verdict, bool allowed) {
  for (const HostJudgement& j : verdict.hosts) {
    if (j.allowed != allowed) continue;
    out += "<tr><td><code>" + Html(j.findings->host) +
           "</code></td><td class=" + (allowed ? "yes" : "no") + ">" + Html(j.reason) +
           "</td><td>" + std::to_string(j.findings->total) + "</td><td>" + PlacesCell(*j.findings) +
           "</td></tr>\n";
  }
}

}  // namespace

std::string BuildReportHtml(const BuildFindings& findings, const BuildVerdict& verdict,
                            const Provenance* provenance) {
  const size_t mv = verdict.ManifestViolations(), hv = verdict.HostViolations();
  const uint64_t uv = verdict.UninspectedViolations();
  std::string out =
      "<!doctype html>\n<html lang=en><head><meta charset=utf-8>\n"
      "<title>homeport audit build: " +
      Html(findings.root) +
      "</title>\n"
      "<style>" +
      std::string(kStyle) + "</style></head><body>\n";
  out +=
      "<h1>Firmware build audit for region <code>" + Html(verdict.region) + "</code></h1>\n";
  out += "<p>Tree: <code>" + Html(findings.root) +
         "</code>. Every file and archive member was read as bytes; host names, URLs and "
         "signed region manifests found in it are listed below.</p>\n";
  if (verdict.Clean()) {
    out += "<p class='verdict clean'>Clean: every manifest verifies and names region " +
           Html(verdict.region) + ", and every host is allowed.</p>\n";
  } else {
    out += "<p class='verdict bad'>" + std::to_string(mv + hv + uv) +
           " violation(s): " + std::to_string(mv) + " manifest(s), " + std::to_string(hv) +
           " host(s)" +
           (uv > 0 ? ", " + std::to_string(uv) + " part(s) not fully inspected" : std::string()) +
           ".</p>\n";
  }

  out += "<h2>Region manifests</h2>\n";
  if (verdict.manifests.empty())
    out += "<p>None found.</p>\n";
  else {
    out +=
        "<table><tr><th>where</th><th>verdict</th><th>region</th><th>variants</th>"
        "<th>version</th><th>endpoints</th></tr>\n";
    for (const ManifestJudgement& j : verdict.manifests) {
      const FoundManifest& m = j.finding->found;
      out += "<tr><td><code>" + Html(j.finding->location) +
             "</code></td><td class=" + (j.ok ? "yes>ok" : "no>" + Html(j.problem)) + "</td>";
      if (m.readable) {
        out += "<td>" + Html(m.manifest.region) + "</td><td>" +
               Html(Join(m.manifest.variants)) + "</td><td>" +
               std::to_string(m.manifest.version) + "</td><td><code>" +
               Html(m.manifest.activation_url) + "</code><br><code>" +
               Html(m.manifest.uxp_url) + "</code></td></tr>\n";
      } else {
        out += "<td colspan=4 class=muted>payload unreadable</td></tr>\n";
      }
    }
    out += "</table>\n";
  }

  out += "<h2>Hosts not allowed</h2>\n";
  if (hv == 0)
    out += "<p>None.</p>\n";
  else {
    out += "<table><tr><th>host</th><th>verdict</th><th>sightings</th><th>where</th></tr>\n";
    HostRows(out, verdict, false);
    out += "</table>\n";
  }
  out += "<h2>Allowed hosts</h2>\n";
  if (verdict.hosts.size() == hv)
    out += "<p>None.</p>\n";
  else {
    out += "<table><tr><th>host</th><th>verdict</th><th>sightings</th><th>where</th></tr>\n";
    HostRows(out, verdict, true);
    out += "</table>\n";
  }

  if (verdict.uninspected > 0) {
    out += std::string("<h2>Not fully inspected</h2>\n<p>") +
           (verdict.uninspected_allowed
                ? "Accepted by the policy (allow_uninspected)."
                : "Each is a violation: the verifier cannot vouch for what it did not read.") +
           "</p>\n<table><tr><th>what</th><th>why</th><th>limit (bytes)</th>"
           "<th>from offset</th></tr>\n";
    for (const Uninspected& u : findings.uninspected) {
      out += "<tr><td><code>" + Html(u.subject) + "</code></td><td class=" +
             (verdict.uninspected_allowed ? "muted" : "no") + ">" + Html(u.reason) + "</td><td>" +
             (u.limit != 0 ? std::to_string(u.limit) : std::string("&ndash;")) + "</td><td>" +
             std::to_string(u.offset) + "</td></tr>\n";
    }
    if (findings.uninspected_unlisted > 0) {
      out += "<tr><td colspan=4 class=muted>and " + std::to_string(findings.uninspected_unlisted) +
             " more</td></tr>\n";
    }
    out += "</table>\n";
  }
  if (!findings.notes.empty()) {
    out += "<h2>Notes</h2>\n<table><tr><th>where</th><th>what</th></tr>\n";
    for (const ScanNote& n : findings.notes) {
      out += "<tr><td><code>" + Html(n.location) + "</code></td><td>" + Html(n.reason) +
             "</td></tr>\n";
    }
    out += "</table>\n";
  }
  if (!verdict.warnings.empty()) {
    out += "<h2>Warnings</h2>\n<ul>";
    for (const auto& w : verdict.warnings) out += "<li>" + Html(w) + "</li>";
    out += "</ul>\n";
  }
  if (provenance != nullptr) out += ProvenanceHtml(*provenance);
  const ScanSummary& s = findings.summary;
  out += "<h2>Summary</h2>\n<p>" + std::to_string(s.files) + " files, " +
         std::to_string(s.archives) + " archives, " + std::to_string(s.members) +
         " archive members, " + Html(HumanBytes(s.bytes)) + " scanned; " +
         std::to_string(s.symlinks) + " symbolic links not followed.</p>\n";
  out += "<p class=muted>homeport audit build</p>\n</body></html>\n";
  return out;
}

}  // namespace homeport::audit::build
