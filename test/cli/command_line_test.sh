#!/usr/bin/env bash
# The command line of issue 20, through the binary against governance on loopback. Errors that
# used to mislead say what is wrong, and a failed command leaves nothing behind: a misspelled
# role or identity folder is named, a second contract on a service says so, a mismatched
# encryption key and a wrong data key name the right file, truncated key files say so, malformed
# JSON gives line and column; a refused publish leaves no storage folder or key file, a serve
# that cannot bind leaves the data folder as it was. No error quotes key material. `audit log`
# prints the ledger as a timeline (who, what, when in UTC, signatures verified); receipt times
# are readable.
# usage: command_line_test.sh CLEANROOM_BINARY
set -uo pipefail
bin="${1:?usage: command_line_test.sh CLEANROOM_BINARY}"
. "$(dirname "$0")/support.sh"
# WHAT EXPECTED_RC PATTERN [ANTI_PATTERN] -- COMMAND...: the command exits EXPECTED_RC and its
# stderr matches PATTERN (grep -E) and not ANTI_PATTERN.
expect_error() {
  local what="$1" rc_want="$2" pattern="$3" anti="$4"; shift 5
  checks=$((checks + 1))
  local err rc
  err="$("$@" 2>&1 >/dev/null)"; rc=$?
  if [ "$rc" -ne "$rc_want" ]; then fail "$what: exit $rc, want $rc_want: $err"; return; fi
  if ! grep -Eq -- "$pattern" <<<"$err"; then fail "$what: no /$pattern/ in: $err"; return; fi
  if [ -n "$anti" ] && grep -Eq -- "$anti" <<<"$err"; then fail "$what: /$anti/ in: $err"; fi
  last_error="$err"
}
expect_absent() { # WHAT PATH
  checks=$((checks + 1))
  if [ -e "$2" ]; then fail "$1: $2 was left behind"; fi
}
cd "$work" || exit 1

"$bin" keygen --name analyst --out analyst --no-passphrase >/dev/null
"$bin" keygen --name provider --out provider --no-passphrase >/dev/null
start_governance gov analyst
pin_all analyst provider

# --- a misspelled role is named --------------------------------------------------------------
expect_error "misspelled role" 2 "--member analyst:analyst,recipent: unknown role 'recipent'" "" -- \
  "$bin" collab create --identity analyst --name trial --member analyst:analyst,recipent \
  --member provider:provider --measurement 00

"$bin" collab create --identity analyst --name trial --member analyst:analyst,recipient \
  --member provider:provider --measurement 00 >/dev/null || fail "collab create"
"$bin" collab accept --identity provider >/dev/null || fail "collab accept"
# --- a second contract on a service says so --------------------------------------------------
expect_error "second contract" 1 "already holds a collaboration \(trial\).*collab update" "payload" -- \
  "$bin" collab create --identity analyst --name again --member analyst:analyst,recipient \
  --member provider:provider --measurement 00

# --- a misspelled identity folder is named (not "pin the service") ---------------------------
expect_error "misspelled identity folder" 2 "identity folder analyts does not exist" "pin|fingerprint" -- \
  "$bin" collab show --identity analyts
expect_error "a folder that holds no identity" 2 "folder gov holds no identity" "" -- \
  "$bin" run list --identity gov

# --- identity files: the mismatched encryption key and the truncated key are named -----------
secret_line="$(sed -n 2p analyst/key.pem)"
mkdir -m 700 mixed && cp analyst/* mixed/ && cp provider/enc_key.pem mixed/
expect_error "mismatched encryption key" 2 "mixed/enc_key.pem is not the private key of mixed/enc_pub.pem" \
  "cert.pem|key.pem's key" -- "$bin" collab show --identity mixed
cp analyst/* mixed/ && head -c 150 analyst/key.pem >mixed/key.pem
expect_error "truncated key.pem" 2 "mixed/key.pem is truncated" "unsupported" -- \
  "$bin" collab show --identity mixed
checks=$((checks + 1))
grep -qF -- "$secret_line" <<<"$last_error" && fail "the truncated key's error quotes the key"
cp analyst/* mixed/ && cp provider/key.pem mixed/
expect_error "a signing key the certificate does not certify" 2 "mixed/cert.pem does not certify mixed/key.pem" "" -- \
  "$bin" collab show --identity mixed

# --- data keys: the wrong one and a truncated one --------------------------------------------
printf 'id,v\n1,2\n' >plain.csv
"$bin" encrypt --in plain.csv --out one.enc --key-out one.dek >/dev/null
"$bin" encrypt --in plain.csv --out two.enc --key-out two.dek >/dev/null
key_b64="$(sed -n 's/.*"key":"\([^"]*\)".*/\1/p' two.dek)"
expect_error "wrong data key" 2 "--key two.dek is not the key of one.enc \(one.enc needs key id [0-9a-f]{32}, two.dek holds key id [0-9a-f]{32}\)" "" -- \
  "$bin" decrypt --in one.enc --key two.dek --out out.csv
