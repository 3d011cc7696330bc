#include "governance/http_server.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <mutex>
#include <set>

#include "base/logging.h"
#include "crypto/hash.h"

namespace cleanroom::governance {
namespace {

// The open connections of a server, so that Stop() can end kept-alive ones at once
// (cpp-httplib 0.11 would otherwise wait out their keep-alive timeout).
struct ConnectionRegistry {
  std::mutex mu;
  std::set<int> fds;
  bool stopping = false;
};

// What the server keeps per TLS connection (SSL ex_data): the client's member id, computed once.
struct ConnectionInfo {
  std::string member_id;
  int fd = -1;
  ConnectionRegistry* registry = nullptr;
};

// Runs in SSL_free, before cpp-httplib closes the socket: the fd is still ours to forget.
void FreeConnectionInfo(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  auto* info = static_cast<ConnectionInfo*>(ptr);
  if (info == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(info->registry->mu);
    info->registry->fds.erase(info->fd);
  }
  delete info;
}

int ConnectionInfoIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeConnectionInfo);
  return index;
}

// The member id of the connection's client certificate (empty when the client sent none).
std::string ClientMemberId(const SSL* ssl, ConnectionRegistry* registry) {
  if (ssl == nullptr) return "";
  int index = ConnectionInfoIndex();
  if (auto* info = static_cast<ConnectionInfo*>(SSL_get_ex_data(ssl, index))) {
    return info->member_id;
  }
  auto* info = new ConnectionInfo;
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer != nullptr) info->member_id = CertificateFingerprint(peer);
  info->fd = SSL_get_fd(ssl);
  info->registry = registry;
  {
    std::lock_guard<std::mutex> lock(registry->mu);
    registry->fds.insert(info->fd);
    if (registry->stopping) ::shutdown(info->fd, SHUT_RDWR);
  }
  SSL_set_ex_data(const_cast<SSL*>(ssl), index, info);
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
  std::unique_ptr<httplib::SSLServer> server;
  int listen_fd = -1;
  int port = 0;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Bind(Service* service,
                                                     const HttpServerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->service = service;
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
    return tls_ok;
  });
  if (!tls_ok || !impl->server->is_valid()) {
    return Status::Internal("cannot set up TLS with the service certificate");
  }
  httplib::SSLServer& server = *impl->server;
  int threads = options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_keep_alive_max_count(1000000);
  server.set_keep_alive_timeout(60);
  server.set_read_timeout(60, 0);
  server.set_tcp_nodelay(true);
  server.set_payload_max_length(8u << 20);
  Impl* raw = impl.get();
  server.set_socket_options([raw](int fd) {
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    raw->listen_fd = fd;
  });
  auto handler = [raw](const httplib::Request& req, httplib::Response& res) {
    ApiResponse r = raw->service->Handle(req.method, req.path, req.body,
                                           ClientMemberId(req.ssl, &raw->connections));
    res.status = r.http_status;
    if (r.stream) {
      auto stream = std::move(r.stream);
      res.set_chunked_content_provider(
          r.content_type, [stream](size_t, httplib::DataSink& sink) {
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
    for (int fd : impl_->connections.fds) ::shutdown(fd, SHUT_RDWR);
  }
  impl_->server->stop();
}

}  // namespace cleanroom::governance
