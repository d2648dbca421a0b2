#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace smsgw {

// The error kinds every layer agrees on. Adapters (Redis, PostgreSQL, gRPC, SMPP) map their
// failures to one of these at their edge. One table maps them to gRPC status (lib/rpc/status.h),
// one to HTTP status and problem+json codes (daemons/api/problem.cpp).
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,     // bad input from a user: never retried, never a 5xx
  kUnauthenticated,     // unknown or malformed API key
  kPermissionDenied,    // account disabled
  kInsufficientFunds,   // balance < cost
  kNotFound,
  kConflict,            // idempotency key reused with another body, duplicate name
  kUnavailable,         // a dependency (Redis, PostgreSQL, a daemon, an operator) is down
  kInternal,            // a bug or an impossible reply; logged with context
};

std::string_view ErrorCodeName(ErrorCode code);

// Errors are values. An OK Status holds no string, so the happy path allocates nothing.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {ErrorCode::kPermissionDenied, std::move(m)}; }
  static Status InsufficientFunds(std::string m) { return {ErrorCode::kInsufficientFunds, std::move(m)}; }
  static Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
  static Status Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Prefixes the message with where the error was met, keeping its code.
  Status WithContext(std::string_view context) const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}     // NOLINT: must not be OK

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

}  // namespace smsgw
