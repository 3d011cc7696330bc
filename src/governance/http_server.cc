#include "governance/http_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "base/logging.h"
#include "crypto/hash.h"
#include "governance/connection_pool.h"
#include "governance/ids.h"

namespace cleanroom::governance {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kNoDeadline = INT64_MAX;
// The bytes a connection may send for one request (TLS records of its request line, headers and
// body; for its first, the handshake too): the largest body and 1 MiB besides. cpp-httplib 0.11
// bounds neither the number of header lines nor the length of one before it has read all of it,
// so without this one peer could make the service hold gigabytes until the request deadline.
constexpr uint64_t kMaxRequestWireBytes = kMaxRequestBodyBytes + (1u << 20);

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

struct ConnectionInfo;

// The open connections of a server: counted per peer address and in total for admission, and
// listed so that Stop() can end kept-alive ones at once (cpp-httplib 0.11 would otherwise wait
// out their keep-alive timeout) and the deadline watch can end those whose request is late.
struct ConnectionRegistry {
  std::mutex mu;
  std::map<int, ConnectionInfo*> open;  // by fd
  std::map<std::string, int> per_peer;
  int max_total = 0;
  int max_per_peer = 0;
  int64_t request_deadline_ms = 0;
  int64_t keep_alive_ms = 0;
  bool stopping = false;
  std::condition_variable stopped;
};

// What the server keeps per TLS connection (SSL ex_data): its peer, the client's member id
// (computed once) and when the request being read must have arrived.
struct ConnectionInfo {
  std::string peer;
  std::string member_id;
  bool member_id_known = false;
  int fd = -1;
  ConnectionRegistry* registry = nullptr;
  // Steady-clock milliseconds; kNoDeadline while a handler runs and its response is written.
  std::atomic<int64_t> deadline_ms{kNoDeadline};
  // Bytes read from the socket since the last response was written (the reading thread's).
  uint64_t wire_bytes = 0;
  // A request refused before its body was read: the connection ends after the response, as
  // whatever follows on it is that unread body.
  std::atomic<bool> close_after_response{false};
};

// Runs in SSL_free, before cpp-httplib closes the socket: the fd is still ours to forget.
void FreeConnectionInfo(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  auto* info = static_cast<ConnectionInfo*>(ptr);
  if (info == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(info->registry->mu);
    info->registry->open.erase(info->fd);
    auto it = info->registry->per_peer.find(info->peer);
    if (it != info->registry->per_peer.end() && --it->second <= 0) {
      info->registry->per_peer.erase(it);
    }
  }
  delete info;
}

int ConnectionInfoIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeConnectionInfo);
  return index;
}

int RegistryIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// The peer's address (without port), or empty when the socket has none.
std::string PeerAddress(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  char text[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, text, sizeof(text));
  } else if (addr.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, text, sizeof(text));
  }
  return text;
}

// The socket BIO's callback: counts what is read for the request being read and fails the read
// that would go past kMaxRequestWireBytes (the connection then closes, unanswered). The BIO is
// freed after the connection's info (SSL_free), so only reads touch `arg`.
long CountRequestBytes(BIO* bio, int oper, const char*, size_t, int, long, int ret,
                       size_t* processed) {
  if ((oper & ~BIO_CB_RETURN) != BIO_CB_READ) return ret;
  auto* info = reinterpret_cast<ConnectionInfo*>(BIO_get_callback_arg(bio));
  if (info == nullptr) return ret;
  if ((oper & BIO_CB_RETURN) == 0) return info->wire_bytes >= kMaxRequestWireBytes ? -1 : 1;
  if (ret > 0 && processed != nullptr) info->wire_bytes += *processed;
  return ret;
}

// Admission, when a connection's TLS handshake starts (before its first byte is read): within
// the bounds it is registered; past them its socket is shut down, so the handshake fails at
// once and its worker is free again.
void AdmitConnection(const SSL* ssl, int where, int) {
  if ((where & SSL_CB_HANDSHAKE_START) == 0) return;
  int index = ConnectionInfoIndex();
  if (SSL_get_ex_data(ssl, index) != nullptr) return;  // a later handshake on the connection
  auto* registry =
      static_cast<ConnectionRegistry*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), RegistryIndex()));
  if (registry == nullptr) return;
  auto* info = new ConnectionInfo;
  info->fd = SSL_get_fd(ssl);
  info->peer = PeerAddress(info->fd);
  info->registry = registry;
  info->deadline_ms = NowMillis() + registry->request_deadline_ms;
  {
    std::lock_guard<std::mutex> lock(registry->mu);
    int& from_peer = registry->per_peer[info->peer];
    ++from_peer;
    registry->open[info->fd] = info;
    if (registry->stopping || static_cast<int>(registry->open.size()) > registry->max_total ||
        from_peer > registry->max_per_peer) {
      ::shutdown(info->fd, SHUT_RDWR);
    }
  }
  SSL_set_ex_data(const_cast<SSL*>(ssl), index, info);
  if (BIO* rbio = SSL_get_rbio(ssl)) {
    BIO_set_callback_arg(rbio, reinterpret_cast<char*>(info));
    BIO_set_callback_ex(rbio, CountRequestBytes);
  }
}

