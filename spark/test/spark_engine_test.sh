#!/usr/bin/env bash
# ctest wrapper (labels spark, slow): the Spark engine against the embedded one, on a standalone
# cluster of two workers (spark/cluster.sh).
#   1. The privacy suites of test/sql/privacy/ (every file but the ones named below) through
#      `cleanroom sqllogictest --engine spark`: the same expected rows and the same suppression
#      counts (`suppressed N`) as the DuckDB run of the same files, which runs first here.
#   2. The demo's four queries over generated data (`cleanroom generate`) under the demo's
#      policies (demo.policy.json): `cleanroom sql --engine spark` gives the same rows (CSV,
#      byte for byte) and the same suppression notes as `cleanroom sql` on DuckDB.
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

# 1. The privacy suites: a subset, for CI time (each checked query is 4 to 8 Spark jobs, about
# 2 s each on a 2-core machine; the whole folder is about 150 queries). These three cover every
# kind of statement the Spark program has: thresholds over joins and nested aggregates
# (small_groups), the fix-up of cells fed by too few units, i.e. an update as a new cached
# version of the table (feeding_units), and the post-filter's ordered result (post_filter).
# The rest of the folder passes on Spark too (docs/spark.md: run by hand with --engine spark).
suites=()
for f in small_groups feeding_units post_filter; do
  suites+=("${root}/test/sql/privacy/${f}.test")
done
skip=(--skip-list "${root}/test/sql/KNOWN_GAPS.md" --check-error-messages)
echo "== privacy suites on DuckDB"
"${binary}" sqllogictest "${skip[@]}" "${suites[@]}" | tail -1
echo "== privacy suites on Spark (${master})"
"${binary}" sqllogictest --engine spark --spark-master "${master}" "${skip[@]}" --verbose \
  "${suites[@]}"

# 2. The demo's queries.
"${binary}" generate --out "${work}/data" --customers 3000 --seed 7 --format csv >/dev/null
tables=()
for t in customers impressions conversions; do
  # The declared schemas (decimal money): sums are exact on both engines, not order-dependent.
  tables+=(--table "${t}=${work}/data/${t}.csv" --schema "${t}=${work}/data/${t}.schema.json")
done
queries=(
  "SELECT COUNT(DISTINCT c.hashed_email) AS overlap_customers FROM customers c JOIN impressions i ON c.hashed_email = i.hashed_email"
  "SELECT c.age_band, COUNT(DISTINCT i.hashed_email) AS reach, COUNT(*) AS impressions FROM impressions i JOIN customers c ON i.hashed_email = c.hashed_email GROUP BY c.age_band ORDER BY c.age_band"
  "SELECT c.loyalty_tier, COUNT(DISTINCT v.hashed_email) AS converters, SUM(v.conversion_value) AS attributed_value FROM customers c JOIN impressions i ON i.hashed_email = c.hashed_email JOIN conversions v ON v.hashed_email = i.hashed_email AND v.campaign_id = i.campaign_id WHERE v.conversion_ts >= i.ts AND v.conversion_ts < i.ts + INTERVAL 7 DAYS GROUP BY c.loyalty_tier ORDER BY c.loyalty_tier"
  "SELECT i.device, c.region, SUM(i.cost) AS spend FROM impressions i JOIN customers c ON i.hashed_email = c.hashed_email GROUP BY i.device, c.region ORDER BY i.device, c.region"
)
suppressed_somewhere=0
for i in "${!queries[@]}"; do
  for engine in duckdb spark; do
    extra=()
    [ "${engine}" = spark ] && extra=(--engine spark --spark-master "${master}")
    "${binary}" sql "${extra[@]}" --policy "${here}/demo.policy.json" "${tables[@]}" \
      --output-format csv "${queries[$i]}" >"${work}/q${i}.${engine}.csv" 2>"${work}/q${i}.${engine}.err"
    grep 'rows suppressed' "${work}/q${i}.${engine}.err" >"${work}/q${i}.${engine}.notes" || true
  done
  rows=$(($(grep -c "" "${work}/q${i}.duckdb.csv") - 1))
  [ "${rows}" -gt 0 ] || { echo "demo query ${i}: no rows on DuckDB"; exit 1; }
  cmp "${work}/q${i}.duckdb.csv" "${work}/q${i}.spark.csv" ||
    { echo "demo query ${i}: rows differ"; diff "${work}/q${i}.duckdb.csv" "${work}/q${i}.spark.csv"; exit 1; }
  cmp "${work}/q${i}.duckdb.notes" "${work}/q${i}.spark.notes" ||
    { echo "demo query ${i}: suppression notes differ"; cat "${work}/q${i}".*.notes; exit 1; }
  grep -qv ' 0 rows suppressed' "${work}/q${i}.duckdb.notes" && suppressed_somewhere=1
  echo "demo query ${i}: ${rows} rows, same on both engines; $(tr '\n' ';' <"${work}/q${i}.spark.notes")"
done
# The comparison must cover a suppression, not only groups that all pass.
[ "${suppressed_somewhere}" = 1 ] || { echo "no demo query suppressed a row: the data is too large"; exit 1; }
echo "spark engine: privacy suites and demo queries agree with the embedded engine"
