"""Shared by the agreement scripts: index a generated archive and list every item."""
import collections
import json
import subprocess
import tempfile
from pathlib import Path


def norm(s):
    return " ".join(s.lower().split())


def index_and_list(binary, corpus, index=None):
    """Builds the index of CORPUS and returns (truth records, {file: {title: [hit, ...]}}),
    every item as the search answers it, listed year by year (the offset limit)."""
    index = index or tempfile.mkdtemp(prefix="archive-index-")
    base = [binary, "--index", index, "--corpus", corpus]
    subprocess.run(base + ["index"], check=True, stdout=subprocess.DEVNULL)
    truth = [json.loads(l) for l in open(Path(corpus) / "truth.jsonl")]
    years = sorted({t["date"][:4] for t in truth if t.get("date")})
    items = collections.defaultdict(lambda: collections.defaultdict(list))
    for y in years:
        offset = 0
        while True:
            r = json.loads(subprocess.run(
                base + ["search", "", "--from", f"{y}-01-01", "--to", f"{y}-12-31",
                        "--limit", "1000", "--offset", str(offset), "--json"],
                check=True, capture_output=True, text=True).stdout)
            for h in r["hits"]:
                items[h["file"]][norm(h["item_title"])].append(h)
            offset += len(r["hits"])
            if not r["hits"] or offset >= r["total"]:
                break
    return truth, items
