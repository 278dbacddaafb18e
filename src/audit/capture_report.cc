// Three renderings of one CaptureReport. They read the same structs through the same helpers
// (the summaries, the name and address lines, Printable), so they cannot disagree about what
// was found; each writes destination by destination, so a report of a hundred thousand
// destinations never exists in memory as a whole.
#include "audit/capture_report.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audit/printable.h"
#include "common/html.h"
#include "common/terminal_text.h"
#include "privacy/value_mask.h"

namespace homeport::audit {
namespace {

using nlohmann::json;

constexpr size_t kSummaryRows = 50;  // ASes listed in the text and HTML summaries

std::string Verdict(const CaptureReport& r) {
  if (!r.damage.empty()) return "damaged";
  if (r.inventory()) return "inventory";
  return r.violation_count > 0 ? "violations" : "clean";
}

std::string P(std::string_view s) { return Printable(s); }

std::string CountryOf(const DestinationAddress& a) {
  if (a.scope != capture::AddressScope::kPublic) return "local";
  return a.geo.country.empty() ? "unknown" : a.geo.country;
}

struct Tally {
  uint64_t bytes_sent = 0;
  uint64_t flows = 0;
  uint64_t destinations = 0;
  std::string label;
};

// Bytes sent by country and by AS, over every listed address.
struct Summary {
  std::map<std::string, Tally> countries;
  std::map<uint32_t, Tally> ases;
  std::vector<std::pair<std::string, const Tally*>> CountriesByBytes() const {
    std::vector<std::pair<std::string, const Tally*>> out;
    for (const auto& [c, t] : countries) out.emplace_back(c, &t);
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.second->bytes_sent > b.second->bytes_sent;
    });
    return out;
  }
  std::vector<std::pair<uint32_t, const Tally*>> AsesByBytes() const {
    std::vector<std::pair<uint32_t, const Tally*>> out;
    for (const auto& [asn, t] : ases) out.emplace_back(asn, &t);
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.second->bytes_sent > b.second->bytes_sent;
    });
    return out;
  }
};

Summary Summarize(const CaptureReport& r) {
  Summary s;
  for (const Destination& d : r.destinations) {
    std::map<std::string, bool> countries_of_d;
    for (const DestinationAddress& a : d.addresses) {
      Tally& c = s.countries[CountryOf(a)];
      c.bytes_sent += a.bytes_sent;
      c.flows += a.flows;
      if (!countries_of_d[CountryOf(a)]) ++c.destinations, countries_of_d[CountryOf(a)] = true;
      if (a.scope == capture::AddressScope::kPublic && a.geo.asn != 0) {
        Tally& t = s.ases[a.geo.asn];
        t.bytes_sent += a.bytes_sent;
        t.flows += a.flows;
        t.label = a.geo.as_organization;
      }
    }
  }
  return s;
}

std::string AddressLine(const DestinationAddress& a) {
  std::string line = a.address.ToString();
  if (a.scope == capture::AddressScope::kPublic) {
    line += " " + (a.geo.country.empty() ? std::string("country unknown") : a.geo.country);
    if (a.geo.asn != 0) {
      line += ", AS" + std::to_string(a.geo.asn);
      if (!a.geo.as_organization.empty()) line += " " + P(a.geo.as_organization);
    }
  } else {
    line += " (" + std::string(capture::DescribeScope(a.scope)) + ")";
  }
  return line;
}

std::string NamesLine(const Destination& d) {
  std::string line;
  for (const auto& [name, sources] : d.names) {
    if (!line.empty()) line += ", ";
    line += P(name);
    if (sources != 0) line += " (" + DescribeNameSources(sources) + ")";
  }
  if (d.names_not_listed > 0) line += " and " + std::to_string(d.names_not_listed) + " more";
  return line;
}

std::string FlowsLine(const Destination& d) {
  std::string line;
  for (size_t p = 0; p < kProtections; ++p) {
    if (d.flows[p] == 0) continue;
    if (!line.empty()) line += ", ";
    line += std::to_string(d.flows[p]) + " " + NameOf(static_cast<Protection>(p));
  }
  std::string protocols;
  for (const auto& name : d.ProtocolNames()) protocols += (protocols.empty() ? "" : ", ") + name;
  return line + " (" + protocols + ")";
}

std::string ValueOf(const IdentifierSighting& s, const CaptureReportOptions& o) {
  return P(o.show_values ? s.value : privacy::MaskValue(s.kind, s.value));
}

