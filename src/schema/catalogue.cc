// Builds the data catalogue: JSON from the registry, and HTML from that JSON, so the two never
// disagree.
#include "schema/catalogue.h"

#include <array>

#include "common/html.h"

namespace homeport::schema {
namespace {

struct EnvelopeEntry {
  const char* name;
  const char* type;
  const char* description;
};

// What every Glean ping carries besides its metrics (glean.1.schema.json), as stored.
constexpr std::array<EnvelopeEntry, 15> kEnvelope = {{
    {"client_info.client_id", "uuid",
     "A random identifier of this installation's participation, unrelated to the device's "
     "serial number or keys. Opting out erases all data sent under it; opting in again creates "
     "a new one."},
    {"client_info.first_run_date", "datetime", "The day the UX program first ran (day precision)."},
    {"client_info.os", "string", "Operating system name."},
    {"client_info.os_version", "string", "Operating system version."},
    {"client_info.android_sdk_version", "string", "Android SDK level, on Android."},
    {"client_info.device_manufacturer", "string", "Device maker."},
    {"client_info.device_model", "string", "Device model name."},
    {"client_info.architecture", "string", "CPU architecture, e.g. arm64."},
    {"client_info.locale", "string", "Language and region setting, e.g. en-SG."},
    {"client_info.app_build", "string", "Build identifier of the sending application."},
    {"client_info.app_display_version", "string", "Version of the sending application."},
    {"client_info.app_channel", "string", "Release channel of the sending application."},
    {"client_info.telemetry_sdk_build", "string", "Version of the Glean SDK."},
    {"ping_info.seq", "counter", "Sequence number of the ping, per ping name."},
    {"ping_info.start_time / end_time / reason", "datetime / string",
     "The day the ping covers (stored at day precision only) and why it was sent."},
}};

constexpr char kSdkMetricsNote[] =
    "Metrics of the Glean SDK itself (named glean.*, e.g. glean.error.invalid_value, "
    "glean.baseline.duration) report the SDK's health; they are accepted in every ping of "
    "every application, only under the names and types the Glean SDK defines, and kept as long "
    "as the ping that carries them.";

nlohmann::json Sensitivity(const MetricDefinition& m) {
  nlohmann::json out = nlohmann::json::array();
  for (DataSensitivity s : m.data_sensitivity) out.push_back(DataSensitivityName(s));
  return out;
}

nlohmann::json MetricJson(const MetricDefinition& m) {
  nlohmann::json j = {
      {"name", m.full_name},
      {"category", m.category},
      {"type", MetricTypeName(m.type)},
      {"description", m.description},
      {"data_sensitivity", Sensitivity(m)},
      {"retention_days", m.retention_days},
      {"send_in_pings", m.send_in_pings},
      {"lifetime", LifetimeName(m.lifetime)},
      {"expires", m.expires.ToString()},
      {"disabled", m.disabled},
  };
  if (!m.unit.empty()) j["unit"] = m.unit;
  if (m.type == MetricType::kTimespan || m.type == MetricType::kDatetime ||
      m.type == MetricType::kTimingDistribution ||
      m.type == MetricType::kLabeledTimingDistribution) {
    j["time_unit"] = TimeUnitName(m.time_unit);
  }
  if (IsLabeled(m.type)) j["labels"] = m.labels;
  if (m.type == MetricType::kEvent) {
    nlohmann::json extras = nlohmann::json::array();
    for (const EventExtraKey& k : m.extra_keys) {
      static constexpr const char* kTypes[] = {"string", "boolean", "quantity"};
      extras.push_back({{"name", k.name},
                        {"type", kTypes[static_cast<int>(k.type)]},
                        {"description", k.description}});
    }
    j["extra_keys"] = std::move(extras);
  }
  return j;
}

nlohmann::json PingJson(const PingDefinition& p) {
  return {{"name", p.name},
          {"description", p.description},
          {"builtin", p.builtin},
          {"include_client_id", p.include_client_id},
          {"send_if_empty", p.send_if_empty},
          {"reasons", p.reasons},
          {"retention_days", p.retention_days}};
}

std::string Text(const nlohmann::json& j) {
  if (j.is_string()) return HtmlEscape(j.get<std::string>());
  if (j.is_array()) {
    std::string out;
    for (const auto& item : j) out += (out.empty() ? "" : ", ") + Text(item);
    return out;
  }
  return HtmlEscape(j.dump());
}

std::string Cell(const std::string& html) { return "<td>" + html + "</td>"; }

std::string Days(const nlohmann::json& j) {
  int days = j.get<int>();
  return std::to_string(days) + (days == 1 ? " day" : " days");
}

constexpr char kStyle[] =
    "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:80rem;padding:0 1rem;"
    "color:#1b1b1b;line-height:1.4}table{border-collapse:collapse;width:100%;margin:0 0 2rem}"
    "th,td{border:1px solid #ccc;padding:.4rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f0f0f0}td.d{white-space:pre-line}code{font-size:.95em}"
    ".s-highly_sensitive,.s-stored_content,.s-web_activity{color:#a40000;font-weight:600}";

// What an activation stores about a device: the fields of the enrollment (from the factory)
// and of the activation record (from the device), each with why it is kept.
struct WarrantyField {
  const char* name;
  const char* description;
};
constexpr WarrantyField kWarrantyFields[] = {
    {"serial", "the device's serial number, from the factory: whose warranty it is"},
    {"model", "the device model, from the factory"},
    {"sku", "the stock-keeping unit (model, storage, colour), from the factory"},
    {"variant", "the firmware variant built for the device, from the factory"},
    {"region", "the region the device was made for; a device reports only there"},
    {"batch", "the factory batch: which devices a firmware fix must reach"},
    {"public_key", "the device's public key, from the factory, to check its signature"},
    {"warranty_start", "the warranty's first day (a date)"},
    {"activated_day", "the day of the first activation (a day, no time)"},
    {"last_checkin_day", "the day the device last reported a new firmware or manifest version"},
    {"client_version", "the activation client's version the device last reported"},
    {"manifest_version", "the region manifest's version the device last reported"},
    {"checkins", "how many times the device reported a new version"},
    {"sequence", "the device's counter of signed requests, to refuse replays"},
};
constexpr const char* kWarrantyPurpose =
    "Warranty activation: the warranty starts on the day a device is first activated, and "
    "check-ins show which devices run a firmware fix. No IP address, location, SIM, IMEI, "
    "phone number or account is received or kept.";
constexpr const char* kWarrantyLegalBasis =
    "performance of the warranty contract with the device's owner (GDPR Art. 6(1)(b))";
constexpr const char* kWarrantyRetention =
    "kept while the device's warranty can be claimed; homeport deletes no activation record by "
    "itself, the maker does when the warranty period ends";
constexpr const char* kUxPurpose =
    "The opt-in User Experience Program: how the device and its apps are used and how they "
    "fail, to improve them. Nothing is sent before the user opts in; opting out erases it.";
constexpr const char* kUxLegalBasis = "consent (GDPR Art. 6(1)(a)), given by opting in";

}  // namespace

nlohmann::json CatalogueJson(const SchemaRegistry& registry, const CatalogueOptions& options) {
  nlohmann::json apps = nlohmann::json::array();
  for (const auto& [app_id, app] : registry.apps()) {
    nlohmann::json pings = nlohmann::json::array();
    for (const auto& [name, ping] : app.pings) pings.push_back(PingJson(ping));
    nlohmann::json metrics = nlohmann::json::array();
    for (const auto& [name, metric] : app.metrics) metrics.push_back(MetricJson(metric));
    apps.push_back(
        {{"app_id", app_id}, {"pings", std::move(pings)}, {"metrics", std::move(metrics)}});
  }
  nlohmann::json envelope = nlohmann::json::array();
  for (const EnvelopeEntry& e : kEnvelope) {
    envelope.push_back({{"name", e.name}, {"type", e.type}, {"description", e.description}});
  }
  nlohmann::json warranty_fields = nlohmann::json::array();
  for (const WarrantyField& f : kWarrantyFields) {
    warranty_fields.push_back({{"name", f.name}, {"description", f.description}});
  }
  nlohmann::json contact = options.controller_contact.empty()
                               ? nlohmann::json(nullptr)
                               : nlohmann::json(options.controller_contact);
  return {{"controller", {{"contact", contact}}},
          {"warranty",
           {{"purpose", kWarrantyPurpose},
            {"legal_basis", kWarrantyLegalBasis},
            {"retention", kWarrantyRetention},
            {"fields", std::move(warranty_fields)}}},
          {"ux_program", {{"purpose", kUxPurpose}, {"legal_basis", kUxLegalBasis}}},
          {"default_retention_days", kDefaultRetentionDays},
          {"apps", std::move(apps)},
          {"envelope", std::move(envelope)},
          {"sdk_metrics", kSdkMetricsNote}};
}

std::string CatalogueHtml(const SchemaRegistry& registry, const CatalogueOptions& options) {
  const nlohmann::json cat = CatalogueJson(registry, options);
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>Data catalogue</title><style>";
  h += kStyle;
  h += "</style></head><body>\n<h1>Data catalogue</h1>\n"
       "<p>Everything a device or application may send to this server in the opt-in User "
       "Experience Program. The server refuses anything not listed here, removes identifiers "
       "from free text before storing it, erases a participant's data when they opt out, and "
       "deletes every document when its retention period ends.</p>\n";
  h += "<p>Controller: " +
       (cat["controller"]["contact"].is_string() ? Text(cat["controller"]["contact"])
                                                 : std::string("not configured on this server")) +
       "</p>\n";
  const auto& warranty = cat["warranty"];
  h += "<section id=\"warranty\">\n<h2>Warranty activation</h2>\n<p>" + Text(warranty["purpose"]) +
       "</p>\n<p>Legal basis: " + Text(warranty["legal_basis"]) + ". Retention: " +
       Text(warranty["retention"]) + ".</p>\n<table><tr><th>Field</th><th>Why</th></tr>\n";
  for (const auto& f : warranty["fields"]) {
    h += "<tr>" + Cell("<code>" + Text(f["name"]) + "</code>") + Cell(Text(f["description"])) +
         "</tr>\n";
  }
  h += "</table>\n</section>\n<h2>User Experience Program</h2>\n<p>" +
       Text(cat["ux_program"]["purpose"]) + "</p>\n<p>Legal basis: " +
       Text(cat["ux_program"]["legal_basis"]) + ".</p>\n";
  for (const auto& app : cat["apps"]) {
    const std::string id = Text(app["app_id"]);
    h += "<section id=\"app-" + id + "\">\n<h2>Application <code>" + id + "</code></h2>\n";
    h += "<h3>Pings</h3>\n<table><tr><th>Ping</th><th>Description</th><th>Client id</th>"
         "<th>Retention</th><th>Sent when</th></tr>\n";
    for (const auto& p : app["pings"]) {
      std::string reasons;
      for (const auto& [code, why] : p["reasons"].items()) {
        reasons += "<code>" + HtmlEscape(code) + "</code>: " + Text(why) + "<br>";
      }
      h += "<tr>" +
           Cell("<code>" + Text(p["name"]) + "</code>" +
                (p["builtin"].get<bool>() ? " (built into Glean)" : "")) +
           "<td class=\"d\">" + Text(p["description"]) + "</td>" +
           Cell(p["include_client_id"].get<bool>() ? "yes" : "no") +
           Cell(Days(p["retention_days"])) + Cell(reasons) + "</tr>\n";
    }
    h += "</table>\n<h3>Metrics</h3>\n";
    if (app["metrics"].empty()) h += "<p>No metrics declared.</p>\n";
    if (!app["metrics"].empty()) {
      h += "<table><tr><th>Metric</th><th>Type</th><th>Description</th><th>Sensitivity</th>"
           "<th>Retention</th><th>Pings</th><th>Lifetime</th><th>Expires</th></tr>\n";
    }
    for (const auto& m : app["metrics"]) {
      std::string sensitivity;
      for (const auto& s : m["data_sensitivity"]) {
        const std::string name = Text(s);
        sensitivity += (sensitivity.empty() ? "" : ", ") +
                       ("<span class=\"s-" + name + "\">" + name + "</span>");
      }
      std::string type = Text(m["type"]);
      if (m.contains("unit")) type += " (" + Text(m["unit"]) + ")";
      if (m.contains("time_unit")) type += " (" + Text(m["time_unit"]) + ")";
      std::string description = Text(m["description"]);
      if (m.contains("labels") && !m["labels"].empty())
        description += "\nLabels: " + Text(m["labels"]);
      if (m.contains("extra_keys")) {
        for (const auto& k : m["extra_keys"]) {
          description += "\nExtra " + Text(k["name"]) + " (" + Text(k["type"]) +
                         "): " + Text(k["description"]);
        }
      }
      h += "<tr>" + Cell("<code>" + Text(m["name"]) + "</code>") + Cell(type) + "<td class=\"d\">" +
           description + "</td>" + Cell(sensitivity.empty() ? "not declared" : sensitivity) +
           Cell(Days(m["retention_days"])) + Cell(Text(m["send_in_pings"])) +
           Cell(Text(m["lifetime"])) + Cell(Text(m["expires"])) + "</tr>\n";
    }
    if (!app["metrics"].empty()) h += "</table>\n";
    h += "</section>\n";
  }
  h += "<h2>Sent with every "
       "ping</h2>\n<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>\n";
  for (const auto& e : cat["envelope"]) {
    h += "<tr>" + Cell("<code>" + Text(e["name"]) + "</code>") + Cell(Text(e["type"])) +
         Cell(Text(e["description"])) + "</tr>\n";
  }
  h += "</table>\n<p>" + Text(cat["sdk_metrics"]) +
       "</p>\n<p>Unless a schema says otherwise, "
       "data is kept for " +
       std::to_string(kDefaultRetentionDays) + " days.</p>\n</body></html>\n";
  return h;
}

}  // namespace homeport::schema
