#!/usr/bin/env bash
# The console in a real browser (issue 20): a three-party collaboration on loopback, set up with
# the CLI (governance serve, runtime serve, datasets published, a query proposed), then
# Playwright driving Debian's chromium headless through the members' consoles
# (console_browser_test.mjs). Screenshots go to $CONSOLE_SCREENSHOTS, an absolute path (default:
# a scratch folder; `CONSOLE_SCREENSHOTS=$PWD/docs/console` refreshes the docs' pictures).
# usage: console_browser_test.sh CLEANROOM_BINARY WEB_ROOT
set -euo pipefail
bin="${1:?usage: console_browser_test.sh CLEANROOM_BINARY WEB_ROOT}"
web_root="${2:?usage: console_browser_test.sh CLEANROOM_BINARY WEB_ROOT}"
here="$(cd "$(dirname "$0")" && pwd)"
chromium="${CHROMIUM:-$(command -v chromium || true)}"
[ -x "$chromium" ] || { echo "FAIL: Debian's chromium is not installed (scripts/install-deps.sh)"; exit 1; }
[ -f "${web_root}/index.html" ] || { echo "FAIL: the web app is not built in ${web_root}"; exit 1; }
[ -d "${here}/../node_modules/playwright-core" ] || { echo "FAIL: npm ci has not run in web/"; exit 1; }

log() { echo "console_browser_test: $*" >&2; }

. "${here}/../../test/cli/three_parties.sh"

# --- the consoles of the publisher (approver, owner) and the agency (recipient) --------------
# Never on an address other machines reach: refused before anything connects.
if out="$("$bin" console --identity "${work}/publisher" --listen 0.0.0.0:0 --web-root "$web_root" 2>&1)"; then
  echo "FAIL: console --listen 0.0.0.0:0 started"; exit 1
fi
grep -q "loopback only" <<<"$out" || { echo "FAIL: console --listen 0.0.0.0: $out"; exit 1; }
for who in publisher agency; do
  "$bin" console --identity "${work}/${who}" --listen 127.0.0.1:0 --storage "$storage" \
    --web-root "$web_root" >"${work}/console-${who}.log" 2>&1 &
  pids+=($!)
  wait_for_line "${work}/console-${who}.log" "/login?token="
done
export PUBLISHER_LOGIN="$(grep -o 'http://[^ ]*/login?token=[0-9a-f]*' "${work}/console-publisher.log")"
export AGENCY_LOGIN="$(grep -o 'http://[^ ]*/login?token=[0-9a-f]*' "${work}/console-agency.log")"
export CLEANROOM="$bin" WORK="$work" STORAGE="$storage" CHROMIUM="$chromium"
export SCREENSHOTS="${CONSOLE_SCREENSHOTS:-${work}/screenshots}"
mkdir -p "$SCREENSHOTS"
log "governance ${url}; consoles started; driving chromium"
node "${here}/console_browser_test.mjs"