ConnectionInfo* InfoOf(const SSL* ssl) {
  if (ssl == nullptr) return nullptr;
  return static_cast<ConnectionInfo*>(SSL_get_ex_data(ssl, ConnectionInfoIndex()));
}

// A request is read in full once its handler runs: no deadline until its response is written.
void RequestRead(const SSL* ssl) {
  if (ConnectionInfo* info = InfoOf(ssl)) info->deadline_ms = kNoDeadline;
}

// After a response, the connection may wait keep-alive for its next request, which then has the
// request deadline to arrive.
void ResponseWritten(const SSL* ssl) {
  ConnectionInfo* info = InfoOf(ssl);
  if (info == nullptr) return;
  if (info->close_after_response) {
    ::shutdown(info->fd, SHUT_RDWR);  // after the response: its bytes are queued before the FIN
    return;
  }
  info->wire_bytes = 0;
  info->deadline_ms =
      NowMillis() + info->registry->keep_alive_ms + info->registry->request_deadline_ms;
}

// Why a request's framing is refused before its body is read, if it is. Bodies come with one
// Content-Length of at most kMaxRequestBodyBytes, neither chunked (whose length is known only
// once read) nor compressed (cpp-httplib would inflate a small body into gigabytes before the
// service sees it); only GET and POST are served.
std::optional<ApiError> RefusedFraming(const httplib::Request& req) {
  if (req.method != "GET" && req.method != "POST") {
    return ApiError{405, "MethodNotAllowed", "only GET and POST are served"};
  }
  if (req.has_header("Transfer-Encoding")) {
    return ApiError{411, "LengthRequired",
                    "request bodies are sent with a Content-Length, not a transfer encoding"};
  }
  for (size_t i = 0; i < req.get_header_value_count("Content-Encoding"); ++i) {
    if (req.get_header_value("Content-Encoding", i) != "identity") {
      return ApiError{415, "UnsupportedContentEncoding", "request bodies are not compressed"};
    }
  }
  size_t lengths = req.get_header_value_count("Content-Length");
  if (lengths == 0) {
    if (req.method == "GET") return std::nullopt;
    return ApiError{411, "LengthRequired", "a POST needs a Content-Length"};
  }
  const std::string length = req.get_header_value("Content-Length");
  if (lengths > 1 || length.empty() || length.size() > 12 ||
      length.find_first_not_of("0123456789") != std::string::npos) {
    return ApiError{400, "BadContentLength", "Content-Length must be one decimal number"};
  }
  uint64_t bytes = std::stoull(length);
  if (bytes > kMaxRequestBodyBytes) {
    return ApiError{413, "PayloadTooLarge", "request bodies are limited to 4 MiB"};
  }
  // cpp-httplib reads no body for a GET: what it sent would be read as the next request.
  if (req.method == "GET" && bytes > 0) return ApiError{400, "BadRequest", "a GET has no body"};
  return std::nullopt;
}

// Until Stop: every quarter second, shuts down the connections whose request is past its
// deadline (their blocked read returns and cpp-httplib closes them).
void WatchDeadlines(ConnectionRegistry* registry) {
  std::unique_lock<std::mutex> lock(registry->mu);
  while (!registry->stopping) {
    registry->stopped.wait_for(lock, std::chrono::milliseconds(250));
    int64_t now = NowMillis();
    for (auto& [fd, info] : registry->open) {
      if (info->deadline_ms.load() < now) {
        ::shutdown(fd, SHUT_RDWR);
        info->deadline_ms = kNoDeadline;  // once is enough
      }
    }
  }
}

// The member id of the connection's client certificate (empty when the client sent none).
std::string ClientMemberId(const SSL* ssl) {
  ConnectionInfo* info = InfoOf(ssl);
  if (info == nullptr) return "";
  if (!info->member_id_known) {
    X509* peer = SSL_get0_peer_certificate(ssl);
    if (peer != nullptr) info->member_id = CertificateFingerprint(peer);
    info->member_id_known = true;
  }
  return info->member_id;
}

// Member certificates are self-signed: the handshake's CertificateVerify proves possession of
// the key, and membership is decided per request from the certificate's SHA-256.
int AcceptAnyClientCertificate(X509_STORE_CTX*, void*) { return 1; }

}  // namespace

std::string CertificateFingerprint(const void* x509) {
  unsigned char* der = nullptr;
  int len = i2d_X509(static_cast<const X509*>(x509), &der);
  if (len <= 0) return "";
  std::string id = crypto::Sha256Hex(ByteSpan(der, static_cast<size_t>(len)));
  OPENSSL_free(der);
  return id;
}

