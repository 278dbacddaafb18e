// Type-dependent rules of metrics.yaml, transcribed from the 2-0-0 JSON schema and the
// checks glean_parser adds in Python.
#include "schema/metric_parameters.h"

#include <algorithm>
#include <array>

#include "schema/builtin_pings.h"

namespace homeport::schema {
namespace {

using T = MetricType;

constexpr std::array<std::string_view, 28> kParameters = {"type",
                                                          "description",
                                                          "metadata",
                                                          "lifetime",
                                                          "send_in_pings",
                                                          "notification_emails",
                                                          "bugs",
                                                          "data_reviews",
                                                          "disabled",
                                                          "expires",
                                                          "version",
                                                          "unit",
                                                          "gecko_datapoint",
                                                          "no_lint",
                                                          "data_sensitivity",
                                                          "telemetry_mirror",
                                                          "time_unit",
                                                          "memory_unit",
                                                          "labels",
                                                          "dual_labels",
                                                          "extra_keys",
                                                          "in_session",
                                                          "range_min",
                                                          "range_max",
                                                          "bucket_count",
                                                          "histogram_type",
                                                          "denominator_metric",
                                                          "structure"};

bool OneOf(T t, std::initializer_list<T> types) {
  return std::find(types.begin(), types.end(), t) != types.end();
}

}  // namespace

bool IsMetricParameter(std::string_view key) {
  return std::find(kParameters.begin(), kParameters.end(), key) != kParameters.end();
}

bool ParameterAppliesTo(std::string_view key, MetricType t) {
  if (key == "time_unit") {
    return OneOf(
        t, {T::kTimespan, T::kTimingDistribution, T::kDatetime, T::kLabeledTimingDistribution});
  }
  if (key == "memory_unit")
    return OneOf(t, {T::kMemoryDistribution, T::kLabeledMemoryDistribution});
  if (key == "labels") return IsLabeled(t);
  if (key == "dual_labels") return t == T::kDualLabeledCounter;
  if (key == "extra_keys" || key == "in_session") return t == T::kEvent;
  if (key == "range_min" || key == "range_max" || key == "bucket_count" ||
      key == "histogram_type") {
    return OneOf(t, {T::kCustomDistribution, T::kLabeledCustomDistribution});
  }
  if (key == "denominator_metric") return t == T::kRate;
  if (key == "structure") return t == T::kObject;
  return IsMetricParameter(key);
}

std::vector<std::string_view> RequiredParameters(MetricType t) {
  std::vector<std::string_view> req = {"type",         "description", "bugs", "notification_emails",
                                       "data_reviews", "expires"};
  switch (t) {
    case T::kQuantity:
      req.push_back("unit");
      break;
    case T::kMemoryDistribution:
      req.push_back("memory_unit");
      break;
    case T::kCustomDistribution:
    case T::kLabeledCustomDistribution:
      req.insert(req.end(), {"range_max", "bucket_count", "histogram_type"});
      break;
    case T::kObject:
      req.push_back("structure");
      break;
    case T::kDualLabeledCounter:
      req.push_back("dual_labels");
      break;
    default:
      break;
  }
  return req;
}

std::optional<std::string> CategoryNameProblem(std::string_view category) {
  bool shape = !category.empty() && category.size() <= 40;
  size_t start = 0;
  while (shape) {
    size_t dot = category.find('.', start);
    std::string_view part =
        category.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!IsSnakeCase(part) || part.size() > 30) shape = false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!shape) {
    return "category names are snake_case, optionally dotted, at most 40 characters";
  }
  if (category == "pings" || category == "tags") return "the name is reserved by Glean";
  std::string_view first = category.substr(0, category.find('.'));
  if (first == "glean" && category != "glean.attribution" && category != "glean.distribution") {
    return "categories beginning with 'glean' are reserved for the Glean SDK";
  }
  return std::nullopt;
}

