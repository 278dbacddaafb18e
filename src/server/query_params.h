// Query strings of the GET endpoints: "a=1&b=2" split into names and values (no percent-decoding:
// every parameter homeport takes is a plain number or word), and whole numbers read strictly.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace homeport {

// The query of a request target ("/p?a=1" → "a=1"; "" when there is none).
inline std::string_view QueryOf(std::string_view target) {
  const size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

// name=value pairs in order; an item without '=' has an empty value, empty items are skipped.
inline std::vector<std::pair<std::string_view, std::string_view>> QueryParams(
    std::string_view query) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  while (!query.empty()) {
    std::string_view item = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), item.size() + 1));
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    out.emplace_back(item.substr(0, eq),
                     eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1));
  }
  return out;
}

// A whole decimal number within [min, max]: digits with an optional '-', nothing else.
inline std::optional<int64_t> WholeNumber(std::string_view text, int64_t min, int64_t max) {
  int64_t n = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || n < min ||
      n > max) {
    return std::nullopt;
  }
  return n;
}

}  // namespace homeport
