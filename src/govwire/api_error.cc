#include "govwire/api_error.h"

#include "govwire/json_reader.h"

namespace cleanroom::govwire {

std::string ApiError::ToJson() const {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  // Messages may quote what a client sent (a message type from CBOR, a path): invalid UTF-8 is
  // replaced rather than thrown on.
  return CanonicalJson(body);
}

ApiError ApiErrorFromStatus(const Status& status) {
  int http = 500;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      http = 400;
      break;
    case StatusCode::kUnauthenticated:
      http = 401;
      break;
    case StatusCode::kPermissionDenied:
      http = 403;
      break;
    case StatusCode::kNotFound:
      http = 404;
      break;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      http = 409;  // Conflict: with what exists, or with the state it is in.
      break;
    case StatusCode::kResourceExhausted:
      http = 429;
      break;
    case StatusCode::kUnimplemented:
      http = 501;
      break;
    case StatusCode::kUnavailable:
      http = 503;
      break;
    default:
      http = 500;
      break;
  }
  return ApiError{http, std::string(StatusCodeName(status.code())), status.message()};
}

ApiError ParseApiError(int http_status, const std::string& body) {
  ApiError error{http_status, "HttpError", ""};
  auto parsed = ParseJson(body, "error reply");
  Json doc = parsed.ok() ? std::move(parsed).value() : Json();
  if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
    const auto& e = doc["error"];
    if (e.contains("code") && e["code"].is_string()) error.code = e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) {
      error.message = e["message"].get<std::string>();
    }
    return error;
  }
  error.message = "HTTP status " + std::to_string(http_status);
  return error;
}

}  // namespace cleanroom::govwire
