// The in-memory tally of refused pings.
#include "server/schema_violation_tally.h"

#include <set>

namespace homeport {
namespace {

// What may be stored of a violation's field: never a name the client chose (S3: an
// undeclared metric's name is not stored anywhere, not even in a count). Unknown metrics and
// keys become "(undeclared)"; a declared metric's path is cut after its name, so a label or an
// index the client sent is not kept either.
std::string StoredFieldName(const schema::Violation& v) {
  using schema::ViolationKind;
  if (v.kind == ViolationKind::kUnknownMetric || v.kind == ViolationKind::kUnknownField ||
      v.kind == ViolationKind::kDuplicateKey) {
    return "(undeclared)";
  }
  std::string_view field = v.field;
  if (field.rfind("/metrics/", 0) == 0) {
    size_t type_end = field.find('/', 9);
    size_t name_end = type_end == std::string_view::npos ? type_end : field.find('/', type_end + 1);
    field = field.substr(0, name_end);
  }
  if (field.size() > SchemaViolationTally::kMaxFieldBytes) return "(other)";
  return std::string(field);
}

}  // namespace

void SchemaViolationTally::Count(const std::string& app_id, const std::string& doc_type,
                                 const schema::ValidationResult& result, const std::string& day) {
  std::set<Key> keys;
  for (const auto& v : result.violations) {
    keys.insert({app_id, doc_type, StoredFieldName(v),
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
