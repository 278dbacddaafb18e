// The requests files of the benchmark: one request a line, `path TAB body [TAB signature]`, as
// `homeport_bench fixture` and bench/pings.py write them and bench/posts.lua sends them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace homeport::bench {

struct RequestLine {
  std::string path;  // e.g. /submit/homeport-agent/diagnostics/1/<doc_id>
  std::string body;
  std::string signature;  // X-Homeport-Signature; empty for pings
};

// Every line of `file`; nullopt if it cannot be read or a line has no TAB.
std::optional<std::vector<RequestLine>> ReadRequestLines(const std::string& file);

}  // namespace homeport::bench
