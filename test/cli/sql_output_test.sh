#!/bin/sh
# `cleanroom sql` end to end: loading, declared schemas, inline files, every output format,
# atomic output and error text without values. Usage: sql_output_test.sh CLEANROOM DATA_DIR
set -u
bin=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# expect_output NAME EXPECTED ARGS...: runs `cleanroom sql ARGS`, compares standard output.
expect_output() {
  name=$1
  expected=$2
  shift 2
  if ! got=$("$bin" sql "$@" 2>"$tmp/stderr"); then
    fail "$name: exit code $? ($(cat "$tmp/stderr"))"
    return
  fi
  [ "$got" = "$expected" ] || fail "$name: expected [$expected], got [$got]"
}

people="people=$data/people.csv"
query="SELECT id, name FROM people ORDER BY id"
csv='id,name
1,ann
2,bob
3,"cho, jr"'

expect_output table " id | name
----+---------
  1 | ann
  2 | bob
  3 | cho, jr
(3 rows)" --table "$people" "$query"
expect_output csv "$csv" --table "$people" --output-format csv "$query"
expect_output json '[
{"id":1,"name":"ann"},
{"id":2,"name":"bob"},
{"id":3,"name":"cho, jr"}
]' --table "$people" --output-format json "$query"

for format in csv json ndjson parquet; do
  if ! "$bin" sql --table "$people" --output "$tmp/out.$format" "$query" 2>"$tmp/stderr"; then
    fail "--output out.$format: $(cat "$tmp/stderr")"
    continue
  fi
  expect_output "read back $format" "$csv" --table "back=$tmp/out.$format" --output-format csv \
    "SELECT id, name FROM back ORDER BY id"
done

expect_output "inline parquet" 'n
3' --output-format csv "SELECT count(*) AS n FROM '$data/sales.parquet'"

expect_output "declared schema" 'id,age
2,' --table "$people" --schema "people=$data/people.schema.json" --output-format csv \
  "SELECT id, age FROM people WHERE id = 2"

# A TIMESTAMP is read and written in UTC, the session time zone, whatever the host's zone.
for zone in UTC America/New_York Asia/Kolkata; do
  export TZ=$zone
  expect_output "timestamps under TZ=$zone" 'h,t
10,2020-01-01 10:00:00' --output-format csv \
    "SELECT hour(CAST('2020-01-01 10:00:00' AS TIMESTAMP)) AS h, CAST('2020-01-01 10:00:00' AS TIMESTAMP) AS t"
done
unset TZ

# A value that does not convert: an error naming column and row, without the value.
if "$bin" sql --table "people=$data/bad_age.csv" --schema "people=$data/people.schema.json" \
    "SELECT id FROM people" >/dev/null 2>"$tmp/stderr"; then
  fail "bad_age.csv loaded"
fi
grep -q "column age: the value in row 2" "$tmp/stderr" || fail "schema error: $(cat "$tmp/stderr")"
grep -q "old" "$tmp/stderr" && fail "schema error shows the value: $(cat "$tmp/stderr")"

# A query that fails while running: no output file is left, and no value in the error.
if "$bin" sql --table "$people" --output "$tmp/failed.csv" \
    "SELECT CAST(name AS INT) AS n FROM people" >/dev/null 2>"$tmp/stderr"; then
  fail "a failing cast succeeded"
fi
ls "$tmp" | grep -q failed && fail "a failed query left an output file: $(ls "$tmp")"
grep -q "ann" "$tmp/stderr" && fail "error text shows a value: $(cat "$tmp/stderr")"

if ! "$bin" sql --table "$people" --explain "$query" >"$tmp/explain" 2>"$tmp/stderr"; then
  fail "--explain: $(cat "$tmp/stderr")"
fi
grep -qi "select" "$tmp/explain" || fail "--explain shows no SQL: $(cat "$tmp/explain")"

if [ "$failures" -ne 0 ]; then
  echo "$failures failures"
  exit 1
fi
echo "all passed"
