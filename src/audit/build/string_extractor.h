// Printable strings in arbitrary bytes, as `strings` finds them, fed in chunks: runs of
// printable ASCII (and tab) and UTF-16LE strings of printable ASCII characters (how Java,
// Android resources and Windows binaries store text). Memory is bounded by `max_length`.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace homeport::audit::build {

enum class StringEncoding { kAscii, kUtf16le };

struct StringExtractorOptions {
  // Shorter runs are noise. Default 4, as `strings`.
  size_t min_length = 4;
  // A longer run (a minified script line, a Base64 blob) is handed on in pieces of at most
  // this many bytes, cut after a separator (space, quote, comma, …) where there is one, so a
  // URL is not split. Where the second half of a piece holds no separator, the next piece
  // starts again with its last half (see StringPiece), so any token up to max_length / 2
  // bytes is whole in some piece however the run is padded. Default 64 KiB.
  size_t max_length = 64 * 1024;
};

// Where a piece of a long run sits among its neighbours, so that what is found in the overlap
// of two pieces is counted once: something ending before `seam` was whole in the previous piece
// too, and something reaching the end of a piece that `continues` is cut there and will be
// whole in the next one. {0, false} for a string handed on whole.
struct StringPiece {
  size_t seam = 0;         // leading bytes that the previous piece also held
  bool continues = false;  // cut inside a token: the next piece repeats this one's last half
};

class StringExtractor {
 public:
  using Sink =
      std::function<void(std::string_view text, StringEncoding encoding, StringPiece piece)>;

  StringExtractor(StringExtractorOptions options, Sink sink);

  // Strings may span calls; they are handed on when they end (or at Finish).
  void Feed(std::string_view bytes);
  void Finish();

 private:
  struct Run {
    std::string text;
    StringEncoding encoding;
    size_t seam = 0;  // leading bytes of `text` already handed on in the previous piece
  };
  void Extend(Run& run, char c);
  void End(Run& run);

  StringExtractorOptions options_;
  Sink sink_;
  Run ascii_{{}, StringEncoding::kAscii};
  // UTF-16LE characters start at even or at odd offsets; one decoder per alignment.
  Run utf16_[2] = {{{}, StringEncoding::kUtf16le}, {{}, StringEncoding::kUtf16le}};
  int pending_low_[2] = {-1, -1};  // first byte of a code unit seen at this alignment
  unsigned char previous_ = 0;     // the last byte fed
  unsigned char before_low_ = 0;   // the byte before the pending low byte just completed
  size_t offset_ = 0;
};

}  // namespace homeport::audit::build
