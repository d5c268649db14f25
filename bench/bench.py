#!/usr/bin/env python3
"""Benchmark protokollsok against plain tantivy, SQLite FTS5 and PostgreSQL on one generated archive.

Usage: python3 bench/bench.py --docs N [--work DIR] [--report FILE] [--seconds S]

Everything is measured in the same run and on the same files, so the ratios are the
headline (absolute times on shared machines vary from run to run):

  * our engine: full index (wall, MB/s, protocols/s, items/s, peak RSS, index size),
    incremental index after touching 1 file and after adding 100 files, a served
    index following its corpus (one file added, changed, deleted), one-shot CLI
    search latency, query latency inside a running server (p50/p95/p99 over a fixed
    mix with facets and snippets), HTTP throughput for the mix (wrk, 16 connections),
    server RSS after the run;
  * plain tantivy (examples/plain_tantivy.rs): each file one document, Swedish stemming;
  * SQLite FTS5 (python's sqlite3, unicode61, bm25, snippet());
  * PostgreSQL full-text search (a private cluster of the installed server: one row per
    file, STORED generated to_tsvector('swedish', body), GIN, websearch_to_tsquery and
    ts_rank; loaded with COPY, queries timed with psql's \\timing on one connection).

It prints a Markdown report and writes it to --report (default bench/REPORT-<N>.md).
"""
import argparse
import csv
import glob
import http.client
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "protokollsok")
PLAIN = os.path.join(ROOT, "target", "release", "examples", "plain_tantivy")

