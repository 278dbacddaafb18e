// The identifier scanner over arbitrary bytes (log lines, feedback text, HTTP bodies), with and
// without a context key, and the scrubber built on it. Findings must lie inside the text, be
// sorted and never overlap, as Scan promises.
#include <cstdlib>

#include "privacy/identifier_scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* scanner = [] {
    auto s = homeport::privacy::IdentifierScanner::Create({"SG"});
    if (!s.ok()) abort();
    return new homeport::privacy::IdentifierScanner(std::move(*s));
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (std::string_view key : {std::string_view(), std::string_view("imei")}) {
    size_t end = 0;
    for (const auto& f : scanner->Scan(text, key)) {
      if (f.offset < end || f.length == 0 || f.offset + f.length > text.size()) abort();
      end = f.offset + f.length;
    }
  }
  (void)scanner->Scrub(text, "feedback");
  return 0;
}
