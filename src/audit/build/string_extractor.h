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
  // URL is not split. Default 64 KiB.
  size_t max_length = 64 * 1024;
};

class StringExtractor {
 public:
  using Sink = std::function<void(std::string_view text, StringEncoding encoding)>;

  StringExtractor(StringExtractorOptions options, Sink sink);

  // Strings may span calls; they are handed on when they end (or at Finish).
  void Feed(std::string_view bytes);
  void Finish();

 private:
  struct Run {
    std::string text;
    StringEncoding encoding;
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
