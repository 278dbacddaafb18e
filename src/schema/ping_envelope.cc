// Glean's envelope sections, client_info and ping_info, checked field by field as
// mozilla-pipeline-schemas' glean.1.schema.json defines them: no field Glean lacks (an "imei"
// in client_info is refused), the ones every SDK sends, their value shapes and bounds. The
// envelope's times are kept at day resolution only (S4): a UX client id must not be joinable
// to an activation by the minute it was sent.
#include "schema/ping_envelope.h"

#include <algorithm>
#include <array>

#include "common/text.h"
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
  kServerKnobs
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
    {"server_knobs_config", Field::kServerKnobs, false},
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
    r_.stored.closed_objects.insert(ptr);
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
      r_.stored.verbatim_values.insert("/client_info/client_id");
      r_.client_id = AsciiLower(id);
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
      case Field::kString: {
        std::optional<std::string_view> text = BoundedString(r_, v, kp, kMaxEnvelopeStringBytes);
        if (!text) return;
        if (key == "app_display_version") app_major_ = MajorVersion(*text);
        if (key == "reason") CheckReason(*text, kp);
        return;
      }
      case Field::kDatetime:
        if (v.get_string().get(s)) return Violate(ViolationKind::kBadValue, kp, "must be a string");
        if (Result<TimePoint> t = ParseGleanDatetime(s); !t.ok()) {
          return Violate(ViolationKind::kBadDatetime, kp, t.status().message());
        }
        r_.stored.verbatim_values.insert(kp);
        r_.stored.day_times.push_back(kp);
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
        if (!CheckKeys(obj, kp)) return;
        r_.stored.closed_objects.insert(kp);
        for (auto [k, val] : obj) {
          bool known =
              kind == Field::kDistribution
                  ? k == "name"
                  : std::find(kAttribution.begin(), kAttribution.end(), k) != kAttribution.end();
          if (!known) {
            Violate(ViolationKind::kUnknownField, PointerJoin(kp, k),
                    "'" + Clip(k) + "' is unknown");
          } else {
            BoundedString(r_, val, PointerJoin(kp, k), kMaxEnvelopeStringBytes);
          }
        }
        return;
      }
      case Field::kExperiments:
        return CheckExperiments(v, kp);
      case Field::kServerKnobs:
        return CheckServerKnobs(v, kp);
    }
  }

  void CheckReason(std::string_view reason, const std::string& kp) {
    // Built-in pings gain reasons as SDKs evolve; a declared ping's reasons are its contract.
    if (ping_ == nullptr || ping_->builtin) return;
    if (!ping_->reasons.count(std::string(reason))) {
      Violate(ViolationKind::kBadValue, kp,
              "reason '" + Clip(reason) + "' is not declared for ping '" + ping_->name + "'");
    } else {
      r_.stored.verbatim_values.insert(kp);
    }
  }

  // {"<id>": {"branch": "...", "extra": {"<key>": "<value>", ...}}}, as the SDK's
  // set_experiment_active records it: ids, branches and extra keys up to 100 bytes, values up to
  // 100 bytes, at most 20 extras. Every one of those strings is free text to the scrubber.
  void CheckExperiments(element v, const std::string& kp) {
    object experiments;
    if (v.get_object().get(experiments))
      return Violate(ViolationKind::kBadValue, kp, "must be an object");
    if (!CheckKeys(experiments, kp)) return;
    for (auto [id, body] : experiments) {
      const std::string ep = PointerJoin(kp, id);
      if (id.size() > kMaxExperimentIdBytes) {
        Violate(ViolationKind::kTooLong, ep,
                "experiment ids have at most " + std::to_string(kMaxExperimentIdBytes) + " bytes");
        continue;
      }
      object obj;
      if (body.get_object().get(obj) || obj["branch"].error() != simdjson::SUCCESS) {
        Violate(ViolationKind::kBadValue, ep, "an experiment needs a 'branch' string");
        continue;
      }
      if (!CheckKeys(obj, ep)) continue;
      r_.stored.closed_objects.insert(ep);
      for (auto [k, val] : obj) {
        const std::string fp = PointerJoin(ep, k);
        if (k == "branch") {
          BoundedString(r_, val, fp, kMaxExperimentIdBytes);
        } else if (k == "extra") {
          if (!val.is_null()) CheckExperimentExtra(val, fp);
        } else {
          Violate(ViolationKind::kUnknownField, fp,
                  "'" + Clip(k) + "' is not a field of an experiment (branch, extra)");
        }
      }
    }
  }

  void CheckExperimentExtra(element v, const std::string& xp) {
    object extra;
    if (v.get_object().get(extra))
      return Violate(ViolationKind::kBadValue, xp, "must be an object");
    if (!CheckKeys(extra, xp)) return;
    if (!CheckCount(r_, extra.size(), kMaxExperimentExtras, xp, "extras")) return;
    for (auto [k, val] : extra) {
      const std::string fp = PointerJoin(xp, k);
      if (k.size() > kMaxExperimentIdBytes) {
        Violate(ViolationKind::kTooLong, fp,
                "experiment extra keys have at most " + std::to_string(kMaxExperimentIdBytes) +
                    " bytes");
        continue;
      }
      BoundedString(r_, val, fp, kMaxExperimentValueBytes);
    }
  }

  // Glean's server knobs, as glean.internal.metrics.server_knobs_config declares them:
  // {"metrics_enabled": {"<category.name>": bool}, "pings_enabled": {"<ping>": bool},
  // "event_threshold", "session_sample_rate", "events_ping_acceleration_factor": number or
  // null}. The names in the two maps are free text to the scrubber.
  void CheckServerKnobs(element v, const std::string& kp) {
    object knobs;
    if (v.get_object().get(knobs))
      return Violate(ViolationKind::kBadValue, kp, "must be an object");
    if (!CheckKeys(knobs, kp)) return;
    r_.stored.closed_objects.insert(kp);
    for (auto [k, val] : knobs) {
      const std::string fp = PointerJoin(kp, k);
      if (k == "metrics_enabled" || k == "pings_enabled") {
        object map;
        if (val.get_object().get(map)) {
          Violate(ViolationKind::kBadValue, fp, "must be an object of names to true or false");
          continue;
        }
        if (!CheckKeys(map, fp) || !CheckCount(r_, map.size(), kMaxKnobEntries, fp, "entries")) {
          continue;
        }
        for (auto [name, enabled] : map) {
          const std::string np = PointerJoin(fp, name);
          if (name.empty() || name.size() > kMaxKnobNameBytes) {
            Violate(ViolationKind::kTooLong, np,
                    "names have 1 to " + std::to_string(kMaxKnobNameBytes) + " bytes");
          } else if (!enabled.is_bool()) {
            Violate(ViolationKind::kBadValue, np, "must be true or false");
          }
        }
      } else if (k == "event_threshold" || k == "session_sample_rate" ||
                 k == "events_ping_acceleration_factor") {
        if (!val.is_null() && !val.is_number()) {
          Violate(ViolationKind::kBadValue, fp, "must be a number or null");
        }
      } else {
        Violate(ViolationKind::kUnknownField, fp,
                "'" + Clip(k) + "' is not one of Glean's server knobs");
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
