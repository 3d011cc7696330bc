#!/usr/bin/env bash
# Privacy cost: every bench/engine query unchecked and policy-checked under
# workload.indexed.policy.json (allowed fields, roles, engine-computed thresholds), on the same data.
#   0. the noise samplers' draw time by value drawn (BENCH_SKIP_SAMPLERS=1 skips it);
#   1. query only (bench_privacy_checked, one process, data loaded once): the target of the
#      privacy issue, checked at most 1.25x unchecked;
#   2. whole `cleanroom sql` processes, load included (BENCH_SKIP_CLI=1 skips it).
# A query the policy refuses is reported as refused (with the rule), not timed.
# The owners publish a unit index (`unitIndex`, docs/privacy.md "The unit index"): the data has
# a unit_id column per table and the checked runs use workload.indexed.policy.json, so thresholds
# count the index instead of reading hashed_email. BENCH_UNIT_INDEX=0: the data and policy
# without it (thresholds count the unit's hash).
# usage: bench/privacy/run.sh BUILD_DIR   (BENCH_SCALE customers, default 1000000; BENCH_RUNS)
set -euo pipefail
build="${1:?usage: run.sh BUILD_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
bin="${build}/src/cli/cleanroom"
scale="${BENCH_SCALE:-1000000}"
runs="${BENCH_RUNS:-3}"
if [ "${BENCH_UNIT_INDEX:-1}" = 1 ]; then
  data="${build}/bench-data/privacy-units-${scale}"
  policy="${here}/workload.indexed.policy.json"
  generate_flags=(--unit-index)
else
  data="${build}/bench-data/privacy-${scale}"
  policy="${here}/workload.policy.json"
  generate_flags=()
fi
if [ ! -f "${data}/workload.json" ]; then
  "$bin" generate --out "$data" --customers "$scale" --format parquet "${generate_flags[@]}" >/dev/null
fi
sampler_bin="${build}/bench/privacy/bench_privacy_sampler_timing"
if [ -x "$sampler_bin" ] && [ "${BENCH_SKIP_SAMPLERS:-0}" != 1 ]; then
  echo "noise samplers: draw time by value drawn (median is the figure on a loaded machine):"
  "$sampler_bin" "${BENCH_SAMPLER_DRAWS:-200000}"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
checked_bin="${build}/bench/privacy/bench_privacy_checked"
if [ -x "$checked_bin" ]; then
  names=()
  for q in "${here}"/../engine/queries/*.sql; do names+=("$(basename "$q" .sql)"); done
  echo "query only, in one process (median of ${BENCH_INPROCESS_RUNS:-5} runs each):"
  printf '%-28s %12s %12s %7s\n' query unchecked_ms checked_ms ratio
  "$checked_bin" "$data" "${BENCH_INPROCESS_RUNS:-5}" "$policy" \
      "${here}/../engine/queries" "${names[@]}" |
    while read -r kind name a b _; do
      if [ "$kind" = load ]; then
        printf '%-28s %12s %12s %7s  %s\n' "load ${name}" "$a" "$b" "$(awk -v c="$b" -v p="$a" 'BEGIN {printf "%.2f", c / p}')" "(without / with the unit hash)"
      elif [ "$kind" = checked ]; then
        printf '%-28s %12s %12s %7s\n' "$name" "$a" "$b" "$(awk -v c="$b" -v p="$a" 'BEGIN {printf "%.2f", c / p}')"
      else
        printf '%-28s %12s %12s %7s  %s\n' "$name" - refused - "$a $b"
      fi
    done
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
[ "${BENCH_SKIP_CLI:-0}" = 1 ] && exit 0
echo "whole cleanroom sql processes (load included):"
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
    checked+=("$(time_run --policy "$policy" "$sql")")
  done
  if [[ " ${checked[*]} " == *" refused "* ]]; then
    printf '%-28s %10s %10s %7s  %s\n' "$name" "$(printf '%s\n' "${plain[@]}" | median)" refused - \
      "$(head -c 150 "${data}/last.err" | tr '\n' ' ')"
    continue
  fi
  p="$(printf '%s\n' "${plain[@]}" | median)"; c="$(printf '%s\n' "${checked[@]}" | median)"
  printf '%-28s %10.3f %10.3f %7.2f\n' "$name" "$p" "$c" "$(awk -v c="$c" -v p="$p" 'BEGIN {print c / p}')"
done
