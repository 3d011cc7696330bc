#!/usr/bin/env bash
# ctest wrapper (labels spark, slow): `cleanroom runtime serve --engine spark` in the
# governed flow, against the embedded runtime, on a standalone cluster of two workers.
#   1. Three parties on loopback governance (an advertiser with customers and conversions, a
#      publisher with impressions, an agency that analyses), the demo's four queries under the
#      demo's policies, approved by both owners. The contract allows two measurements: the
#      embedded runtime's and the Spark runtime's (`runtime measure --engine spark`: also our jar
#      and the Spark distribution), which must differ, and which a changed jar changes.
#   2. Each query run twice: by `runtime serve --once` (embedded) and by `runtime serve --once
#      --engine spark`. Both runs succeed; the recipient's decrypted results are the same bytes,
#      and the signed run records report the same row counts and suppression counts; at least
#      one query suppresses rows.
#   3. A Spark runtime whose jar is not the measured one (another byte at its end) gets no keys:
#      governance refuses its evidence, and the run is not executed.
#   spark_runtime_test.sh CLEANROOM_BINARY
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
bin="${1:?usage: spark_runtime_test.sh CLEANROOM_BINARY}"
. "${root}/test/cli/support.sh"
"${root}/scripts/install-spark.sh" >/dev/null || exit 1
CLEANROOM_BINARY="${bin}" "${root}/spark/build.sh" package -DskipTests >/dev/null || exit 1
export SPARK_HOME="${root}/third_party/spark/home"
export CLEANROOM_SPARK_JAR="${root}/spark/target/cleanroom-spark-0.1.0.jar"
cluster=""
bad_cluster=""
stop_clusters() {
  for c in "${cluster}" "${bad_cluster}"; do
    [ -z "$c" ] || "${root}/spark/cluster.sh" stop "$c" >/dev/null 2>&1 || true
  done
}
trap 'stop_clusters; cleanup' EXIT
unset CLEANROOM_PASSPHRASE
# The workers' simulated attestation: the runtime's platform on this machine; the executors
# run this binary for their measurement and evidence (docs/spark.md, "Attested executors").
platform_key="$("$bin" runtime init-platform --out "${work}/platform" |
  sed -n 's/.*simulated_platform_keys): \([0-9a-f]*\).*/\1/p')"
export CLEANROOM_BINARY="$bin" CLEANROOM_EXECUTOR_PLATFORM="${work}/platform"
eval "$("${root}/spark/cluster.sh" start 2 "${work}/cluster" | grep -E '^(SPARK_MASTER|CLUSTER_DIR)=')"
cluster="${CLUSTER_DIR}"

# --- the collaboration -----------------------------------------------------------------------
"$bin" generate --out "${work}/data" --customers 3000 --seed 7 --format csv >/dev/null || exit 1
for who in advertiser publisher agency; do
  "$bin" keygen --name "$who" --out "${work}/${who}" --no-passphrase >/dev/null || exit 1
done
embedded="$("$bin" runtime measure)"
spark_measurement="$("$bin" runtime measure --engine spark)" || fail "runtime measure --engine spark"
checks=$((checks + 1))
[ -n "$spark_measurement" ] && [ "$spark_measurement" != "$embedded" ] ||
  fail "the Spark runtime's measurement must differ from the embedded one's"
cp "${CLEANROOM_SPARK_JAR}" "${work}/changed.jar" && printf 'x' >>"${work}/changed.jar"
changed="$("$bin" runtime measure --engine spark --spark-jar "${work}/changed.jar")"
checks=$((checks + 1))
[ "$changed" != "$spark_measurement" ] || fail "a changed jar must change the measurement"

start_governance "${work}/gov" "${work}/agency"
pin_all "${work}/advertiser" "${work}/publisher" "${work}/agency"
"$bin" collab create --identity "${work}/agency" --name "spark runtime" \
  --member "${work}/advertiser:provider" --member "${work}/publisher:provider" \
  --member "${work}/agency:analyst,recipient" --measurement "$embedded" \
  --measurement "$spark_measurement" --platform-key "$platform_key" >/dev/null || fail "collab create"
