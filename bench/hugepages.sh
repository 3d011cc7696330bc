# Sourced by the bench scripts: reserves 2 MiB huge pages for the run and gives the machine its
# setting back at exit. The engine keeps validated Parquet images and decrypted inputs in them
# when the machine has them reserved (docs/engine.md, "Inputs"); without them it uses ordinary
# pages, which cost more to fault in (bench/parquet/RESULTS.md has both). Needs root; otherwise
# the run says so and goes on. BENCH_HUGEPAGES sets the count (default 1024, 2 GiB); 0 skips.
hugepages_file=/proc/sys/vm/nr_hugepages
hugepages_restore=""
reserve_hugepages() {
  local want="${BENCH_HUGEPAGES:-1024}" before
  before="$(cat "$hugepages_file" 2>/dev/null || echo 0)"
  if [ "$want" = 0 ] || [ "$before" -ge "$want" ]; then
    echo "bench: vm.nr_hugepages ${before}" >&2
    return 0
  fi
  if [ -w "$hugepages_file" ] && echo "$want" >"$hugepages_file" 2>/dev/null; then
    hugepages_restore="$before"
    echo "bench: reserved $(cat "$hugepages_file") huge pages of 2 MiB for the run (vm.nr_hugepages was ${before})" >&2
  else
    echo "bench: no huge pages reserved (vm.nr_hugepages=${before}; needs root): validated inputs use 4 KiB pages" >&2
  fi
}
restore_hugepages() {
  if [ -n "$hugepages_restore" ]; then
    echo "$hugepages_restore" >"$hugepages_file" 2>/dev/null || true
    hugepages_restore=""
  fi
}
