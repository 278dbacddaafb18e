// A strict-enough HTTP/1.x request reader (RFC 9112): it must find requests devices send, not
// judge them. The head is searched for its end with a matcher that carries over between
// segments; the body goes through an HttpBodyDecoder (chunked, gzip) with the same limit, so
// neither a body in one-byte segments nor a gzip bomb costs more than its bytes.
#include "audit/capture/http_request_parser.h"

#include <algorithm>
#include <charconv>

#include "common/text.h"

namespace homeport::audit::capture {
namespace {

constexpr std::string_view kMethods[] = {
    "GET",   "POST",     "PUT",    "HEAD",      "DELETE",      "OPTIONS",  "PATCH",     "CONNECT",
    "TRACE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PROPFIND", "PROPPATCH", "MKCOL",
    "COPY",  "MOVE",     "LOCK",   "UNLOCK",    "REPORT",      "SEARCH"};
// Enough bytes to tell any of them followed by a space.
constexpr size_t kMethodProbe = 12;

// The request line and header lines of `head` (without the empty line that ends a whole
// head). When `cut` (by a limit, or by the end of the stream), the request line may lack its
// version and the last header line its end.
bool ParseHead(std::string_view head, bool cut, HttpRequest* q) {
  const size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos) return false;
  if (sp2 != sp1 && line.substr(sp2 + 1, 5) == "HTTP/") {
    q->target.assign(line.substr(sp1 + 1, sp2 - sp1 - 1));
    q->version.assign(line.substr(sp2 + 1));
  } else if (cut && line_end == std::string_view::npos) {
    q->target.assign(line.substr(sp1 + 1));
  } else {
    return false;
  }
  q->method.assign(line.substr(0, sp1));
  if (line_end != std::string_view::npos) {
    std::string_view rest = head.substr(line_end + 2);
    while (!rest.empty()) {
      const size_t eol = rest.find("\r\n");
      const std::string_view h = rest.substr(0, eol);
      rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 2);
      const size_t colon = h.find(':');
      if (colon == std::string_view::npos) continue;
      q->headers.emplace_back(std::string(TrimBlanks(h.substr(0, colon))),
                              std::string(TrimBlanks(h.substr(colon + 1))));
    }
  }
  q->host.assign(q->Header("Host"));
  return true;
}

// Content-Length: digits, or a list of the same digits repeated ("5, 5"); nullopt otherwise.
std::optional<uint64_t> ParseContentLength(std::string_view text) {
  std::optional<uint64_t> length;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view item = TrimBlanks(text.substr(0, comma));
    uint64_t value = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size()) return std::nullopt;
    if (length && *length != value) return std::nullopt;
    length = value;
    if (comma == std::string_view::npos) return length;
    text.remove_prefix(comma + 1);
  }
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (AsciiIEquals(n, name)) return v;
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

HttpRequestReader::HttpRequestReader(const HttpParserLimits& limits, ReassemblyBudget* budget)
    : limits_(limits), budget_(budget), hold_(budget) {}

bool HttpRequestReader::in_request() const {
  return state_ == State::kSkipHead || state_ == State::kBody ||
         (state_ == State::kHead && !head_.empty());
}

bool HttpRequestReader::past_limit() const {
  return state_ == State::kSkipHead || (state_ == State::kBody && body_->past_limit());
}

void HttpRequestReader::Interrupt() {
  if (in_request()) interrupted_ = true;
}

size_t HttpRequestReader::FindHeadEnd(std::string_view bytes) {
  uint8_t m = head_end_match_;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\r') {
      m = m == 2 ? 3 : 1;
    } else if (c == '\n') {
      m = m == 1 ? 2 : m == 3 ? 4 : 0;
    } else {
      m = 0;
    }
    if (m == 4) {
      head_end_match_ = 0;
      examined_ += i + 1;
      return i + 1;
    }
  }
  head_end_match_ = m;
  examined_ += bytes.size();
  return std::string_view::npos;
}

bool HttpRequestReader::StartRequestHead(bool cut) {
  request_ = HttpRequest();
  std::string_view head = head_;
  if (!cut) head.remove_suffix(4);  // the empty line
  const bool ok = ParseHead(head, cut, &request_);
  std::string().swap(head_);
  hold_.Reset();
  return ok;
}

void HttpRequestReader::StartBody() {
  HttpBodyDecoder::Options o;
  o.limit = limits_.max_body_bytes;
  o.budget = budget_;
  const std::string_view te = request_.Header("Transfer-Encoding");
  const std::string_view ce = request_.Header("Content-Encoding");
  if (AsciiIContains(te, "chunked")) {
    o.framing = HttpBodyDecoder::Framing::kChunked;
  } else if (const std::string_view cl = request_.Header("Content-Length"); !cl.empty()) {
    // A length that cannot be read leaves the message's end unknown: the rest of the stream is
    // taken as its body, so it is scanned rather than skipped.
    const std::optional<uint64_t> length = ParseContentLength(cl);
    o.framing = length ? HttpBodyDecoder::Framing::kLength : HttpBodyDecoder::Framing::kUntilClose;
    o.length = length.value_or(0);
  }
  if (AsciiIContains(ce, "gzip") || AsciiIContains(te, "gzip")) {
    o.coding = "gzip";
  } else if (AsciiIContains(ce, "deflate") || AsciiIContains(te, "deflate")) {
    o.coding = "deflate";
  }
  body_.emplace(std::move(o));
  state_ = State::kBody;
}

