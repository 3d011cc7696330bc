#!/usr/bin/env bash
# Passphrase-protected identities through the binary against governance on loopback (issue 20):
# keygen encrypts the private keys (PKCS#8, scrypt) under a passphrase from --passphrase-file, a
# file descriptor, CLEANROOM_PASSPHRASE or a prompt on a terminal; every command that signs or
# opens a result takes the same sources; a wrong or missing passphrase is a clear error; a
# passphrase file or key others may read is refused; no output ever holds the passphrase or key
# bytes, and the terminal does not echo the passphrase.
# usage: passphrase_test.sh CLEANROOM_BINARY
set -uo pipefail
bin="${1:?usage: passphrase_test.sh CLEANROOM_BINARY}"
. "$(dirname "$0")/support.sh"
# WHAT EXPECTED_RC PATTERN -- COMMAND...: exit code and stderr; also checks for secrets.
expect_error() {
  local what="$1" rc_want="$2" pattern="$3"; shift 4
  checks=$((checks + 1))
  local out rc
  out="$("$@" 2>&1)"; rc=$?
  if [ "$rc" -ne "$rc_want" ]; then fail "$what: exit $rc, want $rc_want: $out"; return; fi
  grep -Eq -- "$pattern" <<<"$out" || fail "$what: no /$pattern/ in: $out"
  no_secret "$what" "$out"
  last_out="$out"
}
# No output may hold a passphrase or a line of a private key file.
no_secret() { # WHAT TEXT
  checks=$((checks + 1))
  local s
  for s in "$pass_a" "$pass_b" "$wrong" "${key_lines[@]}"; do
    if grep -qF -- "$s" <<<"$2"; then fail "$1: the output holds a secret ($s): $2"; return; fi
  done
}
mode_of() { stat -c %a "$1"; }
cd "$work" || exit 1
unset CLEANROOM_PASSPHRASE
pass_a="alpha tango $RANDOM$RANDOM"
pass_b="bravo kilo $RANDOM$RANDOM"
wrong="not it $RANDOM$RANDOM"
key_lines=()
(umask 077 && printf '%s\n' "$pass_a" >pass_a.txt && printf '%s\n' "$wrong" >wrong.txt)

# --- keygen: a passphrase file, the environment, none -----------------------------------------
out="$("$bin" keygen --name alice --out alice --passphrase-file pass_a.txt)" || fail "keygen alice: $out"
expect "keygen --passphrase-file" "$out" "signing key P-384 \(passphrase-protected\)"
out="$(CLEANROOM_PASSPHRASE="$pass_b" "$bin" keygen --name bob --out bob)" || fail "keygen bob: $out"
expect "keygen with CLEANROOM_PASSPHRASE" "$out" "\(passphrase-protected\)"
out="$("$bin" keygen --name carol --out carol --no-passphrase)" || fail "keygen carol: $out"
expect "keygen --no-passphrase" "$out" "\(unencrypted\)"
for who in alice bob; do
  for f in key.pem enc_key.pem; do
    expect "$who/$f is encrypted PKCS#8" "$(head -1 "$who/$f")" "^-----BEGIN ENCRYPTED PRIVATE KEY-----$"
    expect "$who/$f is 0600" "$(mode_of "$who/$f")" "^600$"
    mapfile -t -O "${#key_lines[@]}" key_lines < <(grep -v -- '-----' "$who/$f")
  done
  expect "$who is 0700" "$(mode_of "$who")" "^700$"
done
mapfile -t -O "${#key_lines[@]}" key_lines < <(grep -hv -- '-----' carol/key.pem carol/enc_key.pem)
# The standard form: OpenSSL reads it with the passphrase, and the KDF is scrypt.
expect "the KDF is scrypt" "$(openssl asn1parse -in alice/key.pem 2>&1)" "OBJECT +:(id-)?scrypt$"
checks=$((checks + 1))
openssl pkey -in alice/key.pem -passin file:pass_a.txt -noout 2>/dev/null || fail "openssl cannot read alice/key.pem"
expect_error "keygen: a passphrase file and --no-passphrase" 2 "excludes|--no-passphrase" -- \
  "$bin" keygen --name x --out x --passphrase-file pass_a.txt --no-passphrase
checks=$((checks + 1))
[ -e x ] && fail "a refused keygen left its folder"

# --- governance on loopback ---------------------------------------------------------------------
start_governance gov alice
pin_all alice bob carol

