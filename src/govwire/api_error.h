#pragma once

#include <string>

#include "base/status.h"

namespace cleanroom::govwire {

// An error as the HTTP API reports it: an HTTP status, a stable code that programs branch on
// and a message for people. Serialised as {"error":{"code":"...","message":"..."}}.
// The codes are listed in docs/api.md; never rename one.
struct ApiError {
  int http_status = 500;
  std::string code;
  std::string message;

  // The JSON body of the error response.
  std::string ToJson() const;
};

// Stable codes of the signed-request checks (each a distinct rejection case).
inline constexpr char kMalformedRequest[] = "MalformedRequest";        // 400
inline constexpr char kBadSignature[] = "BadSignature";                // 401
inline constexpr char kUnknownSigner[] = "UnknownSigner";              // 401
inline constexpr char kMessageExpired[] = "MessageExpired";            // 401
inline constexpr char kMessageFromFuture[] = "MessageFromFuture";      // 401
inline constexpr char kNonceReplayed[] = "NonceReplayed";              // 409
inline constexpr char kMessageTypeMismatch[] = "MessageTypeMismatch";  // 400
inline constexpr char kUnauthenticatedRead[] = "Unauthenticated";      // 401

// Maps a Status from the state machine to the API: InvalidArgument 400, Unauthenticated 401,
// PermissionDenied 403, NotFound 404, AlreadyExists 409, FailedPrecondition 409,
// ResourceExhausted 429, Unimplemented 501, Unavailable 503, others 500. The code is the
// StatusCode's name ("PermissionDenied"). REQUIRES: !status.ok().
ApiError ApiErrorFromStatus(const Status& status);

// Parses an error body back (the client side). Falls back to the raw text when the body is not
// an error document.
ApiError ParseApiError(int http_status, const std::string& body);

}  // namespace cleanroom::govwire
