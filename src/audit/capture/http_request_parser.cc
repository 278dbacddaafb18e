// A strict-enough HTTP/1.x request reader (RFC 9112): it must find requests devices send, not
// judge them. Chunked bodies are de-chunked; gzip and x-gzip content through common/gzip with
// the same size limit, so a gzip bomb stops at the limit.
#include "audit/capture/http_request_parser.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/gzip.h"

namespace homeport::audit::capture {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IContains(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char x, char y) {
                       return std::tolower(static_cast<unsigned char>(x)) ==
                              std::tolower(static_cast<unsigned char>(y));
                     }) != haystack.end();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

constexpr std::string_view kMethods[] = {
    "GET",   "POST",     "PUT",    "HEAD",      "DELETE",      "OPTIONS",  "PATCH",     "CONNECT",
    "TRACE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PROPFIND", "PROPPATCH", "MKCOL",
    "COPY",  "MOVE",     "LOCK",   "UNLOCK",    "REPORT",      "SEARCH"};

// De-chunks `wire`; returns bytes consumed (0 while incomplete). `out` gets the data.
size_t Dechunk(std::string_view wire, size_t max_body, std::string* out, bool* too_large) {
  size_t at = 0;
  out->clear();
  while (true) {
    const size_t eol = wire.find("\r\n", at);
    if (eol == std::string_view::npos) return 0;
    const std::string size_text(Trim(wire.substr(at, std::min(eol - at, wire.find(';', at) - at))));
    char* end = nullptr;
    const unsigned long long size = std::strtoull(size_text.c_str(), &end, 16);
    if (size_text.empty() || end == size_text.c_str()) return 0;
    at = eol + 2;
    if (size == 0) {
      // Trailer fields, then an empty line.
      while (true) {
        const size_t line_end = wire.find("\r\n", at);
        if (line_end == std::string_view::npos) return 0;
        const bool empty = line_end == at;
        at = line_end + 2;
        if (empty) return at;
      }
    }
    // Compared without adding to `size`, which may be as large as 2^64 - 1 (an overflow made a
    // huge chunk look small and the same bytes be appended again and again).
    if (size > max_body - out->size()) {
      *too_large = true;
      return 0;
    }
    if (wire.size() - at < 2 || size > wire.size() - at - 2) return 0;
    out->append(wire.substr(at, size));
    at += size + 2;
  }
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (IEquals(n, name)) return v;
  }
  return {};
}

int LooksLikeHttpRequest(std::string_view bytes) {
  bool maybe = false;
  for (std::string_view m : kMethods) {
    if (bytes.size() > m.size()) {
      if (bytes.substr(0, m.size()) == m && bytes[m.size()] == ' ') return 1;
    } else if (m.substr(0, bytes.size()) == bytes) {
      maybe = true;
    }
  }
  return maybe ? -1 : 0;
}

HttpParse ParseHttpRequest(std::string_view bytes, bool end_of_stream,
                           const HttpParserLimits& limits) {
  HttpParse r;
  const int looks = LooksLikeHttpRequest(bytes);
  if (looks == 0) {
    r.outcome = HttpParse::Outcome::kNotHttp;
    return r;
  }
  const size_t head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (bytes.size() > limits.max_header_bytes) r.outcome = HttpParse::Outcome::kNotHttp;
    return r;
  }
  HttpRequest& q = r.request;
  std::string_view head = bytes.substr(0, head_end);
  const size_t line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1 || line.substr(sp2 + 1, 5) != "HTTP/") {
    r.outcome = HttpParse::Outcome::kNotHttp;
    return r;
  }
  q.method.assign(line.substr(0, sp1));
  q.target.assign(line.substr(sp1 + 1, sp2 - sp1 - 1));
  q.version.assign(line.substr(sp2 + 1));
  if (line_end != std::string_view::npos) {
    std::string_view rest = head.substr(line_end + 2);
    while (!rest.empty()) {
      const size_t eol = rest.find("\r\n");
      std::string_view h = rest.substr(0, eol);
      rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 2);
      const size_t colon = h.find(':');
      if (colon == std::string_view::npos) continue;
      q.headers.emplace_back(std::string(Trim(h.substr(0, colon))),
                             std::string(Trim(h.substr(colon + 1))));
    }
  }
  q.host.assign(q.Header("Host"));

  const size_t body_start = head_end + 4;
  std::string_view wire = bytes.substr(body_start);
  size_t body_wire_length = 0;
  if (IContains(q.Header("Transfer-Encoding"), "chunked")) {
    bool too_large = false;
    body_wire_length = Dechunk(wire, limits.max_body_bytes, &q.body, &too_large);
    if (body_wire_length == 0) {
      if (!end_of_stream && !too_large && wire.size() <= limits.max_body_bytes) return r;
      q.body_incomplete = true;  // keep the chunks that were whole
      body_wire_length = wire.size();
    }
    q.decoded.emplace_back("chunked");
  } else if (std::string_view cl = q.Header("Content-Length"); !cl.empty()) {
    const std::string digits(cl);
    const unsigned long long length = std::strtoull(digits.c_str(), nullptr, 10);
    if (wire.size() < length) {
      if (!end_of_stream && length <= limits.max_body_bytes) return r;
      q.body_incomplete = true;
    }
    body_wire_length = std::min<size_t>(wire.size(), length);
    q.body.assign(wire.substr(0, std::min(body_wire_length, limits.max_body_bytes)));
  }
  const std::string_view coding = q.Header("Content-Encoding");
  if (IContains(coding, "gzip") && !q.body.empty()) {
    auto plain = Gunzip(q.body, limits.max_body_bytes);
    if (plain.ok()) {
      q.body = std::move(*plain);
      q.decoded.emplace_back("gzip");
    } else {
      q.body_incomplete = true;
    }
  }
  r.outcome = HttpParse::Outcome::kComplete;
  r.consumed = body_start + body_wire_length;
  return r;
}

}  // namespace homeport::audit::capture
