#!/usr/bin/env bash
# The crypto benchmark (`make bench`): encrypt / decrypt throughput of the dataset container on
# one core (taskset -c 0) and the cost of random 4 KiB reads. See bench_crypto_container.
# Usage: bench/crypto/run.sh BUILD_DIR
# Environment: BENCH_CRYPTO_MIB (plaintext size in MiB, default 1024),
#              BENCH_CRYPTO_DIR (scratch directory, default BUILD_DIR/bench-data/crypto).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
build="${1:?usage: bench/crypto/run.sh BUILD_DIR}"
case "$build" in /*) ;; *) build="${root}/${build}" ;; esac
bin="${build}/bench/crypto/bench_crypto_container"
if [ ! -x "$bin" ]; then
  cmake --build "$build" --target bench_crypto_container >/dev/null
fi
work="${BENCH_CRYPTO_DIR:-${build}/bench-data/crypto}"
mkdir -p "$work"
pin=()
if command -v taskset >/dev/null 2>&1; then pin=(taskset -c 0); fi
grep -q -m1 -w aes /proc/cpuinfo && echo "cpu: AES-NI present" || echo "cpu: no AES-NI"
"${pin[@]}" "$bin" "$work" "${BENCH_CRYPTO_MIB:-1024}"
