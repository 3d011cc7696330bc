#!/usr/bin/env bash
# Runs the governance route fuzzers (built by `make fuzz`, or in any CLEANROOM_FUZZ=ON build dir)
# for SECONDS each, two at a time under nice, each from seeds written here (and the runtime
# target's own, CLEANROOM_ROUTE_FUZZ_SEEDS) plus the inputs in regressions/. Prints per target
# the executions, coverage and any finding; exits non-zero when a target found one.
# usage: fuzz/governance/run.sh BUILD_DIR [SECONDS] [TARGET...]   (targets: runtime write secret read)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:?usage: fuzz/governance/run.sh BUILD_DIR [SECONDS] [TARGET...]}" && pwd)"
seconds="${2:-600}"
shift $(($# < 2 ? $# : 2))
families=("$@")
[ ${#families[@]} -gt 0 ] || families=(runtime write secret read)
work="${build}/fuzz-governance"
mkdir -p "$work"/{runtime,write,secret,read}

# Seeds: signed-looking COSE_Sign1 writes for every route (their signer is unknown to the fuzz
# service, so they stop at the signer check after the whole CBOR and header parse), secret
# envelopes around them, and the read paths.
python3 - "$work" <<'PY'
import base64, hashlib, json, os, struct, sys, time
work = sys.argv[1]
def head(major, n):
    if n < 24: return bytes([major << 5 | n])
    for size, fmt, extra in ((256, ">B", 24), (65536, ">H", 25), (2**32, ">I", 26)):
        if n < size: return bytes([major << 5 | extra]) + struct.pack(fmt, n)
    return bytes([major << 5 | 27]) + struct.pack(">Q", n)
def cbor(v):
    if isinstance(v, int): return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes): return head(2, len(v)) + v
    if isinstance(v, str): return head(3, len(v.encode())) + v.encode()
    if isinstance(v, list): return head(4, len(v)) + b"".join(cbor(x) for x in v)
    return head(5, len(v)) + b"".join(cbor(k) + cbor(x) for k, x in v.items())
def sign1(msg_type, payload):
    protected = cbor({1: -35, 3: "application/json", 4: b"a" * 64, "cleanroom.msg_type": msg_type,
                      "cleanroom.created_at": int(time.time()), "cleanroom.nonce": os.urandom(16)})
    return head(6, 18) + cbor([protected, {}, json.dumps(payload).encode(), os.urandom(96)])
collab, zero = "c" * 64, "0" * 64
dataset = {"name": "d", "format": "csv", "schema": [{"name": "a", "type": "string"}],
           "allowedFields": ["a"], "columnRoles": {"a": "privacy_unit"}, "location": "file:///d",
           "contentHash": zero, "keyId": "k"}
query = {"name": "q", "steps": ["SELECT COUNT(*) FROM customers"], "guards": {"minGroupUnits": 10},
         "outputFormat": "csv", "recipients": ["a" * 64]}
writes = [("collab.propose", {"version": 1, "contract": {"name": "x", "members": []}}),
          ("collab.accept", {"collaboration": collab, "version": 1, "contractHash": zero}),
          ("collab.stop", {"collaboration": collab}),
          ("dataset.register", {"collaboration": collab, "dataset": dataset}),
          ("dataset.disable", {"collaboration": collab, "dataset": "customers"}),
          ("query.propose", {"collaboration": collab, "query": query}),
          ("query.accept", {"collaboration": collab, "query": "q1", "queryHash": zero}),
          ("query.withdraw", {"collaboration": collab, "query": "q1"}),
          ("query.disable", {"collaboration": collab, "query": "q1"}),
          ("run.request", {"collaboration": collab, "query": "q1", "queryHash": zero})]
def seed(folder, name, first, data):
    open(os.path.join(work, folder, name), "wb").write(bytes([first]) + data)
for i, (msg_type, payload) in enumerate(writes):
    seed("write", msg_type, i, sign1(msg_type, payload))
for i, name in enumerate(["customers", "impressions", "missing"]):
    key = b"\x42" * 32
    request = sign1("dataset.secret", {"collaboration": collab, "dataset": name, "version": 1,
                                       "keyId": name + "-key",
                                       "keyCommitment": hashlib.sha256(key).hexdigest()})
    seed("secret", name, i, json.dumps({"request": base64.b64encode(request).decode(),
                                        "key": base64.b64encode(key).decode()}).encode())
reads = ["service", "collab", "collab/versions/1", "datasets", "datasets/customers", "queries",
         "queries/q1", "runs", "runs/r1", "runs/r1/challenge", "budget", "receipts/3",
         "ledger/consistency/2", "runtime/runs"]
for i, path in enumerate(reads):
    for caller in (0, 2, 3):
        seed("read", "%d-%d" % (caller, i), caller, path.encode())
PY
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"

bin() { echo "${build}/fuzz/governance/governance_route_$1_fuzz"; }
if [[ " ${families[*]} " == *" runtime "* ]]; then
  CLEANROOM_ROUTE_FUZZ_SEEDS="${work}/runtime" "$(bin runtime)" >/dev/null 2>&1 || true
fi

run() {
  local family="$1"
  # Inputs found go to the first folder; regressions/ is read only.
  nice -n 10 "$(bin "$family")" -max_total_time="$seconds" -max_len=65536 -timeout=30 \
    -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="${work}/${family}-" \
    "${work}/${family}" "${here}/regressions" >"${work}/${family}.log" 2>&1
}
status=0
for ((i = 0; i < ${#families[@]}; i += 2)); do
  pids=()
  for family in "${families[@]:i:2}"; do
    run "$family" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
done
for family in "${families[@]}"; do
  log="${work}/${family}.log"
  echo "== governance_route_${family}_fuzz: $(grep -E 'stat::number_of_executed_units' "$log" | tail -1)," \
    "$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)," \
    "$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1)"
  grep -E '^==[0-9]+==ERROR|SUMMARY|runtime error|crash-|leak-|timeout-|deadly signal' "$log" | head -5 || true
done
exit $status