"$bin" collab accept --identity "${work}/advertiser" >/dev/null || fail "accept advertiser"
"$bin" collab accept --identity "${work}/publisher" >/dev/null || fail "accept publisher"
storage="file://${work}/storage"
python3 - "${here}/demo.policy.json" "$work" <<'PY'
import json, sys
for name, policy in json.load(open(sys.argv[1]))["datasets"].items():
    json.dump(policy, open(f"{sys.argv[2]}/{name}.policy.json", "w"))
PY
publish() { # NAME OWNER
  "$bin" dataset publish "${work}/data/$1.csv" --name "$1" --policy "${work}/$1.policy.json" \
    --schema "${work}/data/$1.schema.json" --identity "${work}/$2" --storage "$storage" \
    --quiet >/dev/null || fail "publish $1"
}
publish customers advertiser
publish conversions advertiser
publish impressions publisher

queries=(
  "SELECT COUNT(DISTINCT c.hashed_email) AS overlap_customers FROM customers c JOIN impressions i ON c.hashed_email = i.hashed_email"
  "SELECT c.age_band, COUNT(DISTINCT i.hashed_email) AS reach, COUNT(*) AS impressions FROM impressions i JOIN customers c ON i.hashed_email = c.hashed_email GROUP BY c.age_band ORDER BY c.age_band"
  "SELECT c.loyalty_tier, COUNT(DISTINCT v.hashed_email) AS converters, SUM(v.conversion_value) AS attributed_value FROM customers c JOIN impressions i ON i.hashed_email = c.hashed_email JOIN conversions v ON v.hashed_email = i.hashed_email AND v.campaign_id = i.campaign_id WHERE v.conversion_ts >= i.ts AND v.conversion_ts < i.ts + INTERVAL 7 DAYS GROUP BY c.loyalty_tier ORDER BY c.loyalty_tier"
  "SELECT i.device, c.region, SUM(i.cost) AS spend FROM impressions i JOIN customers c ON i.hashed_email = c.hashed_email GROUP BY i.device, c.region ORDER BY i.device, c.region"
)
n=${#queries[@]}
for i in "${!queries[@]}"; do
  "$bin" query propose --identity "${work}/agency" --name "demo$i" --recipient "${work}/agency" \
    --sql "${queries[$i]}" >/dev/null || fail "propose demo$i"
  for owner in advertiser publisher; do
    "$bin" query approve "q$((i + 1))" --identity "${work}/${owner}" >/dev/null 2>&1 || true
  done
done
serve() { # LOG [ARGS...]: executes the runs requested now, then exits
  local log="$1"
  shift
  "$bin" runtime serve --governance "$url" --service-fingerprint "$fingerprint" \
    --platform "${work}/platform" --storage "$storage" --once "$@" >"$log" 2>&1
}
request_all() {
  for i in "${!queries[@]}"; do
    "$bin" run request "q$((i + 1))" --identity "${work}/agency" >/dev/null || fail "run request q$((i + 1))"
  done
}

# --- each query on the embedded runtime (runs r1..rN), then on Spark (rN+1..r2N) ---------------
request_all
serve "${work}/embedded.log" || fail "the embedded runtime: $(cat "${work}/embedded.log")"
request_all
serve "${work}/spark.log" --engine spark --spark-master "${SPARK_MASTER}" --spark-executors 2 ||
  fail "the Spark runtime: $(cat "${work}/spark.log")"
expect "the runtime says it runs on Spark" "$(cat "${work}/spark.log")" "runtime engine: spark at spark://"
expect_not "no executor refused" "$(cat "${work}/spark.log")" "not attested"
suppressed_somewhere=0
for i in $(seq 1 "$n"); do
  a="r$i" b="r$((i + n))"
  for r in "$a" "$b"; do
    out="$("$bin" run show "$r" --identity "${work}/agency" 2>&1)"
    expect "run $r succeeded" "$out" "succeeded"
    "$bin" result get "$r" --out "${work}/$r.csv" --identity "${work}/agency" --storage "$storage" \
      >/dev/null 2>&1 || fail "result get $r"
    grep -E '^(rows out|rows suppressed)' <<<"$out" | sed 's/, output hash.*//' >"${work}/$r.record"
  done
  checks=$((checks + 1))
  [ -s "${work}/$a.csv" ] && cmp -s "${work}/$a.csv" "${work}/$b.csv" ||
    fail "query $i: the Spark runtime's result differs from the embedded one's"
  checks=$((checks + 1))
  cmp -s "${work}/$a.record" "${work}/$b.record" ||
    fail "query $i: rows out / suppressed differ: $(cat "${work}/$a.record") vs $(cat "${work}/$b.record")"
  grep -q '^rows suppressed: [0-9]' "${work}/$a.record" && suppressed_somewhere=1
  echo "query $i: $(tr '\n' ';' <"${work}/$a.record") on both engines"
done
checks=$((checks + 1))
[ "$suppressed_somewhere" = 1 ] || fail "no query suppressed rows: the comparison must cover one"

# --- a Spark side that is not the measured one gets no key ------------------------------------
"$bin" run request q1 --identity "${work}/agency" >/dev/null || fail "run request q1 (changed jar)"
serve "${work}/changed.log" --engine spark --spark-master "${SPARK_MASTER}" \
  --spark-jar "${work}/changed.jar"
rc=$?
checks=$((checks + 1))
[ "$rc" -ne 0 ] || fail "a runtime with a changed jar must fail"
expect "a changed jar: keys refused" "$(cat "${work}/changed.log")" "keys refused"
expect_not "a changed jar: nothing executed" "$(cat "${work}/changed.log")" "key(s) released"

# --- an executor whose evidence does not verify: no key to any, the run fails closed ----------
# A second cluster whose worker 2 signs with a platform key the runtime does not trust.
"$bin" runtime init-platform --out "${work}/rogue-platform" >/dev/null
eval "$(CLEANROOM_EXECUTOR_PLATFORM_2="${work}/rogue-platform" "${root}/spark/cluster.sh" start 2 \
  "${work}/bad-cluster" | grep -E '^(SPARK_MASTER|CLUSTER_DIR)=')"
bad_cluster="${CLUSTER_DIR}"
"$bin" run request q2 --identity "${work}/agency" >/dev/null || fail "run request q2 (rogue executor)"
serve "${work}/rogue.log" --engine spark --spark-master "${SPARK_MASTER}" --spark-executors 2
rc=$?
checks=$((checks + 1))
[ "$rc" -ne 0 ] || fail "a cluster with an unattested executor must fail the run"
rogue_run="$(sed -n 's/^run \(r[0-9]*\): failed.*/\1/p' "${work}/rogue.log" | head -1)"
out="$("$bin" run show "${rogue_run:-none}" --identity "${work}/agency" 2>&1)"
expect "the rogue run failed, saying which executor and why" "$out" \
  "failure reason: .*executor [0-9]+ is not attested \(.*platform.*\): no data key is released"
expect_not "no rows of the rogue run" "$out" "rows out"
# Nothing of the data on the rogue worker's disk: a customer's hashed_email (a plaintext marker
# of the customers table, in every row) is in none of its files, nor in the other worker's.
marker="$(sed -n '2p' "${work}/data/customers.csv" | cut -d, -f2)"
checks=$((checks + 1))
[ ${#marker} -ge 16 ] || fail "no plaintext marker taken from the data: '${marker}'"
for d in "${bad_cluster}/work1" "${bad_cluster}/work2" "${bad_cluster}/local"; do
  checks=$((checks + 1))
  if grep -rqaF -- "$marker" "$d" 2>/dev/null; then fail "plaintext marker found under $d"; fi
done

finish spark_runtime
