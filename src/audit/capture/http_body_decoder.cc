// The decoder keeps no copy of the wire: chunk framing is read by a cursor that survives
// between segments, so a body arriving one byte per segment costs what it costs in one
// segment. Inflating runs only while its output is still kept; a gzip bomb costs at most the
// limit's worth of inflating. Whatever cannot be undone (a broken chunk line, a body labelled
// gzip that is not, bytes after the gzip stream) is kept as sent rather than dropped, so its
// identifiers are still found.
#include "audit/capture/http_body_decoder.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace homeport::audit::capture {
namespace {

// What an inflater holds besides its output: zlib's state with its 32 KiB window, charged
// against the reassembly budget like the bytes it stands for.
constexpr size_t kInflaterBytes = 48 << 10;
// zlib counts input in uInt; segments are far smaller, a one-shot body is fed in slices.
constexpr size_t kMaxInflateInput = size_t{1} << 30;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

class HttpBodyDecoder::Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&zs_, 32 + MAX_WBITS) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&zs_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& stream() { return zs_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

HttpBodyDecoder::HttpBodyDecoder(Options options)
    : options_(std::move(options)), hold_(options_.budget), inflater_hold_(options_.budget) {
  switch (options_.framing) {
    case Framing::kNone:
      state_ = State::kDone;
      return;
    case Framing::kLength:
      remaining_ = options_.length;
      state_ = remaining_ == 0 ? State::kDone : State::kBody;
      if (state_ == State::kDone) return;
      break;
    case Framing::kChunked:
      state_ = State::kChunkSize;
      decoded_.emplace_back("chunked");
      break;
    case Framing::kUntilClose:
      until_close_ = true;
      state_ = State::kBody;
      break;
  }
  if (options_.coding.empty()) return;
  if (!inflater_hold_.Take(kInflaterBytes)) {
    // Kept as sent: scanned, but what the coding hides is not.
    raw_ = true;
    uninspected_.push_back({{},
                            options_.coding + " body not inflated: reassembly memory budget spent",
                            inflater_hold_.limit(),
                            0});
    return;
  }
  inflater_ = std::make_unique<Inflater>();
  if (!inflater_->ok()) {
    StopInflating();
    raw_ = true;
  }
}

HttpBodyDecoder::~HttpBodyDecoder() = default;
HttpBodyDecoder::HttpBodyDecoder(HttpBodyDecoder&&) noexcept = default;
HttpBodyDecoder& HttpBodyDecoder::operator=(HttpBodyDecoder&&) noexcept = default;

bool HttpBodyDecoder::past_limit() const {
  return !storing_ || (options_.framing == Framing::kLength && options_.length > options_.limit);
}

std::string HttpBodyDecoder::TakeBody() { return std::move(body_); }

size_t HttpBodyDecoder::Add(std::string_view wire) {
  if (state_ == State::kDone || wire.empty()) return 0;
  if (state_ != State::kBody) return AddChunked(wire);
  const size_t n =
      until_close_ ? wire.size() : static_cast<size_t>(std::min<uint64_t>(remaining_, wire.size()));
  examined_ += n;
  Content(wire.substr(0, n));
  if (!until_close_) {
    remaining_ -= n;
    if (remaining_ == 0) {
      state_ = State::kDone;
      EndOfBody();
    }
  }
  return n;
}

size_t HttpBodyDecoder::AddChunked(std::string_view wire) {
  size_t at = 0;
  while (at < wire.size() && state_ != State::kDone) {
    switch (state_) {
      case State::kChunkSize: {
        const char c = wire[at];
        const int digit = HexValue(c);
        if (digit >= 0) {
          // A chunk this large is no chunk: past 2^60 the framing is taken as broken.
          if (remaining_ >= (uint64_t{1} << 56)) {
            FramingBroken(wire.substr(at));
            return wire.size();
          }
          remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
          chunk_size_digits_ = true;
          ++at;
          ++examined_;
        } else if (!chunk_size_digits_ && (c == ' ' || c == '\t')) {
          ++at;
          ++examined_;
        } else if (!chunk_size_digits_) {
          FramingBroken(wire.substr(at));
          return wire.size();
        } else {
          state_ = State::kChunkExtension;  // ";name=value", spaces, then the line's end
        }
        break;
      }
      case State::kChunkExtension: {
        const void* nl = std::memchr(wire.data() + at, '\n', wire.size() - at);
        if (nl == nullptr) {
          examined_ += wire.size() - at;
          at = wire.size();
          break;
        }
        const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - wire.data()) + 1;
        examined_ += end - at;
        at = end;
        if (remaining_ == 0) {
          state_ = State::kTrailer;
          line_has_text_ = false;
        } else {
          state_ = State::kChunkData;
        }
        break;
      }
      case State::kChunkData: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, wire.size() - at));
        Content(wire.substr(at, n));
        examined_ += n;
        at += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd: {
        const char c = wire[at];
        if (c == '\r') {
          ++at;
          ++examined_;
        } else if (c == '\n') {
          ++at;
          ++examined_;
          state_ = State::kChunkSize;
          chunk_size_digits_ = false;
        } else {
          FramingBroken(wire.substr(at));
          return wire.size();
        }
        break;
      }
      case State::kTrailer: {
        // Trailer fields (not scanned: they are rare, and a header's business), then an empty line.
        const void* nl = std::memchr(wire.data() + at, '\n', wire.size() - at);
        const size_t end = nl == nullptr
                               ? wire.size()
                               : static_cast<size_t>(static_cast<const char*>(nl) - wire.data());
        for (size_t i = at; i < end && !line_has_text_; ++i) line_has_text_ = wire[i] != '\r';
        examined_ += end - at;
        at = end;
        if (nl != nullptr) {
          ++at;
          ++examined_;
          if (!line_has_text_) {
            state_ = State::kDone;
            EndOfBody();
          }
          line_has_text_ = false;
        }
        break;
      }
      case State::kBody:
      case State::kDone:
        return at;
    }
  }
  return at;
}

