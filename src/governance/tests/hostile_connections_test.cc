// Finding 3 of issue 14 (point 5 of the session): idle and slow peers cannot starve real
// clients. Connections are bounded per peer and in total, each open one gets its own worker, and
// idle ones are closed by the read timeouts.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "governance/tests/test_support.h"

namespace cleanroom::governance::testing {
namespace {

// A TCP connection from `source` (a loopback address) to the server that never sends a byte.
int IdleConnection(const std::string& source, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Whether the server closed `fd` (EOF or reset) within `seconds`.
bool ClosedByServer(int fd, int seconds) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, seconds * 1000) <= 0) return false;
  char byte;
  return ::recv(fd, &byte, 1, 0) <= 0;
}

int Port(const TestServer& server) {
  std::string url = server.url();
  return std::stoi(url.substr(url.rfind(':') + 1));
}

TEST(HostileConnections, RealClientsAreAnsweredWhile250IdleConnectionsAreOpen) {
  TempDir dir;
  auto server = TestServer::Start(dir.path());
  ASSERT_NE(server, nullptr);
  auto member = NewMember(*server, "member");
  ASSERT_TRUE(member && member->client);

  // 250 connections from one peer (127.0.0.2) that never speak.
  std::vector<int> idle;
  for (int i = 0; i < 250; ++i) {
    int fd = IdleConnection("127.0.0.2", Port(*server));
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  // A real client from another address still gets its answers, on a new connection and on its
  // kept-alive one.
  auto fresh = Connect(*server, member->identity);
  ASSERT_NE(fresh, nullptr);
  auto reply = fresh->Get("/v1/service");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->http_status, 200);
  EXPECT_EQ(reply->body.value("fingerprint", ""), server->fingerprint());
  auto again = member->client->Get("/v1/service");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->http_status, 200);

  // The peer holds at most its bound (64 in the test server): the others were closed at once.
  std::vector<bool> closed(idle.size(), false);
  int count = 0;
  for (int attempt = 0; attempt < 40 && count < 250 - 64; ++attempt) {
    for (size_t i = 0; i < idle.size(); ++i) {
      if (!closed[i] && ClosedByServer(idle[i], 0)) {
        closed[i] = true;
        ++count;
      }
    }
    if (count < 250 - 64) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_GE(count, 250 - 64);
  for (int fd : idle) ::close(fd);
}

TEST(HostileConnections, AnIdleConnectionIsClosedByTheReadTimeout) {
  TempDir dir;
  ServiceOptions options;
  options.data_dir = dir.path();
  ASSERT_TRUE(Service::Initialise(dir.path(), {}).ok());
  auto service = Service::Open(options);
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  HttpServerOptions http;
  http.read_timeout_seconds = 1;
  auto bound = HttpServer::Bind(service->get(), http);
  ASSERT_TRUE(bound.ok());
  HttpServer* server = bound->get();
  std::thread serving([server] { server->Run().IgnoreError(); });
  int fd = IdleConnection("127.0.0.3", server->port());
  ASSERT_GE(fd, 0);
  // Without a read timeout the server would hold it for as long as the peer likes; the bound is
  // generous, what matters is that the server ends it.
  EXPECT_TRUE(ClosedByServer(fd, 30));
  ::close(fd);
  server->Stop();
  serving.join();
}

// A TLS connection that sends what it is told, byte by byte if need be (the server certificate
// is not checked: the test attacks the server, it does not trust it).
class RawTlsClient {
 public:
  explicit RawTlsClient(int port) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    fd_ = IdleConnection("127.0.0.4", port);
    if (ctx_ == nullptr || fd_ < 0) return;
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    connected_ = SSL_connect(ssl_) == 1;
    // From here reads must not wait: after the handshake the server may send session tickets,
    // which make the socket readable without any application data.
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~RawTlsClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  bool Send(const std::string& bytes) {
    return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) ==
           static_cast<int>(bytes.size());  // a few bytes: the socket buffer takes them
  }
  // Whether the server has closed the connection (EOF or reset); `answered` is set when it sent
  // bytes (an HTTP response) instead.
  bool Closed(bool* answered) {
    pollfd p{fd_, POLLIN, 0};
    if (SSL_pending(ssl_) == 0 && ::poll(&p, 1, 0) <= 0) return false;
    char buffer[512];
    int n = SSL_read(ssl_, buffer, sizeof(buffer));
    if (n > 0) *answered = true;
    if (n > 0) return false;
    int error = SSL_get_error(ssl_, n);
    return error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE;
  }

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool connected_ = false;
};

// Finding 3 (slow connections): a request that trickles in one byte at a time, each well within
// the read timeout, is cut off at the request deadline, unanswered; a real client is served
// all the while.
TEST(HostileConnections, ARequestTricklingInIsCutOffAtItsDeadline) {
  TempDir dir;
  HttpServerOptions http;
  http.read_timeout_seconds = 10;
  http.request_deadline_seconds = 2;
  auto server = TestServer::Start(dir.path(), http);
  ASSERT_NE(server, nullptr);
  auto member = NewMember(*server, "member");
  ASSERT_TRUE(member && member->client);

  // The real client is served once before the slow one starts (its kept-alive connection then
  // waits between requests, as clients do).
  auto first = member->client->Get("/v1/service");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  RawTlsClient slow(Port(*server));
  ASSERT_TRUE(slow.connected());
  std::string body(600, '{');
  ASSERT_TRUE(
      slow.Send("POST /v1/collab/proposals HTTP/1.1\r\nHost: governance\r\n"
                "Content-Type: application/cose\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n"));
  // One byte every 100 ms: the whole body would take a minute, each read waits 0.1 s.
  bool closed = false, answered = false;
  size_t sent = 0;
  int served = 0;
  for (; sent < body.size() && !closed; ++sent) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    closed = slow.Closed(&answered) || !slow.Send(body.substr(sent, 1));
    if (sent % 10 == 0) {
      auto reply = member->client->Get("/v1/service");
      ASSERT_TRUE(reply.ok()) << reply.status().ToString();
      EXPECT_EQ(reply->http_status, 200);
      ++served;
    }
  }
  EXPECT_TRUE(closed) << "the server read all " << sent << " bytes";
  EXPECT_FALSE(answered) << "the incomplete request was answered";
  EXPECT_LT(sent, body.size());
  EXPECT_GT(served, 0);
}

TEST(HostileConnections, BoundsMustBePositive) {
  TempDir dir;
  ASSERT_TRUE(Service::Initialise(dir.path(), {}).ok());
  ServiceOptions options;
  options.data_dir = dir.path();
  auto service = Service::Open(options);
  ASSERT_TRUE(service.ok());
  HttpServerOptions http;
  http.max_connections_per_peer = 0;
  EXPECT_FALSE(HttpServer::Bind(service->get(), http).ok());
}

}  // namespace
}  // namespace cleanroom::governance::testing
