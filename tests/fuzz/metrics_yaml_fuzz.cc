// An application's metrics.yaml as an operator (or an attacker with write access to a schema
// directory) might write it: the YAML reader and every section of the Glean definition format.
#include "schema/schema_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  homeport::schema::SchemaFile metrics{"metrics.yaml",
                                       std::string(reinterpret_cast<const char*>(data), size)};
  (void)homeport::schema::ParseAppSchema("fuzz-app", metrics, std::nullopt);
  return 0;
}
