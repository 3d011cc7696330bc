#!/usr/bin/env bash
# The Spark engine against the embedded one (issue 17): every bench/engine query, policy-checked
# under bench/privacy/workload.policy.json, as whole `cleanroom sql` processes on DuckDB and with
# `--engine spark` on standalone clusters of 1 and 2 workers (spark/cluster.sh), all in one run.
# Each Spark answer must be the same CSV bytes as DuckDB's (else the run fails). A Spark process
# includes its driver's start (a JVM, the application, the executors), timed on its own first.
# usage: bench/spark/run.sh BUILD_DIR
#   BENCH_SCALE customers (default 1000000), BENCH_RUNS (default 1), BENCH_WORKERS ("1 2"),
#   BENCH_QUERIES (names without .sql; default every query), BENCH_SKIP_SPARK=1 (skip it all)
set -euo pipefail
[ "${BENCH_SKIP_SPARK:-0}" = 1 ] && { echo "spark: skipped (BENCH_SKIP_SPARK=1)"; exit 0; }
build="${1:?usage: run.sh BUILD_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
bin="${build}/src/cli/cleanroom"
scale="${BENCH_SCALE:-1000000}"
runs="${BENCH_RUNS:-1}"
policy="${root}/bench/privacy/workload.policy.json"
"${root}/scripts/install-spark.sh" >/dev/null
# The jar is built once (spark/build.sh); rebuilding it under a running cluster would change it.
[ -f "${root}/spark/target/cleanroom-spark-0.1.0.jar" ] ||
  CLEANROOM_BINARY="$bin" "${root}/spark/build.sh" package -DskipTests >/dev/null
export SPARK_HOME="${root}/third_party/spark/home"
export CLEANROOM_SPARK_JAR="${root}/spark/target/cleanroom-spark-0.1.0.jar"
data="${build}/bench-data/privacy-${scale}"
if [ ! -f "${data}/workload.json" ]; then
  "$bin" generate --out "$data" --customers "$scale" --format parquet >/dev/null
fi
names=()
if [ -n "${BENCH_QUERIES:-}" ]; then
  read -r -a names <<<"${BENCH_QUERIES}"
else
  for q in "${root}"/bench/engine/queries/*.sql; do names+=("$(basename "$q" .sql)"); done
fi
tables=()
for t in customers impressions conversions; do tables+=(--table "${t}=${data}/${t}.parquet"); done
out="$(mktemp -d "${TMPDIR:-/tmp}/cleanroom-bench-spark.XXXXXX")"
clusters=()
cleanup() {
  for c in "${clusters[@]}"; do "${root}/spark/cluster.sh" stop "$c" >/dev/null 2>&1 || true; done
  rm -rf "$out"
}
trap cleanup EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# ENGINE_ARGS... -- QUERY_FILE OUT: seconds of one whole process, or "refused"
time_run() {
  local args=() start end
  while [ "$1" != -- ]; do args+=("$1"); shift; done
  shift
  start=$(date +%s.%N)
  if ! "$bin" sql "${args[@]}" --policy "$policy" "${tables[@]}" --output-format csv "$(cat "$1")" \
    >"$2" 2>"$2.err"; then
    echo refused; return
  fi
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f\n", b - a}'
}
declare -A result
for name in "${names[@]}"; do
  q="${root}/bench/engine/queries/${name}.sql"
  times=()
  for ((r = 0; r < runs; r++)); do times+=("$(time_run -- "$q" "${out}/${name}.duckdb.csv")"); done
  result["duckdb,${name}"]="$(printf '%s\n' "${times[@]}" | median)"
done
workers=(${BENCH_WORKERS:-1 2})
for w in "${workers[@]}"; do
  eval "$("${root}/spark/cluster.sh" start "$w" "${out}/cluster${w}" | grep -E '^(SPARK_MASTER|CLUSTER_DIR)=')"
  clusters+=("${CLUSTER_DIR}")
  for name in "${names[@]}"; do
    q="${root}/bench/engine/queries/${name}.sql"
    times=()
    for ((r = 0; r < runs; r++)); do
      times+=("$(time_run --engine spark --spark-master "${SPARK_MASTER}" -- "$q" "${out}/${name}.spark${w}.csv")")
    done
    result["spark${w},${name}"]="$(printf '%s\n' "${times[@]}" | median)"
    if [ "${result["duckdb,${name}"]}" != refused ] &&
      ! cmp -s "${out}/${name}.duckdb.csv" "${out}/${name}.spark${w}.csv"; then
      echo "spark: ${name} on ${w} worker(s) differs from the embedded engine's answer" >&2
      exit 1
    fi
  done
  "${root}/spark/cluster.sh" stop "${CLUSTER_DIR}" >/dev/null
done
echo "scale ${scale} customers; whole cleanroom sql processes, seconds (median of ${runs}); Spark rows = DuckDB rows"
printf '%-24s %8s' query duckdb
for w in "${workers[@]}"; do printf ' %9s' "spark x${w}"; done
printf '\n'
for name in "${names[@]}"; do
  printf '%-24s %8s' "$name" "${result["duckdb,${name}"]}"
  for w in "${workers[@]}"; do printf ' %9s' "${result["spark${w},${name}"]}"; done
  printf '\n'
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
