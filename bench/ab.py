#!/usr/bin/env python3
"""Interleaved A/B of running servers over the bench mix: every request goes to
each server in turn, so that both see the same machine load.

    python3 bench/ab.py --server 127.0.0.1:8391 --server 127.0.0.1:8392 [--pid P --pid Q]
                        [--rounds 10] [--param facet_limit=0]

Start the servers on one index, e.g.
`protokollsok serve --addr 127.0.0.1:8391 --index IDX --corpus CORPUS --watch 0`.
Prints the p50 and minimum per query class and server, then each server's median,
p95, p99 and (with --pid) CPU milliseconds per request.
"""
import argparse
import http.client
import os
import statistics
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", action="append", required=True, help="host:port")
    ap.add_argument("--pid", action="append", type=int, default=[], help="server process, for CPU time")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--param", action="append", default=[], help="extra query parameter k=v")
    args = ap.parse_args()
    extra = dict(p.split("=", 1) for p in args.param)
    conns = []
    for s in args.server:
        host, port = s.rsplit(":", 1)
        conns.append(http.client.HTTPConnection(host, int(port), timeout=60))
    paths = [(cls, "/api/search?" + urllib.parse.urlencode(dict(q=q, limit="10", **f, **extra)))
             for cls, q, f in bench.mix()]

    def get(conn, path):
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            sys.exit(f"{path}: {r.status} {body[:200]!r}")

    for _ in range(2):  # warm-up
        for _, p in paths:
            for c in conns:
                get(c, p)
    per_class = [dict() for _ in conns]
    every = [[] for _ in conns]
    before = [cpu_ms(p) for p in args.pid]
    for _ in range(args.rounds):
        for cls, p in paths:
            for k, c in enumerate(conns):
                t = time.perf_counter()
                get(c, p)
                ms = (time.perf_counter() - t) * 1000
                per_class[k].setdefault(cls, []).append(ms)
                every[k].append(ms)
    after = [cpu_ms(p) for p in args.pid]
    print(f"{'class':34s}" + "".join(f"{s + ' p50/min':>26s}" for s in args.server))
    for cls in per_class[0]:
        print(f"{cls:34s}" + "".join(f"{statistics.median(v[cls]):13.2f}{min(v[cls]):13.2f}" for v in per_class))
    for k, s in enumerate(args.server):
        v = sorted(every[k])
        n = len(v)
        line = f"{s}: median {statistics.median(v):.2f} p95 {v[int(0.95 * (n - 1))]:.2f} p99 {v[int(0.99 * (n - 1))]:.2f} ms"
        if k < len(after):
            line += f", CPU {(after[k] - before[k]) / n:.2f} ms per request"
        print(line)


if __name__ == "__main__":
    main()
