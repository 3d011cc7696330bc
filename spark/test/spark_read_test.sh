#!/usr/bin/env bash
# ctest wrapper (labels spark, slow): installs Spark if missing (scripts/install-spark.sh),
# builds the jar with its hash checks and JUnit tests (spark/build.sh), starts a standalone
# cluster with two workers (spark/cluster.sh), runs spark_read_test.py on it, stops it.
#   spark_read_test.sh CLEANROOM_BINARY [local]   with "local": local[2], no cluster
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
export CLEANROOM_BINARY="$1"
mode="${2:-cluster}"
"${root}/scripts/install-spark.sh" >/dev/null
"${root}/spark/build.sh" package
jar="${root}/spark/target/cleanroom-spark-0.1.0.jar"

work="$(mktemp -d "${TMPDIR:-/tmp}/cleanroom-spark-test.XXXXXX")"
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
SPARK_LOCAL_IP=127.0.0.1 "${root}/third_party/spark/venv/bin/python" \
  "${here}/spark_read_test.py" "${master}" "${CLEANROOM_BINARY}" "${jar}" "${work}/data"
