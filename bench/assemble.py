#!/usr/bin/env python3
"""Assembles bench/REPORT.md from the runs of bench/run.sh at 1 000, 10 000, 100 000 and
1 000 000 protocols: the curve and the table of targets are computed from the runs'
numbers, not typed. A run is read from target/bench/docs-N/ (report.json and
report.md, as bench/run.sh leaves them) and kept in bench/runs/docs-N/, which is
committed: a size not run again on this machine is read from there. Sizes without
any run are left out.

    python3 bench/assemble.py [--work target/bench] [--out bench/REPORT.md] [--commit C]
"""
import argparse
import json
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = [1000, 10000, 100000, 1000000]
KEPT = os.path.join(ROOT, "bench", "runs")


def load(work, n):
    """The run at `n` protocols: a new one under `work` (then kept in bench/runs), else
    the one kept."""
    new = os.path.join(work, f"docs-{n}")
    kept = os.path.join(KEPT, f"docs-{n}")
    if all(os.path.isfile(os.path.join(new, f)) for f in ("report.json", "report.md")):
        os.makedirs(kept, exist_ok=True)
        for f in ("report.json", "report.md"):
            shutil.copyfile(os.path.join(new, f), os.path.join(kept, f))
    return read(kept)


def read(d):
    try:
        with open(os.path.join(d, "report.json")) as fh:
            j = json.load(fh)
        with open(os.path.join(d, "report.md")) as fh:
            md = fh.read().strip()
    except OSError:
        return None
    return j, md


def yes(ok):
    return "yes" if ok else "no"


def n_(n):
    return f"{n:,}".replace(",", " ")


def ratio(j):
    return j["plain_index"]["seconds"] / j["engine_index"]["seconds"]


