#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cleanroom {

// The error codes of the project. Pick the most specific one: callers branch on them, and
// the governance HTTP API maps them to status codes and stable strings.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // Malformed input: bad SQL, bad flag, bad document.
  kNotFound,            // A named thing does not exist.
  kAlreadyExists,       // A thing with that name or id exists.
  kPermissionDenied,    // A policy forbids it (privacy roles, member roles).
  kUnauthenticated,     // A signature or identity does not verify.
  kFailedPrecondition,  // Not approved, consent off, wrong state.
  kResourceExhausted,   // Privacy budget or another limit spent.
  kDataLoss,            // Ledger, ciphertext or file corrupt.
  kUnimplemented,       // A feature that is not built yet.
  kUnavailable,         // A peer or service cannot be reached.
  kInternal,            // A bug or an unexpected library failure.
};

// Stable upper-camel name of a code ("InvalidArgument"), used in logs and in HTTP errors.
std::string_view StatusCodeName(StatusCode code);

// The result of an operation: OK, or a code and a message. The message must say what failed
// and where (file, line, column, field, SQL position) and must never contain cell values,
// keys or secrets: error text leaves the clean room.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "InvalidArgument: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "context: message"; OK stays OK.
  Status WithContext(std::string_view context) const;

  // Marks a status as deliberately ignored.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline bool operator==(const Status& a, const Status& b) {
  return a.code() == b.code() && a.message() == b.message();
}

// A value of type T, or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design.
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design.
    // An OK status carries no value: that is a programmer error, turned into Internal.
    if (std::get<Status>(data_).ok()) data_ = Status::Internal("Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  // REQUIRES: nothing. Returns OK when a value is held.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(data_); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const { return ok() ? std::get<T>(data_) : std::move(fallback); }

 private:
  std::variant<Status, T> data_;
};

}  // namespace cleanroom

#define CR_CONCAT_INNER(a, b) a##b
#define CR_CONCAT(a, b) CR_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define CR_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::cleanroom::Status cr_status_ = (expr); \
    if (!cr_status_.ok()) return cr_status_; \
  } while (0)

// `lhs` = value of `rexpr` (a Result<T>), or returns its Status from the enclosing function.
#define CR_ASSIGN_OR_RETURN(lhs, rexpr) \
  CR_ASSIGN_OR_RETURN_IMPL(CR_CONCAT(cr_result_, __LINE__), lhs, rexpr)
// `tmp` is a name and `lhs` may be a declaration (`auto x`): neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define CR_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                             \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
