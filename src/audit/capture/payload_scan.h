// Identifiers in application payloads, wherever they are wrapped: plain text, JSON (through
// the shared detectors' ScanJson), Base64 (decoded, then looked at again), form and query
// encoding, and in any combination: the 2019 leak was JSON inside Base64 inside a POST body.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "audit/capture/http_request_parser.h"
#include "privacy/identifier_scanner.h"

namespace homeport::audit::capture {

struct PayloadFinding {
  privacy::IdentifierKind kind = privacy::IdentifierKind::kImei;
  // The field that held it: a JSON member name, a form or query parameter, a header name,
  // or the key the detectors read beside it ("imei=..."); empty when nothing named it.
  std::string key;
  // Where in the message, with the encodings peeled off: "body › base64 › json /imei".
  std::string where;
  std::string value;  // the identifier as sent; mask it (privacy::MaskValue) before showing
};

// Scans `text`, found at `where` under the field name `key` (may be empty).
std::vector<PayloadFinding> ScanPayload(const privacy::IdentifierScanner& scanner,
                                        std::string_view text, const std::string& where,
                                        const std::string& key = {});

// Scans an HTTP request: target path and query, header values (not Host, which names the
// destination rather than the user), and the decoded body.
std::vector<PayloadFinding> ScanHttpRequest(const privacy::IdentifierScanner& scanner,
                                            const HttpRequest& request);

}  // namespace homeport::audit::capture
