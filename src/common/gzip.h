// gzip (RFC 1952) decoding with a hard limit on the output, so a small "gzip bomb" is stopped
// while inflating instead of after it has filled memory.
#pragma once

#include <string>
#include <string_view>

#include "homeport/status.h"

namespace homeport {

// ResourceExhausted as soon as the output would exceed `max_output` bytes; InvalidArgument
// when `data` is not a complete gzip stream.
Result<std::string> Gunzip(std::string_view data, size_t max_output);
// gzip at the default level.
std::string Gzip(std::string_view data);

}  // namespace homeport
