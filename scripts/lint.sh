#!/usr/bin/env bash
# `make lint`: clang-format and clang-tidy (.clang-format, .clang-tidy) over cleanroom's own C++.
#
#   scripts/lint.sh [--format-only | --changed [REF] | --units FILE] [--list] [BUILD_DIR]
#
# 1. clang-format --dry-run -Werror over every git-tracked C++ file outside third_party/.
# 2. clang-tidy (the checks in .clang-tidy, warnings are errors) over every translation unit in
#    BUILD_DIR/compile_commands.json (default: build; a configured build dir is enough, nothing
#    needs to be compiled) plus the fuzz targets, which are only compiled in a clang build: they
#    get the compile command of a library source. Headers are checked through the units that
#    include them.
#
# --changed [REF] limits clang-tidy to the units changed since the merge base with REF (default
# origin/main, else main) and, for a changed header, one unit that includes it; on main itself,
# to the changes its last commit brought (first parent). CI runs this (docs/lint.md says why); a
# whole-tree run takes about 17 minutes of a 2-core machine.
# --units FILE limits clang-tidy to the units FILE lists, one path a line relative to the root
# (`--list` output of a whole-tree run, split into parts: a loaded machine checks it in pieces).
# --list prints the units clang-tidy would check and stops.
# JOBS (default: nproc) sets how many clang-tidy processes run at once.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${root}"

mode=all
list_only=0
ref=""
build=build
while [ $# -gt 0 ]; do
  case "$1" in
    --format-only) mode=format ;;
    --list) list_only=1 ;;
    --changed)
      mode=changed
      if [ $# -gt 1 ] && [[ "$2" != -* ]] && git rev-parse -q --verify "$2^{commit}" >/dev/null; then
        ref="$2"
        shift
      fi
      ;;
    --units)
      if [ $# -lt 2 ] || [ ! -f "$2" ]; then
        echo "lint: --units needs a file listing the units" >&2
        exit 2
      fi
      mode=units
      units_list="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
      shift
      ;;
    -h | --help)
      sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "lint: unknown option $1" >&2
      exit 2
      ;;
    *) build="$1" ;;
  esac
  shift
done
jobs="${JOBS:-$(nproc)}"

for tool in clang-format clang-tidy run-clang-tidy python3; do
  if ! command -v "${tool}" >/dev/null 2>&1; then
    echo "lint: ${tool} not found (scripts/install-deps.sh installs it)" >&2
    exit 1
  fi
done

# --- 1. Format -----------------------------------------------------------------------------
cxx_patterns=('*.cc' '*.h' '*.cpp' '*.hpp' '*.c')
if [ "${list_only}" = 0 ]; then
  mapfile -t cxx_files < <(git ls-files -- "${cxx_patterns[@]}" ':!:third_party/**')
  echo "lint: clang-format over ${#cxx_files[@]} files"
  if ! printf '%s\0' "${cxx_files[@]}" | xargs -0 -n 50 -P "${jobs}" clang-format --dry-run -Werror
  then
    echo "lint: files above are not clang-formatted (make format fixes them)" >&2
    exit 1
  fi
fi
[ "${mode}" = format ] && exit 0

# --- 2. Tidy -------------------------------------------------------------------------------
db="${build}/compile_commands.json"
if [ ! -f "${db}" ]; then
  echo "lint: ${db} not found: configure first (make lint does)" >&2
  exit 1
fi

# HeaderFilterRegex must take every header of ours and never DuckDB's, wherever the clone is.
filter="$(sed -n "s/^HeaderFilterRegex: *'\(.*\)'$/\1/p" .clang-tidy)"
while IFS= read -r header; do
  if ! grep -qE -- "${filter}" <<<"${root}/${header}"; then
    echo "lint: .clang-tidy HeaderFilterRegex does not take ${header}" >&2
    exit 1
  fi
done < <(git ls-files -- 'src/*.h' 'bench/*.h' 'fuzz/*.h' 'test/*.h')
if grep -qE -- "${filter}" <<<"${root}/third_party/duckdb/include/duckdb.h"; then
  echo "lint: .clang-tidy HeaderFilterRegex takes DuckDB's header" >&2
  exit 1
fi