std::string UninspectedLine(const Uninspected& u) {
  return P(u.subject) + ": " + P(u.reason) + " (limit " + std::to_string(u.limit) +
         " bytes; not inspected from byte " + std::to_string(u.offset) + ")";
}

std::string Human(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  size_t unit = 0;
  while (v >= 1000 && unit + 1 < std::size(kUnits)) v /= 1000, ++unit;
  std::ostringstream out;
  out.precision(unit == 0 ? 0 : 1);
  out << std::fixed << v << " " << kUnits[unit];
  return out.str();
}

std::string Heading(const CaptureReport& r) {
  std::string what = "capture " + P(r.file.empty() ? "(standard input)" : r.file);
  if (r.inventory()) return what + ", an inventory (no policy applied)";
  return what + " judged for region " + P(r.policy->region);
}

// ---- JSON ------------------------------------------------------------------------------------

json DestinationJson(const Destination& d, const CaptureReportOptions& o) {
  json names = json::array();
  for (const auto& [name, sources] : d.names) {
    json seen = json::array();
    for (uint8_t bit : {kNameDns, kNameSni, kNameHttpHost, kNameDnsQuery}) {
      if ((sources & bit) != 0) seen.push_back(DescribeNameSources(bit));
    }
    names.push_back({{"name", P(name)}, {"seen_in", seen}});
  }
  json addresses = json::array();
  for (const auto& a : d.addresses) {
    json j = {{"address", a.address.ToString()},
              {"scope", capture::DescribeScope(a.scope)},
              {"flows", a.flows},
              {"bytes_sent", a.bytes_sent}};
    if (a.scope == capture::AddressScope::kPublic) {
      j["country"] = a.geo.country.empty() ? json(nullptr) : json(a.geo.country);
      j["asn"] = a.geo.asn == 0 ? json(nullptr) : json(a.geo.asn);
      j["as_organization"] = P(a.geo.as_organization);
    }
    addresses.push_back(std::move(j));
  }
  json flows = json::object();
  for (size_t p = 0; p < kProtections; ++p) {
    if (d.flows[p] > 0) flows[NameOf(static_cast<Protection>(p))] = d.flows[p];
  }
  json identifiers = json::array();
  for (const auto& s : d.identifiers) {
    identifiers.push_back({{"kind", privacy::NameOf(s.kind)},
                           {"key", P(s.key)},
                           {"value", ValueOf(s, o)},
                           {"where", P(s.where)},
                           {"flow", P(s.flow)},
                           {"host", P(s.host)},
                           {"count", s.count},
                           {"allowed", s.allowed}});
  }
  json uninspected = json::array();
  for (const auto& u : d.uninspected) {
    uninspected.push_back({{"subject", P(u.subject)},
                           {"reason", P(u.reason)},
                           {"limit", u.limit},
                           {"offset", u.offset}});
  }
  json violations = json::array();
  for (const auto& v : d.violations) {
    violations.push_back({{"rule", v.rule}, {"what", P(v.what)}, {"count", v.count}});
  }
  return {{"name", P(d.name)},
          {"aggregate", d.aggregate.empty() ? json(nullptr) : json(P(d.aggregate))},
          {"names", names},
          {"names_not_listed", d.names_not_listed},
          {"addresses", addresses},
          {"addresses_not_listed", d.addresses_not_listed},
          {"protocols", d.ProtocolNames()},
          {"flows", flows},
          {"flow_count", d.flow_count()},
          {"encrypted", d.encrypted_only()},
          {"bytes_sent", d.bytes_sent},
          {"bytes_received", d.bytes_received},
          {"http_requests", d.http_requests},
          {"local_resolver", d.local_resolver},
          {"identifiers", identifiers},
          {"identifiers_not_listed", d.identifiers_not_listed},
          {"uninspected", uninspected},
          {"uninspected_not_listed", d.uninspected_not_listed},
          {"violations", violations}};
}

json NamesJson(const std::set<std::string>& names) {
  json out = json::array();
  for (const auto& n : names) out.push_back(P(n));
  return out;
}

// One member of the top-level object: `"key": value`, the value on one line.
void Member(std::ostream& out, bool& first, std::string_view key, const json& value) {
  out << (first ? "{\n" : ",\n") << json(key).dump() << ": " << TerminalSafeJson(value, -1);
  first = false;
}

