// Validation of a whole Glean ping: its sections, then each metric and event against the
// application's declarations. The envelope is checked in ping_envelope.cc, metric values in
// metric_values.cc. Every problem is collected, so a developer sees them all at once.
#include "schema/ping_validator.h"

#include <algorithm>
#include <array>

#include "schema/builtin_pings.h"
#include "schema/glean_datetime.h"
#include "schema/glean_sdk_metrics.h"
#include "schema/metric_values.h"
#include "schema/ping_envelope.h"

namespace homeport::schema {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class PingValidator {
 public:
  PingValidator(const AppSchema& app, std::string_view doc_type, TimePoint now, ValidationResult& r)
      : app_(app), ping_(r.ping), doc_type_(doc_type), now_(now), r_(r) {}

  void Run(element payload) {
    object top;
    if (payload.get_object().get(top)) {
      return Violate(ViolationKind::kBadValue, "", "a Glean ping must be a JSON object");
    }
    if (!CheckKeys(top, "")) return;
    r_.stored.closed_objects.insert("");
    std::optional<element> client_info, ping_info, metrics, events;
    for (auto [key, value] : top) {
      if (key == "client_info") {
        client_info = value;
      } else if (key == "ping_info") {
        ping_info = value;
      } else if (key == "metrics") {
        metrics = value;
      } else if (key == "events") {
        events = value;
      } else if (key == "$schema") {
        // Glean.js names its format here ("moz://mozilla.org/schemas/glean/ping/1").
        BoundedString(r_, value, "/$schema", kMaxSchemaBytes);
      } else {
        Violate(ViolationKind::kUnknownField, PointerJoin("", key),
                "'" + Clip(key) + "' is not a section of a Glean ping");
      }
    }
    const bool info_required = ping_ == nullptr || ping_->include_info_sections;
    if (client_info) {
      app_major_ = CheckClientInfo(*client_info, ping_, r_);
    } else if (info_required) {
      Violate(ViolationKind::kMissingField, "/client_info", "the ping has no client_info");
    }
    if (ping_info) {
      CheckPingInfo(*ping_info, ping_, r_);
    } else if (info_required) {
      Violate(ViolationKind::kMissingField, "/ping_info", "the ping has no ping_info");
    }
    if (metrics) CheckMetrics(*metrics);
    if (events) CheckEvents(*events);
  }

 private:
  void Violate(ViolationKind kind, std::string field, std::string message) {
    AddViolation(r_, kind, std::move(field), std::move(message));
  }

  bool CheckKeys(object obj, const std::string& ptr) { return CheckUniqueKeys(r_, obj, ptr); }

  // The declaration of `name` sent as `type`, after checking that this ping may carry it:
  // the application's, or the Glean SDK's for its own glean.* metrics. nullptr: rejected
  // (violation recorded).
  const MetricDefinition* Resolve(std::string_view name, MetricType type, const std::string& ptr) {
    const MetricDefinition* def = app_.FindMetric(name);
    const bool sdk = def == nullptr;
    if (sdk) def = FindGleanSdkMetric(name);
    if (def == nullptr) {
      Violate(ViolationKind::kUnknownMetric, ptr,
              "unknown metric '" + Clip(name) + "': not declared in the metrics.yaml of '" +
                  app_.app_id + "'" +
                  (name.starts_with("glean") ? " and not one of the Glean SDK's own metrics" : ""));
      return nullptr;
    }
    if (def->type != type) {
      Violate(ViolationKind::kWrongType, ptr,
              "metric '" + def->full_name + "' is declared as " +
                  std::string(MetricTypeName(def->type)) + ", but was sent as " +
                  std::string(MetricTypeName(type)));
      return nullptr;
    }
    // The SDK decides itself which of its metrics a ping carries (and server knobs may enable
    // one it disables by default); only its name, type and values are the server's to check.
    if (sdk) return def;
    bool ok = true;
    if (def->disabled) {
      Violate(ViolationKind::kDisabledMetric, ptr, "metric '" + def->full_name + "' is disabled");
      ok = false;
    }
    if (def->expires.IsExpired(now_, app_major_)) {
      Violate(
          ViolationKind::kExpiredMetric, ptr,
          "metric '" + def->full_name + "' has expired (expires: " + def->expires.ToString() + ")");
      ok = false;
    }
    if (ping_ != nullptr && !def->SentIn(doc_type_)) {
      Violate(ViolationKind::kNotInPing, ptr,
              "metric '" + def->full_name + "' is not sent in ping '" + ping_->name +
                  "' (send_in_pings: " + JoinNames(def->send_in_pings) + ")");
      ok = false;
    }
    if (!ok) return nullptr;
    r_.retention_days = std::min(r_.retention_days, def->retention_days);
    return def;
  }

