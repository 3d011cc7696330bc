// The privacy floors of ML training jobs (docs/ml.md "What a trained model leaks").
#include "runtime/job_privacy.h"

#include <algorithm>
#include <unordered_set>

namespace cleanroom::runtime {
namespace {

// The key columns of `dataset` (a self-join outputs one dataset's unit more than once).
std::vector<size_t> ColumnsOf(const UnitKeys& keys, const std::string& dataset) {
  std::vector<size_t> columns;
  for (size_t c = 0; c < keys.dataset.size(); ++c) {
    if (keys.dataset[c] == dataset) columns.push_back(c);
  }
  return columns;
}

size_t RowCount(const UnitKeys& keys) { return keys.hashes.empty() ? 0 : keys.hashes[0].size(); }

// Distinct non-NULL units of `columns` over all rows.
size_t DistinctUnits(const UnitKeys& keys, const std::vector<size_t>& columns) {
  std::vector<uint64_t> all;
  for (size_t c : columns) {
    for (uint64_t h : keys.hashes[c]) {
      if (h != 0) all.push_back(h);
    }
  }
  std::sort(all.begin(), all.end());
  return static_cast<size_t>(std::unique(all.begin(), all.end()) - all.begin());
}

// Whether every row holds exactly one unit of `columns` and no unit is on two rows: then the
// distinct units reaching a leaf are the rows reaching it, and counting rows is enough.
bool OneUnitPerRow(const UnitKeys& keys, const std::vector<size_t>& columns) {
  if (columns.size() != 1) return false;
  const std::vector<uint64_t>& hashes = keys.hashes[columns[0]];
  if (std::find(hashes.begin(), hashes.end(), 0) != hashes.end()) return false;
  return DistinctUnits(keys, columns) == hashes.size();
}

Status LeafTooSmall(const std::string& dataset, int64_t floor) {
  return Status::FailedPrecondition(
      "ML leaf floor: a leaf of the trained model is reached by fewer distinct privacy units of "
      "dataset " +
      dataset + " than its owner's minimum of " + std::to_string(floor) +
      " (such a leaf's value would reveal those people's labels): raise min_child_weight, or "
      "lower max_depth or max_leaves");
}

}  // namespace

UnitKeys UnitKeys::Select(std::span<const size_t> pick) const {
  UnitKeys out;
  out.dataset = dataset;
  for (const std::vector<uint64_t>& column : hashes) {
    std::vector<uint64_t> picked;
    picked.reserve(pick.size());
    for (size_t i : pick) picked.push_back(column[i]);
    out.hashes.push_back(std::move(picked));
  }
  return out;
}

Status CheckUnitFloor(const UnitKeys& keys, const UnitFloors& floors, const std::string& rule,
                      const std::string& what, const std::string& hint) {
  for (const auto& [dataset, floor] : floors) {
    const size_t units = DistinctUnits(keys, ColumnsOf(keys, dataset));
    if (static_cast<int64_t>(units) < floor) {
      return Status::FailedPrecondition(
          rule + ": " + what + " hold fewer distinct privacy units of dataset " + dataset +
          " than its owner's minimum of " + std::to_string(floor) + hint);
    }
  }
  return Status::OK();
}

Status CheckLeafFloor(const ml::LeafIndices& leaves, const UnitKeys& keys,
                      const UnitFloors& floors) {
  if (leaves.trees == 0) return Status::OK();
  if (leaves.rows != RowCount(keys)) {
    return Status::Internal("ML leaf floor: the leaves are not of the training rows");
  }
  uint32_t max_leaf = 0;
  for (uint32_t leaf : leaves.leaf) max_leaf = std::max(max_leaf, leaf);
  for (const auto& [dataset, floor] : floors) {
    const std::vector<size_t> columns = ColumnsOf(keys, dataset);
    const bool one_per_row = OneUnitPerRow(keys, columns);
    const auto cap = static_cast<size_t>(floor);
    for (size_t t = 0; t < leaves.trees; ++t) {
      // Per leaf of this tree: rows (when each row is one unit), or the distinct units seen so
      // far, up to the floor (a leaf that reached it needs no more).
      std::vector<size_t> reached(static_cast<size_t>(max_leaf) + 1, 0);
      std::vector<bool> used(reached.size(), false);
      std::vector<std::unordered_set<uint64_t>> seen(one_per_row ? 0 : reached.size());
      for (size_t r = 0; r < leaves.rows; ++r) {
        const uint32_t leaf = leaves.leaf[r * leaves.trees + t];
        used[leaf] = true;
        if (one_per_row) {
          ++reached[leaf];
          continue;
        }
        if (reached[leaf] >= cap) continue;
        for (size_t c : columns) {
          const uint64_t unit = keys.hashes[c][r];
          if (unit != 0 && seen[leaf].insert(unit).second) ++reached[leaf];
        }
      }
      // Only the leaves training rows reach hold anyone's label (a leaf reached only by rows
      // without a unit counts none, and is refused).
      for (size_t leaf = 0; leaf < reached.size(); ++leaf) {
        if (used[leaf] && reached[leaf] < cap) return LeafTooSmall(dataset, floor);
      }
    }
  }
  return Status::OK();
}

}  // namespace cleanroom::runtime
