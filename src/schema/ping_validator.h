// Rule S3 for the UX program: a submitted Glean ping is accepted only when everything in it is
// declared by its application's metrics.yaml/pings.yaml (or is Glean's own: the built-in pings
// and the SDK's glean.* metrics), and every value is within the limits the Glean SDKs enforce.
// The result names each offending field, and says how the document is to be stored: which of
// its strings are of a closed form (all others pass the identifier scrubber) and which times
// are kept at day resolution only (S4).
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/time_format.h"
#include "schema/app_schema.h"
#include "schema/schema_registry.h"

namespace homeport::schema {

enum class ViolationKind {
  kUnknownApp,      // no schema registered for the app_id of the URL
  kUnknownPing,     // doc_type is neither declared in pings.yaml nor a built-in ping
  kUnknownMetric,   // "category.name" (metric or event) is not declared
  kWrongType,       // declared with another type than the key it was sent under
  kExpiredMetric,   // its `expires` has passed
  kDisabledMetric,  // declared `disabled: true`, so no SDK sends it
  kNotInPing,       // declared, but its send_in_pings does not include this ping
  kUnknownField,    // a key Glean's ping format does not have (or this ping must not carry)
  kMissingField,    // a required key is absent (e.g. client_info.client_id)
  kBadValue,        // a value of the wrong shape: a string for a counter, an unknown label...
  kBadDatetime,     // a datetime string in none of Glean's forms
  kDuplicateKey,    // an object has the same key twice
  kTooLong,         // a string longer than the Glean SDKs ever send (string: 255 bytes...)
  kTooMany,         // more items than the Glean SDKs ever send (string_list: 100 items...)
};
// "unknown_metric" for kUnknownMetric: the snake_case spelling for JSON error bodies.
std::string_view ViolationKindName(ViolationKind k);

struct Violation {
  ViolationKind kind;
  // Where: an RFC 6901 JSON pointer into the payload ("/metrics/counter/diagnostics.crash_cnt",
  // "/client_info/client_id", "/events/3"), or "app_id" / "doc_type" for the URL's parts.
  std::string field;
  // For a person; names the app, ping, metric or key ("unknown metric 'diagnostics.crash_cnt'").
  std::string message;
};

// How a valid payload is stored. Scrubbing is the default: every string value and every member
// name of the stored document passes the identifier scrubber, except the ones listed here,
// whose form the validator checked exactly (a UUID, a datetime, a declared reason or time
// unit) or against a closed set (envelope field names, metric types, declared metric names,
// fixed labels, declared extra keys). A field the validator does not know of is therefore
// scrubbed, never stored as sent. Numbers are stored as sent: each is bounded by its type.
// All pointers are RFC 6901 JSON pointers into the payload.
struct StoredForm {
  // String values stored as sent.
  std::unordered_set<std::string> verbatim_values;
  // Objects whose member names are all stored as sent (their values are not covered).
  std::unordered_set<std::string> closed_objects;
  // Datetimes stored at day resolution: the ping's local date at midnight, in the offset it
  // was sent with ("2026-12-03T14:37+01:00" is stored as "2026-12-03T00:00+01:00").
  std::vector<std::string> day_times;
  // Decimal strings of milliseconds since the epoch (the SDK's glean_timestamp extra), stored
  // as the start of their UTC day.
  std::vector<std::string> day_millis;
};

struct ValidationResult {
  std::vector<Violation> violations;  // at most kMaxViolations; see omitted_violations
  size_t omitted_violations = 0;      // how many more there were
  // client_info.client_id, lower-cased, when present and a UUID.
  std::optional<std::string> client_id;
  StoredForm stored;
  // The ping's definition (declared or built-in); nullptr when the ping is unknown.
  const PingDefinition* ping = nullptr;
  // How long the document may be kept: the shortest retention of its ping and of every
  // declared metric it carries.
  int retention_days = kDefaultRetentionDays;

  bool ok() const { return violations.empty(); }
};

inline constexpr size_t kMaxViolations = 100;

// Validates `payload`, the body submitted to /submit/<app_id>/<doc_type>/<version>/<doc_id>.
// `now` decides which metrics have expired. Never throws; any input is fine. `ping` points
// into `registry`; the pointers of `stored` address `payload`.
ValidationResult ValidatePing(const SchemaRegistry& registry, std::string_view app_id,
                              std::string_view doc_type, simdjson::dom::element payload,
                              TimePoint now);

// Escapes one RFC 6901 reference token ("a/b" → "a~1b", "~" → "~0").
std::string JsonPointerToken(std::string_view token);

}  // namespace homeport::schema
