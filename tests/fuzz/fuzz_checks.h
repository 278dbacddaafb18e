// Invariants every fuzz target of the request path checks besides "no crash": an answer is a
// real HTTP status, never a 500, and a JSON answer is JSON (an error always the DESIGN.md
// error body).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "server/http_message.h"

namespace homeport::fuzzing {

[[noreturn]] inline void Fail(const char* what, const HttpResponse& r) {
  std::fprintf(stderr, "invariant broken: %s (status %d, body %.400s)\n", what, r.status,
               r.body.c_str());
  std::abort();
}

// With HOMEPORT_FUZZ_TRACE set, each answer is printed to stderr: to see what a seed reaches.
inline void CheckResponse(const HttpResponse& r) {
  static const bool trace = std::getenv("HOMEPORT_FUZZ_TRACE") != nullptr;
  if (trace) std::fprintf(stderr, "%d %.300s\n", r.status, r.body.c_str());
  if (r.status < 100 || r.status > 599) Fail("status out of range", r);
  if (r.status >= 500 && r.status != 503) Fail("internal error answered", r);
  if (r.content_type != "application/json") return;
  nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  if (body.is_discarded()) Fail("JSON answer is not JSON", r);
  if (r.status >= 400 && (!body.is_object() || !body.contains("error") ||
                          !body["error"].is_string() || !body.contains("message"))) {
    Fail("error answer without the error body", r);
  }
}

}  // namespace homeport::fuzzing
