// Glean's envelope sections, client_info and ping_info, checked field by field as
// mozilla-pipeline-schemas' glean.1.schema.json defines them: no field Glean lacks (an "imei"
// in client_info is refused), the ones every SDK sends, and their value shapes.
#include "schema/ping_envelope.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "schema/glean_datetime.h"
#include "schema/metric_values.h"

namespace homeport::schema {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

enum class Field {
  kString,
  kDatetime,
  kUuid,
  kInteger,
  kCount,
  kAttribution,
  kDistribution,
  kExperiments,
  kAnyObject
};
struct EnvelopeField {
  std::string_view name;
  Field kind;
  bool required;
};

// client_info and ping_info as glean.1.schema.json defines them.
constexpr std::array<EnvelopeField, 19> kClientInfo = {{
    {"android_sdk_version", Field::kString, false},
    {"app_build", Field::kString, true},
    {"app_channel", Field::kString, false},
    {"app_display_version", Field::kString, true},
    {"architecture", Field::kString, true},
    {"attribution", Field::kAttribution, false},
    {"build_date", Field::kDatetime, false},
    {"client_id", Field::kUuid, false},
    {"device_manufacturer", Field::kString, false},
    {"device_model", Field::kString, false},
    {"distribution", Field::kDistribution, false},
    {"first_run_date", Field::kDatetime, true},
    {"locale", Field::kString, false},
    {"os", Field::kString, true},
    {"os_version", Field::kString, true},
    {"session_count", Field::kInteger, false},
    {"session_id", Field::kString, false},
    {"telemetry_sdk_build", Field::kString, true},
    {"windows_build_number", Field::kInteger, false},
}};
constexpr std::array<EnvelopeField, 7> kPingInfo = {{
    {"seq", Field::kCount, true},
    {"start_time", Field::kDatetime, true},
    {"end_time", Field::kDatetime, true},
    {"reason", Field::kString, false},
    {"experiments", Field::kExperiments, false},
    {"ping_type", Field::kString, false},
    {"server_knobs_config", Field::kAnyObject, false},
}};

// The leading number of "12.3.1": the app's major version, for version-based expiry.
std::optional<int> MajorVersion(std::string_view v) {
  int major = 0;
  size_t i = 0;
  for (; i < v.size() && i < 9 && v[i] >= '0' && v[i] <= '9'; ++i)
    major = major * 10 + (v[i] - '0');
  return i == 0 ? std::nullopt : std::optional<int>(major);
}

class EnvelopeChecker {
 public:
  EnvelopeChecker(const PingDefinition* ping, ValidationResult& r) : ping_(ping), r_(r) {}

  template <size_t N>
  void CheckEnvelope(element section, const std::string& ptr,
                     const std::array<EnvelopeField, N>& fields) {
    object obj;
    if (section.get_object().get(obj)) {
      return Violate(ViolationKind::kBadValue, ptr, ptr.substr(1) + " must be an object");
    }
    if (!CheckKeys(obj, ptr)) return;
    std::array<bool, N> seen{};
    for (auto [key, value] : obj) {
      // A named copy: clang before 16 cannot capture a structured binding.
      auto it = std::find_if(fields.begin(), fields.end(),
                             [name = key](const EnvelopeField& f) { return f.name == name; });
      const std::string kp = PointerJoin(ptr, key);
      if (it == fields.end()) {
        Violate(ViolationKind::kUnknownField, kp,
                "'" + Clip(key) + "' is not a field of Glean's " + ptr.substr(1));
        continue;
      }
      seen[it - fields.begin()] = true;
      CheckField(it->kind, key, value, kp);
    }
    for (size_t i = 0; i < N; ++i) {
      if (fields[i].required && !seen[i]) {
        Violate(ViolationKind::kMissingField, PointerJoin(ptr, fields[i].name),
                ptr.substr(1) + "." + std::string(fields[i].name) + " is required");
      }
    }
  }

  void CheckClientId(element client_info) {
    std::string_view id;
    bool present = client_info.is_object() && !client_info["client_id"].get_string().get(id);
    if (present && IsUuid(id)) {
      std::string lower(id);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      r_.client_id = std::move(lower);
    }
    if (ping_ == nullptr || !ping_->include_info_sections) return;
    if (ping_->include_client_id && !present) {
      Violate(ViolationKind::kMissingField, "/client_info/client_id",
              "ping '" + ping_->name + "' includes the client id, but client_info has none");
    } else if (!ping_->include_client_id && client_info.is_object() &&
               client_info["client_id"].error() == simdjson::SUCCESS) {
      Violate(ViolationKind::kUnknownField, "/client_info/client_id",
              "ping '" + ping_->name +
                  "' is declared without the client id (include_client_id: "
                  "false), so it must not carry one");
    }
  }

