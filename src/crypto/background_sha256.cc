#include "crypto/background_sha256.h"

#include <sched.h>

namespace cleanroom::crypto::internal {

BackgroundSha256::BackgroundSha256(bool use_thread, bool tree) : tree_(tree) {
  if (use_thread) thread_ = std::thread([this] { Run(); });
}

BackgroundSha256::~BackgroundSha256() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  work_cv_.notify_one();
  thread_.join();
}

uint64_t BackgroundSha256::Submit(ByteSpan data) {
  if (!thread_.joinable()) {
    Update(data);
    hashed_ = ++submitted_;
    return submitted_;
  }
  uint64_t ticket;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(data);
    ticket = ++submitted_;
  }
  work_cv_.notify_one();
  return ticket;
}

void BackgroundSha256::WaitHashed(int64_t ticket) {
  if (ticket <= 0 || !thread_.joinable()) return;
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [&] { return hashed_ >= static_cast<uint64_t>(ticket); });
}

Sha256Digest BackgroundSha256::Finish() {
  WaitHashed(static_cast<int64_t>(submitted_));
  // Every buffer is hashed and the helper is idle: the hasher is ours to read.
  std::lock_guard<std::mutex> lock(mu_);
  return tree_ ? tree_hasher_.Finish() : hasher_.Finish();
}

void BackgroundSha256::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    ByteSpan data = queue_.front();
    lock.unlock();
    Update(data);  // Only this thread touches the hasher while buffers are queued.
    lock.lock();
    if (stopping_) return;  // The destructor has emptied the queue.
    queue_.pop_front();
    ++hashed_;
    done_cv_.notify_one();
  }
}

bool HashThreadWorthwhile() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return false;
  return CPU_COUNT(&set) >= 2;
}

}  // namespace cleanroom::crypto::internal