HttpParse HttpRequestReader::Complete(size_t consumed) {
  HttpParse r;
  r.outcome = HttpParse::Outcome::kComplete;
  r.consumed = consumed;
  r.request = std::move(request_);
  request_ = HttpRequest();
  if (body_) {
    r.request.body = body_->TakeBody();
    r.request.decoded = body_->decoded();
    r.request.body_incomplete = body_->incomplete();
    r.request.uninspected.insert(r.request.uninspected.end(), body_->uninspected().begin(),
                                 body_->uninspected().end());
    examined_ += body_->bytes_examined();
    body_.reset();
  }
  std::string().swap(head_);
  hold_.Reset();
  head_end_match_ = 0;
  state_ = State::kHead;
  return r;
}

HttpParse HttpRequestReader::Read(std::string_view bytes, bool end_of_stream) {
  const auto not_http = [this](size_t consumed) {
    state_ = State::kNotHttp;
    std::string().swap(head_);
    hold_.Reset();
    body_.reset();
    HttpParse r;
    r.outcome = HttpParse::Outcome::kNotHttp;
    r.consumed = consumed;
    return r;
  };
  // The request that was being read when bytes were lost, or when the stream ended.
  const auto finish_request = [&](size_t consumed) {
    if (state_ == State::kHead && !StartRequestHead(/*cut=*/true)) return not_http(consumed);
    if (state_ == State::kBody) body_->Finish();
    return Complete(consumed);
  };
  if (interrupted_) {
    interrupted_ = false;
    if (in_request()) return finish_request(0);
  }
  size_t at = 0;
  while (true) {
    if (state_ == State::kNotHttp) return not_http(0);
    if (state_ == State::kHead) {
      if (head_.empty()) {
        // Empty lines before a request line are allowed (RFC 9112 §2.2).
        while (at < bytes.size() && (bytes[at] == '\r' || bytes[at] == '\n')) ++at;
        examined_ += at;
        if (at == bytes.size()) break;
        head_end_match_ = 0;
      }
      if (head_.size() < kMethodProbe) {
        std::string probe = head_;
        probe.append(bytes.substr(at, kMethodProbe - head_.size()));
        if (LooksLikeHttpRequest(probe) == 0) return not_http(at);
      }
      const std::string_view fresh = bytes.substr(at, limits_.max_header_bytes - head_.size());
      const size_t end = FindHeadEnd(fresh);
      const std::string_view take = end == std::string_view::npos ? fresh : fresh.substr(0, end);
      const char* cut_reason = nullptr;
      uint64_t cut_limit = 0;
      if (hold_.Take(take.size())) {
        head_.append(take);
        at += take.size();
        if (end != std::string_view::npos) {
          if (!StartRequestHead(/*cut=*/false)) return not_http(at);
          StartBody();
          continue;
        }
        if (head_.size() >= limits_.max_header_bytes) {
          cut_reason = "HTTP request head past the size limit";
          cut_limit = limits_.max_header_bytes;
        }
      } else {
        cut_reason = "HTTP request head past the reassembly memory budget";
        cut_limit = hold_.limit();
        at += take.size();  // looked at, not kept: skipped with the rest of the head
      }
      if (cut_reason != nullptr) {
        // Too long to keep: what was kept is read as far as it goes, and the rest of the head
        // is skipped to its end, where the body starts.
        const uint64_t offset = head_.size();
        if (!StartRequestHead(/*cut=*/true)) return not_http(at);
        request_.uninspected.push_back({{}, cut_reason, cut_limit, offset});
        state_ = State::kSkipHead;
        if (end != std::string_view::npos) {
          StartBody();  // the head ended in the bytes that could not be kept
        }
        continue;
      }
      break;  // all taken; the head goes on
    }
    if (state_ == State::kSkipHead) {
      const size_t end = FindHeadEnd(bytes.substr(at));
      if (end == std::string_view::npos) {
        at = bytes.size();
        break;
      }
      at += end;
      StartBody();
      continue;
    }
    // kBody
    at += body_->Add(bytes.substr(at));
    if (body_->done()) return Complete(at);
    break;
  }
  if (end_of_stream && in_request()) return finish_request(at);
  HttpParse r;
  r.consumed = at;
  return r;
}

HttpParse ParseHttpRequest(std::string_view bytes, bool end_of_stream,
                           const HttpParserLimits& limits) {
  HttpRequestReader reader(limits);
  HttpParse r = reader.Read(bytes, end_of_stream);
  if (r.outcome == HttpParse::Outcome::kNeedMore && reader.past_limit()) {
    // Waiting would not bring the rest of this request within the limits: it ends here.
    r = reader.Read({}, /*end_of_stream=*/true);
    r.consumed = bytes.size();
    if (r.request.uninspected.empty()) {
      r.request.uninspected.push_back(
          {{}, "HTTP body past the scan limit", limits.max_body_bytes, r.request.body.size()});
    }
  }
  if (r.outcome == HttpParse::Outcome::kNeedMore) r.consumed = 0;
  return r;
}

}  // namespace homeport::audit::capture
