// The identifier scanner over a JSON document (the verifier's view of a decoded body): every
// string, number and member name, with context keys taken from the nesting.
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "privacy/identifier_scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* scanner = [] {
    auto s = homeport::privacy::IdentifierScanner::Create({"SG"});
    if (!s.ok()) abort();
    return new homeport::privacy::IdentifierScanner(std::move(*s));
  }();
  auto doc = nlohmann::json::parse(std::string_view(reinterpret_cast<const char*>(data), size),
                                   nullptr, false);
  if (doc.is_discarded()) return 0;
  for (const auto& f : scanner->ScanJson(doc)) {
    if (f.value.size() != f.finding.length) abort();
  }
  return 0;
}