void HttpBodyDecoder::FramingBroken(std::string_view rest) {
  // No longer chunks: everything to the end of the stream is taken as it is, so whatever it
  // says is still scanned.
  incomplete_ = true;
  until_close_ = true;
  raw_ = true;
  state_ = State::kBody;
  examined_ += rest.size();
  Content(rest);
}

void HttpBodyDecoder::Content(std::string_view bytes) {
  if (bytes.empty()) return;
  if (inflater_ != nullptr && !raw_) {
    Inflate(bytes);
  } else {
    Store(bytes, /*inflated=*/false);
  }
}

void HttpBodyDecoder::Inflate(std::string_view in) {
  if (!inflated_any_ && raw_prefix_.size() < options_.limit) {
    // Until it yields output, the "compressed" body may be no such thing: keep it as sent.
    const std::string_view keep = in.substr(0, options_.limit - raw_prefix_.size());
    if (hold_.Take(keep.size())) raw_prefix_.append(keep);
    if (keep.size() < in.size()) raw_prefix_cut_ = true;
  }
  while (!in.empty() && inflater_ != nullptr && !raw_) {
    if (member_ended_) {
      // After a gzip member comes another (RFC 1952 §2.2), or bytes that are not gzip at all
      // and would otherwise be hidden behind a valid stream.
      const size_t take = std::min(in.size(), 2 - member_start_.size());
      member_start_.append(in.substr(0, take));
      in.remove_prefix(take);
      if (member_start_.size() < 2) return;
      member_ended_ = false;
      const std::string start = std::move(member_start_);
      member_start_.clear();
      if (start != "\x1f\x8b" || inflateReset(&inflater_->stream()) != Z_OK) {
        raw_ = true;
        StopInflating();
        Store(start, /*inflated=*/false);
        Store(in, /*inflated=*/false);
        return;
      }
      Inflate(start);
      continue;
    }
    z_stream& zs = inflater_->stream();
    const std::string_view slice = in.substr(0, kMaxInflateInput);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(slice.data()));
    zs.avail_in = static_cast<uInt>(slice.size());
    char out[16 << 10];
    while (true) {
      zs.next_out = reinterpret_cast<Bytef*>(out);
      zs.avail_out = sizeof out;
      const int rc = inflate(&zs, Z_NO_FLUSH);
      const size_t produced = sizeof out - zs.avail_out;
      if (produced > 0) {
        if (!inflated_any_) {
          inflated_any_ = true;
          decoded_.push_back(options_.coding);
          hold_.Give(raw_prefix_.size());
          std::string().swap(raw_prefix_);
        }
        Store(std::string_view(out, produced), /*inflated=*/true);
        if (inflater_ == nullptr) return;  // past the limit: the rest is not inflated
      }
      if (rc == Z_STREAM_END) {
        member_ended_ = true;
        break;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        InflateFailed(slice.substr(slice.size() - zs.avail_in));
        return;
      }
      if (zs.avail_out != 0 || (rc == Z_BUF_ERROR && produced == 0)) break;  // wants input
    }
    in.remove_prefix(slice.size() - zs.avail_in);
    if (zs.avail_in != 0 && !member_ended_) return;  // cannot happen: zlib stopped short
  }
}

