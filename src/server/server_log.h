// The server's log on stderr (journald reads it there): one line per event, in text for people
// or as JSON lines or logfmt for log pipelines, at a chosen level. Lines never hold a peer's
// address or anything a request carried (S2): handlers log outcomes, not inputs.
#pragma once

#include <string>

#include "homeport/status.h"

namespace homeport {

// `format`: "text", "json" or "logfmt"; `level`: "debug", "info", "warn" or "error".
// InvalidArgument naming the flag otherwise.
Status ConfigureServerLog(const std::string& format, const std::string& level);

}  // namespace homeport
