#!/usr/bin/env bash
# The crypto benchmark (`make bench`). First issue 4's point 4: encrypt with every hash the
# product records and decrypt with every check it makes, 1 GiB on ONE core, plain SHA-256 and
# sha256-tree-v1 side by side (bench_crypto_one_core); then SHA-256 alone, OpenSSL against 1-4
# interleaved SHA-NI lanes (bench_crypto_sha256_lanes); then encrypt / decrypt throughput of the
# dataset container on one core and, with the SHA-256 of the plaintext on a helper thread, on two (the program pins
# itself to CPU 0, or CPUs 0 and 1, per case), and the cost of random 4 KiB reads. See
# bench_crypto_container. Prints the load average before and after: the machine may be shared.
# Usage: bench/crypto/run.sh BUILD_DIR
# Environment: BENCH_CRYPTO_MIB (plaintext size in MiB, default 1024),
#              BENCH_CRYPTO_REPEATS (runs per one-core case, best printed; default 3),
#              BENCH_CRYPTO_DIR (scratch directory, default BUILD_DIR/bench-data/crypto).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
build="${1:?usage: bench/crypto/run.sh BUILD_DIR}"
case "$build" in /*) ;; *) build="${root}/${build}" ;; esac
bin="${build}/bench/crypto/bench_crypto_container"
for target in bench_crypto_container bench_crypto_one_core bench_crypto_sha256_lanes; do
  if [ ! -x "${build}/bench/crypto/${target}" ]; then
    cmake --build "$build" --target "$target" >/dev/null
  fi
done
work="${BENCH_CRYPTO_DIR:-${build}/bench-data/crypto}"
mkdir -p "$work"
grep -q -m1 -w aes /proc/cpuinfo && echo "cpu: AES-NI present" || echo "cpu: no AES-NI"
grep -q -m1 -w sha_ni /proc/cpuinfo && echo "cpu: SHA-NI present" || echo "cpu: no SHA-NI"
mib="${BENCH_CRYPTO_MIB:-1024}"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "before: $(uptime)"
"${build}/bench/crypto/bench_crypto_one_core" "$mib" "${BENCH_CRYPTO_REPEATS:-3}"
echo "after one-core cases: $(uptime)"
"${build}/bench/crypto/bench_crypto_sha256_lanes" "$(( mib < 256 ? mib : 256 ))" 64
echo "after SHA-256 lanes: $(uptime)"
"$bin" "$work" "$mib"
echo "after: $(uptime)"
