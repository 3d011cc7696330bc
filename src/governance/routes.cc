// The route table of the API (docs/api.md): every route is one entry, and Service::Handle
// dispatches by it after the bounds every request gets.
#include <mutex>

#include "governance/ids.h"
#include "governance/route.h"
#include "governance/service.h"
#include "governance/views.h"

namespace cleanroom::governance {
namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t end = path.find('?');
  std::string_view p(path.data(), end == std::string::npos ? path.size() : end);
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) out.emplace_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The path is the client's and not quoted back (it may be any bytes).
ApiResponse NotFoundRoute(const std::string& method) {
  return ApiResponse::Error({404, "NoSuchRoute", "no route for " + method + " at this path"});
}

// The id a path names in its third segment has the form its noun's ids have (checked for every
// path, routed or not, before anything else reads it).
Status CheckPathIds(const std::vector<std::string>& s) {
  if (s.size() < 3) return Status::OK();
  const std::string& id = s[2];
  if (s[1] == "runs" && !IsRunId(id)) {
    return Status::InvalidArgument("path: a run id is 'r' and a number");
  }
  if (s[1] == "queries" && !IsQueryId(id)) {
    return Status::InvalidArgument("path: a query id is 'q' and a number");
  }
  if (s[1] == "datasets" && !IsValidDatasetName(id)) {
    return Status::InvalidArgument("path: not a valid dataset name");
  }
  return Status::OK();
}

}  // namespace

bool MatchRoute(const Route& route, const std::vector<std::string>& segments,
                std::vector<std::string>* params) {
  params->clear();
  size_t i = 0;
  std::string_view path = route.path;
  size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (i >= segments.size()) return false;
    if (!part.empty() && part.front() == '{') {
      params->push_back(segments[i]);
    } else if (part != segments[i]) {
      return false;
    }
    ++i;
    start = end + 1;
  }
  return i == segments.size();
}

const std::vector<Route>& Service::Routes() {
  using A = RouteAuth;
  using C = const RouteCall&;
  // Captureless lambdas defined here may call the service's private handlers.
  static const std::vector<Route> routes = {
      // Signed member writes (docs/api.md "Write routes").
      {"POST",
       "/v1/collab/proposals",
       A::kMemberSignature,
       {"collab.propose"},
       [](Service& s, C c) { return s.Write(c); }},
      {"POST",
       "/v1/collab/votes",
       A::kMemberSignature,
       {"collab.accept", "collab.reject"},
       [](Service& s, C c) { return s.Write(c); }},
      {"POST",
       "/v1/collab/consent",
       A::kMemberSignature,
       {"collab.stop", "collab.resume"},
       [](Service& s, C c) { return s.Write(c); }},
      {"POST",
       "/v1/datasets",
       A::kMemberSignature,
       {"dataset.register"},
       [](Service& s, C c) { return s.Write(c); }},
      {"POST",
       "/v1/datasets/{dataset}/consent",
       A::kMemberSignature,
       {"dataset.enable", "dataset.disable"},
       [](Service& s, C c) { return s.Write(c); }},
      {"POST",
       "/v1/datasets/{dataset}/secret",
       A::kSignedEnvelope,
       {"dataset.secret"},
       [](Service& s, C c) { return s.StoreSecret(c); }},
      {"POST",
       "/v1/queries",
       A::kMemberSignature,
       {"query.propose"},
       [](Service& s, C c) { return s.Write(c); }},
      {"POST",
       "/v1/queries/{query}/votes",
       A::kMemberSignature,
       {"query.accept", "query.reject"},
       [](Service& s, C c) { return s.Write(c); }},
      {"POST",
       "/v1/queries/{query}/withdraw",
       A::kMemberSignature,
       {"query.withdraw"},
       [](Service& s, C c) { return s.Write(c); }},
      {"POST",
       "/v1/queries/{query}/consent",
       A::kMemberSignature,
       {"query.enable", "query.disable"},
       [](Service& s, C c) { return s.Write(c); }},
      // Models and ML jobs (docs/ml.md): a model's key, consent and reads are a dataset's
      // (its routes), a job's votes, switches and runs a query's.
      {"POST",
       "/v1/models",
       A::kMemberSignature,
       {"model.register"},
       [](Service& s, C c) { return s.Write(c); }},
      {"POST",
       "/v1/jobs",
       A::kMemberSignature,
       {"job.propose"},
       [](Service& s, C c) { return s.Write(c); }},
      {"POST",
       "/v1/runs",
       A::kMemberSignature,
       {"run.request"},
       [](Service& s, C c) { return s.Write(c); }},
      // Reads (docs/api.md "Read routes").
      {"GET", "/v1/service", A::kOpen, {}, [](Service& s, C) { return s.ServiceInfo(); }},
      {"GET",
       "/v1/collab",
       A::kMemberCertificate,
       {},
       [](Service& s, C) {
         return s.ReadState([](const State& st) -> Result<Json> { return CollaborationView(st); });
       }},
      {"GET",
       "/v1/datasets",
       A::kMemberCertificate,
       {},
       [](Service& s, C) {
         return s.ReadState([](const State& st) -> Result<Json> { return DatasetListView(st); });
       }},
      {"GET",
       "/v1/datasets/{dataset}",
       A::kMemberCertificate,
       {},
       [](Service& s, C c) {
         return s.ReadState([&c](const State& st) { return DatasetView(st, c.params[0]); });
       }},
      {"GET",
       "/v1/queries",
       A::kMemberCertificate,
       {},
       [](Service& s, C) {
         return s.ReadState([](const State& st) -> Result<Json> { return QueryListView(st); });
       }},
      {"GET",
       "/v1/queries/{query}",
       A::kMemberCertificate,
       {},
       [](Service& s, C c) {
         return s.ReadState([&c](const State& st) { return QueryView(st, c.params[0]); });
       }},
      {"GET",
       "/v1/runs",
       A::kMemberCertificate,
       {},
       [](Service& s, C) {
         return s.ReadState([](const State& st) -> Result<Json> { return RunListView(st); });
       }},
      {"GET",
       "/v1/runs/{run}",
       A::kMemberCertificate,
       {},
       [](Service& s, C c) {
         return s.ReadState([&c](const State& st) { return RunView(st, c.params[0]); });
       }},
      {"GET",
       "/v1/budget",
       A::kMemberCertificate,
       {},
       [](Service& s, C) { return s.ReadState(BudgetView); }},
      {"GET",
       "/v1/ledger",
       A::kMemberCertificate,
       {},
       [](Service& s, C) { return s.DownloadLedger(); }},
      {"GET",
       "/v1/ledger/consistency/{size}",
       A::kMemberCertificate,
       {},
       [](Service& s, C c) { return s.Consistency(c.params[0]); }},
      {"GET",
       "/v1/receipts/{seqno}",
       A::kMemberCertificate,
       {},
       [](Service& s, C c) { return s.Receipt(c.params[0]); }},
      // The runtime's routes (docs/api.md "Runtime routes").
      {"GET",
       "/v1/runtime/runs",
       A::kOpen,
       {"RuntimeRunList"},
       [](Service& s, C) { return s.RuntimeRuns(); }},
      {"GET",
       "/v1/runs/{run}/challenge",
       A::kOpen,
       {"RunChallenge"},
       [](Service& s, C c) { return s.IssueChallenge(c.params[0]); }},
      {"POST",
       "/v1/runs/{run}/keys",
       A::kEvidence,
       {"KeyReleaseRequest"},
       [](Service& s, C c) { return s.ReleaseKeys(c.params[0], c.body); }},
      {"POST",
       "/v1/runs/{run}/report",
       A::kRunToken,
       {"RunReport"},
       [](Service& s, C c) { return s.ReportRun(c.params[0], c.body); }},
  };
  return routes;
}

