// The string extractor's state machines: one for ASCII runs, two for UTF-16LE runs.
#include "audit/build/string_extractor.h"

namespace homeport::audit::build {
namespace {

bool IsPrintable(unsigned char c) { return (c >= 0x20 && c < 0x7f) || c == '\t'; }

bool IsSeparator(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '"':
    case '\'':
    case ',':
    case ';':
    case '<':
    case '>':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
      return true;
    default:
      return false;
  }
}

}  // namespace

StringExtractor::StringExtractor(StringExtractorOptions options, Sink sink)
    : options_(options), sink_(std::move(sink)) {
  if (options_.min_length == 0) options_.min_length = 1;
  if (options_.max_length < options_.min_length * 2) options_.max_length = options_.min_length * 2;
}

void StringExtractor::Extend(Run& run, char c) {
  run.text.push_back(c);
  if (run.text.size() < options_.max_length) return;
  // Hand on everything up to the last separator and keep the rest growing, so that a token
  // in the middle of a long line stays whole.
  size_t cut = 0;
  for (size_t i = run.text.size(); i > run.text.size() / 2; --i) {
    if (IsSeparator(run.text[i - 1])) {
      cut = i;
      break;
    }
  }
  if (cut != 0) {
    sink_(std::string_view(run.text).substr(0, cut), run.encoding, {run.seam, false});
    run.text.erase(0, cut);
    run.seam = 0;
    return;
  }
  // No separator: the piece is cut inside a token, so its second half is handed on again at
  // the start of the next piece. The run stays bounded by max_length.
  sink_(run.text, run.encoding, {run.seam, true});
  const size_t keep = run.text.size() / 2;
  run.text.erase(0, run.text.size() - keep);
  run.seam = keep;
}

void StringExtractor::End(Run& run) {
  // A run's last piece is handed on even when short: it ends a token the previous piece cut.
  if (run.text.size() >= options_.min_length || (run.seam > 0 && run.text.size() > run.seam)) {
    sink_(run.text, run.encoding, {run.seam, false});
  }
  run.text.clear();
  run.seam = 0;
}

void StringExtractor::Feed(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char ch = bytes[i];
    const auto c = static_cast<unsigned char>(ch);
    // Zeros after zeros change nothing but the offset's parity: skip the run at once (zip bombs
    // and disk images are mostly zeros, and this loop is the scan's inner loop).
    if (c == 0 && previous_ == 0 && before_low_ == 0 && offset_ > 0 && ascii_.text.empty() &&
        utf16_[0].text.empty() && utf16_[1].text.empty() &&
        pending_low_[(offset_ - 1) % 2] == 0 && pending_low_[offset_ % 2] == -1) {
      size_t end = bytes.find_first_not_of('\0', i);
      if (end == std::string_view::npos) end = bytes.size();
      offset_ += end - i;
      pending_low_[(offset_ - 1) % 2] = 0;
      pending_low_[offset_ % 2] = -1;
      i = end - 1;
      continue;
    }
    if (IsPrintable(c)) {
      Extend(ascii_, ch);
    } else {
      End(ascii_);
    }
    // The byte is the low half of a code unit at this offset's alignment and the high half
    // of one at the other alignment.
    const size_t here = offset_ % 2;
    const size_t other = 1 - here;
    if (pending_low_[other] >= 0) {
      const auto low = static_cast<unsigned char>(pending_low_[other]);
      if (c == 0 && IsPrintable(low)) {
        // An ASCII string's last character and its terminating NUL look like one UTF-16
        // character ("agent\0" then UTF-16 "act…" reads as "tact…"): a run does not start
        // with a character whose preceding byte is printable.
        if (!utf16_[other].text.empty() || !IsPrintable(before_low_)) {
          Extend(utf16_[other], static_cast<char>(low));
        }
      } else {
        End(utf16_[other]);
      }
      pending_low_[other] = -1;
    }
    pending_low_[here] = c;
    before_low_ = previous_;
    previous_ = c;
    ++offset_;
  }
}

void StringExtractor::Finish() {
  End(ascii_);
  End(utf16_[0]);
  End(utf16_[1]);
  pending_low_[0] = pending_low_[1] = -1;
  before_low_ = previous_ = 0;
  offset_ = 0;
}

}  // namespace homeport::audit::build