# --- a protected identity needs its passphrase: missing, wrong, loose file ------------------------
expect_error "no passphrase and no terminal" 1 "identity in alice is passphrase-protected: give --passphrase-file FILE, set CLEANROOM_PASSPHRASE, or run on a terminal" -- \
  "$bin" collab show --identity alice
expect_error "a wrong passphrase file" 1 "the identity in alice: wrong passphrase" -- \
  "$bin" collab show --identity alice --passphrase-file wrong.txt
expect_error "a wrong passphrase in the environment" 1 "the identity in bob: wrong passphrase" -- \
  env CLEANROOM_PASSPHRASE="$wrong" "$bin" collab show --identity bob
printf '%s\n' "$pass_a" >loose.txt && chmod 644 loose.txt
expect_error "a passphrase file others may read" 2 "loose.txt may be read by others \(mode 0644\): chmod 600 it" -- \
  "$bin" collab show --identity alice --passphrase-file loose.txt
(umask 077 && printf '%s\n%s\n' "$pass_a" "$wrong" >two_lines.txt)
expect_error "a passphrase file of two lines" 2 "two_lines.txt holds more than one line" -- \
  "$bin" collab show --identity alice --passphrase-file two_lines.txt
expect_error "a passphrase source that never ends" 2 "the passphrase is longer than 1023 bytes" -- \
  "$bin" collab show --identity alice --passphrase-file /dev/zero
expect_error "--passphrase-file for keys with none" 2 "identity in carol is not passphrase-protected" -- \
  "$bin" collab show --identity carol --passphrase-file pass_a.txt
cp -r alice loose_id && chmod 644 loose_id/key.pem
expect_error "a key file others may read" 2 "identity: loose_id/key.pem may be read by others \(mode 0644\): chmod 600 it" -- \
  "$bin" collab show --identity loose_id --passphrase-file pass_a.txt
chmod 600 loose_id/key.pem && chmod 755 loose_id
expect_error "an identity folder others may use" 2 "identity: loose_id may be used by others \(mode 0755\): chmod 700 it" -- \
  "$bin" collab show --identity loose_id --passphrase-file pass_a.txt

# --- every source works, and every command that signs takes them --------------------------------
out="$("$bin" collab create --identity alice --passphrase-file pass_a.txt --name trial \
  --member alice:analyst,recipient --member bob:provider --member carol --measurement 00 2>&1)" ||
  fail "collab create with --passphrase-file: $out"
no_secret "collab create" "$out"
out="$(CLEANROOM_PASSPHRASE="$pass_b" "$bin" collab accept --identity bob 2>&1)" ||
  fail "collab accept with CLEANROOM_PASSPHRASE: $out"
no_secret "collab accept" "$out"
"$bin" collab accept --identity carol >/dev/null || fail "collab accept, unencrypted"
out="$("$bin" collab show --identity alice --passphrase-file /dev/fd/3 3<pass_a.txt 2>&1)" ||
  fail "--passphrase-file /dev/fd/3: $out"
expect "a passphrase from a file descriptor" "$out" "state active"
out="$("$bin" collab show --identity alice --passphrase-file <(printf '%s' "$pass_a") 2>&1)" ||
  fail "--passphrase-file from a pipe: $out"
expect "a passphrase from a pipe (no line end)" "$out" "state active"
printf 'id,segment\n' >plain.csv
for i in $(seq 40); do printf 'p%d,s%d\n' "$i" $((i % 2)) >>plain.csv; done
echo '{"privacyUnit": "id", "minGroupUnits": 5}' >policy.json
out="$(CLEANROOM_PASSPHRASE="$pass_b" "$bin" dataset publish plain.csv --name plain --policy policy.json \
  --identity bob --storage "file://${work}/storage" --quiet 2>&1)" || fail "dataset publish with CLEANROOM_PASSPHRASE: $out"
expect "dataset publish with a protected identity" "$out" "key stored with governance"
out="$("$bin" query propose --identity alice --passphrase-file pass_a.txt --name q \
  --sql "SELECT segment, COUNT(DISTINCT id) AS n FROM plain GROUP BY segment" --recipient alice 2>&1)" ||
  fail "query propose: $out"
