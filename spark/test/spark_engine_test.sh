#!/usr/bin/env bash
# ctest wrapper (labels spark, slow): the Spark engine against the embedded one, on a standalone
# cluster of two workers (spark/cluster.sh).
#   1. The demo's four queries over generated data under the demo's policies: their answers on
#      DuckDB (rows and summed suppression counts) become a sqllogictest script.
#   2. That script and three privacy suites of test/sql/privacy/ through `cleanroom sqllogictest
#      --engine spark`: the same rows and the same suppression counts (`suppressed N`) as the
#      DuckDB run of the same files, which runs first here.
#   3. `cleanroom sql --engine spark` on the demo query that suppresses rows: the same CSV bytes
#      and the same suppression notes as `cleanroom sql` on DuckDB.
#   spark_engine_test.sh CLEANROOM_BINARY [local]   with "local": local[2], no cluster
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
binary="$1"
mode="${2:-cluster}"
"${root}/scripts/install-spark.sh" >/dev/null
# The jar's JUnit tests run in spark_read; this test needs the jar only.
CLEANROOM_BINARY="${binary}" "${root}/spark/build.sh" package -DskipTests
export SPARK_HOME="${root}/third_party/spark/home"
export CLEANROOM_SPARK_JAR="${root}/spark/target/cleanroom-spark-0.1.0.jar"

work="$(mktemp -d "${TMPDIR:-/tmp}/cleanroom-spark-engine.XXXXXX")"
cluster=""
cleanup() {
  [ -z "${cluster}" ] || "${root}/spark/cluster.sh" stop "${cluster}" || true
  rm -rf "${work}"
}
trap cleanup EXIT
master="local[2]"
if [ "${mode}" = cluster ]; then
  eval "$("${root}/spark/cluster.sh" start 2 "${work}/cluster" | grep -E '^(SPARK_MASTER|CLUSTER_DIR)=')"
  cluster="${CLUSTER_DIR}"
  master="${SPARK_MASTER}"
fi

# The demo's queries over generated data (`cleanroom generate`, declared schemas: decimal money,
# so sums are exact on both engines) under the demo's policies (demo.policy.json).
"${binary}" generate --out "${work}/data" --customers 3000 --seed 7 --format csv >/dev/null
tables=()
for t in customers impressions conversions; do
  tables+=(--table "${t}=${work}/data/${t}.csv" --schema "${t}=${work}/data/${t}.schema.json")
done
queries=(
  "SELECT COUNT(DISTINCT c.hashed_email) AS overlap_customers FROM customers c JOIN impressions i ON c.hashed_email = i.hashed_email"
  "SELECT c.age_band, COUNT(DISTINCT i.hashed_email) AS reach, COUNT(*) AS impressions FROM impressions i JOIN customers c ON i.hashed_email = c.hashed_email GROUP BY c.age_band ORDER BY c.age_band"
  "SELECT c.loyalty_tier, COUNT(DISTINCT v.hashed_email) AS converters, SUM(v.conversion_value) AS attributed_value FROM customers c JOIN impressions i ON i.hashed_email = c.hashed_email JOIN conversions v ON v.hashed_email = i.hashed_email AND v.campaign_id = i.campaign_id WHERE v.conversion_ts >= i.ts AND v.conversion_ts < i.ts + INTERVAL 7 DAYS GROUP BY c.loyalty_tier ORDER BY c.loyalty_tier"
  "SELECT i.device, c.region, SUM(i.cost) AS spend FROM impressions i JOIN customers c ON i.hashed_email = c.hashed_email GROUP BY i.device, c.region ORDER BY i.device, c.region"
)
# Their answers on DuckDB (`cleanroom sql`), written as a sqllogictest script: the rows as
# expected values and the summed suppression notes as `suppressed N`. That script then runs on
# Spark with the privacy suites below, in one driver (a JVM start per query would cost more than
# the queries).
demo="${work}/demo.test"
{
  for t in customers impressions conversions; do
    printf 'load ok %s %s schema=%s\n\n' "$t" "${work}/data/${t}.csv" "${work}/data/${t}.schema.json"
  done
  printf 'policy %s\n\n' "${here}/demo.policy.json"
} >"${demo}"
suppressed_somewhere=0
last=0  # a query that suppresses rows, for step 3
for i in "${!queries[@]}"; do
  "${binary}" sql --policy "${here}/demo.policy.json" "${tables[@]}" --output-format csv \
    "${queries[$i]}" >"${work}/q${i}.csv" 2>"${work}/q${i}.err"
  rows=$(($(grep -c "" "${work}/q${i}.csv") - 1))
  [ "${rows}" -gt 0 ] || { echo "demo query ${i}: no rows on DuckDB"; exit 1; }
  suppressed=$(sed -n 's/^cleanroom: \([0-9]*\) rows suppressed.*/\1/p' "${work}/q${i}.err" |
    awk '{s += $1} END {print s + 0}')
  [ "${suppressed}" = 0 ] || suppressed_somewhere=1 last="${i}"
  python3 - "${work}/q${i}.csv" "${queries[$i]}" "${suppressed}" >>"${demo}" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
print("query " + "T" * len(rows[0]) + " nosort")
print(sys.argv[2])
print("----")
for row in rows[1:]:
    print("\t".join(v if v != "" else "NULL" for v in row))
print()
print("suppressed " + sys.argv[3])
print()
PY
  echo "demo query ${i}: ${rows} rows, ${suppressed} suppressed on DuckDB"
done
# The comparison must cover a suppression, not only groups that all pass.
[ "${suppressed_somewhere}" = 1 ] || { echo "no demo query suppressed a row: the data is too large"; exit 1; }

# The privacy suites: a subset, for CI time (each checked query is 4 to 8 Spark jobs, about
# 2 s each on a 2-core machine; the whole folder is about 330 records). These three cover every
# kind of statement the Spark program has: thresholds over joins and nested aggregates
# (small_groups), the fix-up of cells fed by too few units, i.e. an update as a new cached
# version of the table (feeding_units), and the post-filter's ordered result (post_filter).
# The rest of the folder passes on Spark too but for error_text.test (docs/spark.md).
suites=()
for f in small_groups feeding_units post_filter; do
  suites+=("${root}/test/sql/privacy/${f}.test")
done
skip=(--skip-list "${root}/test/sql/KNOWN_GAPS.md" --check-error-messages)
echo "== privacy suites and demo queries on DuckDB"
"${binary}" sqllogictest "${skip[@]}" "${suites[@]}" "${demo}" | tail -1
echo "== privacy suites and demo queries on Spark (${master})"
"${binary}" sqllogictest --engine spark --spark-master "${master}" "${skip[@]}" --verbose \
  "${suites[@]}" "${demo}"

# `cleanroom sql --engine spark` itself: the demo query that suppresses rows, byte for byte.
"${binary}" sql --engine spark --spark-master "${master}" --policy "${here}/demo.policy.json" \
  "${tables[@]}" --output-format csv "${queries[$last]}" >"${work}/spark.csv" 2>"${work}/spark.err"
cmp "${work}/q${last}.csv" "${work}/spark.csv" || { echo "sql --engine spark: rows differ"; exit 1; }
cmp <(grep 'rows suppressed' "${work}/q${last}.err") <(grep 'rows suppressed' "${work}/spark.err") ||
  { echo "sql --engine spark: suppression notes differ"; exit 1; }
echo "sql --engine spark: the same CSV bytes and suppression notes as the embedded engine"
echo "spark engine: privacy suites and demo queries agree with the embedded engine"
