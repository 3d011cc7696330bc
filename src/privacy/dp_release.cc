// The C++ side of a differentially private query (docs/differential-privacy.md "Execution"): the
// per-run bounding key, then, over the engine's exact bounded aggregates, DP partition selection
// and the noise of every released cell. Noise is never computed in SQL; the engine only sees the
// noisy integers this file writes back.
#include <algorithm>
#include <string>

#include "checker_internal.h"
#include "privacy/dp_test_faults.h"
#include "sql/emitter/duckdb_emitter.h"

namespace cleanroom::privacy {
namespace {

DpTestFaults& Faults() {
  static DpTestFaults faults;
  return faults;
}

// The noise at half its scale (the audit's broken variant): Laplace b / 2, Gaussian sigma^2 / 4.
NoiseParameters Broken(NoiseParameters noise) {
  const uint64_t factor = noise.mechanism == NoiseMechanism::kLaplace ? 2 : 4;
  if (noise.num % factor == 0) {
    noise.num /= factor;
  } else {
    noise.den *= factor;
  }
  return noise;
}

// Rows are written back in statements of at most this many rows (bounded statement size).
constexpr size_t kRowsPerInsert = 1000;

}  // namespace

const DpTestFaults& CurrentDpTestFaults() { return Faults(); }
void SetDpTestFaults(const DpTestFaults& faults) { Faults() = faults; }

namespace internal {

Status RunDpKey(const DpRelease& release, ProgramRunner& runner, RandomBits& random) {
  // 63 bits, so the literal is a non-negative BIGINT. It lives only in the engine's temp table.
  const uint64_t key = random.Next64() >> 1;
  return runner.Execute("CREATE OR REPLACE TEMP TABLE " + sql::QuoteIdentifier(release.key_table) +
                        " AS SELECT CAST(" + std::to_string(key) + " AS BIGINT) AS \"__cr_k\"");
}

Status RunDpRelease(const ProgramStep& step, ProgramRunner& runner, RandomBits& random) {
  const DpRelease& release = *step.dp;
  const bool broken = CurrentDpTestFaults().half_noise;
  CR_ASSIGN_OR_RETURN(std::vector<std::vector<int64_t>> rows, runner.QueryIntegerRows(step.sql));
  std::string columns = "gid BIGINT";
  for (size_t c = 0; c < release.cells.size(); ++c)
    columns += ", n" + std::to_string(c) + " BIGINT";
  const std::string table = sql::QuoteIdentifier(release.noisy_table);
  CR_RETURN_IF_ERROR(
      runner.Execute("CREATE OR REPLACE TEMP TABLE " + table + " (" + columns + ")"));
  std::string values;
  size_t pending = 0;
  auto flush = [&]() -> Status {
    if (pending == 0) return Status::OK();
    Status st = runner.Execute("INSERT INTO " + table + " VALUES " + values);
    values.clear();
    pending = 0;
    return st;
  };
  for (const std::vector<int64_t>& row : rows) {
    if (row.size() != 2 + release.cells.size()) {
      return Status::Internal(
          "a differentially private aggregate returned a row of the wrong width");
    }
    if (release.partition_selection) {
      NoiseParameters noise = broken ? Broken(release.partition_noise) : release.partition_noise;
      CR_ASSIGN_OR_RETURN(int64_t units, AddNoise(row[1], noise, random));
      if (units < release.threshold) continue;
    }
    std::string tuple = "(" + std::to_string(row[0]);
    for (size_t c = 0; c < release.cells.size(); ++c) {
      const DpRelease::Cell& cell = release.cells[c];
      CR_ASSIGN_OR_RETURN(int64_t noisy,
                          AddNoise(row[2 + c], broken ? Broken(cell.noise) : cell.noise, random));
      if (cell.non_negative) noisy = std::max<int64_t>(noisy, 0);
      tuple += ", " + std::to_string(noisy);
    }
    values += (pending > 0 ? ", " : "") + tuple + ")";
    if (++pending == kRowsPerInsert) CR_RETURN_IF_ERROR(flush());
  }
  return flush();
}

}  // namespace internal
}  // namespace cleanroom::privacy
