// The JSON form of each Glean metric type in a ping, as mozilla-pipeline-schemas'
// glean.1.schema.json defines it, checked value by value.
#include "schema/metric_values.h"

#include <algorithm>
#include <array>
#include <vector>

#include "schema/glean_datetime.h"

namespace homeport::schema {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr size_t kMaxTextBytes = 200 * 1024;  // Glean's text limit
constexpr size_t kMaxUrlBytes = 8192;         // Glean's URL limit
constexpr size_t kMaxLabelBytes = 111;

void Bad(ValidationResult& r, const std::string& ptr, std::string message) {
  AddViolation(r, ViolationKind::kBadValue, ptr, std::move(message));
}

void Expect(ValidationResult& r, const std::string& ptr, std::string_view what, element v) {
  Bad(r, ptr, "must be " + std::string(what) + ", not " + std::string(JsonKindName(v)));
}

bool IsInteger(element v) {
  return v.type() == element_type::INT64 || v.type() == element_type::UINT64;
}

bool IsNumber(element v) { return IsInteger(v) || v.type() == element_type::DOUBLE; }

// Glean's URL rule: a scheme, ':' and anything, but no data: URLs.
bool IsGleanUrl(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || s.starts_with("data")) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!(alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))) {
      return false;
    }
  }
  return true;
}

// Returns false (after recording a violation) when `v` is not an object or repeats a key.
bool CheckObject(element v, const std::string& ptr, ValidationResult& r, object& out) {
  if (v.get_object().get(out)) {
    Expect(r, ptr, "an object", v);
    return false;
  }
  if (auto dup = FindDuplicateKey(out)) {
    AddViolation(r, ViolationKind::kDuplicateKey, PointerJoin(ptr, *dup),
                 "key '" + std::string(*dup) + "' appears twice");
    return false;
  }
  return true;
}

void CheckString(element v, const std::string& ptr, size_t max_bytes, bool scrub,
                 ValidationResult& r) {
  std::string_view s;
  if (v.get_string().get(s)) return Expect(r, ptr, "a string", v);
  if (s.size() > max_bytes) {
    return Bad(r, ptr, "is longer than " + std::to_string(max_bytes) + " bytes");
  }
  if (scrub) r.scrub_targets.push_back({ptr, false});
}

void CheckDistribution(MetricType type, element v, const std::string& ptr, ValidationResult& r) {
  object obj;
  if (!CheckObject(v, ptr, r, obj)) return;
  bool has_values = false, has_sum = false;
  for (auto [key, value] : obj) {
    const std::string kp = PointerJoin(ptr, key);
    if (key == "values") {
      object buckets;
      if (!CheckObject(value, kp, r, buckets)) continue;
      has_values = true;
      for (auto [bucket, count] : buckets) {
        bool digits = !bucket.empty() && std::all_of(bucket.begin(), bucket.end(),
                                                     [](char c) { return c >= '0' && c <= '9'; });
        if (!digits) Bad(r, PointerJoin(kp, bucket), "bucket keys must be decimal numbers");
        if (!IsCount(count)) Expect(r, PointerJoin(kp, bucket), "a non-negative integer", count);
      }
    } else if (key == "sum" || key == "count" || key == "overflow" || key == "underflow" ||
               key == "bucket_count") {
      has_sum |= key == "sum";
      if (!IsInteger(value)) Expect(r, kp, "an integer", value);
    } else if (key == "time_unit") {
      std::string_view s;
      if (value.get_string().get(s) || !ParseTimeUnit(s)) Bad(r, kp, "must be a Glean time unit");
    } else if (key == "histogram_type") {
      std::string_view s;
      if (value.get_string().get(s) || (s != "linear" && s != "exponential")) {
        Bad(r, kp, "must be linear or exponential");
      }
    } else if (key == "range") {
      simdjson::dom::array range;
      bool ok = !value.get_array().get(range) && range.size() == 2;
      if (ok) {
        for (element bound : range) ok = ok && IsNumber(bound);
      }
      if (!ok) Bad(r, kp, "must be an array of two numbers");
    } else {
      AddViolation(r, ViolationKind::kUnknownField, kp,
                   "'" + std::string(key) + "' is not a field of a distribution");
    }
  }
  if (!has_values) {
    AddViolation(r, ViolationKind::kMissingField, PointerJoin(ptr, "values"),
                 "a distribution needs its 'values'");
  }
  if (type == MetricType::kCustomDistribution && !has_sum) {
    AddViolation(r, ViolationKind::kMissingField, PointerJoin(ptr, "sum"),
                 "a custom distribution needs its 'sum'");
  }
}

