// SchemaViolationTally: refused pings counted by app, ping, field and problem in memory, and
// moved to the store's daily aggregates by the refusal flush (refusal_flush.h), as wrong-region
// refusals are: however many bad pings arrive, the store sees one write per flush.
//
// Only names from the registry are kept: an undeclared metric or key counts as "(undeclared)",
// and a declared metric's path is cut after its name. At most kMaxKeysPerDay distinct keys are
// kept per day, later ones are counted under the field "(other)" (S8). Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "schema/ping_validator.h"
#include "store/store.h"

namespace homeport {

class SchemaViolationTally {
 public:
  static constexpr size_t kMaxKeysPerDay = 256;
  static constexpr size_t kMaxFieldBytes = 160;

  // One refused ping of a registered app and ping: each distinct (field, problem) it broke
  // counts once. `day` is today (YYYY-MM-DD).
  void Count(const std::string& app_id, const std::string& doc_type,
             const schema::ValidationResult& result, const std::string& day);

  // Everything counted since the last Take, emptied.
  std::vector<SchemaViolationCount> Take();
  // Counts a flush could not write, back for the next one.
  void Return(const std::vector<SchemaViolationCount>& counts);

 private:
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::mutex mu_;
  std::map<Key, int64_t> counts_;
  std::string day_;
  std::set<Key> keys_today_;
};

}  // namespace homeport
