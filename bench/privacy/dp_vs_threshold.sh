#!/usr/bin/env bash
# The cost of differential privacy against thresholds, query only (issue 15, "Speed"): the same
# query (dp_queries/*.sql) checked in one process under workload.policy.json (minGroupUnits 10)
# and under workload.dp.policy.json (impressions with differentialPrivacy bounds, epsilon 1),
# on the same data, median of BENCH_INPROCESS_RUNS runs each.
# usage: bench/privacy/dp_vs_threshold.sh BUILD_DIR   (BENCH_SCALE customers, default 1000000)
set -euo pipefail
build="${1:?usage: dp_vs_threshold.sh BUILD_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
scale="${BENCH_SCALE:-1000000}"
runs="${BENCH_INPROCESS_RUNS:-5}"
data="${build}/bench-data/privacy-${scale}"
if [ ! -f "${data}/workload.json" ]; then
  "${build}/src/cli/cleanroom" generate --out "$data" --customers "$scale" --format parquet >/dev/null
fi
checked_bin="${build}/bench/privacy/bench_privacy_checked"
names=()
for q in "${here}"/dp_queries/*.sql; do names+=("$(basename "$q" .sql)"); done
printf '%-20s %14s %14s %7s\n' query thresholded_ms dp_ms ratio
# One after the other (never both at once on the same cores).
threshold_out="$("$checked_bin" "$data" "$runs" "${here}/workload.policy.json" "${here}/dp_queries" "${names[@]}")"
dp_out="$("$checked_bin" "$data" "$runs" "${here}/workload.dp.policy.json" "${here}/dp_queries" "${names[@]}")"
paste <(echo "$threshold_out") <(echo "$dp_out") |
  while read -r kind name _ threshold _ _ dp_kind _ _ dp _ _; do
    if [ "$kind" != checked ] || [ "$dp_kind" != checked ]; then
      echo "$name: refused ($kind / $dp_kind)"; continue
    fi
    printf '%-20s %14s %14s %7s\n' "$name" "$threshold" "$dp" \
      "$(awk -v a="$threshold" -v b="$dp" 'BEGIN {printf "%.2f", b / a}')"
  done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
