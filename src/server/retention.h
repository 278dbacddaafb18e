// Retention (S6): documents go when their ping's retention has passed; a metric declared with
// a shorter retention than its ping loses its value earlier, the rest of the document staying.
// Run periodically by `homeport serve` and on demand by `homeport retention run`.
#pragma once

#include <cstdint>

#include "schema/schema_registry.h"
#include "store/store.h"

namespace homeport {

struct RetentionReport {
  int64_t documents_removed = 0;
  int64_t metric_values_removed = 0;  // documents from which a short-lived metric was removed
};

Result<RetentionReport> RunRetention(Store& store, const schema::SchemaRegistry& schemas,
                                     TimePoint now);

}  // namespace homeport
