// Reading metrics.yaml (moz://mozilla.org/schemas/glean/metrics/2-0-0): every metric parameter
// glean_parser knows, checked for type and applicability as glean_parser checks them, so a
// file accepted here builds with the Glean SDKs too.
#include <algorithm>
#include <array>
#include <set>

#include "schema/builtin_pings.h"
#include "schema/metric_parameters.h"
#include "schema/yaml_sections.h"

namespace homeport::schema {
namespace {

bool ReadExpiry(const YAML::Node& n, const std::string& who, YamlErrors& e, Expiry& out) {
  const std::string bad = who +
                          ": expires must be a date YYYY-MM-DD, \"never\", \"expired\" "
                          "or a major version number";
  if (IsPlainInt(n)) {
    auto v = ReadInt(n, who + ": expires", e);
    if (!v || *v < 1 || *v > 1'000'000) {
      e.Add(n, bad);
      return false;
    }
    out.kind = Expiry::Kind::kMajorVersion;
    out.major_version = static_cast<int>(*v);
    return true;
  }
  if (!n.IsScalar()) {
    e.Add(n, bad);
    return false;
  }
  const std::string& s = n.Scalar();
  if (s == "never" || s == "expired") {
    out.kind = s == "never" ? Expiry::Kind::kNever : Expiry::Kind::kExpired;
    return true;
  }
  unsigned y = 0, m = 0, d = 0;
  bool shape = s.size() == 10 && s[4] == '-' && s[7] == '-';
  for (size_t i = 0; shape && i < s.size(); ++i) {
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) shape = false;
  }
  if (shape) {
    y = std::stoul(s.substr(0, 4));
    m = std::stoul(s.substr(5, 2));
    d = std::stoul(s.substr(8, 2));
    std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(y)), std::chrono::month(m),
                                    std::chrono::day(d)};
    if (ymd.ok()) {
      out.kind = Expiry::Kind::kDate;
      out.date = std::chrono::sys_days(ymd);
      return true;
    }
  }
  e.Add(n, bad + ", not '" + s + "'");
  return false;
}

std::optional<std::vector<std::string>> ReadLabels(const YAML::Node& n, const std::string& what,
                                                   YamlErrors& e) {
  if (n.IsNull()) return std::vector<std::string>{};
  auto labels = ReadStringList(n, what, e);
  if (!labels) return std::nullopt;
  std::set<std::string> seen;
  for (const std::string& l : *labels) {
    if (!IsPrintableAscii(l) || l.size() > 111) {
      e.Add(n, what + ": label '" + l + "' must be 1 to 111 printable ASCII characters");
    } else if (!seen.insert(l).second) {
      e.Add(n, what + ": label '" + l + "' appears twice");
    }
  }
  if (labels->size() > 4096) e.Add(n, what + ": at most 4096 labels");
  return labels;
}

void ReadDualLabels(const YAML::Node& n, const std::string& who, YamlErrors& e,
                    MetricDefinition& d) {
  if (!n.IsMap()) {
    e.Add(n, who + ": dual_labels must be a mapping with 'key' and 'category'");
    return;
  }
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string dim = it->first.Scalar();
    if (dim != "key" && dim != "category") {
      e.Add(it->first, who + ": dual_labels has only 'key' and 'category', not '" + dim + "'");
      continue;
    }
    const YAML::Node body = it->second;
    if (!body.IsMap() || !body["description"]) {
      e.Add(body.IsDefined() ? body : it->first,
            who + ": dual_labels." + dim + " needs a description");
      continue;
    }
    for (auto kv = body.begin(); kv != body.end(); ++kv) {
      const std::string k = kv->first.Scalar();
      if (k == "description") {
        ReadString(kv->second, who + ": dual_labels." + dim + ".description", e);
      } else if (k == "labels") {
        auto labels = ReadLabels(kv->second, who + ": dual_labels." + dim + ".labels", e);
        if (labels) (dim == "key" ? d.dual_key_labels : d.dual_category_labels) = *labels;
      } else {
        e.Add(kv->first, who + ": unknown key '" + k + "' in dual_labels." + dim);
      }
    }
  }
  if (!n["key"] || !n["category"]) e.Add(n, who + ": dual_labels needs both 'key' and 'category'");
}

