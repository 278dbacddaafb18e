// Helpers shared by the privacy tests: a scanner per phone region, and findings as
// "kind:value" strings so expectations read like the text they describe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "privacy/identifier_scanner.h"

namespace homeport::privacy::testing {

// A scanner with every kind enabled, reading national phone numbers as `region`'s. Built once
// per region and shared, as in production.
inline const IdentifierScanner& ScannerFor(const std::string& region) {
  static const IdentifierScanner sg = *IdentifierScanner::Create({.default_phone_region = "SG"});
  static const IdentifierScanner us = *IdentifierScanner::Create({.default_phone_region = "US"});
  static const IdentifierScanner zz = *IdentifierScanner::Create({.default_phone_region = "ZZ"});
  if (region == "SG") return sg;
  if (region == "US") return us;
  return zz;
}

// Findings as "imei:490154203237518", in text order.
inline std::vector<std::string> Found(std::string_view text, std::string_view key = {},
                                      const std::string& region = "SG") {
  std::vector<std::string> out;
  for (const Finding& f : ScannerFor(region).Scan(text, key)) {
    out.push_back(std::string(NameOf(f.kind)) + ":" + std::string(text.substr(f.offset, f.length)));
  }
  return out;
}

}  // namespace homeport::privacy::testing
