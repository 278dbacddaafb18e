// HTTP/1.x requests from a client's byte stream (TCP) or a datagram (SSDP and other HTTP over
// UDP): request line, headers, Host, and the body with its transfer coding (chunked) and
// content coding (gzip) undone, so the identifiers in it can be scanned.
//
// A stream is read by an HttpRequestReader, which takes the bytes as they arrive and keeps
// what it needs itself (a head of at most 64 KiB, the first 1 MiB of a body as decoded), so
// the reassembler holds almost nothing, every byte is looked at a bounded number of times
// however the stream was cut into segments, and a body larger than any segment is scanned
// whole up to the limit. What a limit keeps from being inspected is listed in the request as
// `Uninspected` (with an empty subject: the caller names the flow).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/capture/http_body_decoder.h"
#include "audit/capture/tcp_reassembler.h"
#include "audit/uninspected.h"

namespace homeport::audit::capture {

struct HttpRequest {
  std::string method;
  std::string target;   // as in the request line: "/path?query", "*", or an absolute URL
  std::string version;  // "HTTP/1.1"; empty when the request line was cut at the head limit
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as written
  std::string host;  // the Host header's value as written, port included
  std::string body;  // decoded: de-chunked, gunzipped; at most HttpParserLimits::max_body_bytes
  // Codings undone, in order ("chunked", "gzip"), and whether the body could not be decoded
  // completely (then `body` holds the bytes as far as they could be).
  std::vector<std::string> decoded;
  bool body_incomplete = false;
  // What of this request was not inspected, each with the limit that stopped it. The subject
  // is empty (the caller names the flow); the offset counts bytes of the request head for
  // "HTTP request head past …", and bytes of the decoded body for the body's reasons ("HTTP
  // body past the scan limit", "gzip body inflates past the scan limit", "… memory budget").
  std::vector<Uninspected> uninspected;

  // The first header named `name` (case-insensitive), or empty.
  std::string_view Header(std::string_view name) const;
};

struct HttpParse {
  enum class Outcome {
    kNeedMore,  // a request so far; more bytes are needed
    kNotHttp,   // the bytes do not start with an HTTP/1.x request
    kComplete,  // `request` holds one request; `consumed` bytes of the input were read
  };
  Outcome outcome = Outcome::kNeedMore;
  size_t consumed = 0;
  HttpRequest request;
};

struct HttpParserLimits {
  size_t max_header_bytes = 64 << 10;  // request line and headers; past it, the head is cut
  size_t max_body_bytes = 1 << 20;     // of the body as decoded; past it, read but not kept
};

// Reads the requests of one client byte stream, in order. Feed it the stream's bytes as they
// become available; it consumes them (keeping copies within its limits), so the caller drops
// `consumed` bytes from its buffer after every call, whatever the outcome:
//
//   while (true) {
//     HttpParse p = reader.Read(stream.data(), end_of_stream);
//     stream.Consume(p.consumed, budget);
//     if (p.outcome == HttpParse::Outcome::kNeedMore) break;     // all taken; wait for more
//     if (p.outcome == HttpParse::Outcome::kNotHttp) { stop reading this stream; break; }
//     inspect p.request (and its uninspected parts);                // then read on
//   }
//
// kComplete returns at the end of each request (a CONNECT or an Upgrade can stop there); its
// `consumed` may be 0 when the request's last bytes came in earlier calls (at the end of the
// stream, or after Interrupt()). Past the body limit the body is still read to its end, so
// the next request on the connection is found. Work is linear in the bytes given; memory is
// at most one head and one body limit, charged to `budget` when given. Not thread-safe.
class HttpRequestReader {
 public:
  explicit HttpRequestReader(const HttpParserLimits& limits = {},
                             ReassemblyBudget* budget = nullptr);

  HttpParse Read(std::string_view bytes, bool end_of_stream);
  // Bytes of the stream were lost (a hole in the capture, a reassembler limit): the request
  // being read ends where they were lost and comes out of the next Read (incomplete); reading
  // then starts again at what follows, which has to be the start of a request.
  void Interrupt();

  // Whether a request has begun and not yet come out.
  bool in_request() const;
  // Whether the request being read goes, or is declared to go, past a limit.
  bool past_limit() const;
  // Bytes held now (head and body so far).
  size_t held() const { return hold_.held() + (body_ ? body_->body().size() : 0); }
  // Bytes looked at one by one or copied since the reader was made, including the body
  // decoders': linear in the bytes given, however they were segmented.
  uint64_t bytes_examined() const { return examined_ + (body_ ? body_->bytes_examined() : 0); }

 private:
  enum class State { kHead, kSkipHead, kBody, kNotHttp };

  size_t FindHeadEnd(std::string_view bytes);
  bool StartRequestHead(bool cut);
  void StartBody();
  HttpParse Complete(size_t consumed);

  HttpParserLimits limits_;
  ReassemblyBudget* budget_;
  State state_ = State::kHead;
  std::string head_;
  uint8_t head_end_match_ = 0;  // how much of "\r\n\r\n" the bytes so far end with
  HttpRequest request_;         // its head, once read
  std::optional<HttpBodyDecoder> body_;
  bool interrupted_ = false;
  BudgetHold hold_;
  uint64_t examined_ = 0;  // the heads', and the bodies' of requests that came out
};

// One request from the start of `bytes`, read in one go (a datagram, or a stream's bytes when
// no reader is kept). When `end_of_stream`, a request whose body has no length (or is cut
// short) completes with what is there. A request that goes past a limit completes as soon as
// it does (or, for a body, as soon as its declared length does), with the rest of its bytes
// left to the caller and listed as uninspected.
HttpParse ParseHttpRequest(std::string_view bytes, bool end_of_stream,
                           const HttpParserLimits& limits = {});

// Whether `bytes` start like a request line ("GET ", "POST ", "M-SEARCH "...): 1 yes, 0 no,
// -1 too few bytes to tell.
int LooksLikeHttpRequest(std::string_view bytes);

}  // namespace homeport::audit::capture
