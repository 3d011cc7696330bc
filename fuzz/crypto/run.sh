#!/usr/bin/env bash
# Runs the crypto fuzz targets (built by `make fuzz`, or in any CLEANROOM_FUZZ=ON build dir) for
# SECONDS each, in parallel under nice, with seed corpora made from the shared test data.
# usage: fuzz/crypto/run.sh BUILD_DIR [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
build="${1:?usage: fuzz/crypto/run.sh BUILD_DIR [SECONDS]}"
seconds="${2:-600}"
testdata="${CLEANROOM_TESTDATA:-${root}/../shared/testdata}"
work="${build}/fuzz-crypto"
mkdir -p "$work"/{cbor,cose,container}
python3 - "$testdata" "$work" <<'PY'
import glob, hashlib, json, os, sys
testdata, work = sys.argv[1], sys.argv[2]
for path in glob.glob(os.path.join(testdata, "cose", "*", "*.json")):
    msg = bytes.fromhex(json.load(open(path))["output"]["cbor"])
    name = os.path.basename(os.path.dirname(path)) + "-" + os.path.basename(path)[:-5]
    for folder in ("cose", "cbor"):
        open(os.path.join(work, folder, name), "wb").write(msg)
# A container header + one chunk's worth of bytes (docs/formats/encrypted-dataset.md).
dataset_id = b"seed"
head = (b"CRENCDS\n" + (1).to_bytes(2, "big") + (1).to_bytes(2, "big") + (1024).to_bytes(4, "big")
        + os.urandom(4) + bytes(16) + len(dataset_id).to_bytes(2, "big") + dataset_id)
head += hashlib.sha256(head).digest()
open(os.path.join(work, "container", "one-chunk"), "wb").write(head + os.urandom(100 + 16))
open(os.path.join(work, "container", "two-chunks"), "wb").write(head + os.urandom(1040 + 30))
PY
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
pids=()
for target in cbor_decode_fuzz:cbor cose_sign1_fuzz:cose container_header_fuzz:container; do
  bin="${build}/fuzz/crypto/${target%%:*}"
  corpus="${work}/${target##*:}"
  nice -n 10 "$bin" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="${work}/${target%%:*}-" "$corpus" >"${work}/${target%%:*}.log" 2>&1 &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
for target in cbor_decode_fuzz cose_sign1_fuzz container_header_fuzz; do
  echo "== ${target}: $(grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "${work}/${target}.log" | tail -1)"
  grep -E '^==[0-9]+==ERROR|SUMMARY|crash-|deadly signal' "${work}/${target}.log" | head -5 || true
done
exit $status
