#include "govwire/https_connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include "crypto/hash.h"
#include "govwire/api_error.h"
#include "govwire/json_reader.h"

namespace cleanroom::govwire {
namespace {

constexpr int kIoTimeoutSeconds = 60;

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

Status ParseServiceUrl(std::string_view url, std::string* host, int* port) {
  constexpr std::string_view kScheme = "https://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument("--governance: expected https://HOST:PORT");
  }
  std::string_view rest = url.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("--governance: expected https://HOST:PORT");
  }
  std::string_view port_text = rest.substr(colon + 1);
  int p = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || p <= 0 || p > 65535) {
    return Status::InvalidArgument("--governance: the port must be a number from 1 to 65535");
  }
  *host = std::string(rest.substr(0, colon));
  *port = p;
  return Status::OK();
}

struct HttpsConnection::Impl {
  ConnectionOptions options;
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  int fd = -1;
  bool reused = false;        // at least one reply was read on this connection
  bool pin_mismatch = false;  // set by the verify callback
  int current_status = 0;     // of the reply being read
  std::string buffer;
  size_t pos = 0;

  ~Impl() {
    Close();
    if (ctx != nullptr) SSL_CTX_free(ctx);
  }

  void Close() {
    if (ssl != nullptr) SSL_free(ssl);
    if (fd >= 0) ::close(fd);
    ssl = nullptr;
    fd = -1;
    reused = false;
    buffer.clear();
    pos = 0;
  }

  // Pins the service certificate: only the leaf's SHA-256 counts, no CA is trusted.
  static int VerifyPinned(X509_STORE_CTX* store, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    X509* leaf = X509_STORE_CTX_get0_cert(store);
    if (leaf == nullptr) return 0;
    unsigned char* der = nullptr;
    int len = i2d_X509(leaf, &der);
    if (len <= 0) return 0;
    crypto::Sha256Digest digest = crypto::Sha256(ByteSpan(der, static_cast<size_t>(len)));
    OPENSSL_free(der);
    auto pinned = HexDecode(self->options.service_fingerprint);
    bool ok = pinned.ok() && ConstantTimeEquals(*pinned, digest);
    if (!ok) {
      self->pin_mismatch = true;
      X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    }
    return ok ? 1 : 0;
  }

  Status Setup() {
    ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) return Status::Internal("cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_cert_verify_callback(ctx, VerifyPinned, this);
    if (options.identity != nullptr) {
      const Bytes& der = options.identity->public_identity.certificate.der();
      const unsigned char* p = der.data();
      X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
      bool ok = cert != nullptr && SSL_CTX_use_certificate(ctx, cert) == 1 &&
                SSL_CTX_use_PrivateKey(ctx, options.identity->signing_key.raw_key()) == 1;
      X509_free(cert);
      if (!ok) return Status::Internal("cannot use the member certificate for TLS");
    }
    return Status::OK();
  }

