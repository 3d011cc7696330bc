// A run's result for a recipient: opened (decrypted and checked against the signed run record)
// in this process with the member's key; the page receives the plaintext over loopback only.
#include <string>

#include "console/console_api.h"

namespace cleanroom::console {
namespace {

// At most this much plaintext is shown in the page; larger results are downloaded.
constexpr size_t kMaxShownBytes = 8u << 20;

Json RecordSummary(const Json& record) {
  Json summary = Json::object();
  for (const char* field : {"run", "state", "rowsOut", "outputHash", "suppressed"}) {
    if (record.contains(field)) summary[field] = record[field];
  }
  return summary;
}

}  // namespace

ApiResponse HandleResult(ConsoleContext& context, const std::string& run, bool download) {
  if (!context.opener)
    return ErrorResponse(Status::Unimplemented("console: results cannot be opened here"));
  std::lock_guard<std::mutex> lock(context.mu);
  Result<OpenedResult> opened = context.opener(*context.client, run);
  if (!opened.ok()) return ErrorResponse(opened.status());
  ApiResponse response;
  if (download) {
    response.content_type = opened->format == "csv"      ? "text/csv; charset=utf-8"
                            : opened->format == "ndjson" ? "application/x-ndjson"
                                                         : "application/octet-stream";
    response.attachment = run + "." + opened->format;
    response.body.assign(AsStringView(opened->data));
  } else {
    Json body = {{"run", run},
                 {"format", opened->format},
                 {"record", RecordSummary(opened->record)},
                 {"bytes", opened->data.size()}};
    // Text formats are shown in the page; Parquet is downloaded as it is.
    if (opened->format != "parquet" && opened->data.size() <= kMaxShownBytes) {
      body["text"] = std::string(AsStringView(opened->data));
    }
    response = JsonResponse(body);
  }
  SecureWipe(opened->data);
  return response;
}

}  // namespace cleanroom::console
