# A three-party collaboration on loopback, set up with the CLI, for the tests that drive it
# (web/test/console_browser_test.sh, test/cli/show_commands_test.sh). Source it with `bin` (the
# cleanroom binary) set. It makes `work` (a scratch folder, removed on exit with every process
# in `pids`), leaves governance and the runtime running (the runtime's pid in `runtime_pid`),
# sets `url`, `fingerprint`, `storage`, `measurement` and `platform_key`, and leaves query q1
# (the agency's, over both datasets) approved by the advertiser and awaiting the publisher.
here_three_parties="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
wait_for_line() { # FILE PATTERN
  for _ in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "FAIL: no '$2' in $1:"; cat "$1"; exit 1
}

# --- three organisations: an advertiser and a publisher own data, an agency analyses ---------
"$bin" generate --out "${work}/data" --customers 3000 --format parquet >/dev/null
for who in advertiser publisher agency; do "$bin" keygen --name "$who" --out "${work}/${who}" --no-passphrase >/dev/null; done
platform_key="$("$bin" runtime init-platform --out "${work}/platform" |
  sed -n 's/.*simulated_platform_keys): \([0-9a-f]*\).*/\1/p')"
measurement="$("$bin" runtime measure)"
"$bin" governance init --data-dir "${work}/gov" --founder "${work}/agency" >/dev/null
"$bin" governance serve --data-dir "${work}/gov" --listen 127.0.0.1:0 >"${work}/gov.log" 2>&1 &
pids+=($!)
wait_for_line "${work}/gov.log" "listening on"
url="$(sed -n 's/^listening on //p' "${work}/gov.log")"
fingerprint="$(sed -n 's/^service fingerprint //p' "${work}/gov.log")"
for who in advertiser publisher agency; do
  "$bin" governance pin --identity "${work}/${who}" --governance "$url" --service-fingerprint "$fingerprint" >/dev/null
done
"$bin" collab create --identity "${work}/agency" --name "spring campaign" \
  --member "${work}/advertiser:provider" --member "${work}/publisher:provider" \
  --member "${work}/agency:analyst,recipient" --measurement "$measurement" --platform-key "$platform_key" >/dev/null
"$bin" collab accept --identity "${work}/advertiser" >/dev/null
"$bin" collab accept --identity "${work}/publisher" >/dev/null
storage="file://${work}/storage"
/usr/bin/python3 - "${here_three_parties}/../../bench/privacy/workload.policy.json" "$work" <<'PY'
import json, sys
policies = json.load(open(sys.argv[1]))["datasets"]
for name in ("customers", "impressions"):
    json.dump(policies[name], open(f"{sys.argv[2]}/{name}.policy.json", "w"))
PY
"$bin" dataset publish "${work}/data/customers.parquet" --name customers --policy "${work}/customers.policy.json" \
  --identity "${work}/advertiser" --storage "$storage" --quiet >/dev/null
"$bin" dataset publish "${work}/data/impressions.parquet" --name impressions --policy "${work}/impressions.policy.json" \
  --identity "${work}/publisher" --storage "$storage" --quiet >/dev/null
"$bin" runtime serve --governance "$url" --service-fingerprint "$fingerprint" --platform "${work}/platform" \
  --storage "$storage" --poll-ms 20 >"${work}/runtime.log" 2>&1 &
runtime_pid=$!
pids+=($runtime_pid)

# --- the agency proposes in the CLI; the advertiser approves in the CLI ----------------------
sql="SELECT c.region, c.age_band, COUNT(DISTINCT c.hashed_email) AS customers, COUNT(*) AS impressions
FROM customers c JOIN impressions i ON c.hashed_email = i.hashed_email GROUP BY c.region, c.age_band"
"$bin" query propose --identity "${work}/agency" --name reach_by_region --sql "$sql" \
  --recipient "${work}/agency" >/dev/null
"$bin" query approve q1 --identity "${work}/advertiser" >/dev/null

