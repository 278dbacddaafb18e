// Request framing rules (RFC 9112 section 6.1).
#include "server/request_framing.h"

#include <cctype>
#include <string>

namespace homeport {
namespace {

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsChunked(std::string_view s) {
  constexpr std::string_view kChunked = "chunked";
  if (s.size() != kChunked.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != kChunked[i]) return false;
  }
  return true;
}

}  // namespace

Status CheckRequestFraming(const std::vector<std::string_view>& transfer_encodings,
                           bool has_content_length) {
  if (transfer_encodings.empty()) return Status::Ok();
  if (has_content_length) {
    return Status::InvalidArgument("Transfer-Encoding and Content-Length together are ambiguous");
  }
  if (transfer_encodings.size() > 1) {
    return Status::InvalidArgument("more than one Transfer-Encoding field");
  }
  if (!IsChunked(TrimBlanks(transfer_encodings.front()))) {
    return Status::InvalidArgument("Transfer-Encoding \"" +
                                   std::string(transfer_encodings.front()) +
                                   "\" is not supported; only \"chunked\" is");
  }
  return Status::Ok();
}

}  // namespace homeport