  void CheckMetrics(element metrics) {
    object types;
    if (metrics.get_object().get(types)) {
      return Violate(ViolationKind::kBadValue, "/metrics", "metrics must be an object");
    }
    if (!CheckKeys(types, "/metrics")) return;
    r_.stored.closed_objects.insert("/metrics");
    for (auto [type_key, by_name] : types) {
      const std::string tp = PointerJoin("/metrics", type_key);
      std::optional<MetricType> type = ParseMetricType(type_key);
      if (!type || *type == MetricType::kEvent) {
        Violate(ViolationKind::kUnknownField, tp,
                "'" + Clip(type_key) + "' is not a Glean metric type");
        continue;
      }
      object metrics_of_type;
      if (by_name.get_object().get(metrics_of_type)) {
        Violate(ViolationKind::kBadValue, tp, "must be an object of metric names to values");
        continue;
      }
      if (!CheckKeys(metrics_of_type, tp)) continue;
      r_.stored.closed_objects.insert(tp);
      for (auto [name, value] : metrics_of_type) {
        const std::string mp = PointerJoin(tp, name);
        if (const MetricDefinition* def = Resolve(name, *type, mp)) {
          CheckMetricValue(*type, *def, value, mp, r_);
        }
      }
    }
  }

  void CheckEvents(element events) {
    simdjson::dom::array list;
    if (events.get_array().get(list)) {
      return Violate(ViolationKind::kBadValue, "/events", "events must be an array");
    }
    size_t index = 0;
    for (element event : list) {
      const std::string ep = "/events/" + std::to_string(index++);
      object obj;
      if (event.get_object().get(obj)) {
        Violate(ViolationKind::kBadValue, ep, "an event must be an object");
        continue;
      }
      if (!CheckKeys(obj, ep)) continue;
      r_.stored.closed_objects.insert(ep);
      std::string_view category, name;
      std::optional<element> extra;
      bool has_timestamp = false;
      for (auto [key, value] : obj) {
        const std::string kp = PointerJoin(ep, key);
        if (key == "timestamp") {
          has_timestamp = true;
          if (!IsCount(value))
            Violate(ViolationKind::kBadValue, kp, "must be a non-negative integer");
        } else if (key == "category" || key == "name") {
          if (value.get_string().get(key == "name" ? name : category)) {
            Violate(ViolationKind::kBadValue, kp, "must be a string");
          }
        } else if (key == "extra") {
          extra = value;
        } else if (key == "session") {
          CheckSession(value, kp);
        } else {
          Violate(ViolationKind::kUnknownField, kp,
                  "'" + Clip(key) + "' is not a field of an event");
        }
      }
      if (!has_timestamp || category.empty() || name.empty()) {
        Violate(ViolationKind::kMissingField, ep, "an event needs timestamp, category and name");
        continue;
      }
      const std::string full = std::string(category) + "." + std::string(name);
      const MetricDefinition* def = Resolve(full, MetricType::kEvent, ep);
      if (def == nullptr) continue;
      r_.stored.verbatim_values.insert(ep + "/category");
      r_.stored.verbatim_values.insert(ep + "/name");
      if (extra) CheckExtras(*def, *extra, ep + "/extra", full);
    }
  }

  // An event's session, as glean-core's SessionMetadata serializes it: {"session_id": UUID,
  // "session_seq": n, "event_seq": n, "session_sample_rate": 0..1, "session_start_time":
  // RFC 3339}. The start time is kept at day resolution, like the envelope's.
  void CheckSession(element v, const std::string& sp) {
    object obj;
    if (v.get_object().get(obj)) return Violate(ViolationKind::kBadValue, sp, "must be an object");
    if (!CheckKeys(obj, sp)) return;
    r_.stored.closed_objects.insert(sp);
    bool has_id = false;
    for (auto [key, value] : obj) {
      const std::string kp = PointerJoin(sp, key);
      std::string_view s;
      if (key == "session_id") {
        has_id = true;
        if (value.get_string().get(s) || !IsUuid(s)) {
          Violate(ViolationKind::kBadValue, kp, "must be a UUID string");
        } else {
          r_.stored.verbatim_values.insert(kp);
        }
      } else if (key == "session_seq" || key == "event_seq") {
        if (!IsCount(value))
          Violate(ViolationKind::kBadValue, kp, "must be a non-negative integer");
      } else if (key == "session_sample_rate") {
        double rate = -1;
        if (value.get_double().get(rate) || rate < 0 || rate > 1) {
          Violate(ViolationKind::kBadValue, kp, "must be a number from 0 to 1");
        }
      } else if (key == "session_start_time") {
        if (value.get_string().get(s)) {
          Violate(ViolationKind::kBadValue, kp, "must be a datetime string");
        } else if (Result<TimePoint> t = ParseGleanDatetime(s); !t.ok()) {
          Violate(ViolationKind::kBadDatetime, kp, t.status().message());
        } else {
          r_.stored.verbatim_values.insert(kp);
          r_.stored.day_times.push_back(kp);
        }
      } else {
        Violate(ViolationKind::kUnknownField, kp,
                "'" + Clip(key) + "' is not a field of an event's session");
      }
    }
    if (!has_id) {
      Violate(ViolationKind::kMissingField, PointerJoin(sp, "session_id"),
              "a session needs its session_id");
    }
  }

