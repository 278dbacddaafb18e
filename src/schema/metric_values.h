// Shape checks of single values in a Glean ping (internal to the validator): one function per
// concern, each appending violations and scrub targets to a ValidationResult.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/text.h"
#include "schema/app_schema.h"
#include "schema/ping_validator.h"

namespace homeport::schema {

// The limits the Glean SDKs enforce on what they record (glean-core/src/metrics/*.rs, and the
// "Limits" of each metric type in the Glean book): an SDK truncates or drops anything beyond
// them, so a value past one was not written by a Glean SDK and is refused, not stored.
inline constexpr size_t kMaxStringBytes = 255;           // string: MAX_LENGTH_VALUE
inline constexpr size_t kMaxTextBytes = 200 * 1024;      // text: MAX_LENGTH_VALUE
inline constexpr size_t kMaxStringListItems = 100;       // string_list: MAX_LIST_LENGTH
inline constexpr size_t kMaxStringListItemBytes = 100;   // string_list: MAX_STRING_LENGTH
inline constexpr size_t kMaxUrlBytes = 8192;             // url: MAX_URL_LENGTH
inline constexpr size_t kMaxLabelBytes = 111;            // labeled_*: MAX_LABEL_LENGTH
inline constexpr size_t kMaxDynamicLabels = 16;          // labeled_*: MAX_LABELS, then __other__
inline constexpr size_t kMaxExtraValueBytes = 500;       // event: MAX_LENGTH_EXTRA_KEY_VALUE
inline constexpr size_t kMaxExperimentIdBytes = 100;     // experiment id, branch, extra keys
inline constexpr size_t kMaxExperimentValueBytes = 100;  // experiment extra values
inline constexpr size_t kMaxExperimentExtras = 20;       // MAX_EXPERIMENTS_EXTRAS_SIZE
// Counters (labeled ones too) and both parts of a rate are i32 in glean-core, saturating there.
inline constexpr int64_t kMaxCounterValue = 2'147'483'647;
// Bucket keys are sample values: nanoseconds up to MAX_SAMPLE_TIME (10 minutes) for timing
// distributions, bytes up to MAX_BYTES (1 TiB) for memory distributions.
inline constexpr uint64_t kMaxTimingSampleNs = 600'000'000'000;
inline constexpr uint64_t kMaxMemorySampleBytes = uint64_t{1} << 40;
// homeport's own bounds where Glean has none. client_info and ping_info strings are recorded by
// the SDK as string metrics (glean.internal.metrics.*), so the string limit holds for them.
inline constexpr size_t kMaxEnvelopeStringBytes = kMaxStringBytes;
inline constexpr size_t kMaxSchemaBytes = 255;     // the top-level "$schema"
inline constexpr size_t kMaxKnobEntries = 1000;    // server_knobs_config's maps
inline constexpr size_t kMaxKnobNameBytes = 255;   // a metric or ping name in them
inline constexpr size_t kMaxTimestampDigits = 20;  // glean_timestamp: a u64 in decimal

// Appends a violation, or counts it as omitted beyond kMaxViolations.
void AddViolation(ValidationResult& r, ViolationKind kind, std::string field, std::string message);
// At most the first 100 bytes of a name taken from the payload, for messages.
std::string Clip(std::string_view s);
// `base` + "/" + escaped `token`.
std::string PointerJoin(const std::string& base, std::string_view token);
// "a string", "an integer", "an object"... for messages.
std::string_view JsonKindName(simdjson::dom::element v);
// A key appearing twice in `obj`, if any. simdjson keeps both; a JSON library that keeps only
// the last would store a value that was never validated, so such documents are refused.
std::optional<std::string_view> FindDuplicateKey(simdjson::dom::object obj);
// True when `obj` has no repeated key; otherwise records a kDuplicateKey violation at `ptr`.
bool CheckUniqueKeys(ValidationResult& r, simdjson::dom::object obj, const std::string& ptr);
// Non-negative integer (JSON integer, not 1.0).
bool IsCount(simdjson::dom::element v);
// IsCount, and at most kMaxCounterValue.
bool IsCounterValue(simdjson::dom::element v);
// A string of at most `max_bytes` bytes; otherwise records kBadValue (not a string) or
// kTooLong at `ptr`, naming the limit, and returns nullopt.
std::optional<std::string_view> BoundedString(ValidationResult& r, simdjson::dom::element v,
                                              const std::string& ptr, size_t max_bytes);
// Records kTooMany at `ptr` when `count` > `max`; `what` names the items ("labels").
bool CheckCount(ValidationResult& r, size_t count, size_t max, const std::string& ptr,
                std::string_view what);
// 1 to 20 decimal digits.
bool IsDecimal(std::string_view s);

// Checks the value of a metric of type `type` at `ptr` against its declaration `def` (the
// application's, or the Glean SDK's for glean.* metrics), marking in r.stored what is of a
// closed form. Must not be called with kEvent (events travel in the "events" array).
void CheckMetricValue(MetricType type, const MetricDefinition& def, simdjson::dom::element v,
                      const std::string& ptr, ValidationResult& r);

}  // namespace homeport::schema
