#!/usr/bin/env bash
# The governance service bench: durable ES384-signed writes and authenticated reads against a
# real `cleanroom governance serve` (started as a child on a free loopback port), 64 clients on
# kept-alive HTTPS connections, 10 s per phase. Usage: bench/governance/run.sh BUILD_DIR
# Targets (issue 5): >= 1,500 writes/s with p99 <= 50 ms, >= 10,000 reads/s, on 2 cores.
set -euo pipefail
build="${1:-build}"
binary="${build}/src/cli/cleanroom"
if [ ! -x "$binary" ]; then
  echo "bench/governance: ${binary} not found (build first)" >&2
  exit 1
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "openssl speed ecdsap384 (verify/s, one core): $(openssl speed -seconds 2 ecdsap384 2>/dev/null | awk '/nistp384/ {print $NF}')"
"$binary" bench governance --clients 64 --seconds 10