# The query mix: (class, query). Each runs without filters and with a group filter;
# a few also with a person or a date range.
QUERIES = [
    ("frequent word", "samverkan"),
    ("frequent word", "vård"),
    ("rare word", "sprututbytet"),
    ("rare word", "barnförhör"),
    ("two-word AND", "IKB finansiering"),
    ("two-word AND", "palliativ vård"),
    ("two-word AND", "suicidprevention handlingsplan"),
    ("phrase", '"barn och unga"'),
    ("phrase", '"nära vård"'),
    ("prefix", "suicid*"),
    ("prefix", "kompetens*"),
    ("compound part", "mottagning"),
    ("compound part", "brottslighet"),
    ("typo", "samverkn"),
    ("typo", "palliatv"),
    ("frequent word", "beslut"),
]
GROUP = "Länsgemensam ledning i samverkan"


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def memory_kinds(pid):
    """(anonymous, file-backed) resident MiB of a process: the heap, and the pages of
    mapped files (an index's segments) it has touched, which the kernel can drop."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            st = fh.read()
    except OSError:
        return None
    anon = re.search(r"RssAnon:\s+(\d+) kB", st)
    file_ = re.search(r"RssFile:\s+(\d+) kB", st)
    if not anon or not file_:
        return None
    return int(anon.group(1)) / 1024, int(file_.group(1)) / 1024


def timed(cmd, kinds=None):
    """Runs cmd under /usr/bin/time -v; returns (seconds, peak RSS MiB, stdout). With
    `kinds` (a dict), also samples the command's anonymous and file-backed RSS every
    half second and puts their peaks there."""
    t = time.perf_counter()
    p = subprocess.Popen(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks = [0.0, 0.0]
    if kinds is not None:
        stop = threading.Event()

        def sample():
            child = None
            while not stop.wait(0.5):
                if child is None:
                    try:
                        with open(f"/proc/{p.pid}/task/{p.pid}/children") as fh:
                            ids = fh.read().split()
                        child = int(ids[0]) if ids else None
                    except OSError:
                        pass
                    continue
                m = memory_kinds(child)
                if m:
                    peaks[0], peaks[1] = max(peaks[0], m[0]), max(peaks[1], m[1])

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    out, err = p.communicate()
    secs = time.perf_counter() - t
    if kinds is not None:
        stop.set()
        sampler.join()
        kinds.update(anon_peak_mib=peaks[0], file_peak_mib=peaks[1])
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err[-2000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    rss = int(m.group(1)) / 1024 if m else float("nan")
    return secs, rss, out


def du(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            fp = os.path.join(dirpath, f)
            if not os.path.islink(fp):
                total += os.path.getsize(fp)
    return total


def corpus_files(corpus):
    out = []
    for dirpath, _, files in os.walk(corpus):
        for f in files:
            if f.endswith((".txt", ".md")):
                out.append(os.path.join(dirpath, f))
    return sorted(out)


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round((len(v) - 1) * p)))]


def mix():
    """The request mix: (class, query, filters)."""
    out = []
    for cls, q in QUERIES:
        out.append((cls, q, {}))
        out.append((cls + " + group", q, {"group": GROUP}))
    out.append(("two-word AND + date", "palliativ vård", {"from": "2020-01-01", "to": "2022-12-31"}))
    out.append(("frequent word + date", "samverkan", {"from": "2024-01-01"}))
    out.append(("frequent word + decisions", "samverkan", {"decisions": "true"}))
    return out


def bench_engine(corpus, work, seconds, report, keep=lambda: None):
    index = os.path.join(work, "index")
    shutil.rmtree(index, ignore_errors=True)
    kinds = {}
    secs, rss, out = timed([BIN, "index", "--corpus", corpus, "--index", index], kinds)
    m = re.search(r"indexed (\d+) files \((\d+) items\)", out)
    files, items = int(m.group(1)), int(m.group(2))
    size = du(corpus)
    isize = du(index)
    report["engine_index"] = dict(seconds=secs, rss_mib=rss, files=files, items=items,
                                  corpus_bytes=size, index_bytes=isize, **kinds)
    keep()

    # Incremental: touch one file (its content changes), then add 100 files.
    listed = corpus_files(corpus)
    victim = listed[len(listed) // 2]
    with open(victim, "a", encoding="utf-8") as fh:
        fh.write("\nTillägg för mätning.\n")
    secs1, _, out1 = timed([BIN, "index", "--corpus", corpus, "--index", index])
    extra = os.path.join(corpus, "extra")
    sh([sys.executable, os.path.join(ROOT, "tools", "gen_corpus.py"), "--out", extra, "--docs", "100", "--seed", "4242"])
    os.remove(os.path.join(extra, "truth.jsonl"))
    secs100, _, out100 = timed([BIN, "index", "--corpus", corpus, "--index", index])
    secs0, _, _ = timed([BIN, "index", "--corpus", corpus, "--index", index])
    # The same file changed again, and named: what a script that knows it does.
    with open(victim, "a", encoding="utf-8") as fh:
        fh.write("\nEtt andra tillägg.\n")
    secs_named, _, out_named = timed([BIN, "index", "--corpus", corpus, "--index", index, victim])
    # A file added beside it and named, then a one-shot search: its look reads the
    # one folder the new file moved, not the corpus.
    added = os.path.join(os.path.dirname(victim), "bench_named_probe.txt")
    shutil.copyfile(listed[0], added)
    secs_added, _, _ = timed([BIN, "index", "--corpus", corpus, "--index", index, added])
    secs_search, _, _ = timed([BIN, "search", "samverkan", "--index", index, "--corpus", corpus, "--limit", "1"])
    report["engine_incremental"] = dict(touch1_seconds=secs1, add100_seconds=secs100, nothing_seconds=secs0,
                                        touch1_named_seconds=secs_named, add1_named_seconds=secs_added,
                                        search_after_named_seconds=secs_search,
                                        touch1_report=out1.strip().splitlines()[-1],
                                        add100_report=out100.strip().splitlines()[-1],
                                        touch1_named_report=out_named.strip().splitlines()[-1])
    keep()

    # One-shot CLI searches (process start to exit), index already current.
    cli = []
    for _, q, f in mix()[:12]:
        args = [BIN, "search", q, "--index", index, "--corpus", corpus, "--json", "--limit", "10"]
        for k, v in f.items():
            args += ["--decisions"] if k == "decisions" else [f"--{k}", v]
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(args, capture_output=True)
            cli.append((time.perf_counter() - t) * 1000)
    report["engine_cli_ms"] = dict(p50=pct(cli, 0.5), p95=pct(cli, 0.95), max=max(cli))

    # The server: latency per request over a persistent connection, then throughput.
    srv = subprocess.Popen([BIN, "serve", "--addr", "127.0.0.1:0", "--index", index, "--corpus", corpus],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = srv.stdout.readline()
        addr = re.search(r"http://([\d.]+:\d+)/", line).group(1)
        host, port = addr.split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        paths = []
        for cls, q, f in mix():
            params = dict(q=q, limit="10", **f)
            paths.append((cls, "/api/search?" + urllib.parse.urlencode(params)))
        per_class = {}
        lat = []
        for _ in range(2):  # warm-up round
            for _, p in paths:
                conn.request("GET", p)
                conn.getresponse().read()
        for _ in range(10):
            for cls, p in paths:
                t = time.perf_counter()
                conn.request("GET", p)
                r = conn.getresponse()
                body = r.read()
                ms = (time.perf_counter() - t) * 1000
                if r.status != 200:
                    sys.exit(f"{p}: {r.status} {body[:200]}")
                lat.append(ms)
                per_class.setdefault(cls, []).append(ms)
        report["engine_server_ms"] = dict(p50=pct(lat, 0.5), p95=pct(lat, 0.95), p99=pct(lat, 0.99), requests=len(lat))
        report["engine_server_class_p50"] = {c: pct(v, 0.5) for c, v in per_class.items()}
        # Throughput under load, with the server's RSS sampled every second: memory
        # is flat when the last samples are no higher than those after warm-up.
        samples = []
        stop = threading.Event()

        def sample():
            while not stop.wait(1.0):
                rss = rss_mib(srv.pid)
                if rss is not None:
                    samples.append(rss)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        report["engine_http"] = wrk(addr, [p for _, p in paths], seconds, work)
        stop.set()
        sampler.join()
        report["engine_live"] = live_updates(corpus, host, int(port))
        report["engine_server_rss_mib"] = rss_mib(srv.pid)
        kinds = memory_kinds(srv.pid)
        if kinds:
            report["engine_server_rss_kinds"] = dict(anon_mib=kinds[0], file_mib=kinds[1])
        if samples:
            warm = samples[min(len(samples) - 1, max(1, len(samples) // 6))]
            report["engine_server_rss_load"] = dict(after_warmup=warm, peak=max(samples), end=samples[-1],
                                                    samples=len(samples))
    finally:
        srv.terminate()
        srv.wait()


LIVE_WORDS = ["Trumpetlunda", "Harpvikenby", "Lutasjöholm", "Cittrabacka", "Oboeudden", "Fagottmyra"]


def live_updates(corpus, host, port):
    """A server following its corpus: one file added, then changed, then deleted,
    three times; seconds from the write until a search sees it (the median)."""
    conn = http.client.HTTPConnection(host, port, timeout=900)

    def found(word):
        conn.request("GET", "/api/search?" + urllib.parse.urlencode(dict(q=word, limit="1")))
        r = conn.getresponse()
        body = json.loads(r.read())
        return body["total"] > 0 and not body.get("corrected")

    def until(cond):
        t = time.perf_counter()
        while not cond():
            if time.perf_counter() - t > 600:
                sys.exit("live update: not seen within 600 s")
            time.sleep(0.02)
        return time.perf_counter() - t

    base = open(corpus_files(corpus)[0], encoding="utf-8").read()
    path = os.path.join(corpus, "live_update_probe.txt")
    add, change, delete = [], [], []
    for k in range(3):
        first, second = LIVE_WORDS[2 * k], LIVE_WORDS[2 * k + 1]
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(base + f"\nÖvrigt: {first}.\n")
        add.append(until(lambda: found(first)))
        time.sleep(1)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(base + f"\nÖvrigt: {second}.\n")
        change.append(until(lambda: found(second)))
        time.sleep(1)
        os.remove(path)
        delete.append(until(lambda: not found(second)))
        time.sleep(1)
    conn.close()
    return dict(add_seconds=pct(add, 0.5), change_seconds=pct(change, 0.5), delete_seconds=pct(delete, 0.5))


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            m = re.search(r"VmRSS:\s+(\d+) kB", fh.read())
    except OSError:
        return None
    return int(m.group(1)) / 1024 if m else None


def wrk(addr, paths, seconds, work):
    if not shutil.which("wrk"):
        return None
    script = os.path.join(work, "mix.lua")
    with open(script, "w") as fh:
        fh.write("paths = {\n" + ",\n".join(json.dumps(p) for p in paths) + "\n}\n")
        fh.write("i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
    out = sh(["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", script, f"http://{addr}"]).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return dict(requests_per_second=rps, non_2xx=int(errors.group(1)) if errors else 0)


def bench_plain(corpus, work, report):
    index = os.path.join(work, "plain_index")
    shutil.rmtree(index, ignore_errors=True)
    secs, rss, out = timed([PLAIN, "index", corpus, index])
    inner = json.loads(out)
    report["plain_index"] = dict(seconds=secs, inner_seconds=inner["seconds"], files=inner["files"], rss_mib=rss, index_bytes=du(index))
    qfile = os.path.join(work, "plain_queries.txt")
    with open(qfile, "w") as fh:
        fh.write("\n".join(q for _, q in QUERIES) + "\n")
    _, _, out = timed([PLAIN, "query", index, qfile, "20"])
    report["plain_query_ms"] = json.loads(out)
    shutil.rmtree(index, ignore_errors=True)  # measured; the disk is for the next engine


def fts_query(q):
    """The user query in FTS5 syntax: words AND-ed, phrases kept, prefix kept."""
    q = q.replace("*", "")
    if q.startswith('"'):
        return q
    return " ".join('"' + w + '"' for w in q.split())


def bench_fts5(corpus, work, report):
    db = os.path.join(work, "fts5.sqlite")
    if os.path.exists(db):
        os.remove(db)
    t = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, body, tokenize='unicode61')")
    for p in corpus_files(corpus):
        with open(p, encoding="utf-8", errors="replace") as fh:
            con.execute("INSERT INTO docs VALUES (?, ?)", (p, fh.read()))
    con.commit()
    report["fts5_index"] = dict(seconds=time.perf_counter() - t, db_bytes=os.path.getsize(db))
    lat = []
    per_class = {}
    for _ in range(20):
        for cls, q in QUERIES:
            prefix = q.endswith("*")
            expr = fts_query(q) + ("*" if prefix else "")
            t = time.perf_counter()
            con.execute("SELECT path, snippet(docs, 1, '<mark>', '</mark>', '…', 20) FROM docs WHERE docs MATCH ? "
                        "ORDER BY bm25(docs) LIMIT 10", (expr,)).fetchall()
            ms = (time.perf_counter() - t) * 1000
            lat.append(ms)
            per_class.setdefault(cls, []).append(ms)
    report["fts5_query_ms"] = dict(p50=pct(lat, 0.5), p95=pct(lat, 0.95), p99=pct(lat, 0.99))
    report["fts5_class_p50"] = {c: pct(v, 0.5) for c, v in per_class.items()}
    con.close()
    os.remove(db)


# PostgreSQL full-text search, set up the way an IT department would: the distribution's
# server, one row per file, a STORED generated tsvector column (to_tsvector('swedish',
# body)), a GIN index, queries through websearch_to_tsquery and ts_rank. The cluster is
# private: initdb into the work dir, listening only on a unix socket there.
PG_SETTINGS = {"shared_buffers": "256MB", "work_mem": "16MB", "maintenance_work_mem": "256MB"}
PG_USER = "bench"


def pg_bindir():
    """The directory holding initdb, pg_ctl and psql: PATH, else the newest
    /usr/lib/postgresql/*/bin (Debian's layout), else None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        d = os.path.dirname(os.path.realpath(found))
        if os.path.exists(os.path.join(d, "psql")):
            return d
    cands = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    cands.sort(key=lambda p: [int(x) for x in re.findall(r"\d+", p.split("/")[3])] or [0])
    return os.path.dirname(cands[-1]) if cands else None


class PgCluster:
    """A throwaway cluster in DIR. PostgreSQL refuses to run as root, so under root the
    server side (initdb, pg_ctl) runs as the `postgres` system user via runuser, in a
    directory it owns; psql connects as the cluster's superuser over the socket (trust)."""

    def __init__(self, bindir, root):
        self.bindir, self.root = bindir, root
        self.data = os.path.join(root, "data")
        self.sock = root
        self.log = os.path.join(root, "server.log")
        self.as_user = []
        if os.geteuid() == 0:
            import pwd
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no `postgres` user to run the server as")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.started = False

    def server(self, *args):
        return sh(self.as_user + [os.path.join(self.bindir, args[0])] + list(args[1:]))

    def start(self):
        os.makedirs(self.root, exist_ok=True)
        if self.as_user:
            shutil.chown(self.root, "postgres", "postgres")
        self.server("initdb", "-D", self.data, "-U", PG_USER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        opts = ["-c listen_addresses=''", f"-c unix_socket_directories={self.sock}", "-c port=5432"]
        opts += [f"-c {k}={v}" for k, v in PG_SETTINGS.items()]
        self.server("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "-o", " ".join(opts), "start")
        self.started = True

    def stop(self):
        if self.started:
            subprocess.run(self.as_user + [os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"],
                           capture_output=True)
            self.started = False

    def psql(self, *extra, **kw):
        return [os.path.join(self.bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.sock,
                "-p", "5432", "-U", PG_USER, "-d", "postgres"] + list(extra)

    def query(self, sql):
        return sh(self.psql("-At", "-c", sql)).stdout.strip()


def pg_literal(s):
    return "'" + s.replace("'", "''") + "'"


def pg_sql(q):
    lit = pg_literal(q)
    return (f"SELECT path FROM docs, websearch_to_tsquery('swedish', {lit}) query WHERE tsv @@ query "
            "ORDER BY ts_rank(tsv, query) DESC LIMIT 10;")


def bench_postgres(corpus, work, report):
    bindir = pg_bindir()
    if not bindir:
        report["pg"] = dict(skipped="PostgreSQL is not installed (apt-get install postgresql)")
        return
    root = os.path.join(work, "pg")
    # The socket path must fit in sun_path (107 bytes) and the server user must reach
    # the directory; otherwise use a short private directory under /tmp.
    fallback = len(os.path.join(root, ".s.PGSQL.5432")) > 100
    if not fallback and os.geteuid() == 0:
        fallback = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", work]).returncode != 0
    if fallback:
        root = tempfile.mkdtemp(prefix="protokollsok-pg-")
    cl = PgCluster(bindir, root)
    try:
        cl.start()
        version = cl.query("SHOW server_version")
        # Load: table, COPY of every file read here (as FTS5 reads them inside its
        # timing), then the GIN index and ANALYZE, in one psql session.
        t = time.perf_counter()
        p = subprocess.Popen(cl.psql("-f", "-"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, encoding="utf-8")
        w = csv.writer(p.stdin, lineterminator="\n")
        p.stdin.write("CREATE TABLE docs (id serial PRIMARY KEY, path text NOT NULL, body text NOT NULL, "
                      "tsv tsvector GENERATED ALWAYS AS (to_tsvector('swedish', body)) STORED);\n"
                      "COPY docs (path, body) FROM STDIN WITH (FORMAT csv);\n")
        for f in corpus_files(corpus):
            with open(f, encoding="utf-8", errors="replace") as fh:
                body = fh.read().replace("\0", "")
            if re.search(r"(?m)^\\\.$", body):
                raise RuntimeError(f"{f}: a line \\. would end COPY's data")
            w.writerow([f, body])
        p.stdin.write("\\.\n")
        p.stdin.write("CREATE INDEX docs_tsv ON docs USING gin (tsv);\nANALYZE docs;\n")
        _, err = p.communicate()
        secs = time.perf_counter() - t
        if p.returncode != 0:
            raise RuntimeError(f"psql load failed: {err[-2000:]}")
        rows = int(cl.query("SELECT count(*) FROM docs"))
        size = int(cl.query("SELECT pg_total_relation_size('docs')"))
        gin = int(cl.query("SELECT pg_relation_size('docs_tsv')"))
        dbsize = int(cl.query("SELECT pg_database_size('postgres')"))
        report["pg"] = dict(version=version, settings=PG_SETTINGS, bindir=bindir, data_dir=cl.data,
                            seconds=secs, rows=rows, table_bytes=size, gin_bytes=gin, db_bytes=dbsize)
        report["pg"]["plan_frequent"] = cl.query("EXPLAIN " + pg_sql("samverkan").rstrip(";"))

        # Queries: one psql process, one connection, \timing on. psql's "Time:" is from
        # sending the query to having the whole result (parse, plan, execute, transfer over
        # the unix socket), not printing it. Two warm-up rounds, then 20 timed ones.
        rounds, warm = 20, 2
        script = ["\\timing on", "\\o /dev/null"]
        order = []
        for r_ in range(warm + rounds):
            for cls, q in QUERIES:
                script.append(pg_sql(q))
                order.append((r_ >= warm, cls))
        out = sh(cl.psql("-f", "-"), input="\n".join(script) + "\n").stdout
        times = [float(x) for x in re.findall(r"^Time: ([\d.]+) ms", out, re.M)]
        if len(times) != len(order):
            raise RuntimeError(f"psql printed {len(times)} timings for {len(order)} queries")
        lat, per_class = [], {}
        for (timed_, cls), ms in zip(order, times):
            if timed_:
                lat.append(ms)
                per_class.setdefault(cls, []).append(ms)
        report["pg_query_ms"] = dict(p50=pct(lat, 0.5), p95=pct(lat, 0.95), p99=pct(lat, 0.99), queries=len(lat))
        report["pg_class_p50"] = {c: pct(v, 0.5) for c, v in per_class.items()}
        report["pg_hits"] = {q: int(cl.query("SELECT count(*) FROM docs WHERE tsv @@ websearch_to_tsquery('swedish', "
                                             + pg_literal(q) + ")")) for _, q in QUERIES}
    finally:
        cl.stop()
        shutil.rmtree(root, ignore_errors=True)


PEER_KEYS = {"fts5": ("fts5_index", "fts5_query_ms", "fts5_class_p50"),
             "pg": ("pg", "pg_query_ms", "pg_class_p50", "pg_hits")}


def load_peers(path, docs):
    """The peers' figures of an earlier run over the same generated files: a run of
    hours that did not fit its session keeps them, and a later run measures the
    rest. Only figures measured on `docs` files are taken."""
    with open(path) as fh:
        old = json.load(fh)
    files = (old.get("plain_index") or {}).get("files")
    if old.get("docs", files) != docs or files != docs:
        sys.exit(f"{path}: a run over {files} files, not {docs}")
    peers = [p for p, keys in PEER_KEYS.items()
             if all(k in old for k in keys) and "skipped" not in old.get(keys[0], {})]
    if not peers:
        sys.exit(f"{path}: no measured peers")
    figures = {k: old[k] for p in peers for k in PEER_KEYS[p]}
    return dict(commit=old.get("machine", {}).get("commit", "?"), peers=peers, figures=figures)


def machine():
    mem = "?"
    try:
        with open("/proc/meminfo") as fh:
            kib = int(re.search(r"MemTotal:\s+(\d+)", fh.read()).group(1))
            mem = f"{kib / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = re.search(r"model name\s*:\s*(.*)", fh.read()).group(1)
    except (OSError, AttributeError):
        pass
    rustc = sh(["rustc", "--version"]).stdout.strip()
    try:
        commit = sh(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).stdout.strip()
    except (subprocess.CalledProcessError, OSError):
        commit = "?"
    return dict(cores=os.cpu_count(), memory=mem, cpu=cpu, rustc=rustc, python=platform.python_version(),
                sqlite=sqlite3.sqlite_version, commit=commit)


def fmt_report(r, docs, cmd):
    e, p, f = r["engine_index"], r["plain_index"], r.get("fts5_index")
    mb = e["corpus_bytes"] / 1e6
    lines = [f"## {docs:,} protocols".replace(",", " "), ""]
    lines.append(f"Command: `{cmd}`  ")
    m = r["machine"]
    lines.append(f"Machine: {m['cores']} cores, {m['memory']}, {m['cpu']}; {m['rustc']}; SQLite {m['sqlite']}; "
                 f"protokollsok at commit {m.get('commit', '?')}.  ")
    lines.append(f"Corpus: {e['files']} files, {e['items']} agenda items, {mb:.1f} MB.")
    b = r.get("peers_from")
    if b:
        names = " and ".join({"fts5": "SQLite FTS5", "pg": "PostgreSQL"}[x] for x in b["peers"])
        lines.append("")
        lines.append(f"{names}: the figures of an earlier run over the same generated files (`--peers-from`, "
                     f"at commit {b['commit']}); protokollsok and plain tantivy were measured in this run, "
                     "so their ratios are within one run, the peers' beside them are across two.")
    lines.append("")
    lines.append("### Indexing (full)")
    lines.append("")
    lines.append("| engine | seconds | MB/s | protocols/s | items/s | peak RSS MiB | index MB | index / corpus |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    lines.append(f"| protokollsok | {e['seconds']:.1f} | {mb / e['seconds']:.2f} | {e['files'] / e['seconds']:.0f} | {e['items'] / e['seconds']:.0f} | {e['rss_mib']:.0f} | {e['index_bytes'] / 1e6:.1f} | {e['index_bytes'] / e['corpus_bytes']:.2f} |")
    lines.append(f"| plain tantivy | {p['seconds']:.1f} | {mb / p['seconds']:.2f} | {p['files'] / p['seconds']:.0f} | – | {p['rss_mib']:.0f} | {p['index_bytes'] / 1e6:.1f} | {p['index_bytes'] / e['corpus_bytes']:.2f} |")
    if f:
        lines.append(f"| SQLite FTS5 | {f['seconds']:.1f} | {mb / f['seconds']:.2f} | {e['files'] / f['seconds']:.0f} | – | – | {f['db_bytes'] / 1e6:.1f} | {f['db_bytes'] / e['corpus_bytes']:.2f} |")
    g = r.get("pg") or {"skipped": "not run"}
    pg = "skipped" not in g
    if pg:
        lines.append(f"| PostgreSQL {g['version'].split()[0]} | {g['seconds']:.1f} | {mb / g['seconds']:.2f} | {g['rows'] / g['seconds']:.0f} | – | – | {g['table_bytes'] / 1e6:.1f} | {g['table_bytes'] / e['corpus_bytes']:.2f} |")
    lines.append("")
    lines.append(f"Throughput ratio protokollsok / plain tantivy: **{p['seconds'] / e['seconds']:.2f}×**.")
    lines.append("")
    if e.get("anon_peak_mib"):
        lines.append(f"protokollsok's peak RSS, sampled every 0.5 s: {e['anon_peak_mib']:.0f} MiB anonymous (heap), "
                     f"{e['file_peak_mib']:.0f} MiB file-backed (index segments it mapped and read while merging, "
                     "which the kernel can drop); /usr/bin/time's maximum counts both.")
        lines.append("")
    if pg:
        st = ", ".join(f"{k}={v}" for k, v in g["settings"].items())
        lines.append(f"PostgreSQL: a private cluster (initdb, unix socket only, {st}, otherwise defaults); "
                     "one row per file with a STORED generated `to_tsvector('swedish', body)` column; "
                     "time = reading the files and COPY FROM STDIN through psql, then CREATE INDEX … USING gin, ANALYZE. "
                     f"Index MB is `pg_total_relation_size` (heap, TOAST, GIN {g['gin_bytes'] / 1e6:.1f} MB, primary key).")
    else:
        lines.append(f"PostgreSQL: {g['skipped']}.")
    lines.append("")
    i = r["engine_incremental"]
    lines.append("### Incremental indexing")
    lines.append("")
    lines.append("| change | seconds |")
    lines.append("|---|---:|")
    lines.append(f"| nothing changed | {i['nothing_seconds']:.2f} |")
    lines.append(f"| 1 file changed | {i['touch1_seconds']:.2f} |")
    if "touch1_named_seconds" in i:
        lines.append(f"| 1 file changed, named (`index PATH`) | {i['touch1_named_seconds']:.2f} |")
    if "add1_named_seconds" in i:
        lines.append(f"| 1 file added, named (`index PATH`) | {i['add1_named_seconds']:.2f} |")
        lines.append(f"| the first one-shot search after it (process start to exit) | {i['search_after_named_seconds']:.2f} |")
    lines.append(f"| 100 files added | {i['add100_seconds']:.2f} |")
    lv = r.get("engine_live")
    if lv:
        lines.append(f"| served, following the corpus: 1 file added / changed / deleted, until a search sees it "
                     f"| {lv['add_seconds']:.2f} / {lv['change_seconds']:.2f} / {lv['delete_seconds']:.2f} |")
    lines.append("")
    s, c, pq, fq = r["engine_server_ms"], r["engine_cli_ms"], r["plain_query_ms"], r.get("fts5_query_ms")
    lines.append("### Query latency (ms)")
    lines.append("")
    lines.append("| | p50 | p95 | p99 |")
    lines.append("|---|---:|---:|---:|")
    lines.append(f"| protokollsok server, HTTP, top 10 + snippets + facets ({s['requests']} requests) | {s['p50']:.2f} | {s['p95']:.2f} | {s['p99']:.2f} |")
    lines.append(f"| protokollsok one-shot CLI (process start to exit) | {c['p50']:.1f} | {c['p95']:.1f} | max {c['max']:.1f} |")
    lines.append(f"| plain tantivy, in process, top 10 + snippets, no facets | {pq['p50_ms']:.2f} | {pq['p95_ms']:.2f} | {pq['p99_ms']:.2f} |")
    if fq:
        lines.append(f"| SQLite FTS5, in process, bm25 + snippet | {fq['p50']:.2f} | {fq['p95']:.2f} | {fq['p99']:.2f} |")
    if pg:
        gq = r["pg_query_ms"]
        lines.append(f"| PostgreSQL, psql `\\timing` over a unix socket, ts_rank top 10, no snippet ({gq['queries']} queries) | {gq['p50']:.2f} | {gq['p95']:.2f} | {gq['p99']:.2f} |")
    lines.append("")
    if pg:
        lines.append("PostgreSQL's time is psql's `\\timing` in one session: from sending "
                     "`SELECT path FROM docs, websearch_to_tsquery('swedish', q) query WHERE tsv @@ query "
                     "ORDER BY ts_rank(tsv, query) DESC LIMIT 10` to having the whole result (parse, plan, "
                     "execute, transfer), not printing it. websearch_to_tsquery drops the `*` of a prefix "
                     "query, so `prefix` searches the stem as a whole word.")
        lines.append("")
    lines.append(f"Server p50 / plain tantivy's in-process p50: **{s['p50'] / pq['p50_ms']:.2f}×**.")
    lines.append("")
    fts = "fts5_class_p50" in r
    lines.append("Per query class, p50 ms (protokollsok over HTTP with facets and snippets"
                 + ("; FTS5 in process" if fts else "") + ("; PostgreSQL over psql" if pg else "") + "):")
    lines.append("")
    lines.append("| class | protokollsok |" + (" FTS5 |" if fts else "") + (" PostgreSQL |" if pg else ""))
    lines.append("|---|---:|" + ("---:|" if fts else "") + ("---:|" if pg else ""))
    for cls, v in r["engine_server_class_p50"].items():
        row = f"| {cls} | {v:.2f} |"
        for key, on in (("fts5_class_p50", fts), ("pg_class_p50", pg)):
            if on:
                ov = r[key].get(cls)
                row += f" {'' if ov is None else f'{ov:.2f}'} |"
        lines.append(row)
    lines.append("")
    h = r.get("engine_http")
    if h:
        k = r.get("engine_server_rss_kinds")
        kinds = f" ({k['anon_mib']:.0f} MiB heap, {k['file_mib']:.0f} MiB of mapped index files)" if k else ""
        lines.append(f"HTTP throughput, the same mix, 16 connections, {r['wrk_seconds']} s (wrk): **{h['requests_per_second']:.0f} requests/s** ({h['non_2xx']} non-2xx). Server RSS after the run: {r['engine_server_rss_mib']:.0f} MiB{kinds}.")
        m = r.get("engine_server_rss_load")
        if m:
            lines.append(f"Server RSS under that load (sampled each second, {m['samples']} samples): "
                         f"{m['after_warmup']:.0f} MiB after warm-up, peak {m['peak']:.0f} MiB, {m['end']:.0f} MiB at the end.")
    else:
        lines.append("HTTP throughput: wrk is not installed (apt-get install wrk).")
    lines.append("")
    sh_ = r.get("shapes")
    if sh_:
        sizes = sh_["sizes"]
        lines.append("### Parsing one file of a bad shape (bench/shapes.py: index one file alone, seconds)")
        lines.append("")
        lines.append("| shape | " + " | ".join(f"{n / 1e6:g} MB" for n in sizes) + " |")
        lines.append("|---|" + "---:|" * len(sizes))
        for name, secs in sh_["seconds"].items():
            lines.append(f"| {name} | " + " | ".join(f"{t:.2f}" for t in secs) + " |")
        lines.append("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "bench"))
    ap.add_argument("--report")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--peers", default="fts5,pg",
                    help="peers besides plain tantivy (always run, it is the throughput reference): fts5, pg")
    ap.add_argument("--reuse-corpus", action="store_true",
                    help="keep DIR/docs-N/corpus when it exists (generated by `tools/gen_corpus.py --docs N --seed S`)")
    ap.add_argument("--peers-from", metavar="REPORT_JSON",
                    help="take FTS5's and PostgreSQL's figures from an earlier run's report (or report.partial.json) "
                         "over the same generated files instead of measuring them again; the report says so")
    ap.add_argument("--live-only", nargs=2, metavar=("CORPUS", "INDEX"),
                    help="only the served, following-the-corpus measurement, on an index built before; prints JSON")
    args = ap.parse_args()
    if args.live_only:
        corpus, index = args.live_only
        srv = subprocess.Popen([BIN, "serve", "--addr", "127.0.0.1:0", "--index", index, "--corpus", corpus],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            host, port = re.search(r"http://([\d.]+):(\d+)/", srv.stdout.readline()).groups()
            print(json.dumps(live_updates(corpus, host, int(port))))
        finally:
            srv.terminate()
            srv.wait()
        return
    peers = [p for p in args.peers.split(",") if p]
    borrowed = load_peers(args.peers_from, args.docs) if args.peers_from else None
    if borrowed:
        peers = [p for p in peers if p not in borrowed["peers"]]
    unknown = set(peers) - {"fts5", "pg"}
    if unknown:
        sys.exit(f"unknown peers: {', '.join(sorted(unknown))}")
    work = os.path.join(args.work, f"docs-{args.docs}")
    corpus = os.path.join(work, "corpus")
    if args.reuse_corpus and os.path.isdir(corpus):
        # The generated files of an earlier run (or of the same generator command run
        # ahead): everything else is made anew; the 100 files a run adds go.
        print(f"reusing {corpus}", file=sys.stderr)
        shutil.rmtree(os.path.join(corpus, "extra"), ignore_errors=True)
        for entry in os.listdir(work):
            if entry != "corpus":
                path = os.path.join(work, entry)
                shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)
    else:
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        print(f"generating {args.docs} protocols…", file=sys.stderr)
        sh([sys.executable, os.path.join(ROOT, "tools", "gen_corpus.py"), "--out", corpus, "--docs", str(args.docs), "--seed", str(args.seed)])
        os.remove(os.path.join(corpus, "truth.jsonl"))
    report = {"machine": machine(), "wrk_seconds": args.seconds, "docs": args.docs, "seed": args.seed}
    report["peers"] = peers
    partial = os.path.join(work, "report.partial.json")

    def keep():
        # What the phases so far measured: a run of hours that fails late keeps them.
        with open(partial, "w") as fh:
            json.dump(report, fh, indent=1)

    print("plain tantivy…", file=sys.stderr)
    bench_plain(corpus, work, report)
    keep()
    if "fts5" in peers:
        print("SQLite FTS5…", file=sys.stderr)
        bench_fts5(corpus, work, report)
        keep()
    if borrowed:
        report.update(borrowed["figures"])
        report["peers_from"] = dict(commit=borrowed["commit"], peers=borrowed["peers"])
        report["peers"] = peers + borrowed["peers"]
    if "pg" in peers:
        print("PostgreSQL…", file=sys.stderr)
        try:
            bench_postgres(corpus, work, report)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as err:
            detail = getattr(err, "stderr", None) or ""
            print(f"PostgreSQL failed: {err}\n{detail[-2000:]}", file=sys.stderr)
            report["pg"] = dict(skipped=f"failed ({str(err).splitlines()[0][:200]})")
    elif "pg" not in report:
        report["pg"] = dict(skipped="not run at this size (--peers)")
    keep()
    print("protokollsok…", file=sys.stderr)
    bench_engine(corpus, work, args.seconds, report, keep)
    keep()
    print("file shapes…", file=sys.stderr)
    shapes_json = os.path.join(work, "shapes.json")
    sh([sys.executable, os.path.join(ROOT, "bench", "shapes.py"), "--bin", BIN,
        "--work", os.path.join(work, "shapes"), "--json", shapes_json])
    with open(shapes_json) as fh:
        report["shapes"] = json.load(fh)
    cmd = f"bench/run.sh --docs {args.docs}" + (f" --seconds {args.seconds}" if args.seconds != 10 else "") \
        + (f" --peers {args.peers}" if args.peers != "fts5,pg" else "") \
        + (f" --peers-from {os.path.relpath(args.peers_from, ROOT)}" if borrowed else "")
    md = fmt_report(report, args.docs, cmd)
    print(md)
    out = args.report or os.path.join(work, "report.md")
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(md + "\n")
    with open(os.path.join(work, "report.json"), "w") as fh:
        json.dump(report, fh, indent=1)
    os.remove(partial)
    print(f"report: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
