// The Glean schemas that ship with homeport (the top-level schemas/ folder), compiled into the
// binary at build time so a server always has them, wherever it runs from.
#pragma once

#include <span>
#include <string_view>

namespace homeport::schema {

struct ShippedSchema {
  std::string_view app_id;        // the folder name: "homeport-agent"
  std::string_view metrics_path;  // "schemas/homeport-agent/metrics.yaml", for messages
  std::string_view metrics_yaml;
  std::string_view pings_path;  // empty when the folder has no pings.yaml
  std::string_view pings_yaml;
};

std::span<const ShippedSchema> ShippedSchemas();

}  // namespace homeport::schema
