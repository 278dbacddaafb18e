// The table of the Glean SDK's own metrics, transcribed from glean-core/metrics.yaml (names,
// types, fixed labels, event extra keys, units). Dynamic labels of the SDK's labeled counters
// (glean.error.* are labeled by metric name, glean.validation.pings_submitted by ping name)
// are free text to the server and scrubbed like any other.
#include "schema/glean_sdk_metrics.h"

#include <map>

namespace homeport::schema {
namespace {

using T = MetricType;

struct SdkMetric {
  std::string_view name;
  MetricType type;
  std::vector<std::string> labels = {};
  std::vector<EventExtraKey> extras = {};
  TimeUnit time_unit = TimeUnit::kMillisecond;
  MemoryUnit memory_unit = MemoryUnit::kByte;
};

EventExtraKey Extra(std::string name, EventExtraKey::Type type) {
  return {std::move(name), "", type};
}

nlohmann::json DataDirectoryInfoStructure() {
  // glean.health.data_directory_info: an array of directory descriptions.
  nlohmann::json file = {{"type", "object"},
                         {"properties",
                          {{"file_name", {{"type", "string"}}},
                           {"file_created", {{"type", "number"}}},
                           {"file_modified", {{"type", "number"}}},
                           {"file_size", {{"type", "number"}}},
                           {"error_message", {{"type", "string"}}}}}};
  nlohmann::json dir = {{"type", "object"},
                        {"properties",
                         {{"dir_name", {{"type", "string"}}},
                          {"dir_exists", {{"type", "boolean"}}},
                          {"dir_created", {{"type", "number"}}},
                          {"dir_modified", {{"type", "number"}}},
                          {"file_count", {{"type", "number"}}},
                          {"error_message", {{"type", "string"}}},
                          {"files", {{"type", "array"}, {"items", file}}}}}};
  return {{"type", "array"}, {"items", dir}};
}

std::map<std::string, MetricDefinition, std::less<>> MakeTable() {
  using X = EventExtraKey::Type;
  const std::vector<SdkMetric> sdk = {
      {"glean.baseline.duration", T::kTimespan, {}, {}, TimeUnit::kSecond},
      {"glean.client.annotation.experimentation_id", T::kString},
      {"glean.error.invalid_value", T::kLabeledCounter},
      {"glean.error.invalid_label", T::kLabeledCounter},
      {"glean.error.invalid_state", T::kLabeledCounter},
      {"glean.error.invalid_overflow", T::kLabeledCounter},
      {"glean.error.preinit_tasks_overflow", T::kCounter},
      {"glean.error.io", T::kCounter},
      {"glean.error.event_timestamp_clamped", T::kCounter},
      {"glean.upload.ping_upload_failure",
       T::kLabeledCounter,
       {"status_code_4xx", "status_code_5xx", "status_code_unknown", "unrecoverable", "recoverable",
        "incapable"}},
      {"glean.upload.discarded_exceeding_pings_size",
       T::kMemoryDistribution,
       {},
       {},
       TimeUnit::kMillisecond,
       MemoryUnit::kKilobyte},
      {"glean.upload.pending_pings_directory_size",
       T::kMemoryDistribution,
       {},
       {},
       TimeUnit::kMillisecond,
       MemoryUnit::kKilobyte},
      {"glean.upload.deleted_pings_after_quota_hit", T::kCounter},
      {"glean.upload.pending_pings_deleted", T::kLabeledCounter, {"count_quota", "size_quota"}},
      {"glean.upload.pending_pings", T::kCounter},
      {"glean.upload.send_success", T::kTimingDistribution},
      {"glean.upload.send_failure", T::kTimingDistribution},
      {"glean.upload.in_flight_pings_dropped", T::kCounter},
      {"glean.upload.missing_send_ids", T::kCounter},
      {"glean.database.size", T::kMemoryDistribution},
      {"glean.database.rkv_load_error", T::kString},
      {"glean.database.load_error", T::kString},
      {"glean.database.write_time", T::kTimingDistribution, {}, {}, TimeUnit::kMicrosecond},
      {"glean.validation.foreground_count", T::kCounter},
      {"glean.validation.pings_submitted", T::kLabeledCounter},
      {"glean.validation.shutdown_wait", T::kTimingDistribution},
      {"glean.validation.shutdown_dispatcher_wait", T::kTimingDistribution},
      {"glean.restarted", T::kEvent},
      {"glean.session_start",
       T::kEvent,
       {},
       {Extra("session_id", X::kString), Extra("session_seq", X::kQuantity),
        Extra("session_start_time", X::kString), Extra("sampled_in", X::kBoolean)}},
      {"glean.session_end",
       T::kEvent,
       {},
       {Extra("session_id", X::kString), Extra("session_seq", X::kQuantity),
        Extra("reason", X::kString)}},
      {"glean.sessions_seen", T::kCounter},
      {"glean.ping.uploader_capabilities", T::kStringList},
      {"glean.health.data_directory_info", T::kObject},
      {"glean.health.init_count", T::kCounter},
      {"glean.health.exception_state", T::kString},
      {"glean.health.recovered_client_id", T::kUuid},
      {"glean.health.file_read_error",
       T::kLabeledCounter,
       {"parse", "permission-denied", "io", "c0ffee-in-file", "file-not-found"}},
      {"glean.health.file_write_error",
       T::kLabeledCounter,
       {"permission-denied", "io", "not-found"}},
      {"glean.migration.failed_metrics", T::kCounter},
      {"glean.migration.metrics_in_sqlite", T::kCounter},
      {"glean.migration.migrated_metrics", T::kCounter},
      {"glean.migration.migration_duration", T::kTimingDistribution},
      {"glean.migration.error", T::kCounter},
  };
  std::map<std::string, MetricDefinition, std::less<>> table;
  for (const SdkMetric& m : sdk) {
    MetricDefinition d;
    d.full_name = std::string(m.name);
    size_t dot = m.name.rfind('.');
    d.category = std::string(m.name.substr(0, dot));
    d.name = std::string(m.name.substr(dot + 1));
    d.type = m.type;
    d.description = "A metric of the Glean SDK itself (glean-core/metrics.yaml).";
    d.labels = m.labels;
    d.extra_keys = m.extras;
    d.time_unit = m.time_unit;
    d.memory_unit = m.memory_unit;
    if (m.type == T::kObject) d.structure = DataDirectoryInfoStructure();
    d.source.file = "glean-core/metrics.yaml";
    table.emplace(d.full_name, std::move(d));
  }
  return table;
}

}  // namespace

const MetricDefinition* FindGleanSdkMetric(std::string_view full_name) {
  static const auto* table = new std::map<std::string, MetricDefinition, std::less<>>(MakeTable());
  auto it = table->find(full_name);
  return it == table->end() ? nullptr : &it->second;
}

bool IsGleanEventExtra(std::string_view key) { return key == "glean_timestamp"; }

bool IsGleanWallClockExtra(std::string_view event, std::string_view key) {
  return event == "glean.session_start" && key == "session_start_time";
}

}  // namespace homeport::schema
