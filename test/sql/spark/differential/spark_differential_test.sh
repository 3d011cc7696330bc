#!/usr/bin/env bash
# ctest wrapper (labels spark, slow): the differential test against Apache Spark
# (docs/sql.md, "Differential test against Apache Spark"). Installs Spark if missing
# (scripts/install-spark.sh), generates the fixed-seed corpus and records Spark's answers as a
# golden file (spark_differential.py, one local Spark session), then replays it through the
# clean room's front end and engine with `cleanroom spark-golden`: every query must agree
# except the disagreements listed with their reason in DIFFERENTIAL_SKIPS.md.
#   spark_differential_test.sh CLEANROOM_BINARY [SEED COUNT]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../../../.." && pwd)"
bin="$1"
seed="${2:-20261207}"
count="${3:-500}"
"${root}/scripts/install-spark.sh" >/dev/null
work="$(mktemp -d "${TMPDIR:-/tmp}/cleanroom-differential.XXXXXX")"
trap 'rm -rf "${work}"' EXIT
golden="${work}/spark-differential.sql.out"
SPARK_LOCAL_IP=127.0.0.1 "${root}/third_party/spark/venv/bin/python" \
  "${here}/spark_differential.py" --seed "${seed}" --count "${count}" --out "${golden}" \
  2> "${work}/spark.log" || { tail -20 "${work}/spark.log" >&2; exit 1; }
out="$("${bin}" spark-golden --verbose --jobs 1 --skip-list "${here}/DIFFERENTIAL_SKIPS.md" \
  "${golden}")" || true
echo "${out}"
# Every query compared must agree with Spark (a listed disagreement is skipped, not failed).
echo "${out}" | tail -1 | grep -q ' passed, 0 failed, ' || { echo "FAIL: disagreements with Spark"; exit 1; }
echo "${out}" | tail -1 | grep -q ' 0 set-up failed' || { echo "FAIL: set-up failed"; exit 1; }
