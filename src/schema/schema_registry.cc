// Loads the shipped schemas and the operator's schema directories into one registry.
#include "schema/schema_registry.h"

#include <algorithm>

#include "schema/schema_loader.h"
#include "schema/shipped_schemas.h"

namespace homeport::schema {
namespace {

// True when `dir/app_id` holds exactly the shipped files of `app_id`.
bool IsCopyOfShipped(std::string_view app_id, const std::string& metrics_text,
                     const std::optional<std::string>& pings_text) {
  for (const ShippedSchema& s : ShippedSchemas()) {
    if (s.app_id != app_id) continue;
    bool pings_same =
        pings_text ? (!s.pings_path.empty() && *pings_text == s.pings_yaml) : s.pings_path.empty();
    return metrics_text == s.metrics_yaml && pings_same;
  }
  return false;
}

}  // namespace

Result<SchemaRegistry> SchemaRegistry::WithShippedSchemas() {
  SchemaRegistry registry;
  for (const ShippedSchema& s : ShippedSchemas()) {
    std::optional<SchemaFile> pings;
    if (!s.pings_path.empty())
      pings = SchemaFile{std::string(s.pings_path), std::string(s.pings_yaml)};
    Result<AppSchema> app = ParseAppSchema(
        s.app_id, SchemaFile{std::string(s.metrics_path), std::string(s.metrics_yaml)}, pings);
    if (!app.ok()) return app.status().WithContext("shipped schema " + std::string(s.app_id));
    registry.apps_.emplace(app->app_id, std::move(app).value());
  }
  return registry;
}

Result<SchemaRegistry> SchemaRegistry::Create(std::vector<AppSchema> apps) {
  HOMEPORT_ASSIGN_OR_RETURN(SchemaRegistry registry, WithShippedSchemas());
  for (AppSchema& app : apps) {
    std::string id = app.app_id;
    if (!registry.apps_.emplace(id, std::move(app)).second) {
      return Status::InvalidArgument("application '" + id + "' is registered twice");
    }
  }
  return registry;
}

Result<SchemaRegistry> SchemaRegistry::Load(const std::vector<std::string>& dirs, Env* env) {
  HOMEPORT_ASSIGN_OR_RETURN(SchemaRegistry registry, WithShippedSchemas());
  std::map<std::string, std::string> origin;  // app_id → directory it came from
  for (const std::string& dir : dirs) {
    HOMEPORT_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
    std::sort(names.begin(), names.end());
    for (const std::string& app_id : names) {
      if (app_id.starts_with(".")) continue;
      const std::string base = dir + "/" + app_id;
      const std::string metrics_path = base + "/metrics.yaml";
      const std::string pings_path = base + "/pings.yaml";
      if (!env->FileExists(metrics_path)) {
        if (env->FileExists(pings_path)) {
          return Status::InvalidArgument(pings_path + ": has no metrics.yaml beside it");
        }
        continue;  // a README or another unrelated entry
      }
      HOMEPORT_ASSIGN_OR_RETURN(std::string metrics_text, env->ReadFile(metrics_path));
      std::optional<std::string> pings_text;
      if (env->FileExists(pings_path)) {
        HOMEPORT_ASSIGN_OR_RETURN(pings_text, env->ReadFile(pings_path));
      }
      if (registry.apps_.count(app_id)) {
        if (!origin.count(app_id) && IsCopyOfShipped(app_id, metrics_text, pings_text)) continue;
        return Status::InvalidArgument(
            base + ": application '" + app_id + "' is already registered from " +
            (origin.count(app_id) ? origin[app_id] : std::string("homeport's shipped schemas")));
      }
      std::optional<SchemaFile> pings;
      if (pings_text) pings = SchemaFile{pings_path, std::move(*pings_text)};
      HOMEPORT_ASSIGN_OR_RETURN(
          AppSchema app,
          ParseAppSchema(app_id, SchemaFile{metrics_path, std::move(metrics_text)}, pings));
      origin[app_id] = dir;
      registry.apps_.emplace(app_id, std::move(app));
    }
  }
  return registry;
}

const AppSchema* SchemaRegistry::Find(std::string_view app_id) const {
  auto it = apps_.find(app_id);
  return it == apps_.end() ? nullptr : &it->second;
}

}  // namespace homeport::schema
