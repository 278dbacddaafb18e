// Small JSON helpers of the ping validator: pointers, kind names, UUIDs, duplicate keys.
#include <algorithm>
#include <array>
#include <vector>

#include "schema/metric_values.h"

namespace homeport::schema {

using simdjson::dom::element;
using simdjson::dom::element_type;

void AddViolation(ValidationResult& r, ViolationKind kind, std::string field, std::string message) {
  if (r.violations.size() >= kMaxViolations) {
    ++r.omitted_violations;
    return;
  }
  r.violations.push_back({kind, std::move(field), std::move(message)});
}

std::string Clip(std::string_view s) {
  // Cut at a character boundary: a split UTF-8 sequence would make the message invalid text.
  size_t n = std::min<size_t>(s.size(), 100);
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

std::string JsonPointerToken(std::string_view token) {
  std::string out;
  AppendJsonPointerToken(out, token);
  return out;
}

std::string PointerJoin(const std::string& base, std::string_view token) {
  std::string out;
  out.reserve(base.size() + 1 + token.size());
  out += base;
  out += '/';
  AppendJsonPointerToken(out, token);
  return out;
}

std::string_view JsonKindName(element v) {
  switch (v.type()) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
      return "an integer";
    case element_type::DOUBLE:
      return "a fractional number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}


bool IsCount(element v) {
  if (v.type() == element_type::UINT64) return true;
  int64_t n = 0;
  return v.type() == element_type::INT64 && !v.get_int64().get(n) && n >= 0;
}

bool IsCounterValue(element v) {
  int64_t n = 0;
  return v.type() == element_type::INT64 && !v.get_int64().get(n) && n >= 0 &&
         n <= kMaxCounterValue;
}

std::optional<std::string_view> FindDuplicateKey(simdjson::dom::object obj) {
  // Most objects in a ping are small: compare pairwise without allocating.
  std::array<std::string_view, 16> small;
  size_t n = 0;
  std::vector<std::string_view> large;
  for (auto field : obj) {
    if (n < small.size()) {
      for (size_t i = 0; i < n; ++i) {
        if (small[i] == field.key) return field.key;
      }
      small[n++] = field.key;
    } else {
      if (large.empty()) large.assign(small.begin(), small.end());
      large.push_back(field.key);
    }
  }
  if (large.empty()) return std::nullopt;
  std::sort(large.begin(), large.end());
  auto dup = std::adjacent_find(large.begin(), large.end());
  if (dup != large.end()) return *dup;
  return std::nullopt;
}

std::optional<std::string_view> BoundedString(ValidationResult& r, element v,
                                              const std::string& ptr, size_t max_bytes) {
  std::string_view s;
  if (v.get_string().get(s)) {
    AddViolation(r, ViolationKind::kBadValue, ptr,
                 "must be a string, not " + std::string(JsonKindName(v)));
    return std::nullopt;
  }
  if (s.size() > max_bytes) {
    AddViolation(r, ViolationKind::kTooLong, ptr,
                 "has " + std::to_string(s.size()) + " bytes; the Glean SDKs send at most " +
                     std::to_string(max_bytes));
    return std::nullopt;
  }
  return s;
}

bool CheckCount(ValidationResult& r, size_t count, size_t max, const std::string& ptr,
                std::string_view what) {
  if (count <= max) return true;
  AddViolation(r, ViolationKind::kTooMany, ptr,
               "has " + std::to_string(count) + " " + std::string(what) +
                   "; the Glean SDKs send at most " + std::to_string(max));
  return false;
}

bool IsDecimal(std::string_view s) {
  return !s.empty() && s.size() <= 20 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool CheckUniqueKeys(ValidationResult& r, simdjson::dom::object obj, const std::string& ptr) {
  if (auto dup = FindDuplicateKey(obj)) {
    AddViolation(r, ViolationKind::kDuplicateKey, PointerJoin(ptr, *dup),
                 "key '" + Clip(*dup) + "' appears twice");
    return false;
  }
  return true;
}

}  // namespace homeport::schema
