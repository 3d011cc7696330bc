#!/usr/bin/env bash
# The ML benchmark (issue 18): training and inference jobs through the clean room's runtime path
# (decryption, the checked feature query, XGBoost, sealing) against XGBoost alone on the same
# rows in memory, same parameters, 2 threads each.
# usage: bench/ml/run.sh BUILD_DIR   (BENCH_ROWS default 1000000, BENCH_FEATURES 20,
#                                     BENCH_ROUNDS 20,
#                                     BENCH_FORMAT parquet or csv: the dataset published,
#                                     BENCH_REPEATS 3: interleaved repetitions)
# The build needs -DCLEANROOM_BENCH=ON and the target bench_ml_jobs.
set -euo pipefail
build="${1:?usage: bench/ml/run.sh BUILD_DIR}"
work="$(mktemp -d "${build}/bench-ml-XXXXXX")"
trap 'rm -rf "$work"' EXIT
"${build}/bench/ml/bench_ml_jobs" "${BENCH_ROWS:-1000000}" "${BENCH_FEATURES:-20}" \
  "${BENCH_ROUNDS:-20}" "$work" "${BENCH_FORMAT:-parquet}" "${BENCH_REPEATS:-3}"
