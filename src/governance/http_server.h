#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "governance/service.h"

namespace cleanroom::governance {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port (see HttpServer::port())
  // Worker threads. Each kept-alive connection holds one while it is open, so this bounds the
  // number of concurrent clients.
  int threads = 160;
};

// Serves a Service over HTTPS (TLS 1.2+, the service certificate). Clients may present a TLS
// client certificate; it is not chained to any CA (members' certificates are self-signed): the
// TLS handshake proves the client holds its key, and the service then looks its SHA-256 up among
// the members. Thread-safe Stop.
class HttpServer {
 public:
  // Binds the listening socket. Unavailable when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Bind(Service* service, const HttpServerOptions& options);
  ~HttpServer();

  // The bound port.
  int port() const;
  // Serves until Stop() is called.
  Status Run();
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Member id (lower-case hex SHA-256 of the DER) of a certificate given as an OpenSSL X509.
std::string CertificateFingerprint(const void* x509);

}  // namespace cleanroom::governance
