// HTTP/1.x requests as the capture verifier reads them from a device's TCP stream: request
// line, headers, chunked and gzip bodies, pipelined requests, and the stream's end. Each input
// is read twice: in one go (ParseHttpRequest, as a datagram is), and by an HttpRequestReader
// fed in segments whose sizes come from the input's first byte. Limits are small (1 KiB heads,
// 8 KiB bodies, a 6 KiB reassembly budget) so small inputs reach each of them. The reader must
// keep to its limits, give the budget back, never stall, and look at each byte a bounded
// number of times.
#include <cstdlib>

#include "audit/capture/http_request_parser.h"

using namespace homeport::audit::capture;

namespace {

void CheckRequest(const HttpRequest& request, const HttpParserLimits& limits) {
  if (request.body.size() > limits.max_body_bytes) abort();
  for (const auto& u : request.uninspected) {
    if (u.reason.empty() || !u.subject.empty()) abort();
  }
  (void)request.Header("host");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)LooksLikeHttpRequest(bytes);
  HttpParserLimits limits;
  limits.max_header_bytes = 1 << 10;
  limits.max_body_bytes = 8 << 10;
  for (bool end_of_stream : {false, true}) {
    std::string_view rest = bytes;
    for (int i = 0; i < 8 && !rest.empty(); ++i) {
      HttpParse parse = ParseHttpRequest(rest, end_of_stream, limits);
      if (parse.outcome != HttpParse::Outcome::kComplete) break;
      if (parse.consumed == 0 || parse.consumed > rest.size()) abort();
      CheckRequest(parse.request, limits);
      // Without a content coding, the body is made of bytes of the request: never more.
      bool inflated = false;
      for (const auto& coding : parse.request.decoded) inflated |= coding != "chunked";
      if (!inflated && parse.request.body.size() > parse.consumed) abort();
      rest.remove_prefix(parse.consumed);
    }
  }

  // As a stream: segments of 1 to 64 bytes (the first input byte picks the pattern).
  const size_t pattern = size > 0 ? static_cast<uint8_t>(bytes[0]) : 0;
  ReassemblyBudget budget(6 << 10);
  {
    HttpRequestReader reader(limits, &budget);
    std::string buffer;  // what the reassembler would hold: given, not yet consumed
    size_t at = 0;
    int empty_completions = 0;
    for (size_t segment = 0; at < size || segment == 0; ++segment) {
      const size_t n = std::min(size - at, 1 + (pattern * 7 + segment * 13) % 64);
      buffer.append(bytes.substr(at, n));
      at += n;
      const bool end = at == size;
      while (true) {
        HttpParse p = reader.Read(buffer, end);
        if (p.consumed > buffer.size()) abort();
        buffer.erase(0, p.consumed);
        if (p.outcome == HttpParse::Outcome::kNeedMore) {
          if (!buffer.empty()) abort();  // a reader keeps nothing back
          break;
        }
        if (p.outcome == HttpParse::Outcome::kNotHttp) {
          buffer.clear();
          break;
        }
        // A request with nothing read comes once, never again and again.
        empty_completions = p.consumed == 0 ? empty_completions + 1 : 0;
        if (empty_completions > 1) abort();
        CheckRequest(p.request, limits);
      }
      if (reader.held() > limits.max_header_bytes + limits.max_body_bytes) abort();
      if (segment % 8 == 7 && (pattern & 0x80) != 0) reader.Interrupt();
    }
    if (reader.bytes_examined() > 2 * size + 16) abort();
  }
  if (budget.used() != 0) abort();
  return 0;
}
