// HTTP/1.x requests from a client's byte stream (TCP) or a datagram (SSDP and other HTTP over
// UDP): request line, headers, Host, and the body with its transfer coding (chunked) and
// content coding (gzip) undone, so the identifiers in it can be scanned.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace homeport::audit::capture {

struct HttpRequest {
  std::string method;
  std::string target;   // as in the request line: "/path?query", "*", or an absolute URL
  std::string version;  // "HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as written
  std::string host;  // the Host header's value as written, port included
  std::string body;  // decoded: de-chunked, gunzipped
  // Codings undone, in order ("chunked", "gzip"), and whether the body could not be decoded
  // completely (then `body` holds the bytes as far as they could be).
  std::vector<std::string> decoded;
  bool body_incomplete = false;

  // The first header named `name` (case-insensitive), or empty.
  std::string_view Header(std::string_view name) const;
};

struct HttpParse {
  enum class Outcome {
    kNeedMore,  // a request so far; more bytes are needed
    kNotHttp,   // the bytes do not start with an HTTP/1.x request
    kComplete,  // `request` holds one request, `consumed` bytes long
  };
  Outcome outcome = Outcome::kNeedMore;
  size_t consumed = 0;
  HttpRequest request;
};

struct HttpParserLimits {
  size_t max_header_bytes = 64 << 10;
  size_t max_body_bytes = 1 << 20;  // decoded, and on the wire
};

// One request from the start of `bytes`. When `end_of_stream`, a request whose body has no
// length (or is cut short) completes with what is there.
HttpParse ParseHttpRequest(std::string_view bytes, bool end_of_stream,
                           const HttpParserLimits& limits = {});

// Whether `bytes` start like a request line ("GET ", "POST ", "M-SEARCH "...): 1 yes, 0 no,
// -1 too few bytes to tell.
int LooksLikeHttpRequest(std::string_view bytes);

}  // namespace homeport::audit::capture
