#include "console/console_api.h"

namespace cleanroom::console {

ApiResponse JsonResponse(const Json& body) {
  ApiResponse response;
  // Text that is not UTF-8 (a message quoting what someone sent) is replaced, never thrown on.
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

ApiResponse ErrorResponse(const Status& status) {
  // The codes and statuses governance's API uses (the client library's ApiError).
  govwire::ApiError error = govwire::ApiErrorFromStatus(status);
  ApiResponse response;
  response.status = error.http_status;
  response.body =
      JsonResponse(Json{{"error", {{"code", error.code}, {"message", error.message}}}}).body;
  return response;
}

bool IsPlainSegment(const std::string& segment) {
  if (segment.empty() || segment.size() > 128) return false;
  for (char c : segment) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> ApiSegments(const std::string& path) {
  const std::string prefix = "/api/";
  if (path.compare(0, prefix.size(), prefix) != 0) return {};
  std::vector<std::string> segments;
  size_t start = prefix.size();
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

}  // namespace cleanroom::console
