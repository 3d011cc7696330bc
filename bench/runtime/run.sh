#!/usr/bin/env bash
# The runtime end to end (issue 7): an approved query over encrypted datasets, from the run
# request to the sealed result, against the engine alone on the same plaintext files.
#   runtime   `run request --wait` with `runtime serve` running: governance checks, attested
#             key release (simulated evidence), ciphertext read + SHA-256 check + decryption in
#             memory, Parquet validation, load through memory, the checked query, result sealed
#             to the recipients and stored, the signed run record reported and made durable.
#   engine    `cleanroom sql` on the plaintext Parquet files (load + validation + query), the
#             same query, no policy: the engine alone.
# Both are whole-command wall times. Prints the medians and the ratio (target: at most 1.2x).
# usage: bench/runtime/run.sh BUILD_DIR
#   BENCH_SCALE customers (default 1000000; impressions ten times that), BENCH_RUNS (default 3),
#   BENCH_QUERIES names under bench/engine/queries (default "01_audience_overlap 02_reach_frequency")
#   BENCH_PUBLISH_RUNS  publish / encrypt pairs per dataset, interleaved (default 1); wall and CPU
#                       (user + sys) medians of each, and their ratios (issue 19: at most 2x)
#   BENCH_PUBLISH_ONLY  1: stop after publishing (no queries)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
build="${1:?usage: bench/runtime/run.sh BUILD_DIR}"
case "$build" in /*) ;; *) build="${root}/${build}" ;; esac
bin="${build}/src/cli/cleanroom"
scale="${BENCH_SCALE:-1000000}"
runs="${BENCH_RUNS:-3}"
read -r -a names <<<"${BENCH_QUERIES:-01_audience_overlap 02_reach_frequency}"
data="${build}/bench-data/runtime-${scale}"
work="$(mktemp -d "${build}/bench-runtime-XXXXXX")"
log() { echo "bench/runtime: $*" >&2; }
now_ns() { date +%s%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
. "${root}/bench/hugepages.sh"
reserve_hugepages
cleanup() {
  restore_hugepages
  [ -n "${runtime_pid:-}" ] && kill "$runtime_pid" 2>/dev/null || true
  [ -n "${gov_pid:-}" ] && kill "$gov_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "${data}/workload.json" ]; then
  log "generating ${scale} customers as Parquet into ${data}"
  "$bin" generate --out "$data" --customers "$scale" --format parquet >/dev/null
fi

# --- the collaboration: an advertiser (analyst, recipient) and a publisher -------------------
for who in adv pub; do "$bin" keygen --name "$who" --out "${work}/${who}" >/dev/null; done
platform_key="$("$bin" runtime init-platform --out "${work}/platform" |
  sed -n 's/.*simulated_platform_keys): \([0-9a-f]*\).*/\1/p')"
measurement="$("$bin" runtime measure)"
"$bin" governance init --data-dir "${work}/gov" --founder "${work}/adv" >/dev/null
"$bin" governance serve --data-dir "${work}/gov" --listen 127.0.0.1:0 >"${work}/gov.log" 2>&1 &
gov_pid=$!
for _ in $(seq 600); do grep -q "listening on" "${work}/gov.log" && break; sleep 0.1; done
url="$(sed -n 's/^listening on //p' "${work}/gov.log")"
fingerprint="$(sed -n 's/^service fingerprint //p' "${work}/gov.log")"
for who in adv pub; do
  "$bin" governance pin --identity "${work}/${who}" --governance "$url" --service-fingerprint "$fingerprint" >/dev/null
done
"$bin" collab create --identity "${work}/adv" --name bench --member "${work}/adv:provider,analyst,recipient" \
  --member "${work}/pub:provider" --measurement "$measurement" --platform-key "$platform_key" >/dev/null
"$bin" collab accept --identity "${work}/pub" >/dev/null
storage="file://${work}/storage"
python3 - "${root}/bench/privacy/workload.policy.json" "$work" <<'EOF'
import json, sys
policies = json.load(open(sys.argv[1]))["datasets"]
for name in ("customers", "impressions"):
    json.dump(policies[name], open(f"{sys.argv[2]}/{name}.policy.json", "w"))
