#pragma once

#include <algorithm>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/thread_pool.h"

namespace cleanroom::slt {

// Runs `run(path)` for every path on `jobs` threads (0: one per core), the largest files first
// so that the last to finish is a small one; results in the order of `paths`. `on_done`, when
// set, is called one call at a time as each file finishes.
template <typename FileResult>
std::vector<FileResult> RunFilesInParallel(const std::vector<std::string>& paths, size_t jobs,
                                           const std::function<FileResult(const std::string&)>& run,
                                           const std::function<void(const FileResult&)>& on_done) {
  std::vector<FileResult> results(paths.size());
  std::mutex mu;
  std::vector<std::pair<uintmax_t, size_t>> order;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::error_code ec;
    uintmax_t size = std::filesystem::file_size(paths[i], ec);
    order.emplace_back(ec ? 0 : size, i);
  }
  std::sort(order.begin(), order.end(), std::greater<>());
  ThreadPool pool(jobs);
  for (const auto& [size, i] : order) {
    pool.Submit([&, i = i] {
      FileResult result = run(paths[i]);
      std::lock_guard<std::mutex> lock(mu);
      if (on_done) on_done(result);
      results[i] = std::move(result);
    });
  }
  pool.Wait();
  return results;
}

}  // namespace cleanroom::slt
