#!/usr/bin/env bash
# Privacy cost: every bench/engine query through `cleanroom sql`, unchecked and with
# `--policy workload.policy.json` (allowed fields, roles, engine-computed thresholds), on the
# same generated data. Prints the median whole-process time of each (load included) and the
# ratio; a query the policy refuses is reported as refused (with the rule), not timed.
# usage: bench/privacy/run.sh BUILD_DIR   (BENCH_SCALE customers, default 1000000; BENCH_RUNS)
set -euo pipefail
build="${1:?usage: run.sh BUILD_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
bin="${build}/src/cli/cleanroom"
scale="${BENCH_SCALE:-1000000}"
runs="${BENCH_RUNS:-3}"
data="${build}/bench-data/privacy-${scale}"
if [ ! -f "${data}/workload.json" ]; then
  "$bin" generate --out "$data" --customers "$scale" --format parquet >/dev/null
fi
tables=()
for t in customers impressions conversions; do tables+=(--table "${t}=${data}/${t}.parquet"); done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_run() { # prints seconds of one run, or "refused"
  local start end
  start=$(date +%s.%N)
  if ! "$bin" sql "${tables[@]}" --output-format csv "$@" >/dev/null 2>"${data}/last.err"; then
    echo refused; return
  fi
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f\n", b - a}' 
}
printf '%-28s %10s %10s %7s\n' query unchecked checked ratio
for q in "${here}"/../engine/queries/*.sql; do
  name="$(basename "$q" .sql)"
  sql="$(cat "$q")"
  plain=(); checked=()
  for ((r = 0; r < runs; r++)); do
    plain+=("$(time_run "$sql")")
    checked+=("$(time_run --policy "${here}/workload.policy.json" "$sql")")
  done
  if [[ " ${checked[*]} " == *" refused "* ]]; then
    printf '%-28s %10s %10s %7s  %s\n' "$name" "$(printf '%s\n' "${plain[@]}" | median)" refused - \
      "$(head -c 150 "${data}/last.err" | tr '\n' ' ')"
    continue
  fi
  p="$(printf '%s\n' "${plain[@]}" | median)"; c="$(printf '%s\n' "${checked[@]}" | median)"
  printf '%-28s %10.3f %10.3f %7.2f\n' "$name" "$p" "$c" "$(awk -v c="$c" -v p="$p" 'BEGIN {print c / p}')"
done
