#!/usr/bin/env bash
# Parquet integrity benchmark (issue 3): the engine's real load-and-query path vs DuckDB alone.
# Usage: bench/parquet/run.sh <build dir> [rows]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="${root}/${build}" ;; esac
rows="${2:-10000000}"
ninja -C "$build" parquet_bench >/dev/null
. "${root}/bench/hugepages.sh"
reserve_hugepages
trap restore_hugepages EXIT
work="${CLEANROOM_BENCH_DATA:-${build}/bench-data/parquet}"
"$build/bench/parquet/parquet_bench" "$work" "$rows" 5
