#!/usr/bin/env bash
# The engine benchmark (`make bench`): the representative clean-room queries of
# bench/engine/queries/ over the generated workload, through
#   cleanroom   our front end + DuckDB, measured inside one process (bench_cleanroom_inprocess),
#               beside the hand-written DuckDB query on the same engine and connection;
#   cli         `cleanroom sql` as a user runs it: process start, Parquet load, compile, query;
#   duckdb      DuckDB alone through its C API (bench_duckdb_direct), hand-written SQL;
#   sqlite      Debian's sqlite3 on a database imported once;
#   postgres    Debian's PostgreSQL in a private cluster under the build directory.
# Usage: bench/engine/run.sh BUILD_DIR
# Environment:
#   BENCH_SCALE       customers (default 1000000; impressions are ten times that)
#   BENCH_SEED        generator seed (default 42)
#   BENCH_RUNS        runs per query for cleanroom and duckdb (default 5); medians are reported
#   BENCH_CLI_RUNS    runs per query of `cleanroom sql` (default 3)
#   BENCH_PEER_RUNS   runs per query for sqlite and postgres (default 3)
#   BENCH_TIMEOUT     seconds one sqlite or postgres run may take before "timeout" (default 300)
#   BENCH_PEER_REPEAT_LIMIT  a sqlite or postgres run slower than this many seconds is not
#                     repeated: its single time is reported (default 60)
#   BENCH_ENGINES     comma-separated subset of cleanroom,cli,duckdb,sqlite,postgres (default all)
#   BENCH_QUERIES     space-separated query names to run (default: every queries/*.sql)
# The data is generated once per (scale, seed) under BUILD_DIR/bench-data/engine/ and reused.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
build="${1:?usage: bench/engine/run.sh BUILD_DIR}"
case "$build" in /*) ;; *) build="${root}/${build}" ;; esac

scale="${BENCH_SCALE:-1000000}"
seed="${BENCH_SEED:-42}"
runs="${BENCH_RUNS:-5}"
cli_runs="${BENCH_CLI_RUNS:-3}"
peer_runs="${BENCH_PEER_RUNS:-3}"
timeout_s="${BENCH_TIMEOUT:-300}"
repeat_limit_s="${BENCH_PEER_REPEAT_LIMIT:-60}"
engines=",${BENCH_ENGINES:-cleanroom,cli,duckdb,sqlite,postgres},"

cleanroom="${build}/src/cli/cleanroom"
direct="${build}/bench/engine/bench_duckdb_direct"
inprocess="${build}/bench/engine/bench_cleanroom_inprocess"
queries_dir="${here}/queries"
data="${build}/bench-data/engine/c${scale}-s${seed}"
out="${build}/bench-results/engine/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

wants() { [[ "$engines" == *",$1,"* ]]; }
log() { echo "bench/engine: $*" >&2; }
now_ns() { date +%s%N; }
median() { tr ',' '\n' | sort -g | awk '{v[NR]=$1} END {if (NR) printf "%.1f", v[int((NR+1)/2)]}'; }

if [ -n "${BENCH_QUERIES:-}" ]; then
  read -r -a names <<<"$BENCH_QUERIES"
else
  names=()
  for f in "${queries_dir}"/*.sql; do names+=("$(basename "$f" .sql)"); done
fi

for tool in "$cleanroom" "$direct"; do
  [ -x "$tool" ] || { log "missing $tool: build first (make build)"; exit 1; }
done

# --- data, generated once per scale and seed ------------------------------------------------
if [ ! -f "${data}/.ready" ]; then
  log "generating ${scale} customers (seed ${seed}) into ${data}"
  rm -rf "$data"
  start=$(now_ns)
  "$cleanroom" generate --out "$data" --customers "$scale" --seed "$seed" >"${out}/generate.txt"
  log "generated in $(( ($(now_ns) - start) / 1000000 )) ms: $(head -1 "${out}/generate.txt")"
  "$direct" convert "$data" >>"${out}/generate.txt"
  touch "${data}/.ready"
fi

declare -A frontend_us compiled_ms handwritten_ms match direct_ms cli_ms sqlite_ms postgres_ms rows
for name in "${names[@]}"; do
  frontend_us[$name]="-"; compiled_ms[$name]="-"; handwritten_ms[$name]="-"; match[$name]="-"
  direct_ms[$name]="-"; cli_ms[$name]="-"; sqlite_ms[$name]="-"; postgres_ms[$name]="-"
  rows[$name]=""
done
note_rows() {  # note_rows NAME ENGINE COUNT: the row counts of every engine must agree
  local seen="${rows[$1]}"
  if [ -z "$seen" ]; then rows[$1]="$3"; elif [ "$seen" != "$3" ] && [[ "$seen" != *"!"* ]]; then
    rows[$1]="${seen}!${2}=${3}"
  fi
}

# --- cleanroom, in one process ----------------------------------------------------------------
if wants cleanroom; then
  if [ -x "$inprocess" ]; then
    log "cleanroom in-process (${runs} runs per query)"
    "$inprocess" "$data" "$runs" "$queries_dir" "${names[@]}" >"${out}/cleanroom.txt" ||
      log "bench_cleanroom_inprocess failed; see ${out}/cleanroom.txt"
    while read -r kind name value count _; do
      case "$kind" in
        frontend) frontend_us[$name]="$value" ;;
        compiled) compiled_ms[$name]="$value"; note_rows "$name" cleanroom "$count" ;;
        handwritten) handwritten_ms[$name]="$value" ;;
        match) match[$name]="$value" ;;
        error) compiled_ms[$name]="error" ;;
      esac
    done <"${out}/cleanroom.txt"
  else
    log "no ${inprocess} (the engine or the front end did not build): cleanroom column skipped"
  fi
fi

# --- DuckDB alone -----------------------------------------------------------------------------
if wants duckdb; then
  log "duckdb direct (${runs} runs per query)"
  files=()
  for name in "${names[@]}"; do files+=("${queries_dir}/duckdb/${name}.sql"); done
  "$direct" run "$data" "$runs" "${files[@]}" >"${out}/duckdb.txt" ||
    log "bench_duckdb_direct failed; see ${out}/duckdb.txt"
  while read -r kind name value count _; do
    [ "$kind" = result ] || continue
    direct_ms[$name]="$value"; note_rows "$name" duckdb "$count"
  done <"${out}/duckdb.txt"
fi

# --- cleanroom sql, the command a user runs ------------------------------------------------------
if wants cli; then
  log "cleanroom sql (${cli_runs} runs per query, each a new process loading the Parquet files)"
  tables=()
  for t in customers impressions conversions; do tables+=(--table "${t}=${data}/${t}.parquet"); done
  for name in "${names[@]}"; do
    times=""
    for ((run = 0; run < cli_runs; run++)); do
      start=$(now_ns)
      if ! "$cleanroom" sql "${tables[@]}" --output-format csv "$(cat "${queries_dir}/${name}.sql")" \
          >"${out}/cli-${name}.csv" 2>"${out}/cli-${name}.err"; then
        times="error"; break
      fi
      times="${times:+${times},}$(( ($(now_ns) - start) / 1000 ))"
    done
    if [ "$times" = error ]; then cli_ms[$name]="error"; continue; fi
    cli_ms[$name]="$(echo "$times" | median | awk '{printf "%.1f", $1 / 1000}')"
    note_rows "$name" cli "$(( $(wc -l <"${out}/cli-${name}.csv") - 1 ))"
  done
fi

# run_peer ENGINE NAME COMMAND...: times COMMAND (stdin: the query) peer_runs times; prints the
# median in ms, or "timeout" / "error". Runs in a subshell: the caller notes the row count.
run_peer() {
  local engine="$1" name="$2"; shift 2
  local times="" start rc
  for ((run = 0; run < peer_runs; run++)); do
    start=$(now_ns)
    set +e
    timeout "$((timeout_s + 30))" "$@" <"${queries_dir}/${engine}/${name}.sql" \
      >"${out}/${engine}-${name}.out" 2>"${out}/${engine}-${name}.err"
    rc=$?
    set -e
    if [ $rc -eq 124 ] || grep -q "statement timeout" "${out}/${engine}-${name}.err"; then
      times="timeout"; break
    elif [ $rc -ne 0 ]; then
      times="error"; break
    fi
    times="${times:+${times},}$(( ($(now_ns) - start) / 1000 ))"
    # Minutes-long runs are not repeated: one figure says enough and keeps `make bench` bounded.
    [ $(( ($(now_ns) - start) / 1000000000 )) -lt "$repeat_limit_s" ] || break
  done
  case "$times" in
    timeout | error) echo "$times" ;;
    *) echo "$times" | median | awk '{printf "%.1f", $1 / 1000}' ;;
  esac
}

# --- SQLite ---------------------------------------------------------------------------------
if wants sqlite; then
  if ! command -v sqlite3 >/dev/null; then
    log "sqlite3 not installed (scripts/install-deps.sh): sqlite column skipped"
  else
    db="${data}/sqlite.db"
    if [ ! -f "${data}/.sqlite-ready" ]; then
      log "importing the workload into SQLite (once)"
      rm -f "$db"
      {
        "$direct" ddl sqlite
        for t in customers impressions conversions; do
          echo ".import --csv --skip 1 ${data}/${t}.csv ${t}"
        done
        echo "ANALYZE;"
      } | sqlite3 -batch "$db"
      touch "${data}/.sqlite-ready"
    fi
    log "sqlite (${peer_runs} runs per query, timeout ${timeout_s} s)"
    for name in "${names[@]}"; do
      sqlite_ms[$name]="$(run_peer sqlite "$name" timeout "$timeout_s" sqlite3 -batch "$db")"
      [[ "${sqlite_ms[$name]}" =~ ^[0-9] ]] &&
        note_rows "$name" sqlite "$(wc -l <"${out}/sqlite-${name}.out")"
    done
  fi
fi

# --- PostgreSQL -----------------------------------------------------------------------------
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
pg_data="${data}/postgres"
pg_socket=""
# PostgreSQL refuses to run as root: as root, its commands run as the postgres account.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); fi
pg_stop() {
  if [ -n "$pg_socket" ] && [ -f "${pg_data}/postmaster.pid" ]; then
    "${as_pg[@]}" "${pg_bin}/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [ -n "$pg_socket" ] && rm -rf "$pg_socket"
  return 0
}
if wants postgres; then
  if [ -z "$pg_bin" ] || [ ! -x "${pg_bin}/initdb" ]; then
    log "PostgreSQL not installed (scripts/install-deps.sh): postgres column skipped"
  else
    pg_socket="$(mktemp -d /tmp/cleanroom-bench-pg.XXXXXX)"
    trap pg_stop EXIT
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_socket"; fi
    if [ ! -f "${data}/.postgres-ready" ]; then
      log "creating a private PostgreSQL cluster in ${pg_data} (once)"
      rm -rf "$pg_data"
      mkdir -p "$pg_data"
      if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_data"; fi
      "${as_pg[@]}" "${pg_bin}/initdb" -D "$pg_data" --auth=trust --username=bench --encoding=UTF8 \
        --no-locale >"${out}/postgres-initdb.log" 2>&1
    fi
    # Durability is off (a benchmark cluster, rebuilt from the CSV files at will); memory
    # settings let hash joins and aggregates run in memory as DuckDB's do.
    "${as_pg[@]}" "${pg_bin}/pg_ctl" -D "$pg_data" -w -l "${pg_data}/server.log" \
      -o "-k ${pg_socket} -c listen_addresses= -p 5432 -c shared_buffers=1GB -c work_mem=256MB \
          -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
          -c max_parallel_workers_per_gather=2" start >/dev/null
    pg_psql=("${as_pg[@]}" "${pg_bin}/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$pg_socket" -p 5432
             -U bench -d postgres)
    if [ ! -f "${data}/.postgres-ready" ]; then
      log "loading the workload into PostgreSQL with COPY (once)"
      { echo "SET client_min_messages = warning;"; "$direct" ddl postgres; } |
        "${pg_psql[@]}" >/dev/null
      for t in customers impressions conversions; do
        "${pg_psql[@]}" -c "COPY ${t} FROM STDIN WITH (FORMAT csv, HEADER true)" \
          <"${data}/${t}.csv"
      done
      "${pg_psql[@]}" -c "VACUUM ANALYZE" >/dev/null
      touch "${data}/.postgres-ready"
    fi
    log "postgres (${peer_runs} runs per query, statement timeout ${timeout_s} s)"
    for name in "${names[@]}"; do
      postgres_ms[$name]="$(run_peer postgres "$name" "${pg_psql[@]}" \
        -c "SET statement_timeout = '${timeout_s}s'" -f -)"
      [[ "${postgres_ms[$name]}" =~ ^[0-9] ]] &&
        note_rows "$name" postgres "$(wc -l <"${out}/postgres-${name}.out")"
    done
    pg_stop
    pg_socket=""
  fi
fi

# --- the table --------------------------------------------------------------------------------
ratio() {  # ratio VALUE BASE
  if [[ "$1" =~ ^[0-9.]+$ ]] && [[ "$2" =~ ^[0-9.]+$ ]] && [ "$2" != "0.0" ]; then
    awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'
  else
    echo "-"
  fi
}
{
  echo "# Engine benchmark: ${scale} customers, seed ${seed}, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# medians in ms (front end in us); cleanroom and duckdb-same-conn: ${runs} runs in one"
  echo "# process; cli: ${cli_runs} runs of 'cleanroom sql' incl. start and load; sqlite and"
  echo "# postgres: ${peer_runs} runs each; ratios against duckdb direct (cleanroom: against the"
  echo "# hand-written query on the same connection)"
  printf "%-24s %8s %9s %10s %10s %6s %5s %10s %10s %12s %7s %12s %7s\n" \
    query rows front_us cleanroom duck_same ratio same duckdb cli sqlite x postgres x
  for name in "${names[@]}"; do
    printf "%-24s %8s %9s %10s %10s %6s %5s %10s %10s %12s %7s %12s %7s\n" \
      "$name" "${rows[$name]:--}" "${frontend_us[$name]}" "${compiled_ms[$name]}" \
      "${handwritten_ms[$name]}" "$(ratio "${compiled_ms[$name]}" "${handwritten_ms[$name]}")" \
      "${match[$name]}" "${direct_ms[$name]}" "${cli_ms[$name]}" \
      "${sqlite_ms[$name]}" "$(ratio "${sqlite_ms[$name]}" "${direct_ms[$name]}")" \
      "${postgres_ms[$name]}" "$(ratio "${postgres_ms[$name]}" "${direct_ms[$name]}")"
  done
} | tee "${out}/summary.txt"
log "raw outputs in ${out}"
for name in "${names[@]}"; do
  if [[ "${rows[$name]}" == *"!"* ]]; then log "row counts differ for ${name}: ${rows[$name]}"; fi
  if [ "${match[$name]}" = no ]; then log "cleanroom and hand-written DuckDB disagree on ${name}"; fi
done
exit 0
