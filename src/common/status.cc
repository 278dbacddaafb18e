// String form of Status for logs and command-line errors.
#include "homeport/status.h"

namespace homeport {

std::string Status::ToString() const {
  const char* name = "ok";
  switch (code_) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: name = "invalid argument"; break;
    case Code::kNotFound: name = "not found"; break;
    case Code::kAlreadyExists: name = "already exists"; break;
    case Code::kPermissionDenied: name = "permission denied"; break;
    case Code::kUnavailable: name = "unavailable"; break;
    case Code::kIoError: name = "I/O error"; break;
    case Code::kCorruption: name = "corruption"; break;
    case Code::kDeadlineExceeded: name = "deadline exceeded"; break;
    case Code::kResourceExhausted: name = "resource exhausted"; break;
    case Code::kAborted: name = "aborted"; break;
    case Code::kInternal: name = "internal error"; break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace homeport