// A member whose value is an array written element by element, each on its own line: a report
// with 100,000 destinations is never one JSON document in memory.
class ArrayMember {
 public:
  ArrayMember(std::ostream& out, bool& first, std::string_view key) : out_(out) {
    out_ << (first ? "{\n" : ",\n") << json(key).dump() << ": [";
    first = false;
  }
  ~ArrayMember() { out_ << (empty_ ? "]" : "\n]"); }
  void Add(const json& element) {
    out_ << (empty_ ? "\n" : ",\n") << TerminalSafeJson(element, -1);
    empty_ = false;
  }

 private:
  std::ostream& out_;
  bool empty_ = true;
};

// ---- text ------------------------------------------------------------------------------------

void WriteDestinationText(const Destination& d, const CaptureReport& r,
                          const CaptureReportOptions& o, std::ostream& out) {
  out << "\n" << P(d.name);
  if (!d.violations.empty()) out << "  [VIOLATION]";
  if (d.local_resolver) out << "  [local DNS resolver]";
  out << "\n";
  if (!d.aggregate.empty()) {
    out << "  aggregate:   " << P(d.aggregate) << ", past the limit of "
        << r.stats.destinations_listed << " destinations listed one by one\n";
  }
  if (!d.names.empty()) out << "  names:       " << NamesLine(d) << "\n";
  for (const auto& a : d.addresses) out << "  address:     " << AddressLine(a) << "\n";
  if (d.addresses_not_listed > 0) {
    out << "  address:     " << d.addresses_not_listed << " more not listed\n";
  }
  out << "  flows:       " << FlowsLine(d) << "\n";
  out << "  bytes:       " << d.bytes_sent << " sent, " << d.bytes_received << " received; "
      << (d.encrypted_only() ? "all encrypted" : "not all encrypted") << "\n";
  for (const auto& s : d.identifiers) {
    out << "  identifier:  " << privacy::NameOf(s.kind) << " " << ValueOf(s, o);
    if (!s.key.empty()) out << " key \"" << P(s.key) << "\"";
    out << " to " << P(s.host) << " in " << P(s.where) << " [" << P(s.flow) << "]";
    if (s.count > 1) out << " ×" << s.count;
    if (s.allowed) out << " (allowed)";
    out << "\n";
  }
  if (d.identifiers_not_listed > 0) {
    out << "  identifiers: " << d.identifiers_not_listed << " more not listed\n";
  }
  for (const auto& u : d.uninspected) out << "  uninspected: " << UninspectedLine(u) << "\n";
  if (d.uninspected_not_listed > 0) {
    out << "  uninspected: " << d.uninspected_not_listed << " more not listed\n";
  }
}

// ---- HTML ------------------------------------------------------------------------------------

// A horizontal bar chart of bytes sent per country, as inline SVG (no script, no assets).
void WriteCountryChart(const Summary& s, std::ostream& out) {
  const auto rows = s.CountriesByBytes();
  if (rows.empty()) return;
  const uint64_t max = std::max<uint64_t>(1, rows.front().second->bytes_sent);
  const size_t height = rows.size() * 22 + 4;
  out << "<svg class=\"chart\" role=\"img\" aria-label=\"Bytes sent per country\" "
         "viewBox=\"0 0 640 "
      << height << "\" width=\"640\" height=\"" << height << "\">\n";
  size_t y = 2;
  for (const auto& [country, t] : rows) {
    const double w = 440.0 * static_cast<double>(t->bytes_sent) / static_cast<double>(max);
    out << "<text x=\"0\" y=\"" << y + 15 << "\">" << HtmlEscape(country) << "</text>"
        << "<rect x=\"80\" y=\"" << y + 3 << "\" width=\"" << std::max(1.0, w)
        << "\" height=\"16\"></rect><text x=\"" << 86 + w << "\" y=\"" << y + 15 << "\">"
        << Human(t->bytes_sent) << "</text>\n";
    y += 22;
  }
  out << "</svg>\n";
}

}  // namespace

