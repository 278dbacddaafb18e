// Status and Result<T>: the one error type at every module boundary of homeport.
// A Status is ok or carries a code and a message meant for a person. No exceptions cross
// module boundaries; code that calls throwing libraries converts at the call.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace homeport {

class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,   // malformed input: bad JSON, a missing field, an unknown flag value
    kNotFound,          // the named thing does not exist
    kAlreadyExists,     // a create found one there already
    kPermissionDenied,  // the request is refused: wrong region, unknown device, bad signature
    kUnavailable,       // a dependency (network, database) is down; retrying may succeed
    kIoError,           // a local read, write or fsync failed
    kCorruption,        // stored or signed data does not verify or does not parse
    kDeadlineExceeded,  // gave up retrying
    kResourceExhausted, // a size or rate limit was exceeded
    kAborted,           // lost a race with a concurrent writer (deadlock, serialization); retry
    kInternal,          // a bug: an impossible state
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {Code::kPermissionDenied, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status DeadlineExceeded(std::string msg) { return {Code::kDeadlineExceeded, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) { return {Code::kResourceExhausted, std::move(msg)}; }
  static Status Aborted(std::string msg) { return {Code::kAborted, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsAlreadyExists() const { return code_ == Code::kAlreadyExists; }
  bool IsPermissionDenied() const { return code_ == Code::kPermissionDenied; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }
  bool IsIoError() const { return code_ == Code::kIoError; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsDeadlineExceeded() const { return code_ == Code::kDeadlineExceeded; }
  bool IsResourceExhausted() const { return code_ == Code::kResourceExhausted; }
  bool IsAborted() const { return code_ == Code::kAborted; }

  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "code: message", for logs and CLI errors.
  std::string ToString() const;

  // Returns a copy whose message is "context: message".
  Status WithContext(const std::string& context) const {
    return Status(code_, context + ": " + message_);
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace homeport

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define HOMEPORT_RETURN_IF_ERROR(expr)        \
  do {                                        \
    ::homeport::Status _st = (expr);          \
    if (!_st.ok()) return _st;                \
  } while (0)

#define HOMEPORT_CONCAT_INNER(a, b) a##b
#define HOMEPORT_CONCAT(a, b) HOMEPORT_CONCAT_INNER(a, b)
// Declares `lhs` from a Result, or returns its Status from the enclosing function.
#define HOMEPORT_ASSIGN_OR_RETURN(lhs, expr)                                  \
  auto HOMEPORT_CONCAT(_res_, __LINE__) = (expr);                             \
  if (!HOMEPORT_CONCAT(_res_, __LINE__).ok())                                 \
    return HOMEPORT_CONCAT(_res_, __LINE__).status();                         \
  lhs = std::move(HOMEPORT_CONCAT(_res_, __LINE__)).value()
