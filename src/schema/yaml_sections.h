// Readers of the two Glean definition files, shared by the schema loader. Each reads one
// parsed file into `app`, recording every problem in `e` as "file:line: what is wrong".
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "schema/app_schema.h"
#include "schema/yaml_reader.h"

namespace homeport::schema {

inline constexpr std::string_view kMetricsSchemaId =
    "moz://mozilla.org/schemas/glean/metrics/2-0-0";
inline constexpr std::string_view kPingsSchemaId = "moz://mozilla.org/schemas/glean/pings/2-0-0";

// The `metadata` mapping of a metric or ping. Glean's schema defines `tags` (and, for pings,
// a few SDK switches) and leaves the mapping open; homeport adds `retention_days`.
struct MetadataValues {
  int retention_days = kDefaultRetentionDays;
  std::vector<std::string> tags;
  bool include_info_sections = true;  // pings only
};
void ReadMetadata(const YAML::Node& n, bool for_ping, std::string_view owner, YamlErrors& e,
                  MetadataValues& out);

// notification_emails: at least one address. bugs / data_reviews: URLs, at least `min`.
void CheckEmails(const YAML::Node& n, std::string_view owner, YamlErrors& e);
void CheckUris(const YAML::Node& n, std::string_view owner, std::string_view key, size_t min,
               YamlErrors& e);

// Checks `$schema` and the other top-level keys every Glean file may have.
void CheckSchemaId(const YAML::Node& root, std::string_view expected, YamlErrors& e);

// pings.yaml: adds each declared ping to app.pings. Read it before metrics.yaml so that
// send_in_pings can be checked against the declared pings.
void ReadPingsYaml(const YAML::Node& root, YamlErrors& e, AppSchema& app);
// metrics.yaml: adds each metric to app.metrics; app.pings must already hold every ping.
void ReadMetricsYaml(const YAML::Node& root, YamlErrors& e, AppSchema& app);

}  // namespace homeport::schema
