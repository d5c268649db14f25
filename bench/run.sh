#!/usr/bin/env bash
# Benchmarks protokollsok against plain tantivy, SQLite FTS5 and PostgreSQL full-text
# search on a generated archive.
#   bench/run.sh [--docs N] [--seconds S]
# Generated corpora and indexes go under target/bench/ (never into git). Prints a
# Markdown report; see bench/REPORT.md for the committed results.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin protokollsok --example plain_tantivy
if ! command -v wrk >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null) || true
fi
# PostgreSQL: Debian's server package; bench.py finds initdb/pg_ctl/psql on PATH or
# under /usr/lib/postgresql/*/bin and runs a private cluster in target/bench/.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
   && [ "$(id -u)" = "0" ]; then
  apt-get install -y -qq postgresql >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null) || true
fi
exec python3 bench/bench.py "$@"
