#!/usr/bin/env bash
# Where storage is and what happens when parties do not share it (issue 20), through the binary
# with governance and the runtime on loopback: without --storage every command uses
# $XDG_DATA_HOME/cleanroom/storage, else $HOME/.local/share/cleanroom/storage, never the working
# folder; owners, the runtime and recipients on one machine share it; a dataset published where
# the runtime does not look fails its run with a reason that says so (and not the runtime's path);
# with neither variable set, --storage is required.
# usage: storage_test.sh CLEANROOM_BINARY
set -uo pipefail
bin="${1:?usage: storage_test.sh CLEANROOM_BINARY}"
. "$(dirname "$0")/support.sh"
export HOME="${work}/home"
unset XDG_DATA_HOME CLEANROOM_PASSPHRASE
mkdir -p "$HOME" "${work}/here"
cd "${work}/here" || exit 1
default_storage="${HOME}/.local/share/cleanroom/storage"

for who in alice bob; do "$bin" keygen --name "$who" --out "../$who" --no-passphrase >/dev/null; done
measurement="$("$bin" runtime measure)"
platform_key="$("$bin" runtime init-platform --out ../platform | sed -n 's/^platform key id.*: //p')"
start_governance ../gov ../alice
pin_all ../alice ../bob
"$bin" collab create --identity ../alice --name s --member ../alice:analyst,recipient \
  --member ../bob:provider --measurement "$measurement" --platform-key "$platform_key" >/dev/null ||
  fail "collab create"
"$bin" collab accept --identity ../bob >/dev/null || fail "collab accept"
printf 'id,segment\n' >plain.csv
for i in $(seq 60); do printf 'p%d,s%d\n' "$i" $((i % 2)) >>plain.csv; done
echo '{"privacyUnit": "id", "minGroupUnits": 5}' >policy.json

# --- the default: under HOME, not the working folder --------------------------------------------
out="$("$bin" dataset publish plain.csv --name home_data --policy policy.json --identity ../bob --quiet 2>&1)" ||
  fail "publish to the default storage: $out"
expect "publish names the default storage" "$out" "-> file://${default_storage}/datasets/home_data/"
checks=$((checks + 1))
[ -d "${default_storage}/datasets/home_data" ] || fail "nothing in ${default_storage}"
checks=$((checks + 1))
[ -z "$(ls -A .)" ] || [ "$(ls -A . | tr '\n' ' ')" = "plain.csv policy.json " ] ||
  fail "publish left files in the working folder: $(ls -A .)"
# XDG_DATA_HOME moves it: this owner now publishes where the runtime below does not look.
out="$(XDG_DATA_HOME="${work}/xdg" "$bin" dataset publish plain.csv --name xdg_data --policy policy.json \
  --identity ../bob --quiet 2>&1)" || fail "publish under XDG_DATA_HOME: $out"
expect "XDG_DATA_HOME moves the default" "$out" "-> file://${work}/xdg/cleanroom/storage/datasets/xdg_data/"

# --- the runtime, on the default storage; recipients read results from it -------------------------
"$bin" runtime serve --governance "$url" --service-fingerprint "$fingerprint" --platform ../platform \
  --poll-ms 20 >../runtime.log 2>&1 &
pids+=($!)
for name in home_data xdg_data; do
  "$bin" query propose --identity ../alice --name "q_${name}" --recipient ../alice \
    --sql "SELECT segment, COUNT(DISTINCT id) AS n FROM ${name} GROUP BY segment" >/dev/null || fail "propose ${name}"
done
"$bin" query approve q1 --identity ../bob >/dev/null || fail "approve q1"
"$bin" query approve q2 --identity ../bob >/dev/null || fail "approve q2"
out="$("$bin" run request q1 --identity ../alice --wait 120 2>&1)"
expect "a run over the shared default storage" "$out" "run r1 succeeded"
out="$("$bin" result get r1 --out ../r1.csv --identity ../alice 2>&1)" || fail "result get from the default storage: $out"
expect "the recipient reads the result from the default storage" "$(cat ../r1.csv 2>/dev/null)" "^s0,30$"

# --- a dataset the runtime cannot see: the run fails and says why -------------------------------
out="$("$bin" run request q2 --identity ../alice --wait 120 2>&1)"
out="$("$bin" run show r2 --identity ../alice 2>&1)"
expect "run show: failed" "$out" "state failed|: failed"
expect "run show: the reason names the dataset and the shared storage" "$out" \
  "dataset xdg_data: its ciphertext datasets/xdg_data/[0-9a-f]+\.cdc is not in the storage this runtime serves"
expect_not "the reason keeps the runtime's path out" "$out" "$HOME"

# --- no HOME and no XDG_DATA_HOME: --storage is required ------------------------------------------
out="$(env -u HOME -u XDG_DATA_HOME "$bin" dataset publish plain.csv --name none --policy policy.json \
  --identity ../bob 2>&1)"
rc=$?
checks=$((checks + 1))
[ "$rc" -eq 2 ] || fail "publish without HOME: exit $rc, want 2: $out"
expect "without HOME or XDG_DATA_HOME" "$out" "--storage: required \(neither XDG_DATA_HOME nor HOME"

finish storage
