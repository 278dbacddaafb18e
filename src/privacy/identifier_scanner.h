// IdentifierScanner: finds personal identifiers (IMEI, IMSI, ICCID, MAC, phone, e-mail, IP,
// cell ID) in text and JSON, and scrubs them. One instance serves the server's scrubber and
// the capture verifier alike; build it once and share it: every method is const and
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "homeport/status.h"
#include "privacy/identifier_kind.h"
#include "privacy/phone_number.h"

namespace homeport::privacy {

struct IdentifierScannerOptions {
  // Country whose national notation phone numbers without "+" are read in, as an ISO 3166
  // alpha-2 code ("SG", "CN", "DE"; any case). Default "ZZ", libphonenumber's "unknown
  // region": only numbers in international notation ("+65 6123 4567") are found. A region's
  // server and the verifier of a region's device should set their country.
  std::string default_phone_region = "ZZ";
  // The kinds to report. Default: all.
  std::set<IdentifierKind> kinds{kAllIdentifierKinds.begin(), kAllIdentifierKinds.end()};
};

// One identifier found in a text: bytes [offset, offset + length).
struct Finding {
  IdentifierKind kind = IdentifierKind::kImei;
  size_t offset = 0;
  size_t length = 0;
  // The key that classified the value ("imei", "cell_id", "IMEI" as written in the text),
  // empty when its shape alone did.
  std::string context_key;
};

// A finding in a JSON document: inside the string (or the number's JSON text) at `pointer`.
struct JsonFinding {
  std::string pointer;  // RFC 6901 JSON pointer of the value, e.g. "/cells/0/lac"
  bool in_key = false;  // found in the member name at `pointer`, not in its value
  Finding finding;      // offset and length within that string
  std::string value;    // the identifier itself; pass it through MaskValue before showing it
};

struct ScrubResult {
  std::string text;                        // identifiers replaced by "[imei]", "[ip]", ...
  std::map<IdentifierKind, int> replaced;  // how many of each kind were replaced
};

class IdentifierScanner {
 public:
  // Fails (InvalidArgument) on a phone region libphonenumber does not know.
  static Result<IdentifierScanner> Create(IdentifierScannerOptions options = {});

  // Identifiers in `text`, sorted by offset, never overlapping. `context_key` is the name
  // of the field the text came from ("imei", "cellid", "feedback"); keys written in the text
  // itself ("imei=...", "\"lac\": 4321", "IMEI: ...") are found without help and take
  // precedence. When two readings overlap, the more specific kind wins, so a value is
  // reported once: an e-mail address over anything in its local part, then ICCID, IMEISV,
  // IMEI, IMSI, MAC, IPv6, IPv4, cell ID, and a phone number last. Any bytes are fine
  // (UTF-8, binary); only ASCII forms of identifiers are found. Linear in `text`.
  std::vector<Finding> Scan(std::string_view text, std::string_view context_key = {}) const;

  // Scans every string and number of `doc`, and every member name, with the nearest member
  // name as context key: for array elements the array's name; for a generic name such as
  // "id" or "value" the parent's name joined to it ({"cell": {"id": 1}} reads "cell_id").
  std::vector<JsonFinding> ScanJson(const nlohmann::json& doc) const;

  // `text` with every finding of Scan replaced by its tag in brackets.
  ScrubResult Scrub(std::string_view text, std::string_view context_key = {}) const;

 private:
  IdentifierScanner(uint32_t kinds, PhoneNumberFinder phone);

  uint32_t kinds_;  // bit i set: IdentifierKind with value i enabled
  PhoneNumberFinder phone_;
};

}  // namespace homeport::privacy
