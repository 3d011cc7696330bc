#!/usr/bin/env bash
# The getting-started walkthrough (docs/getting-started.md) executed as written, so the docs
# cannot drift from the commands (issue 20). Every ```sh block of the page runs, in order, in one
# bash (set -e: any failing command fails the test) in an empty folder, with `cleanroom` on the
# PATH and HOME in the scratch folder (the default storage lives there). The one liberty taken: a
# line ending in '&' starts a service, and the next line waits for it as a reader would (for
# governance, its "listening on" line). The walkthrough listens on 127.0.0.1:8443, so it runs in
# a network namespace of its own when `unshare` can make one (no clash with anything else on the
# machine). Then the outcomes the page describes are checked. CLEANROOM_WALKTHROUGH_SHOW=1 prints
# the transcript.
# usage: walkthrough_test.sh CLEANROOM_BINARY DOCS_PAGE
set -euo pipefail
bin="$(realpath "${1:?usage: walkthrough_test.sh CLEANROOM_BINARY DOCS_PAGE}")"
page="$(realpath "${2:?usage: walkthrough_test.sh CLEANROOM_BINARY DOCS_PAGE}")"

if [ -z "${CLEANROOM_WALKTHROUGH_NS:-}" ] && unshare -rn true 2>/dev/null; then
  exec env CLEANROOM_WALKTHROUGH_NS=1 unshare -rn bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi

work="$(mktemp -d)"
cleanup() {
  # Every service the walkthrough started is a child of the script's shell (its process group).
  [ -f "${work}/services" ] && while read -r pid; do kill "$pid" 2>/dev/null || true; done <"${work}/services"
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "${work}/bin" "${work}/home" "${work}/walk"
ln -s "$bin" "${work}/bin/cleanroom"

# The page's sh blocks, in order, into one script.
script="${work}/walkthrough.sh"
{
  echo 'set -euo pipefail'
  echo 'service=0'
  echo 'wait_for() { for _ in $(seq 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "walkthrough: no \"$2\" from a service:"; cat "$1"; exit 1; }'
  awk '/^```sh$/ {inside = 1; next} /^```/ {inside = 0; next} inside {print}' "$page" |
    while IFS= read -r line; do
      if [[ "$line" =~ ^(.*[^[:space:]])[[:space:]]*\&$ ]]; then
        cmd="${BASH_REMATCH[1]}"
        echo 'service=$((service + 1))'
        echo "${cmd} >\"\${WALK_LOGS}/service\${service}.log\" 2>&1 &"
        echo 'echo $! >>"${WALK_LOGS}/services"'
        if [[ "$cmd" == *"governance serve"* ]]; then
          echo 'wait_for "${WALK_LOGS}/service${service}.log" "listening on"'
        else
          echo 'wait_for "${WALK_LOGS}/service${service}.log" "."'
        fi
      else
        printf '%s\n' "$line"
      fi
    done
} >"$script"
blocks="$(grep -c '^```sh$' "$page")"
[ "$blocks" -ge 5 ] || { echo "FAIL: only ${blocks} sh blocks in ${page}"; exit 1; }

cd "${work}/walk"
set +e
env -i PATH="${work}/bin:/usr/bin:/bin" HOME="${work}/home" WALK_LOGS="$work" LANG=C.UTF-8 \
  bash "$script" >"${work}/transcript" 2>&1
rc=$?
set -e
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() { # WHAT PATTERN: PATTERN (grep -E) in the transcript
  grep -Eq -- "$2" "${work}/transcript" || fail "$1: no /$2/ in the transcript"
}
if [ "$rc" -ne 0 ]; then
  fail "the walkthrough stopped (exit ${rc}); its transcript:"
  cat "${work}/transcript"
  for log in "${work}"/service*.log; do [ -f "$log" ] && { echo "--- ${log##*/}"; cat "$log"; }; done
  exit 1
fi

expect "the agency's identity is protected" "\(passphrase-protected\)"
expect "the collaboration was accepted" "publisher \([0-9a-f]{12}\) +collab.accept: accepted, signature verified"
expect "the run succeeded" "^run r1 of query q1: succeeded"
expect "the consent switch refused the next run" "switched off"
expect "audit log verified the ledger" "^ledger verified: [0-9]+ entries"
checks=1
# The result the agency opened: a header and rows of the four columns.
result="${work}/walk/reach.csv"
if [ ! -s "$result" ] || ! head -1 "$result" | grep -q "^region,age_band,customers,impressions$" ||
  [ "$(wc -l <"$result")" -lt 2 ]; then
  fail "reach.csv is not the query's result: $(head -3 "$result" 2>/dev/null)"
fi
# The default storage is under HOME, not the working folder.
checks=$((checks + 1))
[ -d "${work}/home/.local/share/cleanroom/storage/datasets/impressions" ] ||
  fail "the datasets are not in the default storage (\$HOME/.local/share/cleanroom/storage)"
[ ! -e "${work}/walk/cleanroom-storage" ] || fail "storage was made in the working folder"
# Nothing printed the agency's passphrase.
grep -qF "correct horse battery staple" "${work}/transcript" && fail "the transcript holds the passphrase"
if [ "$failures" -ne 0 ] || [ -n "${CLEANROOM_WALKTHROUGH_SHOW:-}" ]; then
  echo "--- transcript"
  cat "${work}/transcript"
  [ "$failures" -eq 0 ] || exit 1
fi
echo "walkthrough: ${blocks} blocks of $(basename "$page") ran; outcomes checked"
