#!/usr/bin/env python3
"""Builds the Swedish lexicon the analysis uses from the hunspell sv_SE dictionary.

    python3 scripts/build_lexicon.py [--aff /usr/share/hunspell/sv_SE.aff]
                                     [--dic /usr/share/hunspell/sv_SE.dic]
                                     [--out data/lexicon]

The source is Debian's `hunspell-sv` package (Göran Andersson's dictionary,
LGPL-3). Two files are written:

- `sv.dic`: one stem a line, `word/FLAGS`, lowercase alphabetic words only,
  sorted by their UTF-8 bytes so that the engine can binary-search the file
  without loading it. Only the flags the engine reads are kept.
- `sv.aff`: the suffix rules, one a line: `flag<TAB>strip<TAB>add<TAB>cont<TAB>cond`
  (`cont` holds the compound flags a suffixed form gets; `-` for none).

Compound flags, as in the source: X may begin a compound, U may sit inside
one, Y may end one, Z only occurs inside compounds; ¤ marks a stem that is not
a word without a suffix.
"""
import argparse
import os
import sys

COMPOUND_FLAGS = set("XUYZ")


def read_rules(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    rules = []
    i = 0
    while i < len(lines):
        p = lines[i].split()
        if len(p) >= 4 and p[0] == "SFX" and p[2] in "YN" and p[3].isdigit():
            flag, n = p[1], int(p[3])
            for line in lines[i + 1:i + 1 + n]:
                q = line.split()
                strip = "" if q[2] == "0" else q[2]
                add, _, cont = q[3].partition("/")
                add = "" if add == "0" else add
                cond = q[4] if len(q) > 4 else "."
                if any(not c.isalpha() for c in strip + add):
                    continue  # hyphen and colon forms: not words the tokenizer keeps
                cont = "".join(c for c in cont if c in COMPOUND_FLAGS) or "-"
                rules.append((flag, strip, add, cont, cond))
            i += n + 1
        else:
            i += 1
    return rules


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aff", default="/usr/share/hunspell/sv_SE.aff")
    ap.add_argument("--dic", default="/usr/share/hunspell/sv_SE.dic")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "lexicon"))
    args = ap.parse_args()
    for p in (args.aff, args.dic):
        if not os.path.exists(p):
            sys.exit(f"{p} not found: install Debian's hunspell-sv (apt-get install hunspell-sv)")

    rules = read_rules(args.aff)
    used = {r[0] for r in rules} | COMPOUND_FLAGS | {"¤"}
    stems = {}
    for line in open(args.dic, encoding="utf-8").read().splitlines()[1:]:
        word, _, flags = line.partition("/")
        if not word or not word.isalpha() or word.lower() != word or "%" in flags:
            continue
        kept = set(c for c in flags if c in used)
        stems.setdefault(word, set()).update(kept)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "sv.dic"), "w", encoding="utf-8", newline="\n") as out:
        for word in sorted(stems, key=lambda w: w.encode("utf-8")):
            flags = "".join(sorted(stems[word]))
            out.write(f"{word}/{flags}\n" if flags else f"{word}\n")
    with open(os.path.join(args.out, "sv.aff"), "w", encoding="utf-8", newline="\n") as out:
        for r in rules:
            out.write("\t".join(x if x else "0" for x in r) + "\n")
    print(f"{len(stems)} stems, {len(rules)} suffix rules -> {args.out}")


if __name__ == "__main__":
    main()
