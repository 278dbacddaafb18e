// Base64 (RFC 4648): the URL-safe unpadded form JOSE uses, and the standard padded form.
#pragma once

#include <string>
#include <string_view>

#include "homeport/status.h"

namespace homeport::crypto {

std::string Base64UrlEncode(std::string_view bytes);
// Strict: URL-safe alphabet, no padding, no white space.
Result<std::string> Base64UrlDecode(std::string_view text);

std::string Base64Encode(std::string_view bytes);
// Standard alphabet, strict; padding optional, but if present it must be complete.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace homeport::crypto
