#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/identity.h"

namespace cleanroom::govwire {

// Where and how to connect: the service's address, the SHA-256 (hex) of its certificate that the
// client pins instead of trusting any CA, and the member identity presented as TLS client
// certificate (reads are authenticated by it).
struct ConnectionOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string service_fingerprint;
  const crypto::MemberIdentity* identity = nullptr;  // nullptr: no client certificate
};

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// Splits "https://HOST:PORT" into host and port. InvalidArgument for anything else.
Status ParseServiceUrl(std::string_view url, std::string* host, int* port);

// One kept-alive HTTPS/1.1 connection to the governance service, with the service certificate
// pinned by fingerprint (a mismatch fails the handshake: Unauthenticated). Not thread-safe: one
// per thread. Reconnects when the server closed an idle connection.
class HttpsConnection {
 public:
  static Result<std::unique_ptr<HttpsConnection>> Connect(const ConnectionOptions& options);
  ~HttpsConnection();
  HttpsConnection(const HttpsConnection&) = delete;
  HttpsConnection& operator=(const HttpsConnection&) = delete;

  // Sends one request and reads the whole reply. Unavailable when the service cannot be reached
  // or the connection broke mid-reply (the outcome of a write is then unknown).
  Result<HttpReply> Request(std::string_view method, std::string_view path,
                            std::string_view content_type, std::string_view body);
  // As Request, but hands the body of a 2xx reply to `sink` in pieces (ledger download) and
  // returns it with an empty body; the body of any other reply is returned as usual.
  Result<HttpReply> RequestStreaming(std::string_view method, std::string_view path,
                                     const std::function<Status(ByteSpan)>& sink);

 private:
  struct Impl;
  explicit HttpsConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cleanroom::govwire