out="$(CLEANROOM_PASSPHRASE="$pass_b" "$bin" query approve q1 --identity bob 2>&1)" || fail "query approve: $out"
out="$("$bin" audit log --identity alice --passphrase-file pass_a.txt 2>&1)" || fail "audit log: $out"
expect "audit log with a protected identity" "$out" "query.accept: accepted, signature verified"
no_secret "audit log" "$out"
# result get unlocks the key before it looks for the run: the right passphrase gets that far.
expect_error "result get: wrong passphrase" 1 "wrong passphrase" -- \
  "$bin" result get r9 --out r9.csv --identity alice --passphrase-file wrong.txt --storage "file://${work}/storage"
expect_error "result get: unlocked, then the run is looked for" 2 "run 'r9' does not exist" -- \
  "$bin" result get r9 --out r9.csv --identity alice --passphrase-file pass_a.txt --storage "file://${work}/storage"

# Every command whose --identity loads the private key offers --passphrase-file.
for cmd in "collab show" "collab create" "collab accept" "dataset publish" "dataset register" \
  "dataset show" "dataset disable" "query propose" "query approve" "query show" "run request" \
  "run show" "run list" "audit log" "audit download" "audit receipt" "result get" "console"; do
  checks=$((checks + 1))
  # shellcheck disable=SC2086
  "$bin" $cmd --help 2>&1 | grep -q -- "--passphrase-file" || fail "$cmd offers no --passphrase-file"
done

# --- the console unlocks the key at launch ------------------------------------------------------
expect_error "console: wrong passphrase" 1 "wrong passphrase" -- \
  "$bin" console --identity alice --passphrase-file wrong.txt --listen 127.0.0.1:0
mkdir web && echo '<!doctype html><title>console</title>' >web/index.html
"$bin" console --identity alice --passphrase-file pass_a.txt --listen 127.0.0.1:0 --web-root web \
  >console.log 2>&1 &
console_pid=$!
for _ in $(seq 300); do grep -q "login?token=" console.log && break; sleep 0.1; done
expect "console with a protected identity" "$(cat console.log)" "^console of alice \([0-9a-f]{12}\) on http://127.0.0.1:[0-9]+/"
kill "$console_pid" 2>/dev/null; wait "$console_pid" 2>/dev/null

# --- a prompt on a terminal: echo off, the passphrase never shown ---------------------------------
# PTY CMD...: runs CMD on a new pseudo-terminal, answers each prompt that ends in ': ' with the
# next line of $ANSWERS, and prints the terminal's transcript and then "exit N".
pty() {
  /usr/bin/python3 - "$@" <<'PY'
import os, pty, sys
answers = os.environ["ANSWERS"].split("\n")
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
pending = b""
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    pending += data
    if pending.rstrip(b" ").endswith(b":") and b"passphrase" in pending and answers:
        os.write(fd, answers.pop(0).encode() + b"\n")
        pending = b""
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
print("\nexit %d" % os.waitstatus_to_exitcode(status))
PY
}
out="$(ANSWERS="$pass_a" pty "$bin" collab show --identity alice)"
expect "prompt: asked on the terminal" "$out" "passphrase of the identity in alice: "
expect "prompt: unlocked" "$out" "state active"
expect "prompt: exit 0" "$out" "exit 0$"
no_secret "prompt: no echo" "$out"
out="$(ANSWERS="$wrong" pty "$bin" collab show --identity alice)"
expect "prompt: wrong passphrase" "$out" "wrong passphrase"
expect "prompt: wrong passphrase exits 1" "$out" "exit 1$"
no_secret "prompt: wrong passphrase, no echo" "$out"
out="$(ANSWERS="$pass_b"$'\n'"$pass_b" pty "$bin" keygen --name dave --out dave)"
expect "keygen prompt: asked twice" "$out" "the same passphrase again: "
expect "keygen prompt: protected" "$out" "\(passphrase-protected\)"
no_secret "keygen prompt: no echo" "$out"
checks=$((checks + 1))
(umask 077 && printf '%s\n' "$pass_b" >pass_b.txt)
openssl pkey -in dave/key.pem -passin file:pass_b.txt -noout 2>/dev/null ||
  fail "the passphrase typed at keygen's prompt does not unlock dave/key.pem"
out="$(ANSWERS="$pass_b"$'\n'"$wrong" pty "$bin" keygen --name erin --out erin)"
expect "keygen prompt: two different answers refused" "$out" "the two passphrases differ"
checks=$((checks + 1))
[ -e erin ] && fail "a keygen whose passphrases differed left its folder"
out="$(ANSWERS="" pty "$bin" keygen --name fred --out fred)"
expect "keygen prompt: an empty answer leaves the keys unencrypted" "$out" "\(unencrypted\)"

finish passphrases
