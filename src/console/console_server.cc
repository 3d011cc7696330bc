#include "console/console_server.h"

#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "console/access_guard.h"
#include "console/console_api.h"
#include "console/static_assets.h"

namespace cleanroom::console {
namespace {

// The page's writes are a few hundred bytes.
constexpr size_t kMaxBodyBytes = size_t{16} * 1024;

RequestHeaders HeadersOf(const httplib::Request& request) {
  return RequestHeaders{request.method,
                        request.path,
                        request.get_header_value("Host"),
                        request.get_header_value("Origin"),
                        request.get_header_value("Sec-Fetch-Site"),
                        request.get_header_value("Cookie"),
                        request.get_header_value("Content-Type")};
}

// Headers on every answer: nothing may frame, cache or sniff the console, and no CORS header is
// ever sent, so no other origin can read an answer.
void SetCommonHeaders(httplib::Response& response) {
  response.set_header("Cache-Control", "no-store");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; connect-src 'self'; "
                      "frame-ancestors 'none'; form-action 'none'; base-uri 'none'");
}

void Send(httplib::Response& response, const ApiResponse& answer) {
  response.status = answer.status;
  if (!answer.attachment.empty()) {
    response.set_header("Content-Disposition",
                        "attachment; filename=\"" + answer.attachment + "\"");
  }
  response.set_content(answer.body, answer.content_type.c_str());
}

}  // namespace

struct ConsoleServer::Impl {
  ConsoleContext context;
  std::optional<AccessGuard> guard;
  StaticAssets assets;
  httplib::Server http;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  std::condition_variable stopped_cv;
  bool stopped = false;

  // The one handler of every request (GET and POST; httplib answers other methods 400/404
  // without reaching us, and no route ever adds a CORS header).
  void Handle(const httplib::Request& request, httplib::Response& response) {
    SetCommonHeaders(response);
    RequestHeaders headers = HeadersOf(request);
    if (request.path == "/login") {
      Status login = guard->CheckLogin(headers, request.get_param_value("token"));
      if (!login.ok()) return Send(response, ErrorResponse(login));
      response.set_header("Set-Cookie", guard->SetCookieHeader());
      response.set_redirect("/", 303);
      return;
    }
    Status allowed = guard->Check(headers);
    if (!allowed.ok()) return Send(response, ErrorResponse(allowed));
    std::vector<std::string> segments = ApiSegments(request.path);
    if (!segments.empty()) {
      if (request.method == "GET") return Send(response, HandleRead(context, segments));
      if (request.method == "POST")
        return Send(response, HandleAction(context, segments, request.body));
      return Send(response, ErrorResponse(Status::InvalidArgument("console: GET or POST only")));
    }
    const Asset* asset = request.method == "GET" ? assets.Find(request.path) : nullptr;
    // The app routes pages by the fragment (#/queries), so any other path is simply absent.
    if (asset == nullptr)
      return Send(response, ErrorResponse(Status::NotFound("console: no such page")));
    response.set_content(asset->body, asset->content_type.c_str());
  }
};

ConsoleServer::ConsoleServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ConsoleServer::~ConsoleServer() {
  Stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<std::unique_ptr<ConsoleServer>> ConsoleServer::Start(
    const ConsoleOptions& options, std::unique_ptr<GovernanceClient> client, ResultOpener opener) {
  if (!IsLoopbackHost(options.host)) {
    return Status::InvalidArgument(
        "console --listen: the console serves loopback only "
        "(127.0.0.1, ::1 or localhost): it signs with your key");
  }
  if (client == nullptr) return Status::InvalidArgument("console: no governance client");
  CR_ASSIGN_OR_RETURN(StaticAssets assets, StaticAssets::Load(options.web_root));
  auto impl = std::make_unique<Impl>();
  impl->context.client = std::move(client);
  impl->context.opener = std::move(opener);
  impl->context.identity_dir = options.identity_dir;
  impl->assets = std::move(assets);
  impl->http.set_payload_max_length(kMaxBodyBytes);
  impl->http.set_keep_alive_timeout(5);
  std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  if (host == "[::1]") host = "::1";
  int port = options.port;
  if (port == 0) {
    port = impl->http.bind_to_any_port(host);
  } else if (!impl->http.bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) return Status::Unavailable("console --listen: cannot bind the port");
  impl->port = port;
  CR_ASSIGN_OR_RETURN(AccessGuard guard, AccessGuard::Create(port));
  impl->guard.emplace(std::move(guard));
  Impl* raw = impl.get();
  auto handler = [raw](const httplib::Request& request, httplib::Response& response) {
    raw->Handle(request, response);
  };
  impl->http.Get(".*", handler);
  impl->http.Post(".*", handler);
  impl->thread = std::thread([raw] { raw->http.listen_after_bind(); });
  return std::unique_ptr<ConsoleServer>(new ConsoleServer(std::move(impl)));
}

int ConsoleServer::port() const { return impl_->port; }

std::string ConsoleServer::LoginUrl() const { return impl_->guard->LoginUrl(); }

void ConsoleServer::Wait() {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->stopped_cv.wait(lock, [this] { return impl_->stopped; });
}

void ConsoleServer::Stop() {
  impl_->http.stop();
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->stopped = true;
  impl_->stopped_cv.notify_all();
}

}  // namespace cleanroom::console