EOF
publish_runs="${BENCH_PUBLISH_RUNS:-1}"
# timed OUT CMD...: runs CMD, appends "wall_ms cpu_s" to OUT.
timed() {
  local out="$1" start
  shift
  start=$(now_ns)
  /usr/bin/time -f "%U %S" -o "${work}/time" "$@" >/dev/null
  echo "$(( ($(now_ns) - start) / 1000000 )) $(awk '{print $1 + $2}' "${work}/time")" >>"$out"
}
for t in customers:adv impressions:pub; do
  name="${t%%:*}"; owner="${t##*:}"
  : >"${work}/pub.t"; : >"${work}/enc.t"
  for ((r = 0; r < publish_runs; r++)); do
    # Each publish registers a new dataset; the first keeps the name the queries use.
    suffix=""; [ "$r" -gt 0 ] && suffix="_$r"
    timed "${work}/pub.t" "$bin" dataset publish "${data}/${name}.parquet" --name "${name}${suffix}" \
      --policy "${work}/${name}.policy.json" --identity "${work}/${owner}" --storage "$storage" --quiet
    # Against encrypting the same file alone (issue 19: publishing at most 2x, validation included).
    timed "${work}/enc.t" "$bin" encrypt --in "${data}/${name}.parquet" --out "${work}/${name}.cdc" \
      --key-out "${work}/${name}.dek"
    rm -f "${work}/${name}.cdc" "${work}/${name}.dek"
  done
  pw="$(awk '{print $1}' "${work}/pub.t" | median)"; pc="$(awk '{print $2}' "${work}/pub.t" | median)"
  ew="$(awk '{print $1}' "${work}/enc.t" | median)"; ec="$(awk '{print $2}' "${work}/enc.t" | median)"
  log "published ${name} ($(du -h "${data}/${name}.parquet" | cut -f1)) in ${pw} ms, ${pc} CPU-s; encrypt alone ${ew} ms, ${ec} CPU-s (wall $(awk -v a="$pw" -v b="$ew" 'BEGIN {printf "%.2f", a / b}')x, CPU $(awk -v a="$pc" -v b="$ec" 'BEGIN {printf "%.2f", a / b}')x; medians of ${publish_runs})"
done
if [ "${BENCH_PUBLISH_ONLY:-0}" = 1 ]; then
  log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
"$bin" runtime serve --governance "$url" --service-fingerprint "$fingerprint" --platform "${work}/platform" \
  --storage "$storage" --poll-ms 5 >"${work}/runtime.log" 2>&1 &
runtime_pid=$!

printf '%-24s %12s %12s %7s   %s\n' query engine_ms runtime_ms ratio "runtime record timings (ms, median run)"
for name in "${names[@]}"; do
  sql="$(cat "${root}/bench/engine/queries/${name}.sql")"
  id="$("$bin" query propose --identity "${work}/adv" --json --name "$name" --sql "$sql" \
    --recipient "${work}/adv" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["id"])')"
  "$bin" query approve "$id" --identity "${work}/pub" >/dev/null
  engine=(); runtime=(); last_run=""
  for ((r = 0; r < runs; r++)); do
    start=$(now_ns)
    "$bin" sql --table "customers=${data}/customers.parquet" --table "impressions=${data}/impressions.parquet" \
      --output-format csv "$sql" >"${work}/engine.csv"
    engine+=("$(( ($(now_ns) - start) / 1000000 ))")
    start=$(now_ns)
    out="$("$bin" run request "$id" --identity "${work}/adv" --wait 600 --json)"
    runtime+=("$(( ($(now_ns) - start) / 1000000 ))")
    last_run="$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["run"])')"
  done
  e="$(printf '%s\n' "${engine[@]}" | median)"
  t="$(printf '%s\n' "${runtime[@]}" | median)"
  timings="$("$bin" run show "$last_run" --identity "${work}/adv" --json |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["report"]["record"]; print(json.dumps(r["timingsMs"]), "inputs", json.dumps({i["dataset"]: i.get("timingsMs") for i in r["inputs"]}), "rowsOut", r["rowsOut"])')"
  printf '%-24s %12s %12s %7s   %s\n' "$name" "$e" "$t" "$(awk -v a="$t" -v b="$e" 'BEGIN {printf "%.2f", a / b}')" "$timings"
done
log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
