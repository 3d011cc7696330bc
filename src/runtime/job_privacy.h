#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "ml/booster.h"

// The privacy floors of an ML training job (docs/ml.md "What a trained model leaks"): counted on
// the privacy units of the rows, never reported as counts.
namespace cleanroom::runtime {

// The unit keys of feature rows: per unit-key column of the feature query, its dataset and each
// row's hash (engine::HashKeys; 0 for NULL, which is no unit).
struct UnitKeys {
  std::vector<std::string> dataset;           // per key column
  std::vector<std::vector<uint64_t>> hashes;  // [key column][row]

  // The same keys for rows `pick` only, in that order.
  UnitKeys Select(std::span<const size_t> pick) const;
};

using UnitFloors = std::map<std::string, int64_t>;  // dataset -> distinct units it needs

// Each dataset of `floors` must have at least its floor of distinct units among the rows.
// FailedPrecondition naming `rule`, the dataset and the floor (never the count) otherwise; `hint`
// ends the message.
Status CheckUnitFloor(const UnitKeys& keys, const UnitFloors& floors, const std::string& rule,
                      const std::string& what, const std::string& hint);

// Every leaf of every tree in `leaves` (computed over the training rows, whose keys are `keys`)
// must be reached by at least the floor of distinct units of each dataset of `floors`: a leaf's
// value is an aggregate of the labels of the rows that reach it. FailedPrecondition otherwise.
Status CheckLeafFloor(const ml::LeafIndices& leaves, const UnitKeys& keys,
                      const UnitFloors& floors);

}  // namespace cleanroom::runtime
