#!/usr/bin/env bash
# Parquet validation and table-function benchmark. Usage: bench/parquet/run.sh <build dir> [rows]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="${root}/${build}" ;; esac
rows="${2:-10000000}"
ninja -C "$build" parquet_bench >/dev/null
work="${CLEANROOM_BENCH_DATA:-${build}/bench-data/parquet}"
"$build/bench/parquet/parquet_bench" "$work" "$rows" 5
