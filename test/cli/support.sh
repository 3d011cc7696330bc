# Shared by the command-line tests (test/cli/*_test.sh): counters and checks, a scratch folder
# and the processes to stop, governance on loopback. Source it with `bin` (the cleanroom binary)
# set. It makes `work` (removed on exit with every process in `pids`).
failures=0
checks=0
pids=()
work="$(mktemp -d)"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() { # WHAT TEXT PATTERN: PATTERN (grep -E) must occur in TEXT
  checks=$((checks + 1))
  grep -Eq -- "$3" <<<"$2" || fail "$1: no /$3/ in: $2"
}
expect_not() { # WHAT TEXT FIXED_STRING: FIXED_STRING must not occur in TEXT
  checks=$((checks + 1))
  if grep -qF -- "$3" <<<"$2"; then fail "$1: '$3' in: $2"; fi
}
# DATA_DIR FOUNDER_IDENTITY: `governance init` and `serve` on a free loopback port (log in
# DATA_DIR.log); sets `url` and `fingerprint`.
start_governance() {
  "$bin" governance init --data-dir "$1" --founder "$2" >/dev/null
  "$bin" governance serve --data-dir "$1" --listen 127.0.0.1:0 >"$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do grep -q "listening on" "$1.log" && break; sleep 0.1; done
  url="$(sed -n 's/^listening on //p' "$1.log")"
  fingerprint="$(sed -n 's/^service fingerprint //p' "$1.log")"
  [ -n "$url" ] || { echo "FAIL: governance did not start:"; cat "$1.log"; exit 1; }
}
pin_all() { # IDENTITY...: each pins the service started above
  local who
  for who in "$@"; do
    "$bin" governance pin --identity "$who" --governance "$url" --service-fingerprint "$fingerprint" >/dev/null
  done
}
finish() { # WHAT: the summary line and the exit status
  echo "$1: $((checks - failures)) passed, ${failures} failed"
  [ "$failures" -eq 0 ]
}
