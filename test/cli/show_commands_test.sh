#!/usr/bin/env bash
# The `show` and `list` verbs say what approvers need in plain text (issue 20), through the
# binary against a real three-party collaboration (test/cli/three_parties.sh): members by name,
# the contract's measurements, platform keys and evidence kinds, a dataset's columns, roles and
# floors, a query's recipients, runners, guards and checked summary, a run's state, failure
# reason and suppression counts without the raw signed record, runs in numeric order; `run request
# --wait` says why no runtime picked a run up (none serving, or one on an untrusted platform).
# usage: show_commands_test.sh CLEANROOM_BINARY
set -euo pipefail
bin="${1:?usage: show_commands_test.sh CLEANROOM_BINARY}"
here="$(cd "$(dirname "$0")" && pwd)"
failures=0
checks=0
expect() { # WHAT TEXT PATTERN: PATTERN (grep -E) must occur in TEXT
  checks=$((checks + 1))
  if ! grep -Eq -- "$3" <<<"$2"; then
    echo "FAIL: $1: no /$3/ in:"; echo "$2"; failures=$((failures + 1))
  fi
}
expect_not() { # WHAT TEXT PATTERN: PATTERN must not occur
  checks=$((checks + 1))
  if grep -Eq -- "$3" <<<"$2"; then
    echo "FAIL: $1: /$3/ in:"; echo "$2"; failures=$((failures + 1))
  fi
}
. "${here}/three_parties.sh"
as() { local who="$1"; shift; "$bin" "$@" --identity "${work}/${who}"; }
hex12='[0-9a-f]{12}'

out="$(as publisher collab show)"
expect "collab show names members" "$out" "advertiser +provider"
expect "collab show: evidence kinds" "$out" "evidence kinds: simulated \(INSECURE"
expect "collab show: measurement" "$out" "measurement ${measurement}"
expect "collab show: platform key" "$out" "trusted simulated platform key ${platform_key}"

out="$(as publisher dataset show customers)"
expect "dataset show: owner by name" "$out" "owner advertiser \(${hex12}\)"
expect "dataset show: privacy unit role" "$out" "column hashed_email +string +allowed, role privacy_unit"
expect "dataset show: aggregate role" "$out" "column lifetime_value .* role aggregate \(SUM, AVG\)"
expect "dataset show: floors" "$out" "groups of fewer than 10 distinct privacy units suppressed \(privacy unit hashed_email\)"

out="$(as publisher query show q1)"
expect "query show: proposer by name" "$out" "proposer agency \(${hex12}\)"
expect "query show: approver pending" "$out" "approver publisher \(${hex12}\) pending"
expect "query show: approver voted" "$out" "approver advertiser \(${hex12}\) accept"
expect "query show: recipients" "$out" "recipients: agency \(${hex12}\)"
expect "query show: runners" "$out" "runners: agency \(${hex12}\)"
expect "query show: guards" "$out" "guards: none beyond the datasets' floors"
expect "query show: checked column" "$out" "output column customers: from .*hashed_email.*, aggregated"
expect "query show: checked dimension" "$out" "output column region: from .*region.*, NOT aggregated"
expect "query show: a row count" "$out" "output column impressions: from rows \(no column\), aggregated"
expect "query show: floors" "$out" "floors on impressions: at least [0-9]+ rows, groups of at least 10 distinct privacy units"

as publisher query approve q1 >/dev/null
as agency run request q1 --wait 300 >/dev/null
out="$(as agency run show r1)"
expect "run show: state" "$out" "run r1 of query q1: succeeded"
expect "run show: requester by name" "$out" "requested by agency \(${hex12}\)"
expect "run show: rows out" "$out" "rows out: [0-9]+, output hash [0-9a-f]{64}, format csv"
expect "run show: suppression" "$out" "rows suppressed: ([0-9]+ by .*|none)"
expect "run show: evidence" "$out" "simulated evidence \(INSECURE: simulated\)"
expect_not "run show: no raw signed record" "$out" "[A-Za-z0-9+/=]{120}"
json="$(as agency run show r1 --json)"
expect "run show --json keeps the signed record" "$json" "\"signedRecord\""

# Runs in numeric order: r2..r11 requested while no runtime serves, then refused on consent.
kill "${runtime_pid}"
wait "${runtime_pid}" 2>/dev/null || true
for _ in $(seq 10); do as agency run request q1 >/dev/null; done
out="$(as agency run list)"
ids="$(awk '{print $1}' <<<"$out" | tr '\n' ' ')"
checks=$((checks + 1))
if [ "$ids" != "r1 r2 r3 r4 r5 r6 r7 r8 r9 r10 r11 " ]; then
  echo "FAIL: run list is not in numeric order: $ids"; failures=$((failures + 1))
fi
expect "run list: requester by name" "$out" "r10 +query q1 +requested +by agency \(${hex12}\)"

# run request --wait says why no runtime picked the run up: none serves (r12), or the one that
# serves is on a platform the contract does not trust (r13).
err="$(as agency run request q1 --wait 1 2>&1 >/dev/null)" && { echo "FAIL: --wait succeeded with no runtime"; failures=$((failures + 1)); }
expect "--wait, no runtime" "$err" "run r12 is still requested after 1 s: no runtime has picked it up.*no runtime serves"
expect "--wait names what the contract trusts" "$err" "simulated platform keys: ${platform_key}"
other_key="$("$bin" runtime init-platform --out "${work}/platform2" | sed -n 's/.*simulated_platform_keys): \([0-9a-f]*\).*/\1/p')"
"$bin" runtime serve --governance "$url" --service-fingerprint "$fingerprint" --platform "${work}/platform2" \
  --storage "$storage" --poll-ms 20 >"${work}/untrusted.log" 2>&1 &
untrusted_pid=$!
pids+=($untrusted_pid)
err="$(as agency run request q1 --wait 2 2>&1 >/dev/null)" && { echo "FAIL: an untrusted runtime ran r13"; failures=$((failures + 1)); }
expect "--wait, untrusted runtime" "$err" "run r13 is still requested after 2 s: no runtime has picked it up.*not one the contract trusts"
expect_not "--wait does not claim the untrusted key is trusted" "$err" "${other_key}"
# The runtime did ask, and was refused for its platform key (its log says why).
wait_for_line "${work}/untrusted.log" "run r13: keys refused: EvidenceRefused: platform_key_not_trusted"
kill "$untrusted_pid"; wait "$untrusted_pid" 2>/dev/null || true

as publisher dataset disable impressions >/dev/null
"$bin" runtime serve --governance "$url" --service-fingerprint "$fingerprint" --platform "${work}/platform" \
  --storage "$storage" --poll-ms 20 >>"${work}/runtime.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do
  as agency run show r2 --json | grep -q '"state": "failed"' && break
  sleep 0.1
done
out="$(as agency run show r2)"
expect "run show: failed" "$out" "run r2 of query q1: failed"
expect "run show: failure reason" "$out" "failure reason: .*impressions"

echo "show commands: $((checks - failures)) passed, ${failures} failed"
[ "$failures" -eq 0 ]
