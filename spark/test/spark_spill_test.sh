#!/usr/bin/env bash
# ctest wrapper (labels spark, slow): a checked query over an input larger than a worker's
# configured memory completes on the Spark engine by spilling, with the embedded engine's answer.
#   - One worker with 1 GiB (SPARK_WORKER_MEMORY=1g) and one executor with a 512 MiB heap (the
#     engine's spark.executor.memory): the executor's command line must say -Xmx512M.
#   - The impressions table as CSV is larger than the worker's memory (asserted from its size).
#   - A checked aggregation whose state (distinct units per group, for the reach and the
#     threshold) cannot fit the executor's execution memory: Spark must log a spill to disk.
#   - The answer (rows, suppression notes) is DuckDB's, byte for byte.
#   spark_spill_test.sh CLEANROOM_BINARY   (SPILL_CUSTOMERS: customers generated, default 1100000,
#   about 10 impressions each)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
binary="$1"
customers="${SPILL_CUSTOMERS:-1100000}"
"${root}/scripts/install-spark.sh" >/dev/null
CLEANROOM_BINARY="${binary}" "${root}/spark/build.sh" package -DskipTests
export SPARK_HOME="${root}/third_party/spark/home"
export CLEANROOM_SPARK_JAR="${root}/spark/target/cleanroom-spark-0.1.0.jar"
work="$(mktemp -d "${TMPDIR:-/tmp}/cleanroom-spark-spill.XXXXXX")"
cluster=""
cleanup() {
  [ -z "${cluster}" ] || "${root}/spark/cluster.sh" stop "${cluster}" || true
  rm -rf "${work}"
}
trap cleanup EXIT
worker_memory=$((1024 * 1024 * 1024))
eval "$(SPARK_WORKER_MEMORY=1g "${root}/spark/cluster.sh" start 1 "${work}/cluster" |
  grep -E '^(SPARK_MASTER|CLUSTER_DIR)=')"
cluster="${CLUSTER_DIR}"

"${binary}" generate --out "${work}/data" --customers "${customers}" --seed 11 --format csv >/dev/null
size="$(stat -c %s "${work}/data/impressions.csv")"
echo "impressions: $(($(grep -c '' "${work}/data/impressions.csv") - 1)) rows, ${size} bytes of CSV"
[ "${size}" -gt "${worker_memory}" ] ||
  { echo "the input (${size} bytes) is not larger than the worker's memory (${worker_memory})"; exit 1; }

query="SELECT campaign_id, device, COUNT(DISTINCT hashed_email) AS reach, COUNT(*) AS impressions, SUM(cost) AS spend FROM impressions GROUP BY campaign_id, device ORDER BY campaign_id, device"
args=(--policy "${here}/demo.policy.json" --table "impressions=${work}/data/impressions.csv"
  --schema "impressions=${work}/data/impressions.schema.json" --output-format csv)
"${binary}" sql "${args[@]}" "${query}" >"${work}/duckdb.csv" 2>"${work}/duckdb.err"
rows=$(($(grep -c "" "${work}/duckdb.csv") - 1))
[ "${rows}" -gt 0 ] || { echo "no rows on DuckDB"; exit 1; }
"${binary}" sql --engine spark --spark-master "${SPARK_MASTER}" "${args[@]}" "${query}" \
  >"${work}/spark.csv" 2>"${work}/spark.err" || { cat "${work}/spark.err"; exit 1; }
cmp "${work}/duckdb.csv" "${work}/spark.csv" || { echo "Spark's rows differ from DuckDB's"; exit 1; }
cmp <(grep 'rows suppressed' "${work}/duckdb.err" || true) <(grep 'rows suppressed' "${work}/spark.err" || true) ||
  { echo "suppression notes differ"; exit 1; }
echo "the same ${rows} rows and suppression notes as the embedded engine"

# The executor's memory was bounded, and it spilled.
logs=("${cluster}"/work1/app-*/*/stderr)
grep -q -- '-Xmx512M' "${logs[@]}" || { echo "the executor did not run with a 512 MiB heap"; exit 1; }
spills="$(grep -chE 'spilling sort data of|Spilling in-memory|spilled [0-9]' "${logs[@]}" |
  awk '{s += $1} END {print s + 0}')"
[ "${spills}" -gt 0 ] || { echo "the executor did not spill: the test proves nothing"; exit 1; }
echo "spark spill: the executor (512 MiB heap) spilled ${spills} time(s) and gave the embedded engine's answer"