void ReadExtraKeys(const YAML::Node& n, const std::string& who, YamlErrors& e,
                   MetricDefinition& d) {
  if (!n.IsMap()) {
    e.Add(n, who + ": extra_keys must be a mapping of key names to {description, type}");
    return;
  }
  CheckDuplicateKeys(n, who + ": extra_keys", e);
  if (n.size() > 50) e.Add(n, who + ": at most 50 extra_keys");
  for (auto it = n.begin(); it != n.end(); ++it) {
    EventExtraKey k;
    k.name = it->first.Scalar();
    if (!IsPrintableAscii(k.name) || k.name.size() > 40) {
      e.Add(it->first, who + ": extra key '" + k.name + "' must be 1 to 40 printable characters");
    } else if (k.name.starts_with("glean.")) {
      e.Add(it->first, who + ": extra keys beginning with 'glean.' are reserved for Glean");
    }
    const YAML::Node body = it->second;
    if (!body.IsMap() || !body["description"]) {
      e.Add(body.IsDefined() && !body.IsNull() ? body : it->first,
            who + ": extra key '" + k.name + "' needs a description");
      continue;
    }
    for (auto kv = body.begin(); kv != body.end(); ++kv) {
      const std::string f = kv->first.Scalar();
      if (f == "description") {
        if (auto s = ReadString(kv->second, who + ": extra key description", e)) k.description = *s;
      } else if (f == "type") {
        auto t = ReadString(kv->second, who + ": extra key type", e);
        if (t && *t == "string") {
          k.type = EventExtraKey::Type::kString;
        } else if (t && *t == "boolean") {
          k.type = EventExtraKey::Type::kBoolean;
        } else if (t && *t == "quantity") {
          k.type = EventExtraKey::Type::kQuantity;
        } else if (t) {
          e.Add(kv->second, who + ": extra key type must be string, boolean or quantity");
        }
      } else {
        e.Add(kv->first, who + ": unknown key '" + f + "' in extra key '" + k.name + "'");
      }
    }
    d.extra_keys.push_back(std::move(k));
  }
}

std::vector<std::string> ResolveSendInPings(std::vector<std::string> pings, MetricType type) {
  for (std::string& p : pings) {
    if (p == "default") p = type == MetricType::kEvent ? "events" : "metrics";
  }
  std::sort(pings.begin(), pings.end());
  pings.erase(std::unique(pings.begin(), pings.end()), pings.end());
  return pings;
}

void ReadSendInPings(const YAML::Node& n, const std::string& who, const AppSchema& app,
                     YamlErrors& e, MetricDefinition& d) {
  auto pings = ReadStringList(n, who + ": send_in_pings", e);
  if (!pings) return;
  for (const std::string& p : *pings) {
    if (p == "all-pings") {
      e.Add(n, who + ": only Glean's own metrics may be sent in \"all-pings\"");
    } else if (!IsKebabCase(p) && !p.starts_with("glean_")) {
      e.Add(n, who + ": send_in_pings entry '" + p + "' is not a kebab-case ping name");
    } else if (p != "default" && !p.starts_with("glean_") && !app.FindPing(p)) {
      e.Add(n, who + ": send_in_pings names ping '" + p +
                   "', which is neither declared in pings.yaml nor built into Glean");
    } else if (d.type == MetricType::kText && (IsReservedPingName(p) || p.starts_with("glean_"))) {
      e.Add(n, who + ": text metrics can only be sent in custom pings, not in '" + p + "'");
    }
  }
  d.send_in_pings = ResolveSendInPings(*pings, d.type);
}

