// consent.json: reading, writing and ping cursors.
#include "agent/uxp_consent.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "agent/glean_document.h"

namespace homeport::agent {

using nlohmann::json;

PingCursor UxpConsent::Advance(const std::string& ping, Env::TimePoint now) {
  auto it = pings.find(ping);
  PingCursor current = it != pings.end() ? it->second : PingCursor{0, opted_in_ms};
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  pings[ping] = PingCursor{current.seq + 1, now_ms};
  return current;
}

std::string SerializeConsent(const UxpConsent& c) {
  if (!c.upload_enabled) return json{{"upload_enabled", false}}.dump(2) + "\n";
  json pings = json::object();
  for (const auto& [name, cursor] : c.pings) {
    pings[name] = {{"seq", cursor.seq}, {"start_ms", cursor.start_ms}};
  }
  json j = {{"upload_enabled", true},
            {"client_id", c.client_id},
            {"first_run_date", c.first_run_date},
            {"opted_in_ms", c.opted_in_ms},
            {"pings", std::move(pings)}};
  return j.dump(2) + "\n";
}

Result<UxpConsent> ParseConsent(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::Corruption("UX-program consent is not a JSON object");
  UxpConsent c;
  try {
    c.upload_enabled = j.at("upload_enabled").get<bool>();
    if (!c.upload_enabled) return c;
    c.client_id = j.at("client_id").get<std::string>();
    c.first_run_date = j.at("first_run_date").get<std::string>();
    c.opted_in_ms = j.at("opted_in_ms").get<int64_t>();
    for (const auto& [name, cursor] : j.at("pings").items()) {
      c.pings[name] =
          PingCursor{cursor.at("seq").get<int64_t>(), cursor.at("start_ms").get<int64_t>()};
    }
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("UX-program consent: ") + e.what());
  }
  if (!IsUuidV4(c.client_id)) {
    return Status::Corruption("UX-program consent: client_id is not a UUIDv4");
  }
  return c;
}

}  // namespace homeport::agent
