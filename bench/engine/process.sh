#!/usr/bin/env bash
# Whole processes over Parquet (issue 19): `cleanroom sql` as a user runs it (start-up, Parquet
# validation of what the query reads, load, compile, query) against DuckDB alone as a process
# over the same files (bench_duckdb_direct views: each table a view over read_parquet, the
# hand-written query of queries/duckdb/ run once). Reported per query: CPU time (user + sys)
# and peak RSS from /usr/bin/time, medians of BENCH_RUNS runs, and the ratios; CPU time rather
# than wall time because the machine may be shared.
# Usage: bench/engine/process.sh BUILD_DIR
# Environment:
#   BENCH_SCALE    customers (default 1000000; impressions are ten times that)
#   BENCH_RUNS     runs per query and engine (default 3)
#   BENCH_QUERIES  space-separated query names (default: every queries/*.sql)
#   BENCH_CLI_FLAGS  extra flags for `cleanroom sql` (e.g. --no-verify)
# The data (`cleanroom generate --format parquet`) is generated once per scale under
# BUILD_DIR/bench-data/process/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# BUILD_DIR relative to the repository's root, as the other benches take it.
build="$(cd "${here}/../.." && cd "${1:?usage: bench/engine/process.sh BUILD_DIR}" && pwd)"
scale="${BENCH_SCALE:-1000000}"
runs="${BENCH_RUNS:-3}"
read -r -a cli_flags <<<"${BENCH_CLI_FLAGS:-}"
cleanroom="${build}/src/cli/cleanroom"
direct="${build}/bench/engine/bench_duckdb_direct"
data="${build}/bench-data/process/c${scale}"
for tool in "$cleanroom" "$direct" /usr/bin/time; do
  [ -x "$tool" ] || { echo "process.sh: missing $tool" >&2; exit 1; }
done
if [ ! -f "${data}/.ready" ]; then
  rm -rf "$data"
  "$cleanroom" generate --format parquet --customers "$scale" --out "$data" >&2
  touch "${data}/.ready"
fi
if [ -n "${BENCH_QUERIES:-}" ]; then
  read -r -a names <<<"$BENCH_QUERIES"
else
  names=()
  for f in "${here}"/queries/*.sql; do names+=("$(basename "$f" .sql)"); done
fi
tables=()
for t in customers impressions conversions; do tables+=(--table "${t}=${data}/${t}.parquet"); done
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# measure OUT_ROWS CMD...: prints "cpu_seconds peak_kib"; the command's stdout goes to OUT_ROWS.
measure() {
  local rows="$1"
  shift
  /usr/bin/time -f "%U %S %M" -o "${scratch}/time" "$@" >"$rows" 2>"${scratch}/err" ||
    { echo "process.sh: failed: $* ($(head -c 300 "${scratch}/err"))" >&2; return 1; }
  awk '{printf "%.3f %d\n", $1 + $2, $3}' "${scratch}/time"
}
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "| query | cleanroom CPU s | DuckDB CPU s | CPU ratio | cleanroom peak MB | DuckDB peak MB | memory ratio |"
echo "|---|---|---|---|---|---|---|"
log_sum=0
count=0
for name in "${names[@]}"; do
  : >"${scratch}/cr"
  : >"${scratch}/dd"
  for ((run = 0; run < runs; run++)); do
    measure "${scratch}/cr_rows" "$cleanroom" sql "${cli_flags[@]}" "${tables[@]}" \
      --output-format csv "$(cat "${here}/queries/${name}.sql")" >>"${scratch}/cr"
    measure "${scratch}/dd_rows" "$direct" views "$data" "${here}/queries/duckdb/${name}.sql" \
      >>"${scratch}/dd"
  done
  cr_rows=$(( $(wc -l <"${scratch}/cr_rows") - 1 ))
  dd_rows=$(awk '/^rows/ {print $2}' "${scratch}/dd_rows")
  [ "$cr_rows" = "$dd_rows" ] || echo "process.sh: ${name}: ${cr_rows} rows against ${dd_rows}" >&2
  cr_cpu=$(awk '{print $1}' "${scratch}/cr" | median)
  dd_cpu=$(awk '{print $1}' "${scratch}/dd" | median)
  cr_mb=$(awk '{print $2 / 1024}' "${scratch}/cr" | median)
  dd_mb=$(awk '{print $2 / 1024}' "${scratch}/dd" | median)
  awk -v n="$name" -v a="$cr_cpu" -v b="$dd_cpu" -v c="$cr_mb" -v d="$dd_mb" 'BEGIN {
    printf "| %s | %.2f | %.2f | %.2f | %.0f | %.0f | %.2f |\n", n, a, b, a / b, c, d, c / d }'
  log_sum=$(awk -v s="$log_sum" -v a="$cr_cpu" -v b="$dd_cpu" 'BEGIN {print s + log(a / b)}')
  count=$((count + 1))
done
awk -v s="$log_sum" -v n="$count" 'BEGIN {printf "\nCPU ratio, geometric mean over %d queries: %.2f\n", n, exp(s / n)}'