  // Extra values are strings of at most 500 bytes; every key is declared for the event, or is
  // one the SDK adds itself (glean_timestamp). The values are all scrubbed when stored, even
  // quantities and booleans: they are strings in the document like any other. The SDK's
  // wall-clock extras are times instead, kept at day resolution.
  void CheckExtras(const MetricDefinition& def, element extra, const std::string& xp,
                   const std::string& event_name) {
    object obj;
    if (extra.get_object().get(obj))
      return Violate(ViolationKind::kBadValue, xp, "must be an object");
    if (!CheckKeys(obj, xp)) return;
    r_.stored.closed_objects.insert(xp);
    for (auto [key, value] : obj) {
      const std::string kp = PointerJoin(xp, key);
      std::optional<std::string_view> s = BoundedString(r_, value, kp, kMaxExtraValueBytes);
      if (!s) continue;
      const EventExtraKey* spec = def.FindExtraKey(key);
      if (spec == nullptr && IsGleanEventExtra(key)) {
        if (!IsDecimal(*s)) {
          Violate(ViolationKind::kBadValue, kp,
                  "must be the event's time in milliseconds, written as a decimal string");
        } else {
          r_.stored.verbatim_values.insert(kp);
          r_.stored.day_millis.push_back(kp);
        }
      } else if (spec != nullptr && IsGleanWallClockExtra(event_name, key)) {
        if (Result<TimePoint> t = ParseGleanDatetime(*s); !t.ok()) {
          Violate(ViolationKind::kBadDatetime, kp, t.status().message());
        } else {
          r_.stored.verbatim_values.insert(kp);
          r_.stored.day_times.push_back(kp);
        }
      } else if (spec == nullptr) {
        Violate(ViolationKind::kUnknownField, kp,
                "extra key '" + Clip(key) + "' is not declared for event '" + event_name + "'");
      } else if (spec->type == EventExtraKey::Type::kBoolean && *s != "true" && *s != "false") {
        Violate(ViolationKind::kBadValue, kp, "must be \"true\" or \"false\"");
      } else if (spec->type == EventExtraKey::Type::kQuantity && !IsDecimal(*s)) {
        Violate(ViolationKind::kBadValue, kp, "must be a non-negative integer written as a string");
      }
    }
  }

  const AppSchema& app_;
  const PingDefinition* ping_;
  std::string_view doc_type_;
  TimePoint now_;
  ValidationResult& r_;
  std::optional<int> app_major_;
};

}  // namespace

std::string_view ViolationKindName(ViolationKind k) {
  static constexpr std::array<std::string_view, 14> kNames = {
      "unknown_app",     "unknown_ping",  "unknown_metric", "wrong_type",    "expired_metric",
      "disabled_metric", "not_in_ping",   "unknown_field",  "missing_field", "bad_value",
      "bad_datetime",    "duplicate_key", "too_long",       "too_many"};
  return kNames[static_cast<size_t>(k)];
}

ValidationResult ValidatePing(const SchemaRegistry& registry, std::string_view app_id,
                              std::string_view doc_type, element payload, TimePoint now) {
  ValidationResult r;
  const AppSchema* app = registry.Find(app_id);
  if (app == nullptr) {
    AddViolation(r, ViolationKind::kUnknownApp, "app_id",
                 "unknown application '" + Clip(app_id) + "': no schema is registered for it");
    return r;
  }
  r.ping = app->FindPing(doc_type);
  if (r.ping == nullptr) {
    AddViolation(r, ViolationKind::kUnknownPing, "doc_type",
                 "unknown ping '" + Clip(doc_type) + "': not declared in the pings.yaml of '" +
                     app->app_id + "' and not one of Glean's built-in pings");
  } else {
    r.retention_days = r.ping->retention_days;
  }
  PingValidator(*app, doc_type, now, r).Run(payload);
  return r;
}

}  // namespace homeport::schema
