#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "governance/service.h"

namespace cleanroom::governance {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port (see HttpServer::port())
  // Connections open at once, in total (each holds a worker thread while it is open; threads
  // start as connections arrive). Connections past a bound are closed at once.
  int threads = 1024;
  // Connections open at once from one peer address, so that no one peer can take them all.
  int max_connections_per_peer = 256;
  // A TLS handshake, request headers and body must each keep arriving: a read that waits longer
  // than this closes the connection. An idle kept-alive connection is closed after
  // keep_alive_seconds.
  int read_timeout_seconds = 10;
  int keep_alive_seconds = 15;
  // The whole of a request (the TLS handshake for a connection's first, its request line,
  // headers and body) must arrive within this many seconds, however steadily it trickles in;
  // after a response, a kept-alive connection's next request has keep_alive_seconds more. A
  // request past its deadline has its connection closed. The handler's own time (a key release,
  // a ledger download) does not count.
  int request_deadline_seconds = 30;
};

// Serves a Service over HTTPS (TLS 1.2+, the service certificate). Clients may present a TLS
// client certificate; it is not chained to any CA (members' certificates are self-signed): the
// TLS handshake proves the client holds its key, and the service then looks its SHA-256 up among
// the members. Connections are admitted when their handshake starts, within the bounds of
// HttpServerOptions (per peer and in total); idle and slow ones are closed by the read timeouts
// and the request deadline.
// Thread-safe Stop.
class HttpServer {
 public:
  // Binds the listening socket. Unavailable when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Bind(Service* service,
                                                  const HttpServerOptions& options);
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
