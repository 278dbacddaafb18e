// HttpBodyDecoder: the body of one HTTP message as its bytes arrive, segment by segment: the
// framing undone (Content-Length, or chunked with a cursor that never looks at a byte twice),
// then the content coding (gzip or zlib, inflated as a stream), keeping the first `limit`
// bytes of the result for the identifier scan. What lies past the limit is still read (to find
// where the message ends) but neither stored nor inflated, and is reported as uninspected.
// Work is linear in the bytes given, memory bounded by the limit. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/capture/tcp_reassembler.h"
#include "audit/uninspected.h"

namespace homeport::audit::capture {

class HttpBodyDecoder {
 public:
  enum class Framing {
    kNone,        // no body
    kLength,      // Content-Length bytes
    kChunked,     // chunked transfer coding
    kUntilClose,  // everything up to the end of the stream
  };
  struct Options {
    Framing framing = Framing::kNone;
    uint64_t length = 0;  // kLength
    // The content (or transfer) coding to undo: "gzip" (also for x-gzip) or "deflate"; empty
    // for none. Either is inflated with zlib's detection of the gzip or zlib wrapper.
    std::string coding;
    size_t limit = 1 << 20;  // decoded bytes kept
    // Charged for every byte kept and for the inflater's state; may be null. When it refuses,
    // the body is cut there, as at the limit.
    ReassemblyBudget* budget = nullptr;
  };

  explicit HttpBodyDecoder(Options options);
  ~HttpBodyDecoder();
  HttpBodyDecoder(HttpBodyDecoder&&) noexcept;
  HttpBodyDecoder& operator=(HttpBodyDecoder&&) noexcept;

  // Reads body bytes from the start of `wire` and returns how many belong to the body: all of
  // them until the body ends, then the bytes up to its end.
  size_t Add(std::string_view wire);
  // Whether the framing says the body is over.
  bool done() const { return state_ == State::kDone; }
  // The stream ended (or lost bytes) before the body did: decode what was there.
  void Finish();

  // The body as decoded so far (at most `limit` bytes), and whether it is short of what was
  // sent: cut by the end of the stream, or a coding that could not be undone to the end.
  const std::string& body() const { return body_; }
  std::string TakeBody();
  bool incomplete() const { return incomplete_; }
  // Whether the body goes, or is declared to go, past the limit: then not all of it is kept.
  bool past_limit() const;
  // Codings undone, in order: "chunked", then "gzip" or "deflate".
  const std::vector<std::string>& decoded() const { return decoded_; }
  // Parts not inspected (subject empty; offset counted in the decoded body).
  const std::vector<Uninspected>& uninspected() const { return uninspected_; }
  // Bytes given to Add() that the decoder looked at one by one or copied: the framing's work,
  // linear in the wire bytes whatever their segmentation (tests hold it to that).
  uint64_t bytes_examined() const { return examined_; }

 private:
  enum class State {
    kBody,
    kChunkSize,
    kChunkExtension,
    kChunkData,
    kChunkDataEnd,
    kTrailer,
    kDone
  };
  class Inflater;

  size_t AddChunked(std::string_view wire);
  void Content(std::string_view bytes);
  void Inflate(std::string_view bytes);
  void InflateFailed(std::string_view rest);
  void Store(std::string_view bytes, bool inflated);
  void EndOfBody();
  void StopStoring(std::string reason, uint64_t limit);
  void KeepRawPrefix();
  void StopInflating();
  void FramingBroken(std::string_view rest);

  Options options_;
  State state_ = State::kBody;
  uint64_t remaining_ = 0;  // kBody: bytes still to come; kChunkSize, kChunkData: of this chunk
  bool until_close_ = false;
  bool chunk_size_digits_ = false;
  bool line_has_text_ = false;  // kTrailer: the current line is not empty
  bool raw_ = false;            // framing or coding broken: the rest is kept as sent
  bool storing_ = true;
  std::unique_ptr<Inflater> inflater_;
  bool inflated_any_ = false;
  std::string raw_prefix_;       // compressed bytes kept until inflating yields output
  bool raw_prefix_cut_ = false;  // ... and whether they were more than the limit
  std::string member_start_;     // after a gzip member: the next bytes, to tell another member
  bool member_ended_ = false;
  std::string body_;
  BudgetHold hold_;           // body_ and raw_prefix_
  BudgetHold inflater_hold_;  // the inflater's state
  bool incomplete_ = false;
  std::vector<std::string> decoded_;
  std::vector<Uninspected> uninspected_;
  uint64_t examined_ = 0;
};

}  // namespace homeport::audit::capture
