#include "base/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>

namespace cleanroom {
namespace {

TEST(ThreadPoolTest, RunsEveryTask) {
  ThreadPool pool(3);
  std::atomic<int> sum{0};
  for (int i = 1; i <= 100; ++i) pool.Submit([&sum, i] { sum += i; });
  pool.Wait();
  EXPECT_EQ(sum.load(), 5050);
}

}  // namespace
}  // namespace cleanroom