ApiResponse Service::Handle(const std::string& method, const std::string& path,
                            std::string_view body, const std::string& client_member_id) {
  if (path.size() > kMaxPathBytes) {
    return ApiResponse::Error({414, "UriTooLong", "request paths are limited to 512 bytes"});
  }
  std::vector<std::string> segments = SplitPath(path);
  if (segments.empty() || segments[0] != "v1") return NotFoundRoute(method);
  if (body.size() > kMaxRequestBodyBytes) {
    return ApiResponse::Error({413, "PayloadTooLarge", "request bodies are limited to 4 MiB"});
  }
  if (Status ids = CheckPathIds(segments); !ids.ok()) {
    return ApiResponse::Error(ApiErrorFromStatus(ids));
  }
  if (method != "GET" && method != "POST") {
    return ApiResponse::Error({405, "MethodNotAllowed", "only GET and POST are served"});
  }
  RouteCall call{segments, {}, body, client_member_id, nullptr};
  const Route* route = nullptr;
  for (const Route& r : Routes()) {
    if (r.method == method && MatchRoute(r, segments, &call.params)) {
      route = &r;
      break;
    }
  }
  if (route == nullptr) {
    // Reads of paths no route serves answer as reads do for outsiders: a member certificate
    // first (routes are public, the service's contents are not).
    if (method == "GET" && !IsReader(client_member_id)) return UnauthenticatedRead();
    return NotFoundRoute(method);
  }
  switch (route->auth) {
    case RouteAuth::kMemberCertificate:
      if (!IsReader(client_member_id)) return UnauthenticatedRead();
      break;
    case RouteAuth::kMemberSignature: {
      auto verified = VerifyWrite(AsBytes(body), route->messages);
      if (auto* error = std::get_if<ApiError>(&verified)) return ApiResponse::Error(*error);
      call.verified = &std::get<VerifiedRequest>(verified);
      return route->handler(*this, call);
    }
    case RouteAuth::kOpen:
    case RouteAuth::kSignedEnvelope:
    case RouteAuth::kEvidence:
    case RouteAuth::kRunToken:
      break;
  }
  return route->handler(*this, call);
}

}  // namespace cleanroom::governance