// One `key: value` of a metric whose type is known and to which `key` applies.
void ReadParameter(const std::string& key, const YAML::Node& v, const std::string& who,
                   const AppSchema& app, YamlErrors& e, MetricDefinition& d) {
  if (key == "description") {
    if (auto s = ReadDescription(v, who, e)) d.description = *s;
  } else if (key == "metadata") {
    MetadataValues meta;
    ReadMetadata(v, false, who, e, meta);
    d.retention_days = meta.retention_days;
    d.tags.insert(d.tags.end(), meta.tags.begin(), meta.tags.end());
  } else if (key == "lifetime") {
    auto s = ReadString(v, who + ": lifetime", e);
    if (auto l = s ? ParseLifetime(*s) : std::nullopt) {
      d.lifetime = *l;
    } else if (s) {
      e.Add(v, who + ": lifetime must be ping, application or user, not '" + *s + "'");
    }
  } else if (key == "send_in_pings") {
    ReadSendInPings(v, who, app, e, d);
  } else if (key == "notification_emails") {
    CheckEmails(v, who, e);
  } else if (key == "bugs") {
    CheckUris(v, who, "bugs", 1, e);
  } else if (key == "data_reviews") {
    CheckUris(v, who, "data_reviews", 0, e);
  } else if (key == "disabled") {
    if (auto b = ReadBool(v, who + ": disabled", e)) d.disabled = *b;
  } else if (key == "in_session") {
    ReadBool(v, who + ": in_session", e);
  } else if (key == "expires") {
    ReadExpiry(v, who, e, d.expires);
  } else if (key == "version") {
    auto n = ReadInt(v, who + ": version", e);
    if (n && *n < 0) e.Add(v, who + ": version must not be negative");
  } else if (key == "unit") {
    if (auto s = ReadString(v, who + ": unit", e)) d.unit = *s;
  } else if (key == "gecko_datapoint" || key == "telemetry_mirror" || key == "denominator_metric") {
    ReadString(v, who + ": " + key, e);
  } else if (key == "no_lint") {
    ReadStringList(v, who + ": no_lint", e);
  } else if (key == "data_sensitivity") {
    auto list = ReadStringList(v, who + ": data_sensitivity", e);
    for (const std::string& s : list ? *list : std::vector<std::string>{}) {
      auto ds = ParseDataSensitivity(s);
      if (!ds) {
        e.Add(v, who + ": data_sensitivity '" + s +
                     "' is not one of technical, interaction, "
                     "stored_content, web_activity, highly_sensitive");
      } else if (std::find(d.data_sensitivity.begin(), d.data_sensitivity.end(), *ds) !=
                 d.data_sensitivity.end()) {
        e.Add(v, who + ": data_sensitivity '" + s + "' appears twice");
      } else {
        d.data_sensitivity.push_back(*ds);
      }
    }
  } else if (key == "time_unit") {
    auto s = ReadString(v, who + ": time_unit", e);
    if (auto u = s ? ParseTimeUnit(*s) : std::nullopt) {
      d.time_unit = *u;
    } else if (s) {
      e.Add(v, who +
                   ": time_unit must be one of nanosecond, microsecond, millisecond, second, "
                   "minute, hour, day");
    }
  } else if (key == "memory_unit") {
    auto s = ReadString(v, who + ": memory_unit", e);
    if (auto u = s ? ParseMemoryUnit(*s) : std::nullopt) {
      d.memory_unit = *u;
    } else if (s) {
      e.Add(v, who + ": memory_unit must be one of byte, kilobyte, megabyte, gigabyte");
    }
  } else if (key == "labels") {
    if (auto labels = ReadLabels(v, who + ": labels", e)) d.labels = *labels;
  } else if (key == "dual_labels") {
    ReadDualLabels(v, who, e, d);
  } else if (key == "extra_keys") {
    ReadExtraKeys(v, who, e, d);
  } else if (key == "range_min" || key == "range_max") {
    ReadNumber(v, who + ": " + key, e);
  } else if (key == "bucket_count") {
    auto n = ReadInt(v, who + ": bucket_count", e);
    if (n && (*n < 1 || *n > 100)) e.Add(v, who + ": bucket_count must be between 1 and 100");
  } else if (key == "histogram_type") {
    auto s = ReadString(v, who + ": histogram_type", e);
    if (s && *s != "linear" && *s != "exponential") {
      e.Add(v, who + ": histogram_type must be linear or exponential");
    }
  } else if (key == "structure") {
    if (auto s = ReadObjectStructure(v, who, e)) d.structure = std::move(*s);
  }
}

