#!/usr/bin/env bash
# A Spark standalone cluster on loopback for tests, benches and the docs' walkthrough: one
# master and N workers, each a separate JVM process, with logs, pid files and work folders in
# one folder of its own (a fresh temporary folder unless one is given).
#
#   spark/cluster.sh start N [DIR]   starts it, waits until N workers are registered, prints
#                                    SPARK_MASTER=spark://127.0.0.1:PORT and CLUSTER_DIR=DIR
#   spark/cluster.sh stop DIR        stops the processes it started (by their pid files)
#
# Environment: SPARK_HOME (default third_party/spark/home, from scripts/install-spark.sh),
# SPARK_WORKER_MEMORY (default 1g) and SPARK_WORKER_CORES (default 1) per worker. Executors
# that attest (spark/README.md) need CLEANROOM_BINARY and a platform folder in
# CLEANROOM_EXECUTOR_PLATFORM (or CLEANROOM_EXECUTOR_PLATFORM_<i> for worker i only).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SPARK_HOME="${SPARK_HOME:-${root}/third_party/spark/home}"
master_class=org.apache.spark.deploy.master.Master
worker_class=org.apache.spark.deploy.worker.Worker

usage() { echo "usage: $0 start N [DIR] | stop DIR" >&2; exit 2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The environment every daemon of this cluster shares: everything under DIR.
cluster_env() {
  local dir="$1"
  export SPARK_CONF_DIR="${dir}/conf" SPARK_LOG_DIR="${dir}/logs" SPARK_PID_DIR="${dir}/pids"
  export SPARK_IDENT_STRING=cleanroom SPARK_LOCAL_IP=127.0.0.1 SPARK_MASTER_HOST=127.0.0.1
  export SPARK_LOCAL_DIRS="${dir}/local"
  # Set at all (even empty), it would keep the first daemon in the foreground.
  unset SPARK_NO_DAEMONIZE
}

start() {
  local n="$1" dir="${2:-}"
  [[ "$n" =~ ^[1-9][0-9]?$ ]] || usage
  [ -x "${SPARK_HOME}/sbin/spark-daemon.sh" ] || {
    echo "cluster: no Spark in ${SPARK_HOME}: run scripts/install-spark.sh" >&2; exit 1; }
  [ -n "$dir" ] || dir="$(mktemp -d "${TMPDIR:-/tmp}/cleanroom-spark.XXXXXX")"
  mkdir -p "${dir}"/{conf,logs,pids,local}
  dir="$(cd "$dir" && pwd)"
  cluster_env "$dir"
  local port ui
  port="$(free_port)"; ui="$(free_port)"
  echo "spark://127.0.0.1:${port}" > "${dir}/master"
  echo "${ui}" > "${dir}/master-ui-port"
  "${SPARK_HOME}/sbin/spark-daemon.sh" start "${master_class}" 1 \
    --host 127.0.0.1 --port "${port}" --webui-port "${ui}" >/dev/null
  local i
  for ((i = 1; i <= n; i++)); do
    mkdir -p "${dir}/work${i}"
    # The worker's simulated attestation platform (docs/spark.md, "Attested executors"): the
    # folder in CLEANROOM_EXECUTOR_PLATFORM_<i>, else CLEANROOM_EXECUTOR_PLATFORM, else none.
    local platform_var="CLEANROOM_EXECUTOR_PLATFORM_${i}"
    CLEANROOM_EXECUTOR_PLATFORM="${!platform_var:-${CLEANROOM_EXECUTOR_PLATFORM:-}}" \
      SPARK_WORKER_DIR="${dir}/work${i}" "${SPARK_HOME}/sbin/spark-daemon.sh" start \
      "${worker_class}" "$i" --host 127.0.0.1 --port 0 --webui-port 0 \
      --cores "${SPARK_WORKER_CORES:-1}" --memory "${SPARK_WORKER_MEMORY:-1g}" \
      --work-dir "${dir}/work${i}" "spark://127.0.0.1:${port}" >/dev/null
  done
  # Registration takes a few seconds per JVM on a busy machine; give up after two minutes.
  local alive=0 tries
  for ((tries = 0; tries < 240; tries++)); do
    alive="$(curl -s "http://127.0.0.1:${ui}/json/" 2>/dev/null |
      python3 -c 'import json,sys; print(json.load(sys.stdin).get("aliveworkers", 0))' 2>/dev/null ||
      echo 0)"
    [ "$alive" = "$n" ] && break
    sleep 0.5
  done
  if [ "$alive" != "$n" ]; then
    echo "cluster: ${alive} of ${n} workers registered; logs in ${dir}/logs" >&2
    stop "$dir"
    exit 1
  fi
  echo "SPARK_MASTER=spark://127.0.0.1:${port}"
  echo "CLUSTER_DIR=${dir}"
}

stop() {
  local dir="$1"
  [ -f "${dir}/master" ] || { echo "cluster: ${dir} is not a cluster folder" >&2; exit 1; }
  cluster_env "$dir"
  local pidfile instance class
  for pidfile in "${dir}"/pids/spark-cleanroom-*.pid; do
    [ -f "$pidfile" ] || continue
    # spark-<ident>-<class>-<instance>.pid
    instance="${pidfile##*-}"; instance="${instance%.pid}"
    class="${pidfile#"${dir}/pids/spark-cleanroom-"}"; class="${class%-*}"
    "${SPARK_HOME}/sbin/spark-daemon.sh" stop "$class" "$instance" >/dev/null || true
  done
}

case "${1:-}" in
  start) [ $# -ge 2 ] || usage; start "$2" "${3:-}" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
