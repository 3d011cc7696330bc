// Issue 14, the HTTP layer under a hostile peer, against `cleanroom governance serve` on
// loopback: request framing whose body cpp-httplib would read without bound (compressed,
// chunked, without or with an oversized Content-Length) is refused before the body is read, and
// no request (a decompression bomb, a flood of header lines, one endless header line) makes the
// service hold more than a bounded number of bytes for it: the service's peak memory is read
// from /proc.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <fstream>
#include <string>

#include "governance/tests/process_server.h"
#include "governance/tests/test_support.h"

namespace cleanroom::governance::testing {
namespace {

// A blocking TLS connection that sends whatever it is given (the server certificate is not
// checked: the test attacks the server, it does not trust it). Reads and writes give up after
// 20 s.
class HostilePeer {
 public:
  explicit HostilePeer(int port) {
    ::signal(SIGPIPE, SIG_IGN);  // the server closing mid-write must not end the test
    ctx_ = SSL_CTX_new(TLS_client_method());
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (ctx_ == nullptr || fd_ < 0) return;
    timeval timeout{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) return;
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    connected_ = SSL_connect(ssl_) == 1;
  }
  ~HostilePeer() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }

  // Whether all of `bytes` went out (false once the server has closed the connection).
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      int n =
          SSL_write(ssl_, bytes.data(), static_cast<int>(std::min<size_t>(bytes.size(), 1 << 16)));
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // What the server sends until it closes the connection; `closed` tells whether it did (rather
  // than the read timing out).
  std::string ReadUntilClosed(bool* closed) {
    std::string out;
    char buffer[4096];
    for (;;) {
      int n = SSL_read(ssl_, buffer, sizeof(buffer));
      if (n > 0) {
        out.append(buffer, static_cast<size_t>(n));
        continue;
      }
      // The server ends a refused connection without a TLS close_notify: OpenSSL 3 reports that
      // EOF as SSL_ERROR_SSL. Only a read that timed out leaves the connection open.
      int error = SSL_get_error(ssl_, n);
      *closed = !(error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK));
      return out;
    }
  }

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool connected_ = false;
};

int PortOf(const ProcessServer& server) {
  return std::stoi(server.url().substr(server.url().rfind(':') + 1));
}

// The service's peak resident memory (VmHWM), in KiB.
uint64_t PeakMemoryKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
  }
  ADD_FAILURE() << "no VmHWM for " << pid;
  return 0;
}

// `count` MiB of zeros, gzip-compressed (about a thousandth of that).
std::string GzipOfZeros(size_t count) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string zeros(1 << 20, '\0'), out(1 << 16, '\0'), compressed;
  for (size_t i = 0; i < count; ++i) {
    z.next_in = reinterpret_cast<Bytef*>(zeros.data());
    z.avail_in = static_cast<uInt>(zeros.size());
    int flush = i + 1 == count ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      deflate(&z, flush);
      compressed.append(out.data(), out.size() - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return compressed;
}

class HostileTransport : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ProcessServer>(dir_.path());
    ASSERT_FALSE(server_->url().empty());
    port_ = PortOf(*server_);
  }
  // Sends `head` (and `body`, as far as the server reads it) on a new connection; the server's
  // reply, which it must send and then close the connection.
  std::string Refused(const std::string& head, const std::string& body = "") {
    HostilePeer peer(port_);
    EXPECT_TRUE(peer.connected());
    EXPECT_TRUE(peer.Send(head));
    peer.Send(body);  // the server may close before taking it all
    bool closed = false;
    std::string reply = peer.ReadUntilClosed(&closed);
    EXPECT_TRUE(closed) << "the connection was left open after: " << head;
    return reply;
  }
  // The service still answers an ordinary request.
  void ExpectServing() {
    HostilePeer peer(port_);
    ASSERT_TRUE(peer.connected());
    ASSERT_TRUE(peer.Send("GET /v1/service HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n"));
    bool closed = false;
    std::string reply = peer.ReadUntilClosed(&closed);
    EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  }

  TempDir dir_;
  std::unique_ptr<ProcessServer> server_;
  int port_ = 0;
};

void ExpectStatus(const std::string& reply, int status, const std::string& code) {
  EXPECT_EQ(reply.rfind("HTTP/1.1 " + std::to_string(status), 0), 0u) << reply;
  EXPECT_NE(reply.find("\"code\":\"" + code + "\""), std::string::npos) << reply;
}