void WriteCaptureJson(const CaptureReport& r, const CaptureReportOptions& o, std::ostream& out) {
  bool first = true;
  Member(out, first, "file", P(r.file));
  Member(out, first, "region", r.inventory() ? json(nullptr) : json(P(r.policy->region)));
  Member(out, first, "verdict", Verdict(r));
  Member(out, first, "exit_code", r.ExitCode());
  Member(out, first, "damage", r.damage.empty() ? json(nullptr) : json(P(r.damage)));
  if (o.provenance != nullptr) Member(out, first, "provenance", ProvenanceJson(*o.provenance));
  {
    ArrayMember violations(out, first, "violations");
    for (const auto& v : r.violations) {
      violations.Add(
          {{"destination", nullptr}, {"rule", v.rule}, {"what", P(v.what)}, {"count", v.count}});
    }
    for (const auto& d : r.destinations) {
      for (const auto& v : d.violations) {
        violations.Add({{"destination", P(d.name)},
                        {"rule", v.rule},
                        {"what", P(v.what)},
                        {"count", v.count}});
      }
    }
  }
  Member(out, first, "uninspected_count", r.uninspected_count);
  json uninspected = json::array();
  for (const auto& u : r.uninspected) {
    uninspected.push_back({{"subject", P(u.subject)},
                           {"reason", P(u.reason)},
                           {"limit", u.limit},
                           {"offset", u.offset}});
  }
  Member(out, first, "uninspected", uninspected);
  const Summary summary = Summarize(r);
  json countries = json::array();
  for (const auto& [country, t] : summary.CountriesByBytes()) {
    countries.push_back({{"country", country},
                         {"bytes_sent", t->bytes_sent},
                         {"flows", t->flows},
                         {"destinations", t->destinations}});
  }
  json ases = json::array();
  for (const auto& [asn, t] : summary.AsesByBytes()) {
    ases.push_back({{"asn", asn},
                    {"as_organization", P(t->label)},
                    {"bytes_sent", t->bytes_sent},
                    {"flows", t->flows}});
  }
  Member(out, first, "summary", {{"countries", countries}, {"ases", ases}});
  {
    ArrayMember destinations(out, first, "destinations");
    for (const auto& d : r.destinations) destinations.Add(DestinationJson(d, o));
  }
  Member(out, first, "names",
         {{"dns_queries", NamesJson(r.names.dns_queries)},
          {"tls_server_names", NamesJson(r.names.tls_server_names)},
          {"http_hosts", NamesJson(r.names.http_hosts)},
          {"not_listed", r.names.not_listed}});
  const CaptureStats& s = r.stats;
  Member(out, first, "stats",
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
          {"quic_client_hellos", s.quic_client_hellos},
          {"http_requests", s.http_requests},
          {"destinations_listed", s.destinations_listed},
          {"flows_aggregated", s.flows_aggregated}});
  out << "\n}\n";
}

void WriteCaptureText(const CaptureReport& r, const CaptureReportOptions& o, std::ostream& out) {
  out << Heading(r) << ": ";
  if (!r.damage.empty()) {
    out << "DAMAGED INPUT — " << P(r.damage) << "\n  (what could be read is reported below)\n";
  } else if (r.inventory()) {
    out << r.destinations.size() << " destination(s)\n";
  } else if (r.violation_count > 0) {
    out << r.violation_count << " VIOLATION(S)\n";
  } else {
    out << "clean\n";
  }
  for (const auto& v : r.violations) out << "  ✗ (capture): " << P(v.what) << "\n";
  for (const auto& u : r.uninspected) out << "  uninspected: " << UninspectedLine(u) << "\n";
  for (const auto& d : r.destinations) {
    for (const auto& v : d.violations) {
      out << "  ✗ " << P(d.name) << ": " << P(v.what);
      if (!d.aggregate.empty()) out << " (" << v.count << ")";
      out << "\n";
    }
  }
  const Summary summary = Summarize(r);
  if (!summary.countries.empty()) {
    out << "\nbytes sent by country:";
    for (const auto& [country, t] : summary.CountriesByBytes()) {
      out << " " << country << " " << Human(t->bytes_sent);
    }
    out << "\n";
  }
  for (const auto& d : r.destinations) WriteDestinationText(d, r, o, out);
  const CaptureStats& s = r.stats;
  out << "\n"
      << s.frames << " frames, " << s.flows << " flows (" << s.flows_evicted
      << " closed early for room); TCP: " << s.tcp_segments << " segments, " << s.tcp_out_of_order
      << " out of order, " << s.tcp_retransmitted << " retransmitted, " << s.tcp_gaps << " gaps ("
      << s.tcp_gap_bytes << " bytes missing); " << s.dns_messages << " DNS messages ("
      << s.dns_malformed << " malformed), " << s.tls_client_hellos << " TLS and "
      << s.quic_client_hellos << " QUIC ClientHellos, " << s.http_requests << " HTTP requests; "
      << s.not_ip << " frames neither TCP nor UDP over IP\n";
  if (s.flows_aggregated > 0) {
    out << s.flows_aggregated << " flows went to destinations past the limit of "
        << s.destinations_listed
        << " listed one by one; they are in the aggregate rows, in parentheses\n";
  }
  if (o.provenance != nullptr) out << "\n" << ProvenanceText(*o.provenance);
}

