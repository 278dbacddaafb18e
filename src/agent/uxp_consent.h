// The UX program's consent state (uxp/consent.json): whether the user opted in, and while they
// are, the random client id, its first_run_date and each ping type's sequence number and start.
// Opting out replaces it with {"upload_enabled": false}: nothing of the old id survives (D3).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "homeport/env.h"
#include "homeport/status.h"

namespace homeport::agent {

struct PingCursor {
  int64_t seq = 0;       // the seq of the next ping of this type
  int64_t start_ms = 0;  // its start_time: when the previous one ended (ms since the epoch)
};

struct UxpConsent {
  bool upload_enabled = false;
  std::string client_id;       // UUIDv4, unrelated to the serial or the device key (S4)
  std::string first_run_date;  // Glean's day form, the date of this opt-in
  int64_t opted_in_ms = 0;     // the start_time of a ping type's first ping
  std::map<std::string, PingCursor> pings;

  // Takes the seq and start of the next `ping` and advances its cursor to (seq + 1, now).
  PingCursor Advance(const std::string& ping, Env::TimePoint now);
};

std::string SerializeConsent(const UxpConsent& consent);
// Corruption when the text is not what SerializeConsent writes, or claims an opt-in without a
// valid client id.
Result<UxpConsent> ParseConsent(std::string_view text);

}  // namespace homeport::agent
