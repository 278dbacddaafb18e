// E-mail addresses in text, found from their '@'.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "privacy/text_span.h"

namespace homeport::privacy {

// The address around the '@' at `at`; `at_length` is 1 for '@' and 3 for its URL-encoded form
// "%40" (query strings and form bodies). The local part is the common practical alphabet
// (letters, digits, ._%+-; no leading, trailing or doubled dot), the domain at least two
// labels of letters, digits and inner hyphens, with an alphabetic top-level label of two or
// more letters (or an "xn--" IDN one). Quoted local parts and IP-literal domains are rare
// enough in the wild to be left out. A trailing sentence dot is not part of the address.
std::optional<TextSpan> MatchEmailAround(std::string_view text, size_t at, size_t at_length);

}  // namespace homeport::privacy
