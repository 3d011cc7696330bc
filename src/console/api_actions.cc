// POST routes of the console API: each is one signed write, made here with the member's key
// exactly as the CLI makes it (`query approve|reject`, `dataset enable|disable`, `run request`).
#include <string>
#include <vector>

#include "console/console_api.h"

namespace cleanroom::console {
namespace {

// The page's body: a small JSON object (the server bounds its size).
Result<Json> ParseBody(const std::string& body) {
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Status::InvalidArgument("console: the request body must be a JSON object");
  }
  return parsed;
}

Result<std::string> HashField(const Json& body, const char* field) {
  if (!body.contains(field) || !body[field].is_string()) {
    return Status::InvalidArgument(std::string("console: ") + field + " is required: the hash " +
                                   "shown in the page, which the signature binds");
  }
  std::string hash = body[field];
  if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Status::InvalidArgument(std::string("console: ") + field + " must be 64 hex digits");
  }
  return hash;
}

Result<bool> BoolField(const Json& body, const char* field) {
  if (!body.contains(field) || !body[field].is_boolean()) {
    return Status::InvalidArgument(std::string("console: ") + field + " must be true or false");
  }
  return body[field].get<bool>();
}

ApiResponse Write(ConsoleContext& context, const std::string& path, const std::string& type,
                  const Json& payload) {
  std::lock_guard<std::mutex> lock(context.mu);
  auto reply = context.client->Write(path, type, payload);
  if (!reply.ok()) return ErrorResponse(reply.status());
  if (!reply->ok()) return ErrorResponse(reply->ToStatus());
  return JsonResponse(reply->body);
}

Result<ApiResponse> Route(ConsoleContext& context, const std::vector<std::string>& s,
                          const Json& body) {
  const size_t n = s.size();
  // POST /api/queries/{id}/vote {"accept": bool, "queryHash": the hash the page showed}
  if (n == 3 && s[0] == "queries" && IsPlainSegment(s[1]) && s[2] == "vote") {
    CR_ASSIGN_OR_RETURN(bool accept, BoolField(body, "accept"));
    CR_ASSIGN_OR_RETURN(std::string hash, HashField(body, "queryHash"));
    return Write(context, "/v1/queries/" + s[1] + "/votes",
                 accept ? "query.accept" : "query.reject", {{"query", s[1]}, {"queryHash", hash}});
  }
  // POST /api/datasets/{name}/consent {"enabled": bool}
  if (n == 3 && s[0] == "datasets" && IsPlainSegment(s[1]) && s[2] == "consent") {
    CR_ASSIGN_OR_RETURN(bool enabled, BoolField(body, "enabled"));
    return Write(context, "/v1/datasets/" + s[1] + "/consent",
                 enabled ? "dataset.enable" : "dataset.disable", {{"dataset", s[1]}});
  }
  // POST /api/runs {"query": id, "queryHash": the hash the page showed}
  if (n == 1 && s[0] == "runs") {
    if (!body.contains("query") || !body["query"].is_string() ||
        !IsPlainSegment(body["query"].get<std::string>())) {
      return Status::InvalidArgument("console: query must name a query");
    }
    CR_ASSIGN_OR_RETURN(std::string hash, HashField(body, "queryHash"));
    return Write(context, "/v1/runs", "run.request",
                 {{"query", body["query"].get<std::string>()}, {"queryHash", hash}});
  }
  return Status::NotFound("console: no such route");
}

}  // namespace

ApiResponse HandleAction(ConsoleContext& context, const std::vector<std::string>& segments,
                         const std::string& body) {
  Result<Json> parsed = ParseBody(body);
  if (!parsed.ok()) return ErrorResponse(parsed.status());
  Result<ApiResponse> response = Route(context, segments, *parsed);
  return response.ok() ? *response : ErrorResponse(response.status());
}

}  // namespace cleanroom::console