void CheckTimespan(const MetricDefinition* def, element v, const std::string& ptr,
                   ValidationResult& r) {
  object obj;
  if (!CheckObject(v, ptr, r, obj)) return;
  bool has_value = false, has_unit = false;
  for (auto [key, value] : obj) {
    const std::string kp = PointerJoin(ptr, key);
    if (key == "value") {
      has_value = true;
      if (!IsCount(value)) Expect(r, kp, "a non-negative integer", value);
    } else if (key == "time_unit") {
      has_unit = true;
      std::string_view s;
      std::optional<TimeUnit> unit = value.get_string().get(s) ? std::nullopt : ParseTimeUnit(s);
      if (!unit) {
        Bad(r, kp, "must be a Glean time unit (nanosecond ... day)");
      } else if (def && *unit != def->time_unit) {
        Bad(r, kp,
            "is '" + std::string(s) + "', but " + def->full_name + " is declared in " +
                std::string(TimeUnitName(def->time_unit)));
      }
    } else {
      AddViolation(r, ViolationKind::kUnknownField, kp,
                   "'" + std::string(key) + "' is not a field of a timespan");
    }
  }
  if (!has_value)
    AddViolation(r, ViolationKind::kMissingField, PointerJoin(ptr, "value"), "missing");
  if (!has_unit) {
    AddViolation(r, ViolationKind::kMissingField, PointerJoin(ptr, "time_unit"), "missing");
  }
}

void CheckRate(element v, const std::string& ptr, ValidationResult& r) {
  object obj;
  if (!CheckObject(v, ptr, r, obj)) return;
  int found = 0;
  for (auto [key, value] : obj) {
    const std::string kp = PointerJoin(ptr, key);
    if (key == "numerator" || key == "denominator") {
      ++found;
      if (!IsCount(value)) Expect(r, kp, "a non-negative integer", value);
    } else {
      AddViolation(r, ViolationKind::kUnknownField, kp,
                   "'" + std::string(key) + "' is not a field of a rate");
    }
  }
  if (found != 2) Bad(r, ptr, "a rate needs a numerator and a denominator");
}

// An object metric's value against its declared structure (see ReadObjectStructure).
void CheckStructure(const nlohmann::json& s, element v, const std::string& ptr,
                    ValidationResult& r) {
  if (v.type() == element_type::NULL_VALUE) return;  // Glean leaves missing values out, or null
  const std::string& type = s.at("type").get_ref<const std::string&>();
  if (type == "object") {
    object obj;
    if (!CheckObject(v, ptr, r, obj)) return;
    const nlohmann::json& props = s.at("properties");
    for (auto [key, value] : obj) {
      auto it = props.find(std::string(key));
      if (it == props.end()) {
        AddViolation(r, ViolationKind::kUnknownField, PointerJoin(ptr, key),
                     "'" + std::string(key) + "' is not in the object's declared structure");
      } else {
        CheckStructure(*it, value, PointerJoin(ptr, key), r);
      }
    }
  } else if (type == "array") {
    simdjson::dom::array arr;
    if (v.get_array().get(arr)) return Expect(r, ptr, "an array", v);
    size_t i = 0;
    for (element item : arr)
      CheckStructure(s.at("items"), item, PointerJoin(ptr, std::to_string(i++)), r);
  } else {
    std::vector<std::string> allowed;
    if (type == "oneOf") {
      for (const auto& t : s.at("subtypes")) allowed.push_back(t.get<std::string>());
    } else {
      allowed.push_back(type);
    }
    bool is_string = v.type() == element_type::STRING;
    bool match =
        (is_string && std::count(allowed.begin(), allowed.end(), "string")) ||
        (IsNumber(v) && std::count(allowed.begin(), allowed.end(), "number")) ||
        (v.type() == element_type::BOOL && std::count(allowed.begin(), allowed.end(), "boolean"));
    if (!match) return Expect(r, ptr, "of the declared type", v);
    if (is_string) r.scrub_targets.push_back({ptr, false});
  }
}

bool HasLabel(const std::vector<std::string>& labels, std::string_view label) {
  return label == "__other__" || std::find(labels.begin(), labels.end(), label) != labels.end();
}

