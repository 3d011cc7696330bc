#!/usr/bin/env bash
# The crypto benchmark (`make bench`): encrypt / decrypt throughput of the dataset container on
# one core and, with the SHA-256 of the plaintext on a helper thread, on two (the program pins
# itself to CPU 0, or CPUs 0 and 1, per case), and the cost of random 4 KiB reads. See
# bench_crypto_container. Prints the load average before and after: the machine may be shared.
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
grep -q -m1 -w aes /proc/cpuinfo && echo "cpu: AES-NI present" || echo "cpu: no AES-NI"
grep -q -m1 -w sha_ni /proc/cpuinfo && echo "cpu: SHA-NI present" || echo "cpu: no SHA-NI"
echo "before: $(uptime)"
"$bin" "$work" "${BENCH_CRYPTO_MIB:-1024}"
echo "after: $(uptime)"
