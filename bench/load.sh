#!/usr/bin/env bash
# Load against a live server while its corpus changes: wrk (Debian's package) at
# CONNECTIONS connections for SECONDS seconds over a mix of searches, while a file is
# added to the watched corpus every second. Prints requests/s, latency p50/p99, errors
# (non-2xx and socket errors), the server's RSS after warm-up, at its peak and once
# quiet after the load, and whether every added file was found; exits 1 on any error,
# a file never found, or memory not handed back (over 1.5× the warmed-up RSS + 16 MiB).
#
#   bench/load.sh [SECONDS=60] [CONNECTIONS=32] [CORPUS=corpus]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-60}
CONNS=${2:-32}
SRC=${3:-corpus}
BIN=${PROTOKOLLSOK_BIN:-target/release/protokollsok}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)"; exit 2; }
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
cp -r "$SRC" "$work/corpus"
"$BIN" serve --addr 127.0.0.1:0 --watch 1 --corpus "$work/corpus" --index "$work/index" > "$work/out" 2>/dev/null &
server=$!
for _ in $(seq 600); do grep -q "http://" "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*/' "$work/out" | head -1)
cat > "$work/mix.lua" <<'LUA'
local paths = {
  "/api/search?q=IKB+finansiering", "/api/search?q=samverkan&group=Ledningsgrupp",
  "/api/search?q=psyk*", "/api/search?q=%22barn+och+unga%22", "/api/search?q=suicidprevnetion",
  "/api/trend?q=samverkan&interval=month", "/api/search?q=", "/api/facets", "/api/health",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
  io.write(string.format("requests/s %.0f, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
LUA
peak=0
sample() { local kb; kb=$(awk '/VmRSS/ {print $2}' "/proc/$server/status" 2>/dev/null || echo 0); [ "$kb" -gt "$peak" ] && peak=$kb; echo "$kb"; }
# Warm up, then the RSS after warm-up is the base.
wrk -t2 -c"$CONNS" -d3s -s "$work/mix.lua" "$url" > /dev/null
base=$(sample)
( for k in $(seq "$SECONDS_RUN"); do
    sed "s/Kalmar/Lastort$k/" "$SRC"/$(ls "$SRC" | grep '\.txt$' | head -1) > "$work/corpus/added_$k.txt"
    sleep 1
  done ) &
adder=$!
( while kill -0 "$adder" 2>/dev/null; do sample >> "$work/rss"; sleep 0.5; done; echo "$peak" > "$work/peak" ) &
sampler=$!
wrk -t2 -c"$CONNS" -d"${SECONDS_RUN}s" --timeout 10s -s "$work/mix.lua" "$url" | tail -2 | tee "$work/wrk"
wait "$adder"; wait "$sampler"
sleep 3
found=0
for k in $(seq "$SECONDS_RUN"); do
  curl -s "${url}api/search?q=Lastort$k" | grep -q '"total":0' || found=$((found + 1))
done
# Quiet for a moment: the server hands the burst's memory back.
sleep 4
end=$(sample)
echo "added files found: $found of $SECONDS_RUN"
# The RSS over the load, its highest in each tenth of the run (MiB): flat, or growing.
awk '{ v[NR] = $1 } END { n = NR; out = "server RSS over the load (max per tenth):";
  for (k = 0; k < 10; k++) { m = 0; for (i = int(k * n / 10) + 1; i <= int((k + 1) * n / 10); i++) if (v[i] > m) m = v[i];
    out = out " " int(m / 1024) } print out }' "$work/rss"
echo "server RSS: after warm-up $((base / 1024)) MiB, peak $(( $(cat "$work/peak") / 1024 )) MiB, 4 s after the load $((end / 1024)) MiB"
# Fails on any error and on an added file the server never found.
if ! grep -q "errors non2xx=0 connect=0 read=0 write=0 timeout=0" "$work/wrk"; then
  echo "load: requests failed" >&2
  exit 1
fi
if [ "$found" -ne "$SECONDS_RUN" ]; then
  echo "load: $((SECONDS_RUN - found)) added files were never found" >&2
  exit 1
fi
# Memory after the load is back near the warmed-up level (the corpus grew a little).
if [ "$end" -gt $((base * 3 / 2 + 16384)) ]; then
  echo "load: memory not returned after the load ($((end / 1024)) MiB against $((base / 1024)) MiB)" >&2
  exit 1
fi