void HttpBodyDecoder::InflateFailed(std::string_view rest) {
  // Not gzip after all, or corrupt from here on: keep the bytes as sent.
  incomplete_ = true;
  if (!inflated_any_) {
    KeepRawPrefix();  // everything given so far, `rest` included
  } else {
    StopInflating();
    raw_ = true;
    Store(rest, /*inflated=*/false);
  }
}

void HttpBodyDecoder::KeepRawPrefix() {
  std::string prefix = std::move(raw_prefix_);
  raw_prefix_.clear();
  hold_.Give(prefix.size());
  const bool cut = raw_prefix_cut_;
  StopInflating();
  raw_ = true;
  Store(prefix, /*inflated=*/false);
  if (cut && storing_) StopStoring("HTTP body past the scan limit", options_.limit);
}

void HttpBodyDecoder::Store(std::string_view bytes, bool inflated) {
  if (!storing_ || bytes.empty()) return;
  const size_t room = options_.limit - body_.size();
  const std::string_view keep = bytes.substr(0, room);
  if (!hold_.Take(keep.size())) {
    StopStoring("HTTP body past the reassembly memory budget", hold_.limit());
    return;
  }
  body_.append(keep);
  if (bytes.size() > room) {
    StopStoring(inflated ? options_.coding + " body inflates past the scan limit"
                         : std::string("HTTP body past the scan limit"),
                options_.limit);
  }
}

void HttpBodyDecoder::StopStoring(std::string reason, uint64_t limit) {
  storing_ = false;
  uninspected_.push_back({{}, std::move(reason), limit, body_.size()});
  StopInflating();
}

void HttpBodyDecoder::StopInflating() {
  inflater_.reset();
  inflater_hold_.Reset();
  hold_.Give(raw_prefix_.size());
  std::string().swap(raw_prefix_);
}

void HttpBodyDecoder::EndOfBody() {
  if (inflater_ != nullptr && !raw_) {
    if (!inflated_any_ && !member_ended_) {
      // Never yielded a byte: whatever it was, it is scanned as sent.
      incomplete_ = true;
      KeepRawPrefix();
    } else if (!inflated_any_) {
      decoded_.push_back(options_.coding);  // an empty stream
    } else if (!member_ended_) {
      incomplete_ = true;  // the stream was cut short
    }
  }
  if (!member_start_.empty()) Store(member_start_, /*inflated=*/false);
  member_start_.clear();
  StopInflating();
}

void HttpBodyDecoder::Finish() {
  if (state_ == State::kDone) return;
  if (!until_close_) incomplete_ = true;
  state_ = State::kDone;
  EndOfBody();
}

}  // namespace homeport::audit::capture
