// Shape checks of single values in a Glean ping (internal to the validator): one function per
// concern, each appending violations and scrub targets to a ValidationResult.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "schema/app_schema.h"
#include "schema/ping_validator.h"

namespace homeport::schema {

// Appends a violation, or counts it as omitted beyond kMaxViolations.
void AddViolation(ValidationResult& r, ViolationKind kind, std::string field, std::string message);
// At most the first 100 bytes of a name taken from the payload, for messages.
std::string Clip(std::string_view s);
// `base` + "/" + escaped `token`.
std::string PointerJoin(const std::string& base, std::string_view token);
// "a string", "an integer", "an object"... for messages.
std::string_view JsonKindName(simdjson::dom::element v);
// 8-4-4-4-12 hex digits.
bool IsUuid(std::string_view s);
// A key appearing twice in `obj`, if any. simdjson keeps both; a JSON library that keeps only
// the last would store a value that was never validated, so such documents are refused.
std::optional<std::string_view> FindDuplicateKey(simdjson::dom::object obj);
// True when `obj` has no repeated key; otherwise records a kDuplicateKey violation at `ptr`.
bool CheckUniqueKeys(ValidationResult& r, simdjson::dom::object obj, const std::string& ptr);
// Non-negative integer (JSON integer, not 1.0).
bool IsCount(simdjson::dom::element v);

// Checks the value of a metric of type `type` at `ptr`. `def` is its declaration, or nullptr
// for the SDK's own glean.* metrics (then only the shape is checked and nothing is scrubbed).
// Must not be called with kEvent (events travel in the "events" array).
void CheckMetricValue(MetricType type, const MetricDefinition* def, simdjson::dom::element v,
                      const std::string& ptr, ValidationResult& r);

}  // namespace homeport::schema
