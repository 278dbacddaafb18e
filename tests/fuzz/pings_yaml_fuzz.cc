// An application's pings.yaml, beside a small valid metrics.yaml that sends metrics in a
// custom ping, so the cross-checks between the two files run too.
#include "schema/schema_loader.h"

namespace {
constexpr const char* kMetrics = R"(---
$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0
app:
  opened:
    type: counter
    description: Times the app was opened.
    bugs: [https://example.com/1]
    data_reviews: [https://example.com/2]
    notification_emails: [dev@example.com]
    expires: never
    send_in_pings: [usage]
)";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  homeport::schema::SchemaFile metrics{"metrics.yaml", kMetrics};
  homeport::schema::SchemaFile pings{"pings.yaml",
                                     std::string(reinterpret_cast<const char*>(data), size)};
  (void)homeport::schema::ParseAppSchema("fuzz-app", metrics, pings);
  return 0;
}