void CheckTypeRules(const YAML::Node& body, const std::set<std::string>& present,
                    const std::string& who, YamlErrors& e, const MetricDefinition& d) {
  auto at = [&](const char* key) { return body[key] ? body[key] : body; };
  if (d.type == T::kEvent && d.lifetime != Lifetime::kPing) {
    e.Add(at("lifetime"), who + ": event metrics must have ping lifetime");
  }
  if (d.type == T::kText) {
    if (d.lifetime == Lifetime::kUser) {
      e.Add(at("lifetime"), who + ": text metrics must have ping or application lifetime");
    }
    for (DataSensitivity s : d.data_sensitivity) {
      if (s != DataSensitivity::kStoredContent && s != DataSensitivity::kWebActivity &&
          s != DataSensitivity::kHighlySensitive) {
        e.Add(at("data_sensitivity"), who +
                                          ": text metrics require data_sensitivity "
                                          "stored_content, web_activity or highly_sensitive");
        break;
      }
    }
    if (!present.count("send_in_pings")) {
      e.Add(body, who +
                      ": text metrics can only be sent in custom pings; list them in "
                      "send_in_pings");
    }
  }
  if ((d.category == "glean.attribution" || d.category == "glean.distribution") &&
      (d.name != "ext" || d.type != T::kObject)) {
    e.Add(body, who + ": category " + d.category + " only allows an object metric named 'ext'");
  }
}

void CheckDenominators(const YAML::Node& root, YamlErrors& e, const AppSchema& app) {
  for (const auto& [name, metric] : app.metrics) {
    if (metric.type != T::kRate) continue;
    const YAML::Node category = root[metric.category];
    const YAML::Node body = category ? category[metric.name] : YAML::Node();
    const YAML::Node denominator = body && body.IsMap() ? body["denominator_metric"] : YAML::Node();
    if (!denominator || !denominator.IsScalar()) continue;
    const MetricDefinition* counter = app.FindMetric(denominator.Scalar());
    if (!counter || counter->type != T::kCounter) {
      e.Add(denominator, name + ": denominator_metric '" + denominator.Scalar() +
                             "' is not a counter defined in this file");
    }
  }
}

std::optional<nlohmann::json> ReadObjectStructure(const YAML::Node& n, const std::string& who,
                                                  YamlErrors& e) {
  static const std::set<std::string> kAllowed = {"type", "properties", "items", "description",
                                                 "oneOf"};
  const bool root = who.find(" > ") == std::string::npos;
  const std::string what = who + (root ? ": structure" : "");
  if (!n.IsMap()) {
    e.Add(n, what + " must be a mapping");
    return std::nullopt;
  }
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!kAllowed.count(it->first.Scalar())) {
      e.Add(it->first, what + ": '" + it->first.Scalar() +
                           "' is not allowed (type, properties, items, description, oneOf)");
      return std::nullopt;
    }
  }
  if (const YAML::Node one_of = n["oneOf"]; one_of && !root) {
    nlohmann::json subtypes = nlohmann::json::array();
    for (const YAML::Node& alt : one_of.IsSequence() ? one_of : YAML::Node()) {
      const YAML::Node t = alt.IsMap() ? alt["type"] : YAML::Node();
      if (!t || !t.IsScalar() ||
          (t.Scalar() != "number" && t.Scalar() != "string" && t.Scalar() != "boolean")) {
        e.Add(alt, what + ": each oneOf entry needs a type of number, string or boolean");
        return std::nullopt;
      }
      subtypes.push_back(t.Scalar());
    }
    if (subtypes.empty()) {
      e.Add(one_of, what + ": oneOf must list at least one type");
      return std::nullopt;
    }
    return nlohmann::json{{"type", "oneOf"}, {"subtypes", subtypes}};
  }
  const YAML::Node type = n["type"];
  const std::string t = type && type.IsScalar() ? type.Scalar() : "";
  const bool container = t == "object" || t == "array";
  if (!container && (root || (t != "number" && t != "string" && t != "boolean"))) {
    e.Add(type ? type : n,
          what + ": type must be " +
              (root ? "object or array" : "object, array, number, string or boolean"));
    return std::nullopt;
  }
  nlohmann::json out{{"type", t}};
  if (t == "object") {
    const YAML::Node props = n["properties"];
    if (!props || !props.IsMap() || n["items"]) {
      e.Add(n, what + ": an object needs 'properties' (and no 'items')");
      return std::nullopt;
    }
    out["properties"] = nlohmann::json::object();
    for (auto it = props.begin(); it != props.end(); ++it) {
      auto sub = ReadObjectStructure(it->second, who + " > " + it->first.Scalar(), e);
      if (!sub) return std::nullopt;
      out["properties"][it->first.Scalar()] = std::move(*sub);
    }
  } else if (t == "array") {
    if (!n["items"] || n["properties"]) {
      e.Add(n, what + ": an array needs 'items' (and no 'properties')");
      return std::nullopt;
    }
    auto sub = ReadObjectStructure(n["items"], who + " > []", e);
    if (!sub) return std::nullopt;
    out["items"] = std::move(*sub);
  }
  return out;
}

}  // namespace homeport::schema
