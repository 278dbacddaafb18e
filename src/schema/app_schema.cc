// Lookups and expiry rules of a loaded application schema.
#include "schema/app_schema.h"

#include <algorithm>
#include <cstdio>

namespace homeport::schema {

std::string Expiry::ToString() const {
  switch (kind) {
    case Kind::kNever:
      return "never";
    case Kind::kExpired:
      return "expired";
    case Kind::kMajorVersion:
      return std::to_string(major_version);
    case Kind::kDate: {
      std::chrono::year_month_day ymd(date);
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
      return buf;
    }
  }
  return "never";
}

bool Expiry::IsExpired(TimePoint now, std::optional<int> app_major_version) const {
  switch (kind) {
    case Kind::kNever:
      return false;
    case Kind::kExpired:
      return true;
    // glean_parser: a metric expiring on 2027-06-30 is expired on that day already.
    case Kind::kDate:
      return std::chrono::floor<std::chrono::days>(now) >= date;
    case Kind::kMajorVersion:
      return app_major_version && *app_major_version >= major_version;
  }
  return false;
}

bool MetricDefinition::SentIn(std::string_view ping) const {
  return std::binary_search(send_in_pings.begin(), send_in_pings.end(), ping);
}

const EventExtraKey* MetricDefinition::FindExtraKey(std::string_view key) const {
  for (const EventExtraKey& k : extra_keys) {
    if (k.name == key) return &k;
  }
  return nullptr;
}

const MetricDefinition* AppSchema::FindMetric(std::string_view full_name) const {
  auto it = metrics.find(full_name);
  return it == metrics.end() ? nullptr : &it->second;
}

const PingDefinition* AppSchema::FindPing(std::string_view name) const {
  auto it = pings.find(name);
  return it == pings.end() ? nullptr : &it->second;
}

}  // namespace homeport::schema
