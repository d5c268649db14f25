#!/usr/bin/env python3
"""How well matters recover a generated archive's recurring diary-number threads.

Builds an index of CORPUS (made by ../shared/tools/gen_corpus.py, with truth.jsonl),
lists every item with its `matter`, matches truth items to parsed items by file and title,
and counts, over the truth's threads (one diary number in one municipality, in two
meetings or more):

  recovered  every item of the thread is in one matter
  mixed      matters whose items hold two or more truth diary numbers

  python3 scripts/matter_agreement.py --bin target/release/protokollsok --corpus /tmp/gen
"""
import argparse
import collections
import sys

from archive_items import index_and_list, norm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--index")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    truth, listed = index_and_list(a.bin, a.corpus, a.index)
    ours = {f: {t: [(h["item_index"], h.get("matter")) for h in hits] for t, hits in by_title.items()}
            for f, by_title in listed.items()}
    threads = collections.defaultdict(list)
    matter_dnrs = collections.defaultdict(set)
    members = collections.defaultdict(list)
    unmatched = 0
    for t in truth:
        scope = t.get("municipality") or t["group"]
        # Items of one title in one file are matched in their order.
        taken = collections.Counter()
        for it in t["items"]:
            d = it.get("dnr")
            title = norm(it["title"])
            found = sorted(ours.get(t["file"], {}).get(title, []), key=lambda x: x[0])
            if taken[title] >= len(found):
                unmatched += d is not None
                continue
            m = found[taken[title]][1]
            taken[title] += 1
            if m:
                members[m].append((t["date"], it["title"][:70], d))
            if d:
                threads[(scope, d)].append((t["file"], m))
                if m:
                    matter_dnrs[m].add((scope, d))
    recurring = {k: v for k, v in threads.items() if len({f for f, _ in v}) >= 2}
    recovered = 0
    for k, items in recurring.items():
        ms = {m for _, m in items}
        ok = len(ms) == 1 and None not in ms
        recovered += ok
        if a.v and not ok:
            print("not recovered", k, sorted(ms, key=str))
    mixed = [m for m, ds in matter_dnrs.items() if len(ds) > 1]
    if a.v:
        for m in mixed:
            print("mixed", m)
            for row in sorted(members[m], key=str):
                print("   ", row)
    print(f"recurring dnr threads {len(recurring)} (items with a dnr not matched by title: {unmatched})")
    print(f"recovered {recovered}/{len(recurring)} = {100 * recovered / max(len(recurring), 1):.1f} %")
    print(f"matters mixing two dnr: {len(mixed)} of {len(matter_dnrs)} matters that hold a dnr item")


if __name__ == "__main__":
    sys.exit(main())
