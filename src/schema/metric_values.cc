// The JSON form of each Glean metric type in a ping, as mozilla-pipeline-schemas'
// glean.1.schema.json defines it, checked value by value.
#include "schema/metric_values.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include "schema/glean_datetime.h"

namespace homeport::schema {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

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

void CheckCounterValue(element v, const std::string& ptr, ValidationResult& r) {
  if (!IsCount(v)) return Expect(r, ptr, "a non-negative integer", v);
  if (!IsCounterValue(v)) {
    Bad(r, ptr, "is above " + std::to_string(kMaxCounterValue) + ", the most a Glean SDK counts");
  }
}

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

// A free-text string: bounded, and scrubbed when stored (it is not marked verbatim).
void CheckString(element v, const std::string& ptr, size_t max_bytes, ValidationResult& r) {
  BoundedString(r, v, ptr, max_bytes);
}

// The value of at most 20 decimal digits; saturates at UINT64_MAX.
uint64_t DecimalValue(std::string_view digits) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return ec == std::errc() ? n : UINT64_MAX;
}

// The largest sample a Glean SDK records in a distribution of `type`; 0 when the application
// chooses (custom distributions), so bucket keys are free text to the scrubber.
uint64_t MaxBucket(MetricType type) {
  if (type == MetricType::kTimingDistribution) return kMaxTimingSampleNs;
  if (type == MetricType::kMemoryDistribution) return kMaxMemorySampleBytes;
  return 0;
}

