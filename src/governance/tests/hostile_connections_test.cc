// Finding 3 of issue 14 (point 5 of the session): idle and slow peers cannot starve real
// clients. Connections are bounded per peer and in total, each open one gets its own worker, and
// idle ones are closed by the read timeouts.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

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