// A label of a labeled metric: its length, whether it is declared, and, for metrics that
// accept any label, a scrub target for the label itself.
void CheckLabel(const MetricDefinition* def, const std::vector<std::string>& labels,
                std::string_view label, const std::string& lp, ValidationResult& r) {
  if (label.empty() || label.size() > kMaxLabelBytes) {
    return Bad(r, lp, "labels have 1 to " + std::to_string(kMaxLabelBytes) + " bytes");
  }
  if (!def) return;
  if (labels.empty()) {
    r.scrub_targets.push_back({lp, true});
  } else if (!HasLabel(labels, label)) {
    Bad(r, lp, "label '" + std::string(label) + "' is not declared for " + def->full_name);
  }
}

void CheckLabeled(MetricType type, const MetricDefinition* def, element v, const std::string& ptr,
                  ValidationResult& r) {
  object obj;
  if (!CheckObject(v, ptr, r, obj)) return;
  static const std::vector<std::string> kNone;
  for (auto [label, value] : obj) {
    const std::string lp = PointerJoin(ptr, label);
    if (type == MetricType::kDualLabeledCounter) {
      CheckLabel(def, def ? def->dual_key_labels : kNone, label, lp, r);
      object inner;
      if (!CheckObject(value, lp, r, inner)) continue;
      for (auto [category, count] : inner) {
        const std::string cp = PointerJoin(lp, category);
        CheckLabel(def, def ? def->dual_category_labels : kNone, category, cp, r);
        CheckMetricValue(MetricType::kCounter, def, count, cp, r);
      }
    } else {
      CheckLabel(def, def ? def->labels : kNone, label, lp, r);
      CheckMetricValue(LabeledValueType(type), def, value, lp, r);
    }
  }
}

}  // namespace

void CheckMetricValue(MetricType type, const MetricDefinition* def, element v,
                      const std::string& ptr, ValidationResult& r) {
  const bool scrub = def != nullptr;
  switch (type) {
    case MetricType::kBoolean:
      if (v.type() != element_type::BOOL) Expect(r, ptr, "true or false", v);
      return;
    case MetricType::kCounter:
    case MetricType::kQuantity:
      if (!IsCount(v)) Expect(r, ptr, "a non-negative integer", v);
      return;
    case MetricType::kString:
      return CheckString(v, ptr, kMaxTextBytes, scrub, r);
    case MetricType::kText:
      return CheckString(v, ptr, kMaxTextBytes, scrub, r);
    case MetricType::kStringList: {
      simdjson::dom::array arr;
      if (v.get_array().get(arr)) return Expect(r, ptr, "an array of strings", v);
      size_t i = 0;
      for (element item : arr)
        CheckString(item, PointerJoin(ptr, std::to_string(i++)), kMaxTextBytes, scrub, r);
      return;
    }
    case MetricType::kUuid: {
      std::string_view s;
      if (v.get_string().get(s) || !IsUuid(s)) Bad(r, ptr, "must be a UUID string");
      return;
    }
    case MetricType::kUrl: {
      std::string_view s;
      if (v.get_string().get(s) || s.size() > kMaxUrlBytes || !IsGleanUrl(s)) {
        return Bad(r, ptr, "must be a URL string (scheme:..., no data: URLs, at most 8 KB)");
      }
      if (scrub) r.scrub_targets.push_back({ptr, false});
      return;
    }
    case MetricType::kDatetime: {
      std::string_view s;
      if (v.get_string().get(s)) return Expect(r, ptr, "a datetime string", v);
      if (Result<TimePoint> t = ParseGleanDatetime(s); !t.ok()) {
        AddViolation(r, ViolationKind::kBadDatetime, ptr, t.status().message());
      }
      return;
    }
    case MetricType::kTimespan:
      return CheckTimespan(def, v, ptr, r);
    case MetricType::kTimingDistribution:
    case MetricType::kMemoryDistribution:
    case MetricType::kCustomDistribution:
      return CheckDistribution(type, v, ptr, r);
    case MetricType::kRate:
      return CheckRate(v, ptr, r);
    case MetricType::kObject:
      if (v.type() != element_type::OBJECT && v.type() != element_type::ARRAY) {
        return Expect(r, ptr, "an object or an array", v);
      }
      if (def && def->structure.is_object()) CheckStructure(def->structure, v, ptr, r);
      return;
    case MetricType::kEvent:
      return Bad(r, ptr, "events travel in the ping's \"events\" array");
    default:
      return CheckLabeled(type, def, v, ptr, r);
  }
}

}  // namespace homeport::schema
