#!/usr/bin/env python3
"""How well the themes the index tags agree with a generated archive's truth topics.

Builds an index of CORPUS (made by ../shared/tools/gen_corpus.py, with truth.jsonl) with
the binary, lists every item with its themes, matches each truth item to the parsed item
of its file with the same title, and compares the truth item's topics (mapped to themes by
tests/fixtures/theme_ids.json) with the item's themes among those the mapping names
(themes no truth id stands for, such as "Barn och unga", are not judged).

  exact     the item's judged themes are the truth's topics, no more and no fewer
  recall    every truth topic is among the item's themes
  no-topic  items without truth topics that get no judged theme

  python3 scripts/theme_agreement.py --bin target/release/protokollsok --corpus /tmp/gen2k
"""
import argparse
import collections
import json
import sys
from pathlib import Path

from archive_items import index_and_list, norm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--mapping", default=str(Path(__file__).parent.parent / "tests/fixtures/theme_ids.json"))
    ap.add_argument("--index")
    ap.add_argument("-v", action="store_true", help="print the misses")
    a = ap.parse_args()
    mapping = {k: v for k, v in json.load(open(a.mapping)).items() if not k.startswith("_")}
    judged = set(mapping.values())
    truth, listed = index_and_list(a.bin, a.corpus, a.index)
    ours = {f: {t: set(hits[0]["themes"]) for t, hits in by_title.items()} for f, by_title in listed.items()}
    n = exact = recall = unmatched = 0
    with_topic = recall_with = none_total = none_ok = 0
    misses = collections.Counter()
    extras = collections.Counter()
    for t in truth:
        items = ours.get(t["file"], {})
        for it in t["items"]:
            got = items.get(norm(it["title"]))
            if got is None:
                unmatched += 1
                continue
            want = {mapping[x] for x in it["topics"] if x in mapping}
            have = got & judged
            n += 1
            exact += have == want
            if want:
                with_topic += 1
                recall_with += want <= have
            else:
                none_total += 1
                none_ok += not have
            for m in want - have:
                misses[m] += 1
                if a.v:
                    print(f"miss {m}: {it['title'][:90]!r} got {sorted(have)}")
            for e in have - want:
                extras[e] += 1
                if a.v:
                    print(f"extra {e}: {it['title'][:90]!r} want {sorted(want)}")
    print(f"items judged {n} (unmatched titles {unmatched})")
    print(f"exact     {exact}/{n} = {100 * exact / max(n, 1):.1f} %")
    print(f"recall    {recall_with}/{with_topic} = {100 * recall_with / max(with_topic, 1):.1f} % of items with a truth topic")
    print(f"no-topic  {none_ok}/{none_total} = {100 * none_ok / max(none_total, 1):.1f} % of items without one get none")
    print("most missed:", misses.most_common(8))
    print("most extra: ", extras.most_common(8))


if __name__ == "__main__":
    sys.exit(main())