void ReadMetric(const std::string& category, const YAML::Node& name_node, const YAML::Node& body,
                const std::vector<std::string>& file_tags, YamlErrors& e, AppSchema& app) {
  MetricDefinition d;
  d.category = category;
  d.name = name_node.Scalar();
  d.full_name = category + "." + d.name;
  d.source = {e.file(), YamlErrors::LineOf(name_node)};
  const std::string who = d.full_name;
  if (!IsSnakeCase(d.name) || d.name.size() > 70) {
    e.Add(name_node, who + ": metric name must be snake_case, at most 70 characters");
    return;
  }
  if (!body.IsMap()) {
    e.Add(body.IsNull() ? name_node : body, who + ": must be a mapping of metric parameters");
    return;
  }
  CheckDuplicateKeys(body, who, e);
  const YAML::Node type_node = body["type"];
  if (!type_node) {
    e.Add(name_node, who + ": missing required key 'type'");
    return;
  }
  auto type_name = ReadString(type_node, who + ": type", e);
  if (!type_name) return;
  auto type = ParseMetricType(*type_name);
  if (!type) {
    e.Add(type_node, who + ": " +
                         (*type_name == "jwe" ? std::string("Glean removed the jwe metric type")
                                              : "unknown metric type '" + *type_name + "'"));
    return;
  }
  d.type = *type;
  if (d.type == MetricType::kTimingDistribution ||
      d.type == MetricType::kLabeledTimingDistribution) {
    d.time_unit = TimeUnit::kNanosecond;
  }
  d.send_in_pings = ResolveSendInPings({"default"}, d.type);
  std::set<std::string> present;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string key = it->first.Scalar();
    present.insert(key);
    if (!IsMetricParameter(key)) {
      e.Add(it->first, who + ": unknown metric parameter '" + key + "'");
    } else if (!ParameterAppliesTo(key, d.type)) {
      e.Add(it->first, who + ": '" + key + "' does not apply to a " +
                           std::string(MetricTypeName(d.type)) + " metric");
    } else if (key != "type") {
      ReadParameter(key, it->second, who, app, e, d);
    }
  }
  for (std::string_view req : RequiredParameters(d.type)) {
    if (!present.count(std::string(req))) {
      e.Add(name_node, who + ": missing required key '" + std::string(req) + "'");
    }
  }
  CheckTypeRules(body, present, who, e, d);
  d.tags.insert(d.tags.end(), file_tags.begin(), file_tags.end());
  std::sort(d.tags.begin(), d.tags.end());
  d.tags.erase(std::unique(d.tags.begin(), d.tags.end()), d.tags.end());
  if (!app.metrics.emplace(d.full_name, d).second) {
    e.Add(name_node, who + ": defined twice");
  }
}

}  // namespace

void ReadMetricsYaml(const YAML::Node& root, YamlErrors& e, AppSchema& app) {
  if (!root.IsMap()) {
    e.Add(root, "a metrics.yaml must be a mapping of categories to metrics");
    return;
  }
  CheckDuplicateKeys(root, "metrics.yaml", e);
  CheckSchemaId(root, kMetricsSchemaId, e);
  std::vector<std::string> file_tags;
  if (const YAML::Node tags = root["$tags"]) {
    if (auto t = ReadStringList(tags, "$tags", e)) file_tags = *t;
  }
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string category = it->first.Scalar();
    if (category == "$schema" || category == "$tags" || category == "no_lint") continue;
    if (auto problem = CategoryNameProblem(category)) {
      e.Add(it->first, "category '" + category + "': " + *problem);
      continue;
    }
    const YAML::Node metrics = it->second;
    if (!metrics.IsMap()) {
      e.Add(metrics.IsNull() ? it->first : metrics,
            "category '" + category + "' must be a mapping of metric names to definitions");
      continue;
    }
    CheckDuplicateKeys(metrics, "category '" + category + "'", e);
    for (auto m = metrics.begin(); m != metrics.end(); ++m) {
      ReadMetric(category, m->first, m->second, file_tags, e, app);
    }
  }
  CheckDenominators(root, e, app);
  // glean_parser reads every `expires` of a product either as dates or as major versions.
  const MetricDefinition* by_date = nullptr;
  const MetricDefinition* by_version = nullptr;
  for (const auto& [name, m] : app.metrics) {
    if (m.expires.kind == Expiry::Kind::kDate && !by_date) by_date = &m;
    if (m.expires.kind == Expiry::Kind::kMajorVersion && !by_version) by_version = &m;
  }
  if (by_date && by_version) {
    e.AddAtLine(by_version->source.line,
                by_version->full_name + ": expires by major version, but " + by_date->full_name +
                    " expires by date; one application cannot mix both");
  }
}

}  // namespace homeport::schema
