#pragma once
// The console's JSON API, independent of the HTTP transport (console_server.cc calls it once
// the AccessGuard let a request through).

#include <mutex>
#include <string>

#include "console/console_server.h"

namespace cleanroom::console {

// What the API routes share: the one governance client (not thread-safe: `mu` serialises it).
struct ConsoleContext {
  std::mutex mu;
  std::unique_ptr<GovernanceClient> client;
  ResultOpener opener;
  std::string identity_dir;
};

// An answer of the API.
struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string attachment;  // a file name: sent as a download
};

// {"error":{"code","message"}} with the HTTP status of `status`'s code.
ApiResponse ErrorResponse(const Status& status);
ApiResponse JsonResponse(const Json& body);

// A path segment that names a dataset, query or run: [A-Za-z0-9_], 1 to 128 characters.
bool IsPlainSegment(const std::string& segment);
// Splits "/api/a/b" into {"a","b"}; empty when the path is not under /api/.
std::vector<std::string> ApiSegments(const std::string& path);

// GET routes (api_reads.cc).
ApiResponse HandleRead(ConsoleContext& context, const std::vector<std::string>& segments);
// POST routes (api_actions.cc): `body` is the page's JSON.
ApiResponse HandleAction(ConsoleContext& context, const std::vector<std::string>& segments,
                         const std::string& body);
// GET /api/runs/{id}/result and .../result/download (result_route.cc).
ApiResponse HandleResult(ConsoleContext& context, const std::string& run, bool download);

}  // namespace cleanroom::console
