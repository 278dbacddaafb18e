// SchemaRegistry: every application whose Glean pings this server accepts. The schemas that
// ship with homeport (schemas/, compiled in) are always there; more come from directories.
// Immutable once loaded, so any number of threads may read it without locking.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "homeport/env.h"
#include "homeport/status.h"
#include "schema/app_schema.h"

namespace homeport::schema {

class SchemaRegistry {
 public:
  // The shipped schemas, then each of `dirs` in order. A directory holds one folder per
  // application, named by its app_id: `<dir>/<app_id>/metrics.yaml` and, optionally,
  // `<dir>/<app_id>/pings.yaml`. Entries without a metrics.yaml are ignored. An app_id
  // defined twice is an error, except a copy of a shipped schema identical to it (so the
  // source tree's schemas/ may be passed too). InvalidArgument with file:line on any invalid
  // file; NotFound/IoError when a directory cannot be read.
  static Result<SchemaRegistry> Load(const std::vector<std::string>& dirs,
                                     Env* env = Env::Default());

  // The shipped schemas plus `apps`, already parsed (see ParseAppSchema); for tests and for
  // embedders that keep schemas elsewhere. InvalidArgument when an app_id repeats.
  static Result<SchemaRegistry> Create(std::vector<AppSchema> apps);

  // nullptr when no such application is registered.
  const AppSchema* Find(std::string_view app_id) const;
  // All applications, ordered by app_id.
  const std::map<std::string, AppSchema, std::less<>>& apps() const { return apps_; }

 private:
  SchemaRegistry() = default;
  static Result<SchemaRegistry> WithShippedSchemas();
  std::map<std::string, AppSchema, std::less<>> apps_;
};

}  // namespace homeport::schema
