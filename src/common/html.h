// Text for HTML pages homeport writes (the data catalogue, the verifier's reports): every
// value that came from outside — a schema description, a file name in a firmware build, a
// host name in a capture — goes through HtmlEscape.
#pragma once

#include <string>
#include <string_view>

namespace homeport {

// `text` safe inside an element or a quoted attribute: & < > " ' escaped.
std::string HtmlEscape(std::string_view text);

}  // namespace homeport
