#!/usr/bin/env bash
# Property-based HTTP tests from the OpenAPI document: schemathesis (from PyPI, in a
# virtual environment under target/) generates requests for every route and
# parameter of web/openapi.json against a real server on the shipped archive; any
# 5xx answer fails the run. Deterministic (a fixed seed), about two minutes.
#
#   scripts/schemathesis.sh [EXAMPLES=20]
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${1:-20}
BIN=${PROTOKOLLSOK_BIN:-target/release/protokollsok}
venv=target/schemathesis-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
cp -r corpus "$work/corpus"
"$BIN" serve --addr 127.0.0.1:0 --corpus "$work/corpus" --index "$work/index" > "$work/out" 2>/dev/null &
server=$!
for _ in $(seq 600); do grep -q "http://" "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/out" | head -1)
[ -n "$url" ] || { echo "schemathesis: the server did not start" >&2; exit 1; }
root=$(pwd)
cd "$work"  # schemathesis keeps a cache in the folder it runs in
"$root/$venv/bin/schemathesis" run "$url/api/openapi.json" --url "$url" \
  --checks not_a_server_error -n "$EXAMPLES" --seed 1 --workers 1 --request-timeout 20 \
  --no-color > "$work/report" 2>&1 || { tail -60 "$work/report"; exit 1; }
grep -E "generated|passed|failed" "$work/report" | tail -3
# Warnings (routes it could not reach with valid data, say) are shown, not failed.
sed -n '/^Warnings:/,/^$/p' "$work/report"
