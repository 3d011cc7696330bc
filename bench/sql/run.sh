#!/usr/bin/env bash
# Front-end benchmark: median parse + bind + emit time of each bench/engine query.
# Usage: bench/sql/run.sh BUILD_DIR
set -euo pipefail
build="${1:?usage: run.sh BUILD_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
bin="${build}/bench/sql/sql_frontend_bench"
if [ ! -x "$bin" ]; then
  cmake --build "$build" --target sql_frontend_bench >/dev/null
fi
"$bin" "$here"/../engine/queries/*.sql