  std::optional<int> app_major() const { return app_major_; }

 private:
  void CheckField(Field kind, std::string_view key, element v, const std::string& kp) {
    std::string_view s;
    object obj;
    switch (kind) {
      case Field::kString:
        if (v.get_string().get(s)) return Violate(ViolationKind::kBadValue, kp, "must be a string");
        if (key == "app_display_version") app_major_ = MajorVersion(s);
        if (key == "reason") CheckReason(s, kp);
        return;
      case Field::kDatetime:
        if (v.get_string().get(s)) return Violate(ViolationKind::kBadValue, kp, "must be a string");
        if (Result<TimePoint> t = ParseGleanDatetime(s); !t.ok()) {
          Violate(ViolationKind::kBadDatetime, kp, t.status().message());
        }
        return;
      case Field::kUuid:
        if (v.get_string().get(s) || !IsUuid(s)) {
          Violate(ViolationKind::kBadValue, kp, "must be a UUID string");
        }
        return;
      case Field::kInteger:
        if (v.type() != simdjson::dom::element_type::INT64 &&
            v.type() != simdjson::dom::element_type::UINT64) {
          Violate(ViolationKind::kBadValue, kp, "must be an integer");
        }
        return;
      case Field::kCount:
        if (!IsCount(v)) Violate(ViolationKind::kBadValue, kp, "must be a non-negative integer");
        return;
      case Field::kAttribution:
      case Field::kDistribution: {
        static constexpr std::array<std::string_view, 5> kAttribution = {
            "source", "medium", "campaign", "term", "content"};
        if (v.get_object().get(obj))
          return Violate(ViolationKind::kBadValue, kp, "must be an object");
        for (auto [k, val] : obj) {
          bool known =
              kind == Field::kDistribution
                  ? k == "name"
                  : std::find(kAttribution.begin(), kAttribution.end(), k) != kAttribution.end();
          if (!known) {
            Violate(ViolationKind::kUnknownField, PointerJoin(kp, k),
                    "'" + Clip(k) + "' is unknown");
          } else if (!val.is_string()) {
            Violate(ViolationKind::kBadValue, PointerJoin(kp, k), "must be a string");
          }
        }
        return;
      }
      case Field::kExperiments:
        return CheckExperiments(v, kp);
      case Field::kAnyObject:
        if (!v.is_object()) Violate(ViolationKind::kBadValue, kp, "must be an object");
        return;
    }
  }

  void CheckReason(std::string_view reason, const std::string& kp) {
    // Built-in pings gain reasons as SDKs evolve; a declared ping's reasons are its contract.
    if (ping_ == nullptr || ping_->builtin) return;
    if (!ping_->reasons.count(std::string(reason))) {
      Violate(ViolationKind::kBadValue, kp,
              "reason '" + Clip(reason) + "' is not declared for ping '" + ping_->name + "'");
    }
  }

  void CheckExperiments(element v, const std::string& kp) {
    object experiments;
    if (v.get_object().get(experiments))
      return Violate(ViolationKind::kBadValue, kp, "must be an object");
    for (auto [id, body] : experiments) {
      const std::string ep = PointerJoin(kp, id);
      object obj;
      std::string_view branch;
      if (body.get_object().get(obj) || obj["branch"].get_string().get(branch) ||
          branch.size() > 100) {
        Violate(ViolationKind::kBadValue, ep, "an experiment needs a 'branch' string");
        continue;
      }
      for (auto [k, val] : obj) {
        if (k == "extra" && (val.is_null() || val.is_object())) continue;
        if (k != "branch") Violate(ViolationKind::kUnknownField, PointerJoin(ep, k), "unknown");
      }
    }
  }

  void Violate(ViolationKind kind, std::string field, std::string message) {
    AddViolation(r_, kind, std::move(field), std::move(message));
  }

  bool CheckKeys(object obj, const std::string& ptr) { return CheckUniqueKeys(r_, obj, ptr); }

  const PingDefinition* ping_;
  ValidationResult& r_;
  std::optional<int> app_major_;
};

}  // namespace

std::optional<int> CheckClientInfo(element client_info, const PingDefinition* ping,
                                   ValidationResult& r) {
  EnvelopeChecker checker(ping, r);
  checker.CheckEnvelope(client_info, "/client_info", kClientInfo);
  checker.CheckClientId(client_info);
  return checker.app_major();
}

void CheckPingInfo(element ping_info, const PingDefinition* ping, ValidationResult& r) {
  EnvelopeChecker(ping, r).CheckEnvelope(ping_info, "/ping_info", kPingInfo);
}

}  // namespace homeport::schema