# The units to check, one absolute path a line: everything, or what changed.
units_file="$(mktemp)"
tidy_dir="$(mktemp -d)"
trap 'rm -rf "${units_file}" "${tidy_dir}"' EXIT
if [ "${mode}" = changed ]; then
  if [ -z "${ref}" ]; then
    for candidate in origin/main main; do
      if git rev-parse -q --verify "${candidate}^{commit}" >/dev/null; then
        ref="${candidate}"
        break
      fi
    done
  fi
  base=""
  [ -n "${ref}" ] && base="$(git merge-base HEAD "${ref}" 2>/dev/null || true)"
  if [ -n "${base}" ] && [ "${base}" = "$(git rev-parse HEAD)" ]; then
    base="$(git rev-parse -q --verify 'HEAD^1^{commit}' || true)"
  fi
  if [ -z "${base}" ]; then
    echo "lint: no merge base to compare with (shallow clone?): checking the whole tree"
    mode=all
  else
    echo "lint: clang-tidy over what changed since $(git rev-parse --short "${base}")"
    git diff --name-only --diff-filter=d "${base}" -- "${cxx_patterns[@]}" ':!:third_party/**' \
      >"${tidy_dir}/changed"
    # A changed header is checked through one unit that includes it (its own .cc when there
    # is one): clang-tidy reports a header's findings through any unit. Findings a header
    # change causes in the units that use it are left to the whole-tree run (make lint).
    while IFS= read -r path; do
      case "${path}" in
        *.h | *.hpp)
          own="${path%.*}.cc"
          if [ -f "${own}" ]; then
            echo "${own}"
          else
            case "${path}" in
              src/*) included="${path#src/}" where=(src bench fuzz) ;;
              *) included="$(basename "${path}")" where=("$(dirname "${path}")") ;;
            esac
            grep -rlF --include='*.cc' --include='*.cpp' -e "\"${included}\"" "${where[@]}" \
              2>/dev/null | sort | head -n 1 || true
          fi
          ;;
        *) echo "${path}" ;;
      esac
    done <"${tidy_dir}/changed" | sort -u | sed "s|^|${root}/|" >"${units_file}"
  fi
fi
if [ "${mode}" = units ]; then
  # Relative paths are the root's; a unit that is not one of ours fails rather than passes.
  while IFS= read -r path; do
    [ -n "${path}" ] || continue
    path="${path#"${root}/"}"
    if ! git ls-files --error-unmatch -- "${path}" >/dev/null 2>&1; then
      echo "lint: --units: ${path} is not a tracked file" >&2
      exit 2
    fi
    echo "${root}/${path}"
  done <"${units_list}" >"${units_file}"
fi
if [ "${mode}" = all ]; then
  git ls-files -- 'src/*.cc' 'bench/*.cc' 'fuzz/*.cc' 'test/*.cc' 'src/*.cpp' 'bench/*.cpp' \
    | sed "s|^|${root}/|" >"${units_file}"
fi

# A compile database of exactly those units: the build's entries, and for units the build does
# not compile (the fuzz targets) the command of a library source with the file swapped in.
python3 - "${db}" "${units_file}" "${tidy_dir}/compile_commands.json" <<'PY'
import json, os, sys
db_path, units_path, out_path = sys.argv[1:]
entries = json.load(open(db_path))
by_file = {os.path.realpath(os.path.join(e["directory"], e["file"])): e for e in entries}
units = [os.path.realpath(u) for u in open(units_path).read().split() if os.path.exists(u)]
# The library source with the most include paths (DuckDB's among them) lends its command.
libraries = [e for f, e in sorted(by_file.items()) if "/src/" in f and "/tests/" not in f]
template = max(libraries or entries, key=lambda e: e["command"].count(" -I") + e["command"].count(" -isystem"))
out = []
for unit in units:
    entry = by_file.get(unit)
    if entry is None:
        if "/fuzz/" not in unit:
            continue  # e.g. a unit of an optional target this build does not configure
        entry = dict(template)
        command = template["command"].split()
        command = [c for c in command if not c.endswith(template["file"]) and c != "-o"
                   and not c.endswith(".o")]
        entry["command"] = " ".join(command + [unit])
        entry["file"] = unit
    out.append(entry)
json.dump(out, open(out_path, "w"), indent=1)
PY
count="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' \
  "${tidy_dir}/compile_commands.json")"
if [ "${list_only}" = 1 ]; then
  python3 -c 'import json,sys; print("\n".join(e["file"] for e in json.load(open(sys.argv[1]))))' \
    "${tidy_dir}/compile_commands.json"
  exit 0
fi
if [ "${count}" = 0 ]; then
  echo "lint: no translation unit to check"
  exit 0
fi
echo "lint: clang-tidy over ${count} translation units (${jobs} at once)"
# run-clang-tidy prints each unit's command line and how many (filtered-out) warnings it
# generated, after the colour reset that ends the unit's last finding; keep only what
# clang-tidy says. Line by line (sed -u), so findings show as units finish, not when a whole-tree
# run ends.
esc=$'\e'
set +e
run-clang-tidy -p "${tidy_dir}" -j "${jobs}" -quiet 2>&1 \
  | sed -u -E -e '/^(\/usr\/bin\/)?clang-tidy(-[0-9]+)? |^Running clang-tidy/d' \
    -e "s/^((${esc}\[[0-9;]*m)*)[0-9]+ warnings? (and [0-9]+ errors? )?generated\.?$/\1/" \
    -e '/^$/d'
status=${PIPESTATUS[0]}
set -e
if [ "${status}" -ne 0 ]; then
  echo "lint: clang-tidy found problems (see above)" >&2
  exit 1
fi
echo "lint: clean"
