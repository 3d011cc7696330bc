#!/usr/bin/env bash
# Ledger benchmark: durable appends/s from 64 concurrent callers (group commit), receipts/s,
# offline verification and replay speed. Usage: bench/ledger/run.sh BUILD_DIR
set -euo pipefail
build="${1:?usage: run.sh BUILD_DIR}"
bin="${build}/bench/ledger/ledger_bench"
if [ ! -x "$bin" ]; then
  cmake --build "$build" --target ledger_bench >/dev/null
fi
"$bin" --clients 64 --seconds 10
