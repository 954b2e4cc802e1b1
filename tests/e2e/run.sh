#!/usr/bin/env bash
# End-to-end in a real browser: starts the built server on a fresh SQLite database (no demo
# content), creates the first administrator, and drives Debian's headless Chromium through the
# whole flow (flow.mjs) at 1280 px and 390 px. Screenshots land in target/e2e/.
# Needs: chromium (apt), node + npm; builds nothing — pass the binary (default target/debug/techmarket).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/target/debug/techmarket}"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
cd "$root/tests/e2e"
out="$root/target/e2e"
rm -rf "$out" && mkdir -p "$out"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export TECHMARKET_DATABASE_URL="sqlite://${work}/techmarket.db?mode=rwc"
export TECHMARKET_DATA_DIR="${work}/data" TECHMARKET_INDEX_DIR="${work}/index"
export TECHMARKET_DEMO_CONTENT=false TECHMARKET_PORT="$port" TECHMARKET_LOG=warn
admin_login="13900000000"
admin_password="e2e-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$admin_password" | "$bin" admin create --name 端到端管理员 --login "$admin_login" --password-stdin >/dev/null
"$bin" serve >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:${port}/api/v1/health" >/dev/null && break
  sleep 0.1
done
E2E_BASE="http://127.0.0.1:${port}" E2E_ADMIN_LOGIN="$admin_login" E2E_ADMIN_PASSWORD="$admin_password" \
  E2E_OUT="$out" node flow.mjs