TEST_F(HostileTransport, FramingThatWouldBeReadWithoutBoundIsRefusedBeforeTheBody) {
  const std::string post = "POST /v1/runs/r1/keys HTTP/1.1\r\nHost: g\r\n";
  ExpectStatus(Refused(post + "Content-Encoding: gzip\r\nContent-Length: 100\r\n\r\n"), 415,
               "UnsupportedContentEncoding");
  ExpectStatus(Refused(post + "Content-Encoding: br\r\nContent-Length: 100\r\n\r\n"), 415,
               "UnsupportedContentEncoding");
  ExpectStatus(Refused(post + "Transfer-Encoding: chunked\r\n\r\n", "100000\r\n"), 411,
               "LengthRequired");
  ExpectStatus(Refused(post + "\r\n", std::string(1 << 16, 'x')), 411, "LengthRequired");
  ExpectStatus(Refused(post + "Content-Length: 1073741824\r\n\r\n"), 413, "PayloadTooLarge");
  ExpectStatus(Refused(post + "Content-Length: 4194305\r\n\r\n"), 413, "PayloadTooLarge");
  ExpectStatus(Refused(post + "Content-Length: 5\r\nContent-Length: 7\r\n\r\n"), 400,
               "BadContentLength");
  ExpectStatus(Refused(post + "Content-Length: -1\r\n\r\n"), 400, "BadContentLength");
  ExpectStatus(Refused(post + "Content-Length: 0x10\r\n\r\n"), 400, "BadContentLength");
  ExpectStatus(Refused("PUT /v1/datasets HTTP/1.1\r\nHost: g\r\nContent-Length: 3\r\n\r\n"), 405,
               "MethodNotAllowed");
  ExpectStatus(Refused("GET /v1/service HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\n\r\n", "hello"),
               400, "BadRequest");
  ExpectServing();
}

TEST_F(HostileTransport, NoRequestMakesTheServiceHoldMoreThanItsBound) {
  uint64_t before = PeakMemoryKib(server_->pid());
  ASSERT_GT(before, 0u);
  // A decompression bomb: 1 MiB on the wire, 1 GiB inflated. cpp-httplib inflated it into the
  // request body before the service saw it.
  std::string bomb = GzipOfZeros(1024);
  ASSERT_LT(bomb.size(), 2u << 20);
  Refused(
      "POST /v1/runs/r1/keys HTTP/1.1\r\nHost: g\r\nContent-Encoding: gzip\r\n"
      "Content-Length: " +
          std::to_string(bomb.size()) + "\r\n\r\n",
      bomb);
  // 256 MiB of header lines, each within cpp-httplib's 8 KiB line bound (it bounds no count).
  {
    HostilePeer peer(port_);
    ASSERT_TRUE(peer.connected());
    ASSERT_TRUE(peer.Send("GET /v1/service HTTP/1.1\r\nHost: g\r\n"));
    std::string lines;
    for (int i = 0; i < 256; ++i) lines += "X-Flood: " + std::string(4085, 'f') + "\r\n";
    int sent = 0;
    while (sent < 256 && peer.Send(lines)) ++sent;  // 1 MiB each
    EXPECT_LT(sent, 256) << "the service read 256 MiB of headers";
  }
  // One header line of 256 MiB: cpp-httplib reads a whole line before checking its length.
  {
    HostilePeer peer(port_);
    ASSERT_TRUE(peer.connected());
    ASSERT_TRUE(peer.Send("GET /v1/service HTTP/1.1\r\nHost: g\r\nX-Long: "));
    std::string chunk(1 << 20, 'l');
    int sent = 0;
    while (sent < 256 && peer.Send(chunk)) ++sent;
    EXPECT_LT(sent, 256) << "the service read a 256 MiB header line";
  }
  ExpectServing();
  // Each attack needs more than 256 MiB to be held; what the service holds is bounded by its
  // per-request bound (5 MiB) and its own buffers.
  uint64_t after = PeakMemoryKib(server_->pid());
  EXPECT_LT(after - before, 64u * 1024)
      << "peak memory grew from " << before << " KiB to " << after << " KiB";
}

}  // namespace
}  // namespace cleanroom::governance::testing
