// What the capture unit tests share beyond the scenes: a fixed GeoLookup with the countries
// the real database gives the scenes' addresses, and the sg policy parsed.
#pragma once

#include <map>
#include <string>

#include "audit/geo.h"
#include "audit/policy.h"
#include "capture_scenes.h"

namespace homeport::testing {

// Countries and AS numbers for the test addresses, as the real database has them.
class FakeGeo : public audit::GeoLookup {
 public:
  FakeGeo() {
    table_[kChinaTelecom] = {"CN", 137702, "China Telecom"};
    table_[kSingTel] = {"SG", 7473, "Singapore Telecommunications Ltd"};
  }
  audit::GeoInfo Lookup(const audit::capture::IpAddress& a) const override {
    auto it = table_.find(a.ToString());
    return it == table_.end() ? audit::GeoInfo{} : it->second;
  }
  std::map<std::string, audit::GeoInfo> table_;
};

inline const audit::AuditPolicy& SgPolicy() {
  static const audit::AuditPolicy policy = *audit::AuditPolicy::Parse(kSgPolicy);
  return policy;
}

}  // namespace homeport::testing
