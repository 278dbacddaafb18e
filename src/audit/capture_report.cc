// One JSON document is the model of every format: the text and HTML renderings read the same
// fields, so they cannot disagree about what was found.
#include "audit/capture_report.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/html.h"
#include "common/terminal_text.h"
#include "privacy/value_mask.h"

namespace homeport::audit {
namespace {

using nlohmann::json;

std::string Verdict(const CaptureReport& r) {
  if (!r.damage.empty()) return "damaged";
  return r.violation_count > 0 ? "violations" : "clean";
}

json AddressJson(const DestinationAddress& a) {
  json j = {{"address", a.address.ToString()}, {"scope", capture::DescribeScope(a.scope)}};
  if (a.scope == capture::AddressScope::kPublic) {
    j["country"] = a.geo.country.empty() ? json(nullptr) : json(a.geo.country);
    j["asn"] = a.geo.asn == 0 ? json(nullptr) : json(a.geo.asn);
    j["as_organization"] = a.geo.as_organization;
  }
  return j;
}

json DestinationJson(const Destination& d, const CaptureReportOptions& o) {
  json names = json::array();
  for (const auto& [name, seen] : d.names) names.push_back({{"name", name}, {"seen_in", seen}});
  json addresses = json::array();
  for (const auto& a : d.addresses) addresses.push_back(AddressJson(a));
  json flows = json::object();
  for (const auto& [p, n] : d.flows) flows[NameOf(p)] = n;
  json identifiers = json::array();
  for (const auto& s : d.identifiers) {
    identifiers.push_back({{"kind", privacy::NameOf(s.kind)},
                           {"key", s.key},
                           {"value", o.show_values ? s.value : privacy::MaskValue(s.kind, s.value)},
                           {"where", s.where},
                           {"flow", s.flow},
                           {"host", s.host},
                           {"count", s.count},
                           {"allowed", s.allowed}});
  }
  return {{"name", d.name},
          {"names", names},
          {"addresses", addresses},
          {"protocols", d.protocols},
          {"flows", flows},
          {"flow_count", d.flow_count()},
          {"encrypted", d.encrypted_only()},
          {"bytes_sent", d.bytes_sent},
          {"bytes_received", d.bytes_received},
          {"http_requests", d.http_requests},
          {"local_resolver", d.local_resolver},
          {"identifiers", identifiers},
          {"identifiers_not_listed", d.identifiers_not_listed},
          {"violations", d.violations}};
}

json ReportJson(const CaptureReport& r, const CaptureReportOptions& o) {
  json destinations = json::array();
  json violations = json::array();
  for (const auto& d : r.destinations) {
    destinations.push_back(DestinationJson(d, o));
    for (const auto& v : d.violations) violations.push_back({{"destination", d.name}, {"what", v}});
  }
  const CaptureStats& s = r.stats;
  return {{"file", r.file},
          {"region", r.region},
          {"verdict", Verdict(r)},
          {"exit_code", r.ExitCode()},
          {"damage", r.damage.empty() ? json(nullptr) : json(r.damage)},
          {"violations", violations},
          {"destinations", destinations},
          {"names",
           {{"dns_queries", r.names.dns_queries},
            {"tls_server_names", r.names.tls_server_names},
            {"http_hosts", r.names.http_hosts}}},
          {"stats",
           {{"frames", s.frames},
            {"bytes", s.bytes},
            {"not_ip", s.not_ip},
            {"fragments_reassembled", s.fragments_reassembled},
            {"fragments_dropped", s.fragments_dropped},
            {"flows", s.flows},
            {"flows_evicted", s.flows_evicted},
            {"tcp_segments", s.tcp_segments},
            {"tcp_out_of_order", s.tcp_out_of_order},
            {"tcp_retransmitted", s.tcp_retransmitted},
            {"tcp_gaps", s.tcp_gaps},
            {"tcp_gap_bytes", s.tcp_gap_bytes},
            {"tcp_overflowed_bytes", s.tcp_overflowed_bytes},
            {"dns_messages", s.dns_messages},
            {"dns_malformed", s.dns_malformed},
            {"tls_client_hellos", s.tls_client_hellos},
            {"http_requests", s.http_requests}}}};
}

std::string AddressLine(const json& a) {
  std::string line = a["address"].get<std::string>();
  if (a.contains("country")) {
    line += " ";
    line += a["country"].is_null() ? "country unknown" : a["country"].get<std::string>();
    if (!a["asn"].is_null()) {
      line += ", AS" + std::to_string(a["asn"].get<uint32_t>());
      if (!a["as_organization"].get<std::string>().empty()) {
        line += " " + a["as_organization"].get<std::string>();
      }
    }
  } else {
    line += " (" + a["scope"].get<std::string>() + ")";
  }
  return line;
}

std::string NamesLine(const json& names) {
  std::string line;
  for (const auto& n : names) {
    if (!line.empty()) line += ", ";
    line += n["name"].get<std::string>() + " (";
    bool first = true;
    for (const auto& seen : n["seen_in"]) {
      line += (first ? "" : "+") + seen.get<std::string>();
      first = false;
    }
    line += ")";
  }
  return line;
}

std::string FlowsLine(const json& d) {
  std::string line;
  for (const auto& [p, n] : d["flows"].items()) {
    if (!line.empty()) line += ", ";
    line += std::to_string(n.get<uint64_t>()) + " " + p;
  }
  return line;
}

std::string Join(const json& list) {
  std::string out;
  for (const auto& item : list) out += (out.empty() ? "" : ", ") + item.get<std::string>();
  return out;
}

std::string Str(const json& j) {
  return j.is_string() ? j.get<std::string>()
                       : j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A one-line field of the text report: host names, DNS names and HTTP fields are whatever the
// captured traffic carried, control characters included.
std::string Text(const json& j) { return TerminalSafe(Str(j)); }

}  // namespace

std::string RenderCaptureJson(const CaptureReport& r, const CaptureReportOptions& o) {
  return TerminalSafeJson(ReportJson(r, o), 2) + "\n";
}

std::string RenderCaptureText(const CaptureReport& r, const CaptureReportOptions& o) {
  const json j = ReportJson(r, o);
  std::ostringstream out;
  out << "capture " << TerminalSafe(r.file) << " judged for region " << TerminalSafe(r.region)
      << ": ";
  if (!r.damage.empty()) {
    out << "DAMAGED INPUT — " << TerminalSafe(r.damage)
        << "\n  (what could be read is reported below)\n";
  } else if (r.violation_count > 0) {
    out << r.violation_count << " VIOLATION(S)\n";
  } else {
    out << "clean\n";
  }
  for (const auto& v : j["violations"]) {
    out << "  ✗ " << Text(v["destination"]) << ": " << Text(v["what"]) << "\n";
  }
  for (const auto& d : j["destinations"]) {
    out << "\n" << Text(d["name"]);
    if (!d["violations"].empty()) out << "  [VIOLATION]";
    if (d["local_resolver"].get<bool>()) out << "  [local DNS resolver]";
    out << "\n";
    if (!d["names"].empty())
      out << "  names:       " << TerminalSafe(NamesLine(d["names"])) << "\n";
    for (const auto& a : d["addresses"])
      out << "  address:     " << TerminalSafe(AddressLine(a)) << "\n";
    out << "  flows:       " << TerminalSafe(FlowsLine(d)) << " ("
        << TerminalSafe(Join(d["protocols"])) << ")\n";
    out << "  bytes:       " << d["bytes_sent"].get<uint64_t>() << " sent, "
        << d["bytes_received"].get<uint64_t>() << " received; "
        << (d["encrypted"].get<bool>() ? "all encrypted" : "not all encrypted") << "\n";
    for (const auto& s : d["identifiers"]) {
      out << "  identifier:  " << Text(s["kind"]) << " " << Text(s["value"]);
      if (!Text(s["key"]).empty()) out << " key \"" << Text(s["key"]) << "\"";
      out << " to " << Text(s["host"]) << " in " << Text(s["where"]) << " [" << Text(s["flow"])
          << "]";
      if (s["count"].get<uint64_t>() > 1) out << " ×" << s["count"].get<uint64_t>();
      if (s["allowed"].get<bool>()) out << " (allowed)";
      out << "\n";
    }
    if (d["identifiers_not_listed"].get<uint64_t>() > 0) {
      out << "  identifiers: " << d["identifiers_not_listed"].get<uint64_t>()
          << " more not listed\n";
    }
  }
  const CaptureStats& s = r.stats;
  out << "\n"
      << s.frames << " frames, " << s.flows << " flows (" << s.flows_evicted
      << " closed early for room); TCP: " << s.tcp_segments << " segments, " << s.tcp_out_of_order
      << " out of order, " << s.tcp_retransmitted << " retransmitted, " << s.tcp_gaps << " gaps ("
      << s.tcp_gap_bytes << " bytes missing); " << s.dns_messages << " DNS messages ("
      << s.dns_malformed << " malformed), " << s.tls_client_hellos << " TLS ClientHellos, "
      << s.http_requests << " HTTP requests; " << s.not_ip
      << " frames neither TCP nor UDP over IP\n";
  return out.str();
}

std::string RenderCaptureHtml(const CaptureReport& r, const CaptureReportOptions& o) {
  const json j = ReportJson(r, o);
  std::ostringstream out;
  const std::string verdict = Verdict(r);
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      << "<title>Capture audit: " << HtmlEscape(r.file) << "</title>\n"
      << "<style>body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;"
         "color:#111}h1{font-size:1.4em}table{border-collapse:collapse;width:100%;margin:.5em 0}"
         "td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}"
         "th{background:#f3f3f3}.bad{background:#fde8e8}.verdict{padding:.6em 1em;"
         "border-radius:4px;font-weight:bold}.violations{background:#fbd5d5}"
         ".clean{background:#d5f5dd}.damaged{background:#fde9c8}code{font-size:.95em}"
         "section{margin:1.5em 0;border-top:2px solid #ddd}</style></head><body>\n";
  out << "<h1>Where this device's data went</h1>\n<p>Capture <code>" << HtmlEscape(r.file)
      << "</code>, judged against the policy for region <strong>" << HtmlEscape(r.region)
      << "</strong>.</p>\n";
  out << "<p class=\"verdict " << verdict << "\">";
  if (verdict == "damaged") {
    out << "The capture is damaged: " << HtmlEscape(r.damage)
        << ". Everything before the damage is reported below.";
  } else if (verdict == "violations") {
    out << r.violation_count << " violation(s) of the policy.";
  } else {
    out << "No violations of the policy.";
  }
  out << "</p>\n";
  if (!j["violations"].empty()) {
    out << "<h2>Violations</h2>\n<table><tr><th>Destination</th><th>What</th></tr>\n";
    for (const auto& v : j["violations"]) {
      out << "<tr class=\"bad\"><td>" << HtmlEscape(Str(v["destination"])) << "</td><td>"
          << HtmlEscape(Str(v["what"])) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "<h2>Destinations</h2>\n";
  for (const auto& d : j["destinations"]) {
    out << "<section><h3>" << HtmlEscape(Str(d["name"]))
        << (d["violations"].empty() ? "" : " — violation") << "</h3>\n<table>\n";
    out << "<tr><th>Names</th><td>" << HtmlEscape(NamesLine(d["names"])) << "</td></tr>\n";
    out << "<tr><th>Addresses</th><td>";
    for (const auto& a : d["addresses"]) out << HtmlEscape(AddressLine(a)) << "<br>";
    out << "</td></tr>\n<tr><th>Flows</th><td>" << HtmlEscape(FlowsLine(d)) << " ("
        << HtmlEscape(Join(d["protocols"])) << ")</td></tr>\n";
    out << "<tr><th>Bytes</th><td>" << d["bytes_sent"].get<uint64_t>() << " sent, "
        << d["bytes_received"].get<uint64_t>() << " received</td></tr>\n";
    out << "<tr><th>Encrypted</th><td>" << (d["encrypted"].get<bool>() ? "yes" : "no")
        << "</td></tr>\n</table>\n";
    if (!d["identifiers"].empty()) {
      out << "<table><tr><th>Identifier</th><th>Value</th><th>Key</th><th>Where</th>"
             "<th>Flow</th><th>Times</th></tr>\n";
      for (const auto& s : d["identifiers"]) {
        out << "<tr" << (s["allowed"].get<bool>() ? "" : " class=\"bad\"") << "><td>"
            << HtmlEscape(Str(s["kind"])) << "</td><td><code>" << HtmlEscape(Str(s["value"]))
            << "</code></td><td>" << HtmlEscape(Str(s["key"])) << "</td><td>"
            << HtmlEscape(Str(s["where"])) << "</td><td>" << HtmlEscape(Str(s["flow"]))
            << "</td><td>" << s["count"].get<uint64_t>() << "</td></tr>\n";
      }
      out << "</table>\n";
    }
    for (const auto& v : d["violations"]) {
      out << "<p class=\"bad\">" << HtmlEscape(Str(v)) << "</p>\n";
    }
    out << "</section>\n";
  }
  const CaptureStats& s = r.stats;
  out << "<h2>About the capture</h2>\n<p>" << s.frames << " frames, " << s.flows << " flows; "
      << s.tcp_out_of_order << " TCP segments out of order, " << s.tcp_retransmitted
      << " retransmitted, " << s.tcp_gaps << " gaps; " << s.dns_messages << " DNS messages, "
      << s.tls_client_hellos << " TLS ClientHellos, " << s.http_requests
      << " HTTP requests.</p>\n<p>Countries: geo-whois-asn-country (NRO, CC BY 4.0); AS "
         "numbers: ip-location-db asn (Route Views, DB-IP.com, CC BY 4.0).</p>\n</body></html>\n";
  return out.str();
}

}  // namespace homeport::audit
