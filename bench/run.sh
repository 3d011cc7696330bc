#!/usr/bin/env bash
# `make bench`: runs every area's bench/<area>/run.sh in turn with the build directory as its
# argument. Each prints its own side-by-side table (medians and ratios against the peers).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="${root}/${build}" ;; esac
status=0
for script in "${root}"/bench/*/run.sh; do
  [ -x "$script" ] || continue
  area="$(basename "$(dirname "$script")")"
  echo "== bench: ${area}"
  if ! "$script" "$build"; then
    echo "== bench: ${area} FAILED" >&2
    status=1
  fi
done
exit $status