struct HttpServer::Impl {
  Service* service = nullptr;
  ConnectionRegistry connections;
  std::thread deadline_watch;
  std::unique_ptr<httplib::SSLServer> server;
  int listen_fd = -1;
  int port = 0;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Bind(Service* service,
                                                     const HttpServerOptions& options) {
  if (options.threads < 1 || options.max_connections_per_peer < 1 ||
      options.read_timeout_seconds < 1 || options.keep_alive_seconds < 1 ||
      options.request_deadline_seconds < 1) {
    return Status::InvalidArgument("connection bounds and timeouts must be at least 1");
  }
  auto impl = std::make_unique<Impl>();
  impl->service = service;
  impl->connections.max_total = options.threads;
  impl->connections.max_per_peer = options.max_connections_per_peer;
  impl->connections.request_deadline_ms = int64_t{options.request_deadline_seconds} * 1000;
  impl->connections.keep_alive_ms = int64_t{options.keep_alive_seconds} * 1000;
  ConnectionRegistry* registry = &impl->connections;
  const crypto::MemberIdentity& id = service->identity();
  bool tls_ok = true;
  impl->server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    const Bytes& der = id.public_identity.certificate.der();
    const unsigned char* p = der.data();
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    tls_ok = cert != nullptr && SSL_CTX_use_certificate(&ctx, cert) == 1 &&
             SSL_CTX_use_PrivateKey(&ctx, id.signing_key.raw_key()) == 1 &&
             SSL_CTX_check_private_key(&ctx) == 1;
    X509_free(cert);
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_cert_verify_callback(&ctx, AcceptAnyClientCertificate, nullptr);
    SSL_CTX_set_ex_data(&ctx, RegistryIndex(), registry);
    SSL_CTX_set_info_callback(&ctx, AdmitConnection);
    return tls_ok;
  });
  if (!tls_ok || !impl->server->is_valid()) {
    return Status::Internal("cannot set up TLS with the service certificate");
  }
  httplib::SSLServer& server = *impl->server;
  // Threads past the connection bound only turn connections away (AdmitConnection).
  size_t workers = static_cast<size_t>(options.threads) + 64;
  server.new_task_queue = [workers] { return new ConnectionPool(workers); };
  server.set_keep_alive_max_count(1000000);
  server.set_keep_alive_timeout(options.keep_alive_seconds);
  server.set_read_timeout(options.read_timeout_seconds, 0);
  server.set_tcp_nodelay(true);
  server.set_payload_max_length(kMaxRequestBodyBytes);
  server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    std::optional<ApiError> refused = RefusedFraming(req);
    if (!refused) return httplib::Server::HandlerResponse::Unhandled;
    if (ConnectionInfo* info = InfoOf(req.ssl)) info->close_after_response = true;
    res.status = refused->http_status;
    res.set_header("Connection", "close");
    res.set_content(refused->ToJson(), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });
  Impl* raw = impl.get();
  server.set_socket_options([raw](int fd) {
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    raw->listen_fd = fd;
  });
  server.set_logger(
      [](const httplib::Request& req, const httplib::Response&) { ResponseWritten(req.ssl); });
  auto handler = [raw](const httplib::Request& req, httplib::Response& res) {
    RequestRead(req.ssl);
    ApiResponse r = raw->service->Handle(req.method, req.path, req.body, ClientMemberId(req.ssl));
    res.status = r.http_status;
    if (r.stream) {
      auto stream = std::move(r.stream);
      res.set_chunked_content_provider(r.content_type, [stream](size_t, httplib::DataSink& sink) {
        Status s = stream([&sink](ByteSpan chunk) {
          if (!sink.write(reinterpret_cast<const char*>(chunk.data()), chunk.size())) {
            return Status::Unavailable("the client went away");
          }
          return Status::OK();
        });
        if (!s.ok()) return false;
        sink.done();
        return true;
      });
    } else {
      res.set_content(r.body, r.content_type);
    }
  };
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Put(".*", handler);
  server.Delete(".*", handler);

  if (options.port == 0) {
    impl->port = server.bind_to_any_port(options.host);
  } else {
    impl->port = server.bind_to_port(options.host, options.port) ? options.port : -1;
  }
  if (impl->port <= 0) {
    return Status::Unavailable("cannot listen on " + options.host + ":" +
                               std::to_string(options.port));
  }
  // cpp-httplib listens with a backlog of 5; many clients connecting at once would see SYN
  // retries (a second each). Listening again on the same socket raises the backlog.
  if (impl->listen_fd >= 0) ::listen(impl->listen_fd, 1024);
  impl->deadline_watch = std::thread(WatchDeadlines, registry);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port; }

Status HttpServer::Run() {
  if (!impl_->server->listen_after_bind()) return Status::Unavailable("the HTTPS server stopped");
  return Status::OK();
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->server) return;
  {
    std::lock_guard<std::mutex> lock(impl_->connections.mu);
    impl_->connections.stopping = true;
    for (auto& [fd, info] : impl_->connections.open) ::shutdown(fd, SHUT_RDWR);
  }
  impl_->connections.stopped.notify_all();
  if (impl_->deadline_watch.joinable()) impl_->deadline_watch.join();
  impl_->server->stop();
}

}  // namespace cleanroom::governance
