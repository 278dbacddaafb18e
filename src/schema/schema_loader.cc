// Parses an application's metrics.yaml and pings.yaml: YAML syntax first, then pings (so that
// metrics can be checked against them), then metrics.
#include "schema/schema_loader.h"

#include "schema/builtin_pings.h"
#include "schema/yaml_sections.h"

namespace homeport::schema {
namespace {

// Parses YAML text; a syntax error becomes "file:line: ..." in `e`.
std::optional<YAML::Node> ParseYaml(const SchemaFile& file, YamlErrors& e) {
  try {
    return YAML::Load(file.text);
  } catch (const YAML::Exception& ex) {
    e.AddAtLine(ex.mark.is_null() ? 0 : ex.mark.line + 1, "YAML syntax: " + ex.msg);
  }
  return std::nullopt;
}

}  // namespace

bool IsValidAppId(std::string_view app_id) {
  if (app_id.empty() || app_id.size() > 100 || app_id.front() == '-') return false;
  for (char c : app_id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Result<AppSchema> ParseAppSchema(std::string_view app_id, const SchemaFile& metrics,
                                 const std::optional<SchemaFile>& pings) {
  if (!IsValidAppId(app_id)) {
    return Status::InvalidArgument("application id '" + std::string(app_id) +
                                   "' must be lower-case letters, digits and '-' (as in "
                                   "submission URLs, e.g. org-example-app)");
  }
  AppSchema app;
  app.app_id = std::string(app_id);
  YamlErrors metric_errors(metrics.path);
  std::optional<YAML::Node> metrics_root = ParseYaml(metrics, metric_errors);
  std::optional<YamlErrors> ping_errors;
  if (pings) {
    ping_errors.emplace(pings->path);
    if (std::optional<YAML::Node> root = ParseYaml(*pings, *ping_errors)) {
      ReadPingsYaml(*root, *ping_errors, app);
    }
  }
  for (const PingDefinition& p : BuiltinPings()) app.pings.emplace(p.name, p);
  if (metrics_root) ReadMetricsYaml(*metrics_root, metric_errors, app);

  std::string message;
  for (const YamlErrors* e : {ping_errors ? &*ping_errors : nullptr, &metric_errors}) {
    if (e == nullptr || e->empty()) continue;
    if (!message.empty()) message += '\n';
    message += e->ToStatus().message();
  }
  if (!message.empty()) return Status::InvalidArgument(message);
  return app;
}

Result<AppSchema> LoadAppSchema(std::string_view app_id, const std::string& metrics_yaml_path,
                                const std::string& pings_yaml_path, Env* env) {
  HOMEPORT_ASSIGN_OR_RETURN(std::string metrics_text, env->ReadFile(metrics_yaml_path));
  std::optional<SchemaFile> pings;
  if (!pings_yaml_path.empty()) {
    HOMEPORT_ASSIGN_OR_RETURN(std::string pings_text, env->ReadFile(pings_yaml_path));
    pings = SchemaFile{pings_yaml_path, std::move(pings_text)};
  }
  return ParseAppSchema(app_id, SchemaFile{metrics_yaml_path, std::move(metrics_text)}, pings);
}

}  // namespace homeport::schema
