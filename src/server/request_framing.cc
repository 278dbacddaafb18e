// Request framing rules (RFC 9112 section 6.1).
#include "server/request_framing.h"

#include <string>

#include "common/text.h"

namespace homeport {
namespace {


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
  if (!AsciiIEquals(TrimBlanks(transfer_encodings.front()), "chunked")) {
    return Status::InvalidArgument("Transfer-Encoding \"" +
                                   std::string(transfer_encodings.front()) +
                                   "\" is not supported; only \"chunked\" is");
  }
  return Status::Ok();
}

}  // namespace homeport