void CheckDistribution(MetricType type, element v, const std::string& ptr, ValidationResult& r) {
  object obj;
  if (!CheckObject(v, ptr, r, obj)) return;
  r.stored.closed_objects.insert(ptr);
  const uint64_t max_bucket = MaxBucket(type);
  bool has_values = false, has_sum = false;
  for (auto [key, value] : obj) {
    const std::string kp = PointerJoin(ptr, key);
    if (key == "values") {
      object buckets;
      if (!CheckObject(value, kp, r, buckets)) continue;
      has_values = true;
      bool within = true;
      for (auto [bucket, count] : buckets) {
        if (!IsDecimal(bucket)) {
          Bad(r, PointerJoin(kp, bucket), "bucket keys must be decimal numbers");
        } else if (max_bucket != 0 && DecimalValue(bucket) > max_bucket) {
          within = false;
          Bad(r, PointerJoin(kp, bucket),
              "is above the largest sample a Glean SDK records (" + std::to_string(max_bucket) +
                  ")");
        }
        if (!IsCount(count)) Expect(r, PointerJoin(kp, bucket), "a non-negative integer", count);
      }
      // Bounded sample values hold no identifier; a custom distribution's keys are scrubbed.
      if (within && max_bucket != 0) r.stored.closed_objects.insert(kp);
    } else if (key == "sum" || key == "count" || key == "overflow" || key == "underflow" ||
               key == "bucket_count") {
      has_sum |= key == "sum";
      if (!IsInteger(value)) Expect(r, kp, "an integer", value);
    } else if (key == "time_unit") {
      std::string_view s;
      if (value.get_string().get(s) || !ParseTimeUnit(s)) {
        Bad(r, kp, "must be a Glean time unit");
      } else {
        r.stored.verbatim_values.insert(kp);
      }
    } else if (key == "histogram_type") {
      std::string_view s;
      if (value.get_string().get(s) || (s != "linear" && s != "exponential")) {
        Bad(r, kp, "must be linear or exponential");
      } else {
        r.stored.verbatim_values.insert(kp);
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

void CheckTimespan(const MetricDefinition& def, element v, const std::string& ptr,
                   ValidationResult& r) {
  object obj;
  if (!CheckObject(v, ptr, r, obj)) return;
  r.stored.closed_objects.insert(ptr);
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
      } else if (*unit != def.time_unit) {
        Bad(r, kp,
            "is '" + std::string(s) + "', but " + def.full_name + " is declared in " +
                std::string(TimeUnitName(def.time_unit)));
      } else {
        r.stored.verbatim_values.insert(kp);
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
  r.stored.closed_objects.insert(ptr);
  int found = 0;
  for (auto [key, value] : obj) {
    const std::string kp = PointerJoin(ptr, key);
    if (key == "numerator" || key == "denominator") {
      ++found;
      CheckCounterValue(value, kp, r);
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
    r.stored.closed_objects.insert(ptr);
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
  }
}

bool HasLabel(const std::vector<std::string>& labels, std::string_view label) {
  return label == "__other__" || std::find(labels.begin(), labels.end(), label) != labels.end();
}

// Glean's dynamic labels: 1 to 111 printable ASCII characters.
bool IsPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// The labels of one labeled object at `ptr` against the declared `labels` (empty: any label
// the application chooses at run time, at most kMaxDynamicLabels of them besides __other__).
// Fixed labels are stored as sent; dynamic ones are scrubbed like any free text.
void CheckLabels(const MetricDefinition& def, const std::vector<std::string>& labels, object obj,
                 const std::string& ptr, ValidationResult& r) {
  size_t dynamic = 0;
  for (auto [label, value] : obj) {
    const std::string lp = PointerJoin(ptr, label);
    if (label == "__other__") continue;
    if (!labels.empty()) {
      if (!HasLabel(labels, label)) {
        Bad(r, lp, "label '" + Clip(label) + "' is not declared for " + def.full_name);
      }
    } else if (label.empty() || label.size() > kMaxLabelBytes) {
      AddViolation(r, label.empty() ? ViolationKind::kBadValue : ViolationKind::kTooLong, lp,
                   "labels have 1 to " + std::to_string(kMaxLabelBytes) + " bytes");
    } else if (!IsPrintableAscii(label)) {
      Bad(r, lp, "labels are printable ASCII");
    } else {
      ++dynamic;
    }
  }
  if (labels.empty()) {
    CheckCount(r, dynamic, kMaxDynamicLabels, ptr, "distinct labels");
  } else {
    r.stored.closed_objects.insert(ptr);
  }
}

void CheckLabeled(MetricType type, const MetricDefinition& def, element v, const std::string& ptr,
                  ValidationResult& r) {
  object obj;
  if (!CheckObject(v, ptr, r, obj)) return;
  if (type == MetricType::kDualLabeledCounter) {
    CheckLabels(def, def.dual_key_labels, obj, ptr, r);
    for (auto [label, value] : obj) {
      const std::string lp = PointerJoin(ptr, label);
      object inner;
      if (!CheckObject(value, lp, r, inner)) continue;
      CheckLabels(def, def.dual_category_labels, inner, lp, r);
      for (auto [category, count] : inner) {
        CheckMetricValue(MetricType::kCounter, def, count, PointerJoin(lp, category), r);
      }
    }
    return;
  }
  CheckLabels(def, def.labels, obj, ptr, r);
  for (auto [label, value] : obj) {
    CheckMetricValue(LabeledValueType(type), def, value, PointerJoin(ptr, label), r);
  }
}

}  // namespace

void CheckMetricValue(MetricType type, const MetricDefinition& def, element v,
                      const std::string& ptr, ValidationResult& r) {
  switch (type) {
    case MetricType::kBoolean:
      if (v.type() != element_type::BOOL) Expect(r, ptr, "true or false", v);
      return;
    case MetricType::kCounter:
      return CheckCounterValue(v, ptr, r);
    case MetricType::kQuantity:
      if (!IsCount(v)) Expect(r, ptr, "a non-negative integer", v);
      return;
    case MetricType::kString:
      return CheckString(v, ptr, kMaxStringBytes, r);
    case MetricType::kText:
      return CheckString(v, ptr, kMaxTextBytes, r);
    case MetricType::kStringList: {
      simdjson::dom::array arr;
      if (v.get_array().get(arr)) return Expect(r, ptr, "an array of strings", v);
      if (!CheckCount(r, arr.size(), kMaxStringListItems, ptr, "strings")) return;
      size_t i = 0;
      for (element item : arr)
        CheckString(item, PointerJoin(ptr, std::to_string(i++)), kMaxStringListItemBytes, r);
      return;
    }
    case MetricType::kUuid: {
      std::string_view s;
      if (v.get_string().get(s) || !IsUuid(s)) return Bad(r, ptr, "must be a UUID string");
      r.stored.verbatim_values.insert(ptr);
      return;
    }
    case MetricType::kUrl: {
      std::optional<std::string_view> s = BoundedString(r, v, ptr, kMaxUrlBytes);
      if (s && !IsGleanUrl(*s)) Bad(r, ptr, "must be a URL (scheme:..., no data: URLs)");
      return;
    }
    case MetricType::kDatetime: {
      std::string_view s;
      if (v.get_string().get(s)) return Expect(r, ptr, "a datetime string", v);
      if (Result<TimePoint> t = ParseGleanDatetime(s); !t.ok()) {
        return AddViolation(r, ViolationKind::kBadDatetime, ptr, t.status().message());
      }
      r.stored.verbatim_values.insert(ptr);
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
      if (def.structure.is_object()) CheckStructure(def.structure, v, ptr, r);
      return;
    case MetricType::kEvent:
      return Bad(r, ptr, "events travel in the ping's \"events\" array");
    default:
      return CheckLabeled(type, def, v, ptr, r);
  }
}

}  // namespace homeport::schema