void WriteCaptureHtml(const CaptureReport& r, const CaptureReportOptions& o, std::ostream& out) {
  const std::string verdict = Verdict(r);
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>Capture audit: " << HtmlEscape(P(r.file)) << "</title>\n"
      << "<style>body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;"
         "padding:0 1em;color:#111}h1{font-size:1.4em}table{border-collapse:collapse;width:100%;"
         "margin:.5em 0;table-layout:fixed}td,th{border:1px solid #ccc;padding:.3em .5em;"
         "text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}"
         "th{background:#f3f3f3}.bad{background:#fde8e8}.verdict{padding:.6em 1em;"
         "border-radius:4px;font-weight:bold}.violations{background:#fbd5d5}"
         ".clean{background:#d5f5dd}.damaged{background:#fde9c8}.inventory{background:#e3ecfb}"
         "code{font-size:.95em;overflow-wrap:anywhere}section{margin:1.5em 0;"
         "border-top:2px solid #ddd}.chart rect{fill:#2166ac}.chart text{font:12px system-ui,"
         "sans-serif}.legend{font-size:.9em;color:#444}</style></head><body>\n";
  out << "<h1>Where this device's data went</h1>\n<p>Capture <code>"
      << HtmlEscape(P(r.file.empty() ? "(standard input)" : r.file)) << "</code>";
  if (r.inventory()) {
    out << ", an inventory: no policy was applied.</p>\n";
  } else {
    out << ", judged against the policy for region <strong>" << HtmlEscape(P(r.policy->region))
        << "</strong>.</p>\n";
  }
  out << "<p class=\"verdict " << verdict << "\">";
  if (verdict == "damaged") {
    out << "The capture is damaged: " << HtmlEscape(P(r.damage))
        << ". Everything before the damage is reported below.";
  } else if (verdict == "inventory") {
    out << r.destinations.size() << " destination(s).";
  } else if (verdict == "violations") {
    out << r.violation_count << " violation(s) of the policy.";
  } else {
    out << "No violations of the policy.";
  }
  out << "</p>\n";
  if (r.violation_count > 0) {
    out << "<h2>Violations</h2>\n<table><tr><th>Destination</th><th>Rule</th><th>What</th>"
           "<th>Count</th></tr>\n";
    for (const auto& v : r.violations) {
      out << "<tr class=\"bad\"><td>(the capture)</td><td>" << v.rule << "</td><td>"
          << HtmlEscape(P(v.what)) << "</td><td>" << v.count << "</td></tr>\n";
    }
    for (const auto& d : r.destinations) {
      for (const auto& v : d.violations) {
        out << "<tr class=\"bad\"><td>" << HtmlEscape(P(d.name)) << "</td><td>" << v.rule
            << "</td><td>" << HtmlEscape(P(v.what)) << "</td><td>" << v.count << "</td></tr>\n";
      }
    }
    out << "</table>\n";
  }
  if (o.provenance != nullptr) out << ProvenanceHtml(*o.provenance);
  const Summary summary = Summarize(r);
  out << "<h2>Summary</h2>\n<h3>Bytes sent by country</h3>\n";
  WriteCountryChart(summary, out);
  out << "<table><tr><th>Country</th><th>Bytes sent</th><th>Flows</th><th>Destinations</th>"
         "</tr>\n";
  for (const auto& [country, t] : summary.CountriesByBytes()) {
    out << "<tr><td>" << HtmlEscape(country) << "</td><td>" << t->bytes_sent << "</td><td>"
        << t->flows << "</td><td>" << t->destinations << "</td></tr>\n";
  }
  out << "</table>\n<h3>By autonomous system</h3>\n<table><tr><th>AS</th><th>Organisation</th>"
         "<th>Bytes sent</th><th>Flows</th></tr>\n";
  const auto ases = summary.AsesByBytes();
  for (size_t i = 0; i < ases.size() && i < kSummaryRows; ++i) {
    out << "<tr><td>AS" << ases[i].first << "</td><td>" << HtmlEscape(P(ases[i].second->label))
        << "</td><td>" << ases[i].second->bytes_sent << "</td><td>" << ases[i].second->flows
        << "</td></tr>\n";
  }
  out << "</table>\n";
  if (ases.size() > kSummaryRows) {
    out << "<p>" << ases.size() - kSummaryRows << " more ASes in the JSON report.</p>\n";
  }
  out << "<p class=\"legend\">Identifier values are masked: all but their last characters are "
         "replaced by •, so the report shows which device or person an identifier was without "
         "repeating it. <code>\\xNN</code> in a name is a byte that is not printable UTF-8; "
         "<code>\\\\</code> is a backslash. Rows in parentheses aggregate destinations past the "
         "listing limit.</p>\n";
  out << "<h2>Destinations</h2>\n";
  for (const auto& d : r.destinations) {
    out << "<section><h3>" << HtmlEscape(P(d.name))
        << (d.violations.empty() ? "" : " — violation") << "</h3>\n<table>\n";
    if (!d.aggregate.empty()) {
      out << "<tr><th>Aggregate of</th><td>" << HtmlEscape(P(d.aggregate)) << "</td></tr>\n";
    }
    out << "<tr><th>Names</th><td>" << HtmlEscape(NamesLine(d)) << "</td></tr>\n";
    out << "<tr><th>Addresses</th><td>";
    for (const auto& a : d.addresses) out << HtmlEscape(AddressLine(a)) << "<br>";
    if (d.addresses_not_listed > 0) out << d.addresses_not_listed << " more not listed";
    out << "</td></tr>\n<tr><th>Flows</th><td>" << HtmlEscape(FlowsLine(d)) << "</td></tr>\n";
    out << "<tr><th>Bytes</th><td>" << d.bytes_sent << " sent, " << d.bytes_received
        << " received</td></tr>\n";
    out << "<tr><th>Encrypted</th><td>" << (d.encrypted_only() ? "yes" : "no")
        << "</td></tr>\n</table>\n";
    if (!d.identifiers.empty()) {
      out << "<table><tr><th>Identifier</th><th>Value</th><th>Key</th><th>Where</th>"
             "<th>Flow</th><th>Times</th></tr>\n";
      for (const auto& s : d.identifiers) {
        out << "<tr" << (s.allowed ? "" : " class=\"bad\"") << "><td>" << privacy::NameOf(s.kind)
            << "</td><td><code>" << HtmlEscape(ValueOf(s, o)) << "</code></td><td>"
            << HtmlEscape(P(s.key)) << "</td><td>" << HtmlEscape(P(s.where)) << "</td><td>"
            << HtmlEscape(P(s.flow)) << "</td><td>" << s.count << "</td></tr>\n";
      }
      out << "</table>\n";
      if (d.identifiers_not_listed > 0) {
        out << "<p>" << d.identifiers_not_listed << " more sightings not listed.</p>\n";
      }
    }
    for (const auto& u : d.uninspected) {
      out << "<p class=\"bad\">Not fully inspected: " << HtmlEscape(UninspectedLine(u))
          << "</p>\n";
    }
    out << "</section>\n";
  }
  const CaptureStats& s = r.stats;
  out << "<h2>About the capture</h2>\n<p>" << s.frames << " frames, " << s.flows << " flows; "
      << s.tcp_out_of_order << " TCP segments out of order, " << s.tcp_retransmitted
      << " retransmitted, " << s.tcp_gaps << " gaps; " << s.dns_messages << " DNS messages, "
      << s.tls_client_hellos << " TLS and " << s.quic_client_hellos << " QUIC ClientHellos, "
      << s.http_requests << " HTTP requests.</p>\n<p>Countries: geo-whois-asn-country (NRO, CC "
         "BY 4.0); AS numbers: ip-location-db asn (Route Views, DB-IP.com, CC BY 4.0).</p>\n"
         "</body></html>\n";
}

std::string RenderCaptureText(const CaptureReport& r, const CaptureReportOptions& o) {
  std::ostringstream out;
  WriteCaptureText(r, o, out);
  return out.str();
}

std::string RenderCaptureJson(const CaptureReport& r, const CaptureReportOptions& o) {
  std::ostringstream out;
  WriteCaptureJson(r, o, out);
  return out.str();
}

std::string RenderCaptureHtml(const CaptureReport& r, const CaptureReportOptions& o) {
  std::ostringstream out;
  WriteCaptureHtml(r, o, out);
  return out.str();
}

}  // namespace homeport::audit
