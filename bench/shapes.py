#!/usr/bin/env python3
"""Is parsing linear in a file's size, whatever its shape?

Writes one file per shape and size (0.5, 1 and 2 MB) under target/bench/shapes, indexes
each alone with the release binary and prints, per shape, the seconds at each size and
the ratio of the 2 MB time to the 0.5 MB time (about 4 when linear). The goal: no file of
2 MB takes more than 2 s. Shapes are the ways text arrives badly: no line breaks, words
without spaces, one marker repeated, a huge agenda, a long attendance list, a table,
page furniture on every page, blank lines.

  python3 bench/shapes.py [--bin target/release/protokollsok] [--json OUT]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = [500_000, 1_000_000, 2_000_000]


def seed_prose():
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").rglob("*.md")))
    return text or "Beslut om finansiering av samverkan kring barn och unga. "


def repeat_to(unit, size):
    return (unit * (size // max(len(unit), 1) + 1))[:size]


def shapes(prose):
    flat = " ".join(prose.split())
    names = ["Anna Andersson (S), ordförande", "Per Nilsson (M)", "Eva Lind (C), ersättare",
             "Karin Berg, sekreterare", "Olof Ek (V)"]
    return {
        "prose, no line breaks": lambda n: repeat_to(flat + " ", n),
        "prose, as written": lambda n: repeat_to(prose + "\n", n),
        "words without spaces": lambda n: repeat_to("samverkansöverenskommelse" * 40 + " ", n),
        "one long word": lambda n: "a" * n,
        "§ marker repeated": lambda n: repeat_to("§ 1 ", n),
        "huge agenda": lambda n: "".join(
            f"§ {i} Ärende nummer {i} om budget\n\nBeslut: godkänns.\n\n" for i in range(1, n // 45 + 2))[:n],
        "attendance list": lambda n: "Närvarande\n" + repeat_to("\n".join(names) + "\n", n),
        "table": lambda n: repeat_to("| Anna Andersson | (S) | ordförande | 2024-01-01 |\n", n),
        "page furniture": lambda n: repeat_to(
            "Kommunstyrelsen 2024-01-01 Sida 1 (300)\n" + (flat[:3000] + "\n") + "\f", n),
        "dates in a row": lambda n: repeat_to("2024-01-01 ", n),
        "blank lines": lambda n: "Protokoll\n" + "\n" * (n - 20) + "§ 1 Slut\n",
    }


def run(binary, corpus, index):
    shutil.rmtree(index, ignore_errors=True)
    t = time.perf_counter()
    p = subprocess.run([binary, "index", "--corpus", str(corpus), "--index", str(index)],
                       capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"index failed on {corpus}: {p.stderr[-500:]}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(ROOT / "target/release/protokollsok"))
    ap.add_argument("--work", default=str(ROOT / "target/bench/shapes"))
    ap.add_argument("--json")
    a = ap.parse_args()
    work = Path(a.work)
    prose = seed_prose()
    results = {}
    print(f"| shape | {' | '.join(f'{s / 1e6:g} MB s' for s in SIZES)} | 2 MB / 0.5 MB |")
    print(f"|---|{'---:|' * len(SIZES)}---:|")
    for name, make in shapes(prose).items():
        times = []
        for size in SIZES:
            corpus = work / "corpus"
            shutil.rmtree(corpus, ignore_errors=True)
            corpus.mkdir(parents=True)
            (corpus / "file.md").write_text(make(size), encoding="utf-8")
            times.append(run(a.bin, corpus, work / "index"))
        results[name] = times
        cells = " | ".join(f"{t:.2f}" for t in times)
        print(f"| {name} | {cells} | {times[-1] / max(times[0], 1e-9):.1f} |", flush=True)
    worst = max(results.items(), key=lambda kv: kv[1][-1])
    print(f"\nslowest at 2 MB: {worst[0]} ({worst[1][-1]:.2f} s; goal ≤ 2 s)")
    if a.json:
        Path(a.json).write_text(json.dumps({"sizes": SIZES, "seconds": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
