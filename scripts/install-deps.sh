#!/usr/bin/env bash
# Installs everything cleanroom needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are left alone, DuckDB is fetched only once.
#
# DuckDB is pinned: the shared library with the full C API comes from the npm package
# @duckdb/node-bindings-linux-x64@1.5.6-r.1 (libduckdb.so) and the C header from the
# duckdb@1.4.4 source tarball (src/duckdb/src/include/duckdb.h; the C API is backward
# compatible). Both tarballs are checked against pinned SHA-512 integrity values.
# A system DuckDB (duckdb.h and libduckdb.so found by the compiler) is preferred.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
third_party="${root}/third_party/duckdb"

packages=(
  build-essential cmake ninja-build pkg-config git
  libssl-dev libzstd-dev libsnappy-dev liblz4-dev zlib1g-dev libbrotli-dev
  libsimdjson-dev nlohmann-json3-dev libcli11-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libxgboost-dev python3-xgboost  # ml: XGBoost's C API; Python's xgboost for the interop tests
  clang libclang-rt-14-dev clang-format clang-tidy
  sqlite3 postgresql postgresql-client
  python3 python3-cryptography  # /usr/bin/python3: the COSE interop test runs it, whatever python3 is first on PATH
  nodejs npm
  chromium  # the console's browser test (Playwright drives it headless)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# nodejs/npm may come from outside Debian's packages (e.g. a preinstalled toolchain).
if command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do
    [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p")
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || true
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The console's front end (web/) needs Node 18 or later (Debian 12's nodejs is 18).
if command -v node >/dev/null 2>&1; then
  node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "${node_major}" -lt 18 ]; then
    echo "install-deps: node $(node --version) is too old for web/ (18 or later)" >&2
    exit 1
  fi
fi

# --- DuckDB -------------------------------------------------------------------------------
system_duckdb() {
  # A system DuckDB counts only when both the header and the library are visible.
  [ -f /usr/include/duckdb.h ] || [ -f /usr/local/include/duckdb.h ] || return 1
  ldconfig -p 2>/dev/null | grep -q 'libduckdb\.so' || return 1
}

if system_duckdb; then
  echo "install-deps: using the system DuckDB"
  exit 0
fi

lib_pkg="@duckdb/node-bindings-linux-x64@1.5.6-r.1"
lib_tgz="duckdb-node-bindings-linux-x64-1.5.6-r.1.tgz"
lib_sri="sha512-IXcrZJE6kEqM0Z4wwdVnGBHX/frOS33VPNAwDXQ/Q+Fs84b058Qe94chrCCIcNJlG8Y3UHIUU4eBeCQxW5mN1Q=="
hdr_pkg="duckdb@1.4.4"
hdr_tgz="duckdb-1.4.4.tgz"
hdr_sri="sha512-hEJJ5hyVF0VLj3dmOLpsWrQR0b3d4Ykqtygm6iUXjHJDDnSqg/USKxcb5qvNrOhFYPgktayU6dXCtgPqcmmpog=="
stamp="${third_party}/.installed-1.5.6-r.1+1.4.4"

if [ -f "$stamp" ] && [ -f "${third_party}/lib/libduckdb.so" ] && [ -f "${third_party}/include/duckdb.h" ]; then
  exit 0
fi

sri_of() { # prints the npm-style SRI (sha512-base64) of a file
  echo "sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "${third_party}"
cache="${third_party}/download"
mkdir -p "$cache"

fetch() { # fetch PKG TGZ SRI
  local pkg="$1" tgz="$2" sri="$3"
  if [ ! -f "${cache}/${tgz}" ] || [ "$(sri_of "${cache}/${tgz}")" != "$sri" ]; then
    echo "install-deps: fetching ${pkg} from the npm registry"
    (cd "$work" && npm pack "$pkg" --silent >/dev/null)
    mv "${work}/${tgz}" "${cache}/${tgz}.part"
    if [ "$(sri_of "${cache}/${tgz}.part")" != "$sri" ]; then
      rm -f "${cache}/${tgz}.part"
      echo "install-deps: integrity check failed for ${pkg} (expected ${sri})" >&2
      exit 1
    fi
    mv "${cache}/${tgz}.part" "${cache}/${tgz}"
  fi
}

fetch "$lib_pkg" "$lib_tgz" "$lib_sri"
fetch "$hdr_pkg" "$hdr_tgz" "$hdr_sri"

mkdir -p "${work}/lib" "${work}/hdr" "${third_party}/lib" "${third_party}/include"
tar -xzf "${cache}/${lib_tgz}" -C "${work}/lib" package/libduckdb.so
tar -xzf "${cache}/${hdr_tgz}" -C "${work}/hdr" package/src/duckdb/src/include/duckdb.h
install -m 0755 "${work}/lib/package/libduckdb.so" "${third_party}/lib/libduckdb.so"
install -m 0644 "${work}/hdr/package/src/duckdb/src/include/duckdb.h" "${third_party}/include/duckdb.h"
touch "$stamp"
echo "install-deps: DuckDB 1.5.6 (C API header 1.4.4) in ${third_party}"
