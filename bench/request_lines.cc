// Reads the benchmark's requests files (see request_lines.h).
#include "request_lines.h"

#include <fstream>

namespace homeport::bench {

std::optional<std::vector<RequestLine>> ReadRequestLines(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<RequestLine> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) return std::nullopt;
    const size_t sig = line.find('\t', tab + 1);
    RequestLine r;
    r.path = line.substr(0, tab);
    r.body = line.substr(tab + 1, sig == std::string::npos ? std::string::npos : sig - tab - 1);
    if (sig != std::string::npos) r.signature = line.substr(sig + 1);
    lines.push_back(std::move(r));
  }
  if (in.bad()) return std::nullopt;
  return lines;
}

}  // namespace homeport::bench