checks=$((checks + 1))
grep -qF -- "$key_b64" <<<"$last_error" && fail "the wrong key's error quotes the key"
expect_absent "decrypt with the wrong key" out.csv
cp one.dek loose.dek && chmod 644 loose.dek
expect_error "a data key others may read" 2 "loose.dek may be read by others \(mode 0644\): chmod 600 it" "" -- \
  "$bin" decrypt --in one.enc --key loose.dek --out out.csv
expect_absent "decrypt with a loose key file" out.csv
(umask 077 && head -c 60 one.dek >cut.dek)
expect_error "truncated data key" 2 "cut.dek: key file: truncated" "not a JSON object" -- \
  "$bin" decrypt --in one.enc --key cut.dek --out out.csv

# --- malformed JSON gives line and column ----------------------------------------------------
printf '{\n  "name": "x",\n  "members": [1,]\n}\n' >bad.json
expect_error "malformed contract" 2 "bad.json: invalid JSON at line 3, column 17" "byte" -- \
  "$bin" collab update --identity analyst --contract bad.json
expect_error "malformed policy" 2 "bad.json: invalid JSON at line 3, column 17" "" -- \
  "$bin" dataset publish plain.csv --name plain --policy bad.json --identity provider \
  --storage "file://${work}/storage"
expect_absent "publish with a malformed policy" storage

# --- a refused publish leaves no storage folder and no key file ------------------------------
echo '{"columns": {}}' >policy.json
checks=$((checks + 1))
out="$("$bin" dataset publish plain.csv --name plain --policy policy.json --identity analyst \
  --storage "file://${work}/storage" --save-key plain.dek 2>&1)" && fail "an analyst published a dataset"
grep -q "encrypted plain.csv: .* -> file://${work}/storage/datasets/plain/" <<<"$out" ||
  fail "the refused publish did not get as far as storage (the check below would say nothing): $out"
expect_absent "refused publish: storage root" storage
expect_absent "refused publish: key file" plain.dek
mkdir -p storage/datasets/other
"$bin" dataset publish plain.csv --name plain --policy policy.json --identity analyst \
  --storage "file://${work}/storage" --save-key plain.dek >/dev/null 2>&1
expect_absent "refused publish into existing storage: its dataset folder" storage/datasets/plain
checks=$((checks + 1))
[ -d storage/datasets/other ] || fail "a refused publish removed a folder it did not create"

# --- a serve that cannot bind its port leaves the data folder as it was ----------------------
port="${url##*:}"
"$bin" governance init --data-dir gov2 --founder analyst >/dev/null
before="$(ls -A gov2)"
expect_error "serve on a taken port" 1 "cannot listen on 127.0.0.1:${port}" "" -- \
  "$bin" governance serve --data-dir gov2 --listen "127.0.0.1:${port}"
checks=$((checks + 1))
[ "$(ls -A gov2)" = "$before" ] || fail "a serve that could not bind left: $(ls -A gov2) (before: $before)"
expect_error "serve on a folder never initialised" 2 "does not exist: run" "" -- \
  "$bin" governance serve --data-dir gov3 --listen 127.0.0.1:0
expect_absent "serve on a folder never initialised" gov3

# --- audit log: the ledger as a readable timeline --------------------------------------------
utc='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC'
hex12='[0-9a-f]{12}'
out="$("$bin" audit log --identity provider)" || fail "audit log: exit $?"
expect "audit log: verified" "$out" "^ledger verified: [0-9]+ entries, [0-9]+ member signatures"
expect "audit log: who, what, when" "$out" "^#[0-9]+ +${utc}  analyst \(${hex12}\) +collab.propose: accepted, signature verified"
expect "audit log: a vote" "$out" "${utc}  provider \(${hex12}\) +collab.accept: accepted"
expect "audit log: a refusal" "$out" "analyst \(${hex12}\) +dataset.register: refused \([A-Za-z]+\)"
expect "audit log: the service's own entries" "$out" "^#[0-9]+ +${utc}  service "
expect "audit log: the last signed tree head" "$out" "^last signed tree head: [0-9]+ entries at ${utc}"
checks=$((checks + 1))
grep -Eq '(^|[^0-9a-f])[0-9]{13,}([^0-9a-f]|$)' <<<"$out" && fail "audit log prints a raw timestamp: $out"
out="$("$bin" audit log --identity provider)"
expect "audit log: the second look extends the first" "$out" "the ledger extends the tree head seen before"
seqno="$(sed -n 's/^#\([0-9]*\) .*collab.propose.*/\1/p' <<<"$out" | head -1)"
out="$("$bin" audit receipt "$seqno" --identity analyst --out receipt.json)" || fail "audit receipt"
expect "audit receipt: readable time" "$out" "wrote the receipt of entry ${seqno} \(in the tree head signed ${utc}\)"
out="$("$bin" audit verify-receipt receipt.json --service-cert gov/service/cert.pem)" || fail "verify-receipt"
expect "verify-receipt: readable times" "$out" "receipt OK: entry ${seqno} .* recorded ${utc}, is in the ledger of [0-9]+ entries signed at ${utc}"

finish "command line"
