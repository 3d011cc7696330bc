#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cleanroom::governance {

// The worker threads of the HTTPS server: cpp-httplib runs each accepted connection, for as long
// as it stays open, on one worker. A fixed pool lets idle peers hold every worker while real
// clients wait in the queue; this pool starts a thread whenever a connection arrives and none is
// free, up to `max_threads`. Admission (HttpServer) bounds the connections that may stay open,
// per peer and in total, below that, so the threads past the bound only ever turn connections
// away, quickly. Thread-safe.
class ConnectionPool : public httplib::TaskQueue {
 public:
  explicit ConnectionPool(size_t max_threads) : max_threads_(max_threads) {}
  ~ConnectionPool() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void Work();

  const size_t max_threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace cleanroom::governance
