#!/usr/bin/env bash
# The module layout holds: every module includes only what its README's "May depend on" allows
# (scripts/check-module-deps.py). The checker is first shown to catch a violation in a small tree
# of its own, so this test cannot pass by checking nothing.
set -euo pipefail
root="$1"
checker="${root}/scripts/check-module-deps.py"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/src/base" "$work/src/sql" "$work/src/sql/tests"
printf '# base\n\nMay depend on: nothing.\n' > "$work/src/base/README.md"
printf '# sql\n\nMay depend on: base.\n' > "$work/src/sql/README.md"
printf '#include "base/status.h"\n' > "$work/src/sql/ok.cc"
printf '#include "sql/plan.h"\n' > "$work/src/sql/tests/x_test.cc"   # tests are not checked
if ! /usr/bin/python3 "$checker" "$work/src" >/dev/null; then
  echo "FAIL: the checker refused an allowed tree"; exit 1
fi
printf '#include "sql/plan.h"\n' > "$work/src/base/bad.cc"
if /usr/bin/python3 "$checker" "$work/src" >/dev/null; then
  echo "FAIL: the checker accepted base including sql"; exit 1
fi

/usr/bin/python3 "$checker" "${root}/src" "${root}/scripts/module-deps-exceptions.txt"
