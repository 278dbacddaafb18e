// The rules of metrics.yaml that depend on a metric's type: which parameters exist, which
// apply to which type, which are required, and the extra constraints glean_parser enforces
// (events live for one ping, text only travels in custom pings, object structures...).
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "schema/app_schema.h"
#include "schema/yaml_reader.h"

namespace homeport::schema {

// A key glean_parser knows for some metric type.
bool IsMetricParameter(std::string_view key);
// Whether `key` may appear on a metric of type `t` (glean_parser fails on e.g. `labels` on a
// counter).
bool ParameterAppliesTo(std::string_view key, MetricType t);
// The keys a metric of type `t` must have.
std::vector<std::string_view> RequiredParameters(MetricType t);
// Why `category` is not a valid category name, or nullopt when it is.
std::optional<std::string> CategoryNameProblem(std::string_view category);

// Rules across parameters, after all of them are read. `present` holds the keys written.
void CheckTypeRules(const YAML::Node& body, const std::set<std::string>& present,
                    const std::string& who, YamlErrors& e, const MetricDefinition& d);
// Every rate's `denominator_metric` must name a counter of the same file.
void CheckDenominators(const YAML::Node& root, YamlErrors& e, const AppSchema& app);

// An object metric's `structure`: a JSON-schema subset (type object/array at the root;
// object, array, number, string, boolean or oneOf below; properties; items), returned as JSON.
std::optional<nlohmann::json> ReadObjectStructure(const YAML::Node& n, const std::string& who,
                                                  YamlErrors& e);

}  // namespace homeport::schema
