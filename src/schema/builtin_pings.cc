// Glean's built-in pings, transcribed from glean-core's pings.yaml (descriptions shortened).
#include "schema/builtin_pings.h"

namespace homeport::schema {
namespace {

PingDefinition Builtin(std::string name, std::string description, bool send_if_empty,
                       std::map<std::string, std::string> reasons) {
  PingDefinition p;
  p.name = std::move(name);
  p.description = std::move(description);
  p.include_client_id = true;
  p.send_if_empty = send_if_empty;
  p.reasons = std::move(reasons);
  p.builtin = true;
  return p;
}

std::vector<PingDefinition> MakeBuiltinPings() {
  std::vector<PingDefinition> pings;
  pings.push_back(
      Builtin("baseline",
              "Sent by the Glean SDK when the application becomes active or inactive: session "
              "duration and the SDK's own baseline metrics.",
              true,
              {{"active", "The application became active."},
               {"inactive", "The application became inactive."},
               {"dirty_startup", "The application started without a clean shutdown before."}}));
  pings.push_back(
      Builtin("metrics",
              "Sent by the Glean SDK about once a day: every non-event metric of the application "
              "whose send_in_pings is the default.",
              false,
              {{"overdue", "The last metrics ping is more than a day old."},
               {"reschedule", "Sent on the daily schedule."},
               {"today", "Sent at start-up, later than the scheduled time of today."},
               {"tomorrow", "Sent at start-up, before the scheduled time of the next day."},
               {"upgrade", "Sent after an application upgrade."}}));
  pings.push_back(Builtin("events", "Sent by the Glean SDK to carry recorded events.", false,
                          {{"startup", "Events left over from the last run."},
                           {"inactive", "The application became inactive."},
                           {"max_capacity", "The event buffer is full."}}));
  pings.push_back(Builtin("health", "Sent by the Glean SDK about its own health at start-up.",
                          false, {{"pre_init", "Sent before Glean initializes."}}));
  pings.push_back(Builtin(
      "deletion-request",
      "Sent when the user opts out: the server erases every stored document of this client.", true,
      {{"at_init", "The user opted out while the application was not running."},
       {"set_upload_enabled", "The user opted out."}}));
  return pings;
}

}  // namespace

const std::vector<PingDefinition>& BuiltinPings() {
  static const std::vector<PingDefinition> pings = MakeBuiltinPings();
  return pings;
}

bool IsBuiltinPing(std::string_view name) {
  for (const PingDefinition& p : BuiltinPings()) {
    if (p.name == name) return true;
  }
  return false;
}

bool IsReservedPingName(std::string_view name) {
  return name == "default" || name == "all-pings" || IsBuiltinPing(name);
}

}  // namespace homeport::schema