def curve(runs):
    out = ["| protocols | items | corpus MB | index s | MB/s | × plain tantivy | peak RSS MiB | index / corpus "
           "| heap MiB | 1 file changed s | server p50 ms | p99 ms | p50 × plain | CLI p50 ms | requests/s |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, (j, _) in runs.items():
        e, s, pq = j["engine_index"], j["engine_server_ms"], j["plain_query_ms"]
        mb = e["corpus_bytes"] / 1e6
        h = j.get("engine_http") or {}
        rps = f"{h['requests_per_second']:.0f}" if h else "–"
        out.append(f"| {n_(n)} | {n_(e['items'])} | {mb:.0f} | {e['seconds']:.1f} | {mb / e['seconds']:.2f} "
                   f"| {ratio(j):.2f} | {e['rss_mib']:.0f} | {e['index_bytes'] / e['corpus_bytes']:.2f} "
                   f"| {e.get('anon_peak_mib', float('nan')):.0f} "
                   f"| {j['engine_incremental']['touch1_seconds']:.2f} | {s['p50']:.1f} | {s['p99']:.1f} "
                   f"| {s['p50'] / pq['p50_ms']:.2f} | {j['engine_cli_ms']['p50']:.0f} | {rps} |")
    return "\n".join(out)


def targets(runs):
    rows = []
    for n, (j, _) in runs.items():
        e, p = j["engine_index"], j["plain_index"]
        rows.append((f"indexing ≥ 0.5× plain tantivy ({n_(n)})",
                     f"{ratio(j):.2f}× ({e['seconds']:.1f} s vs {p['seconds']:.1f} s)", yes(ratio(j) >= 0.5)))
    biggest = max(runs)
    shapes = runs[biggest][0].get("shapes")
    if shapes:
        worst = max(shapes["seconds"].items(), key=lambda kv: kv[1][-1])
        lin = max(v[-1] / max(v[0], 1e-9) for v in shapes["seconds"].values())
        rows.append(("no file of 2 MB takes more than 2 s to parse",
                     f"slowest: {worst[0]}, {worst[1][-1]:.2f} s; 2 MB / 0.5 MB at most {lin:.1f}× (linear: 4×)",
                     yes(worst[1][-1] <= 2)))
    for n, (j, _) in runs.items():
        s, pq = j["engine_server_ms"], j["plain_query_ms"]
        r = s["p50"] / pq["p50_ms"]
        rows.append((f"server p50 ≤ 2.5× plain tantivy in process ({n_(n)})",
                     f"{s['p50']:.2f} vs {pq['p50_ms']:.2f} ms = {r:.2f}×", yes(r <= 2.5)))
    if 100000 in runs:
        s = runs[100000][0]["engine_server_ms"]
        rows.append(("server p99 ≤ 50 ms at 100 000", f"{s['p99']:.1f} ms", yes(s["p99"] <= 50)))
        e = runs[100000][0]["engine_index"]
        rows.append(("indexing 100 000 ≤ 1 GiB peak RSS", f"{e['rss_mib']:.0f} MiB", yes(e["rss_mib"] <= 1024)))
    big = [n for n in runs if n >= 100000]
    if len(big) == 2:
        a, b = (runs[n][0]["engine_index"]["rss_mib"] for n in big)
        rows.append(("indexing RSS flat with size", f"{a:.0f} MiB at 100 000, {b:.0f} MiB at 1 000 000 ({b / a:.2f}×)",
                     yes(b / a <= 1.25)))
    for n, (j, _) in runs.items():
        m = j.get("engine_server_rss_load")
        if m and n >= 100000:
            grow = m["end"] / m["after_warmup"]
            rows.append((f"server RSS flat under {j['wrk_seconds']} s of load after warm-up ({n_(n)})",
                         f"{m['after_warmup']:.0f} MiB after warm-up, peak {m['peak']:.0f}, end {m['end']:.0f} MiB",
                         yes(grow <= 1.1)))
    if 1000000 in runs:
        j = runs[1000000][0]
        e, i, s, c = j["engine_index"], j["engine_incremental"], j["engine_server_ms"], j["engine_cli_ms"]
        size = e["index_bytes"] / e["corpus_bytes"]
        rows += [
            ("1 000 000: full indexing time", f"{e['seconds'] / 60:.1f} min ({e['corpus_bytes'] / 1e9:.1f} GB, "
             f"{n_(e['items'])} items)", "–"),
            ("1 000 000: peak RSS ≤ 2 GiB", f"{e['rss_mib']:.0f} MiB", yes(e["rss_mib"] <= 2048)),
            ("1 000 000: index ≤ 1.2× corpus", f"{size:.2f}× ({e['index_bytes'] / 1e9:.1f} GB)", yes(size <= 1.2)),
            ("1 000 000: one changed file ≤ 1 s (command line: lists the corpus)", f"{i['touch1_seconds']:.2f} s",
             yes(i["touch1_seconds"] <= 1)),
        ]
        if "touch1_named_seconds" in i:
            rows.append(("1 000 000: one changed file ≤ 1 s (command line, the file named: `index PATH`)",
                         f"{i['touch1_named_seconds']:.2f} s", yes(i["touch1_named_seconds"] <= 1)))
        lv = j.get("engine_live")
        if lv:
            worst = max(lv["add_seconds"], lv["change_seconds"], lv["delete_seconds"])
            rows.append(("1 000 000: one changed file ≤ 1 s (a server following the corpus: added / changed / "
                         "deleted until searchable)",
                         f"{lv['add_seconds']:.2f} / {lv['change_seconds']:.2f} / {lv['delete_seconds']:.2f} s",
                         yes(worst <= 1)))
        rows += [
            ("1 000 000: query p50 / p99 over the mix", f"{s['p50']:.1f} / {s['p99']:.1f} ms", "–"),
            ("1 000 000: one-shot CLI search", f"p50 {c['p50']:.0f} ms, max {c['max']:.0f} ms", "–"),
        ]
    out = ["| target | measured | met |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "bench"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "REPORT.md"))
    ap.add_argument("--commit", default="")
    args = ap.parse_args()
    runs = {n: r for n in SIZES if (r := load(args.work, n))}
    if not runs:
        raise SystemExit(f"no runs under {args.work} (bench/run.sh --docs N)")
    sizes = ", ".join(n_(n) for n in runs)
    head = f"""# Benchmark report

Produced by `bench/run.sh --docs N` (see `bench/bench.py`) at {sizes} protocols, then
`python3 bench/assemble.py`, which computes the curve and the targets below from the
runs' `report.json`. In each run every engine (protokollsok, plain tantivy, and the
peers the run names: SQLite FTS5, PostgreSQL) indexed and answered the same generated
files (`tools/gen_corpus.py`, its default mix). Absolute times on this shared 2-core
machine vary from run to run by ±20 %; the ratios within a run are the headline.
`docs/scaling.md` reads these numbers.{(' Measured at commit ' + args.commit + '.') if args.commit else ''}

## The curve

{curve(runs)}

## Targets

{targets(runs)}

Two query classes are not like for like. FTS5 and PostgreSQL answer a misspelt word
(`typo`) with nothing at once, while protokollsok corrects it (`samverkn` → `samverkan`)
and answers the corrected, frequent word with facets and snippets. For a `compound part`
they find the word standing alone, while protokollsok also finds it inside compounds
(`mottagning` in `ungdomsmottagning`). PostgreSQL's `websearch_to_tsquery` drops the
`*` of a `prefix` query.
"""
    body = "\n\n".join(md for _, md in runs.values())
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(head + "\n" + body + "\n")
    print(f"wrote {args.out}")
    # docs/scaling.md reads the same curve: its table between the markers is this one.
    scaling = os.path.join(ROOT, "docs", "scaling.md")
    begin, end = "<!-- curve: bench/assemble.py writes this table -->", "<!-- /curve -->"
    try:
        with open(scaling, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return
    if begin in text and end in text:
        a, rest = text.split(begin, 1)
        _, b = rest.split(end, 1)
        with open(scaling, "w", encoding="utf-8") as fh:
            fh.write(a + begin + "\n" + curve(runs) + "\n" + end + b)
        print(f"wrote the curve into {scaling}")


if __name__ == "__main__":
    main()
