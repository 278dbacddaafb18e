// Loading one application's Glean definitions (metrics.yaml, optional pings.yaml) into an
// AppSchema. Every problem is reported, one per line, as "file:line: what is wrong".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "homeport/env.h"
#include "homeport/status.h"
#include "schema/app_schema.h"

namespace homeport::schema {

// A definition file's name (used in error messages and SourceLocation) and its text.
struct SchemaFile {
  std::string path;
  std::string text;
};

// Application ids as they appear in submission URLs: lower-case letters, digits and '-',
// starting with a letter or digit, at most 100 characters ("org-example-app").
bool IsValidAppId(std::string_view app_id);

// Parses the two files of application `app_id`. Without `pings`, the application may only use
// Glean's built-in pings. The result's pings include the built-in ones. InvalidArgument when
// anything is wrong.
Result<AppSchema> ParseAppSchema(std::string_view app_id, const SchemaFile& metrics,
                                 const std::optional<SchemaFile>& pings);

// Reads and parses the files; an empty `pings_yaml_path` means none. NotFound / IoError when
// a file cannot be read.
Result<AppSchema> LoadAppSchema(std::string_view app_id, const std::string& metrics_yaml_path,
                                const std::string& pings_yaml_path, Env* env = Env::Default());

}  // namespace homeport::schema
