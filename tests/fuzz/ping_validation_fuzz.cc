// A Glean ping submitted to POST /submit/homeport-agent/<ping>/1/<uuid>, as plain JSON or (when
// the input starts with gzip's magic bytes) gzip-encoded, for each ping the shipped schema
// knows: decoding, validation against metrics.yaml/pings.yaml, the scrubber's rewrite of free
// text, and the commit or erasure.
#include "fuzz/fuzz_checks.h"
#include "fuzz/fuzz_region_service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* service = new homeport::fuzzing::RegionService();
  static const char* const kPings[] = {"diagnostics", "feedback", "metrics",
                                       "baseline",    "events",   "deletion-request"};
  std::string body(reinterpret_cast<const char*>(data), size);
  bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  for (const char* ping : kPings) {
    homeport::HttpRequest request;
    request.method = "POST";
    request.target =
        std::string("/submit/homeport-agent/") + ping + "/1/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
    request.headers = {{"content-type", "application/json; charset=utf-8"}};
    if (gzip) request.headers.emplace_back("content-encoding", "gzip");
    request.body = body;
    homeport::fuzzing::CheckResponse(service->Call(request));
  }
  return 0;
}
