// HTTP/1.x requests as the capture verifier reads them from a device's TCP stream: request
// line, headers, chunked and gzip bodies, pipelined requests, and the stream's end.
#include <cstdlib>

#include "audit/capture/http_request_parser.h"

using namespace homeport::audit::capture;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)LooksLikeHttpRequest(bytes);
  HttpParserLimits limits;
  limits.max_header_bytes = 4096;
  limits.max_body_bytes = 64 << 10;
  for (bool end_of_stream : {false, true}) {
    std::string_view rest = bytes;
    for (int i = 0; i < 8 && !rest.empty(); ++i) {
      HttpParse parse = ParseHttpRequest(rest, end_of_stream, limits);
      if (parse.outcome != HttpParse::Outcome::kComplete) break;
      if (parse.consumed == 0 || parse.consumed > rest.size()) abort();
      if (parse.request.body.size() > limits.max_body_bytes) abort();
      // Without a content coding, the body is made of bytes of the request: never more.
      bool inflated = false;
      for (const auto& coding : parse.request.decoded) inflated |= coding != "chunked";
      if (!inflated && parse.request.body.size() > parse.consumed) abort();
      (void)parse.request.Header("host");
      rest.remove_prefix(parse.consumed);
    }
  }
  return 0;
}
