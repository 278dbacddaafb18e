// The in-memory tally of refused pings.
#include "server/schema_violation_tally.h"

#include <set>

namespace homeport {
namespace {

// A field path names metrics, which a client may invent: kept only when it looks like a name
// (letters, digits, "_.-/[]") with no long digit run, which could be an identifier.
std::string StoredFieldName(const std::string& field) {
  if (field.size() > SchemaViolationTally::kMaxFieldBytes) return "(other)";
  int digits = 0;
  for (char c : field) {
    const bool digit = c >= '0' && c <= '9';
    const bool name = digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                      c == '.' || c == '-' || c == '/' || c == '[' || c == ']';
    digits = digit ? digits + 1 : 0;
    if (!name || digits >= 7) return "(other)";
  }
  return field;
}

}  // namespace

void SchemaViolationTally::Count(const std::string& app_id, const std::string& doc_type,
                                 const schema::ValidationResult& result, const std::string& day) {
  std::set<Key> keys;
  for (const auto& v : result.violations) {
    keys.insert({app_id, doc_type, StoredFieldName(v.field),
                 std::string(schema::ViolationKindName(v.kind))});
  }
  std::lock_guard lock(mu_);
  if (day != day_) {
    day_ = day;
    keys_today_.clear();
  }
  for (Key key : keys) {
    if (!keys_today_.count(key)) {
      if (keys_today_.size() >= kMaxKeysPerDay) std::get<2>(key) = "(other)";
      keys_today_.insert(key);
    }
    ++counts_[key];
  }
}

std::vector<SchemaViolationCount> SchemaViolationTally::Take() {
  std::lock_guard lock(mu_);
  std::vector<SchemaViolationCount> out;
  for (const auto& [k, n] : counts_) {
    out.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), n});
  }
  counts_.clear();
  return out;
}

void SchemaViolationTally::Return(const std::vector<SchemaViolationCount>& counts) {
  std::lock_guard lock(mu_);
  for (const auto& c : counts) counts_[{c.app_id, c.doc_type, c.field, c.problem}] += c.pings;
}

}  // namespace homeport