  Status Open() {
    Close();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    std::string port_text = std::to_string(options.port);
    std::string where = options.host + ":" + port_text;
    if (::getaddrinfo(options.host.c_str(), port_text.c_str(), &hints, &found) != 0) {
      return Status::Unavailable("cannot resolve " + options.host);
    }
    for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
      fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
        ::close(fd);
        fd = -1;
      }
    }
    ::freeaddrinfo(found);
    if (fd < 0) return Status::Unavailable("cannot connect to the governance service at " + where);
    int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    timeval tv{kIoTimeoutSeconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    pin_mismatch = false;
    if (SSL_connect(ssl) != 1) {
      ERR_clear_error();
      bool mismatch = pin_mismatch;
      Close();
      if (mismatch) {
        return Status::Unauthenticated("the service certificate at " + where +
                                       " does not match the pinned fingerprint");
      }
      return Status::Unavailable("TLS handshake with " + where + " failed");
    }
    return Status::OK();
  }

  bool WriteAll(std::string_view data) {
    while (!data.empty()) {
      int n = SSL_write(ssl, data.data(), static_cast<int>(data.size()));
      if (n <= 0) {
        ERR_clear_error();
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads more bytes into the buffer; false at end of stream or on error.
  bool Fill() {
    if (pos > 0 && pos == buffer.size()) {
      buffer.clear();
      pos = 0;
    }
    char chunk[16384];
    int n = SSL_read(ssl, chunk, sizeof(chunk));
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }

  bool ReadLine(std::string* line) {
    for (;;) {
      size_t eol = buffer.find("\r\n", pos);
      if (eol != std::string::npos) {
        line->assign(buffer, pos, eol - pos);
        pos = eol + 2;
        return true;
      }
      if (buffer.size() - pos > 65536 || !Fill()) return false;
    }
  }

  // Hands exactly `n` bytes to the sink.
  Status ReadExactly(size_t n, const std::function<Status(ByteSpan)>& sink) {
    while (n > 0) {
      if (pos == buffer.size() && !Fill()) return Status::Unavailable("the reply was cut short");
      size_t take = std::min(n, buffer.size() - pos);
      CR_RETURN_IF_ERROR(sink(AsBytes(std::string_view(buffer).substr(pos, take))));
      pos += take;
      n -= take;
    }
    return Status::OK();
  }

  Result<HttpReply> Exchange(std::string_view method, std::string_view path,
                             std::string_view content_type, std::string_view body,
                             const std::function<Status(ByteSpan)>& sink, bool* nothing_read) {
    *nothing_read = true;
    std::string head;
    head.reserve(256);
    head.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ");
    head.append(options.host).append(":").append(std::to_string(options.port));
    head.append("\r\nConnection: keep-alive\r\n");
    if (!content_type.empty()) head.append("Content-Type: ").append(content_type).append("\r\n");
    head.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n");
    if (body.size() < 16384) {
      head.append(body);
      if (!WriteAll(head)) return Status::Unavailable("sending the request failed");
    } else if (!WriteAll(head) || !WriteAll(body)) {
      return Status::Unavailable("sending the request failed");
    }
    std::string line;
    if (!ReadLine(&line)) return Status::Unavailable("the service closed the connection");
    *nothing_read = false;
    HttpReply reply;
    if (line.size() < 12 || line.compare(0, 5, "HTTP/") != 0) {
      return Status::Unavailable("the reply is not HTTP");
    }
    reply.status = std::atoi(line.c_str() + 9);
    current_status = reply.status;
    int64_t content_length = -1;
    bool chunked = false;
    bool close_after = false;
    for (;;) {
      if (!ReadLine(&line)) return Status::Unavailable("the reply headers were cut short");
      if (line.empty()) break;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string key = LowerAscii(Trim(std::string_view(line).substr(0, colon)));
      std::string_view value = Trim(std::string_view(line).substr(colon + 1));
      if (key == "content-length") {
        content_length = std::atoll(std::string(value).c_str());
      } else if (key == "transfer-encoding") {
        chunked = LowerAscii(value).find("chunked") != std::string::npos;
      } else if (key == "connection") {
        close_after = LowerAscii(value) == "close";
      } else if (key == "content-type") {
        reply.content_type = std::string(value);
      }
    }
    if (chunked) {
      for (;;) {
        if (!ReadLine(&line)) return Status::Unavailable("the reply was cut short");
        size_t size = std::strtoull(line.c_str(), nullptr, 16);
        if (size == 0) {
          // Trailers, then the blank line.
          do {
            if (!ReadLine(&line)) return Status::Unavailable("the reply was cut short");
          } while (!line.empty());
          break;
        }
        CR_RETURN_IF_ERROR(ReadExactly(size, sink));
        if (!ReadLine(&line)) return Status::Unavailable("the reply was cut short");
      }
    } else if (content_length >= 0) {
      CR_RETURN_IF_ERROR(ReadExactly(static_cast<size_t>(content_length), sink));
    } else {
      // Until the service closes the connection.
      for (;;) {
        if (pos < buffer.size()) {
          CR_RETURN_IF_ERROR(sink(AsBytes(std::string_view(buffer).substr(pos))));
          pos = buffer.size();
        }
        if (!Fill()) break;
      }
      close_after = true;
    }
    if (close_after) {
      Close();
    } else {
      reused = true;
    }
    return reply;
  }

  Result<HttpReply> Request(std::string_view method, std::string_view path,
                            std::string_view content_type, std::string_view body,
                            const std::function<Status(ByteSpan)>& sink) {
    for (int attempt = 0;; ++attempt) {
      if (ssl == nullptr) CR_RETURN_IF_ERROR(Open());
      bool was_reused = reused;
      bool nothing_read = true;
      auto reply = Exchange(method, path, content_type, body, sink, &nothing_read);
      if (reply.ok()) return reply;
      Close();
      // A kept-alive connection the service closed while idle: the request never reached it.
      if (attempt == 0 && was_reused && nothing_read) continue;
      return reply.status();
    }
  }
};

HttpsConnection::HttpsConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsConnection::~HttpsConnection() = default;

Result<std::unique_ptr<HttpsConnection>> HttpsConnection::Connect(
    const ConnectionOptions& options) {
  auto fingerprint = NormalizeSha256Hex(options.service_fingerprint, "--service-fingerprint");
  if (!fingerprint.ok()) return fingerprint.status();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->options.service_fingerprint = *fingerprint;
  CR_RETURN_IF_ERROR(impl->Setup());
  CR_RETURN_IF_ERROR(impl->Open());
  return std::unique_ptr<HttpsConnection>(new HttpsConnection(std::move(impl)));
}

Result<HttpReply> HttpsConnection::Request(std::string_view method, std::string_view path,
                                           std::string_view content_type, std::string_view body) {
  std::string out;
  auto sink = [&out](ByteSpan chunk) {
    out.append(AsStringView(chunk));
    return Status::OK();
  };
  CR_ASSIGN_OR_RETURN(HttpReply reply, impl_->Request(method, path, content_type, body, sink));
  reply.body = std::move(out);
  return reply;
}

Result<HttpReply> HttpsConnection::RequestStreaming(std::string_view method, std::string_view path,
                                                    const std::function<Status(ByteSpan)>& sink) {
  std::string other;
  Impl* impl = impl_.get();
  auto split = [&](ByteSpan chunk) {
    if (impl->current_status >= 200 && impl->current_status < 300) return sink(chunk);
    if (other.size() < (1u << 20)) other.append(AsStringView(chunk));
    return Status::OK();
  };
  CR_ASSIGN_OR_RETURN(HttpReply reply, impl_->Request(method, path, "", "", split));
  reply.body = std::move(other);
  return reply;
}

}  // namespace cleanroom::govwire
