// How a request's body is delimited, checked before the body is read. RFC 9112 section 6.1:
// a server that accepts a Transfer-Encoding it does not fully apply, or one beside a
// Content-Length, may frame the body differently from a proxy in front of it — the gap a
// smuggled second request slips through. Only the one unambiguous form is accepted.
#pragma once

#include <string_view>
#include <vector>

#include "homeport/status.h"

namespace homeport {

// `transfer_encodings`: the value of every Transfer-Encoding field, in order (none: empty).
// Ok when there is none, or exactly one whose value is "chunked" (any case, surrounding
// blanks allowed) and no Content-Length; otherwise InvalidArgument saying why.
Status CheckRequestFraming(const std::vector<std::string_view>& transfer_encodings,
                           bool has_content_length);

}  // namespace homeport
