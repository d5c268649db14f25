#!/usr/bin/env python3
"""Measure how well `protokollsok parse` recovers a generated archive's truth.

Usage:
  python3 scripts/parse_accuracy.py --bin target/release/protokollsok --corpus DIR \
      [--truth DIR/truth.jsonl] [--show-failures N] [--json]

The script runs `BIN parse DIR --json` once. That command prints JSON Lines, one record
per file under DIR:
  {"file": path relative to DIR ('/'-separated), "date": "YYYY-MM-DD" | null,
   "group": str, "kind": str,
   "items": [{"number", "title", "parent", "presenters": [str], "decisions": [str]}],
   "persons": [{"name", "organisation", "role"}]}
Lines that are not JSON objects with a "file" key (skip messages, progress output) are
ignored and counted. The script compares the records with the truth that
shared/tools/gen_corpus.py writes (DIR/truth.jsonl by default, see that script's
docstring) and reports totals over all truth files:

  date      exact match rate.
  group     exact match after casefold and whitespace normalisation; where the truth gives
            a "body", the body alone (with the organisation in its own field) is also right.
  kind      for truth files that carry a "kind" (presidiekonferens): casefold match.
  items     a truth item is found when a parsed item title equals its title after
            casefold, whitespace normalisation and removing markdown `*` and `#`.
            Matching is greedy and in order: each truth item takes the first matching
            parsed item after the previous match. The script reports title precision
            and recall, the share of files where every truth item is found, and the
            number match rate over matched items ("§ 23", "23." and "23" are equal).
  persons   precision and recall of names (casefold exact, per file), plus a lenient
            recall (accents folded, ø -> o, name parts compared as sets). The lenient
            recall shows how many misses are only spelling variants.
  presenters  recall over matched items (exact and lenient).
  decisions   over matched items, how often "truth has a decision" agrees with "parsed
            item has a non-empty decisions list".
  dnr       over matched items whose truth has a "dnr": exact match (casefold); items whose
            truth dnr is null are counted apart (a parsed dnr there is a false one).
  organisation, absent, chair, secretary, adjusters, parties
            the fields of the municipal and association styles, scored where the truth
            gives them: the organisation must start with the truth "municipality"; absent
            recall against the parsed "absent" list, and how often an absent or only
            mentioned person is reported present; the chair among the parsed "chairs", the
            secretary equal to "secretary", adjusters among "adjusters"; the party of each
            present person whose name is parsed (persons[].party).

A truth file that has no parse record counts as a miss in every metric. A parse record
for a file that is not in the truth is reported as extra and otherwise ignored.

Output: a compact table, or with --json a single JSON object that holds the same numbers.
--show-failures N adds up to N example failures per category (file, expected, got).
The exit status is 0 whenever the binary ran. It is 2 when the binary cannot be
started, times out or exits non-zero, and also when the truth file cannot be read.
Standard library only.
"""
import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter

# --------------------------------------------------------------------------- normalising


def normalise_text(s):
    """NFC, casefold, collapse whitespace."""
    s = unicodedata.normalize("NFC", "" if s is None else str(s))
    return " ".join(s.casefold().split())


def normalise_title(s):
    """Title key: like normalise_text, with markdown `*` and `#` removed."""
    return normalise_text(re.sub(r"[*#]", " ", s or ""))


def normalise_number(n):
    """Agenda number key: '§ 23', '23.', '23)' and '23' are equal; '' equals None."""
    if n is None:
        return None
    s = str(n).strip().lstrip("§").strip().rstrip(".):").strip()
    return s or None


def normalise_name(s):
    """Exact person key: NFC, casefold, whitespace collapsed."""
    return normalise_text(s)


def fold_accents(s):
    """Strip accents (NFKD without combining marks); ø/Ø -> o, æ -> ae, đ -> d."""
    s = normalise_text(s).replace("ø", "o").replace("æ", "ae").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def lenient_name_key(s):
    """Lenient person key: accent-folded name parts as a set (order and hyphens ignored)."""
    return frozenset(p for p in re.split(r"[\s\-]+", fold_accents(s)) if p)


def normalise_file(path, corpus):
    """Make a record's file path relative to the corpus, with '/' separators."""
    p = str(path).replace("\\", "/")
    corpus_abs = os.path.abspath(corpus).replace("\\", "/").rstrip("/") + "/"
    corpus_given = corpus.replace("\\", "/").rstrip("/") + "/"
    if os.path.isabs(p) and p.startswith(corpus_abs):
        p = p[len(corpus_abs):]
    elif p.startswith(corpus_given):
        p = p[len(corpus_given):]
    while p.startswith("./"):
        p = p[2:]
    return p


# --------------------------------------------------------------------------- input


def run_parser(binary, corpus, timeout):
    """Run `BIN parse DIR --json` once; return stdout, or exit 2 if it fails."""
    cmd = [binary, "parse", corpus, "--json"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8",
                              errors="replace", timeout=timeout)
    except (OSError, subprocess.SubprocessError) as e:
        print(f"error: could not run {' '.join(cmd)}: {e}", file=sys.stderr)
        sys.exit(2)
    if proc.returncode != 0:
        print(f"error: {' '.join(cmd)} exited with status {proc.returncode}", file=sys.stderr)
        tail = proc.stderr.strip().splitlines()[-20:]
        for line in tail:
            print(f"  {line}", file=sys.stderr)
        sys.exit(2)
    return proc.stdout


def read_parse_records(stdout, corpus):
    """Parse JSON Lines output into {file: record}; return (records, ignored_lines)."""
    records, ignored = {}, 0
    for line in stdout.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            ignored += 1
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("file"), str):
            ignored += 1
            continue
        records[normalise_file(rec["file"], corpus)] = rec
    return records, ignored


def read_truth(path):
    """Read truth.jsonl into a list of objects, in document order."""
    truth = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                truth.append(json.loads(line))
    return truth


# --------------------------------------------------------------------------- scoring


class Tally:
    """Counts hits over a total for one metric, and keeps example failures."""

    def __init__(self, label, max_examples):
        self.label, self.hits, self.total = label, 0, 0
        self.failures, self.max_examples = [], max_examples

    def add(self, ok, file=None, expected=None, got=None):
        self.total += 1
        if ok:
            self.hits += 1
        else:
            self.fail(file, expected, got)

    def add_counts(self, hits, total):
        self.hits += hits
        self.total += total

    def fail(self, file, expected, got):
        if len(self.failures) < self.max_examples:
            self.failures.append({"file": file, "expected": expected, "got": got})

    @property
    def rate(self):
        return self.hits / self.total if self.total else None

    def as_json(self):
        out = {"label": self.label, "hits": self.hits, "total": self.total,
               "rate": None if self.rate is None else round(self.rate, 4)}
        if self.max_examples:
            out["failures"] = self.failures
        return out


METRICS = [
    ("date", "date exact"),
    ("group", "group exact"),
    ("kind", "kind (truth files with a kind)"),
    ("item_precision", "item titles: precision"),
    ("item_recall", "item titles: recall"),
    ("files_all_items", "files with all items in order"),
    ("item_number", "item numbers (matched items)"),
    ("person_precision", "persons: precision (exact)"),
    ("person_recall", "persons: recall (exact)"),
    ("person_recall_lenient", "persons: recall (lenient)"),
    ("presenter_recall", "presenters: recall (exact)"),
    ("presenter_recall_lenient", "presenters: recall (lenient)"),
    ("decision_agreement", "decision present iff truth has one"),
    ("dnr", "item dnr (matched items with a truth dnr)"),
    ("dnr_false", "item dnr where the truth has none"),
    ("organisation", "organisation (truth files with a municipality)"),
    ("absent_recall", "absent: recall"),
    ("absent_as_present", "absent or mentioned not reported present"),
    ("chair", "chair"),
    ("secretary", "secretary"),
    ("adjusters", "adjusters: recall"),
    ("parties", "party of present persons"),
]


def closest(text, candidates):
    """The candidate most similar to text (for failure examples), or None."""
    found = difflib.get_close_matches(text, candidates, n=1, cutoff=0.0)
    return found[0] if found else None


def match_items_in_order(truth_items, parsed_items):
    """Greedy in-order title matching: list of (truth_index, parsed_index) pairs."""
    parsed_keys = [normalise_title(p.get("title")) for p in parsed_items]
    pairs, start = [], 0
    for ti, item in enumerate(truth_items):
        key = normalise_title(item.get("title"))
        for pi in range(start, len(parsed_keys)):
            if parsed_keys[pi] == key:
                pairs.append((ti, pi))
                start = pi + 1
                break
    return pairs


def lenient_misses(expected, got):
    """Expected names without a lenient match in got (each got name is used once)."""
    pool = Counter(lenient_name_key(g) for g in got)
    misses = []
    for name in expected:
        key = lenient_name_key(name)
        if pool[key] > 0:
            pool[key] -= 1
        else:
            misses.append(name)
    return misses


def add_lenient_recall(tally, file, label_prefix, expected, got):
    """Count lenient recall of expected names in got, keeping examples of misses."""
    misses = lenient_misses(expected, got)
    tally.add_counts(len(expected) - len(misses), len(expected))
    for name in misses:
        tally.fail(file, f"{label_prefix}{name}", closest(name, got))


def as_list(value):
    """A JSON field that should be a list: None or a scalar become a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parsed_person_names(rec):
    names = []
    for p in as_list(rec.get("persons")):
        name = p.get("name") if isinstance(p, dict) else p
        if isinstance(name, str) and name.strip():
            names.append(name)
    return names


def score_dates(t, tally, truth_doc, rec):
    got = rec.get("date") if rec else None
    tally["date"].add(got == truth_doc.get("date"), t, truth_doc.get("date"), got)


def score_group(t, tally, truth_doc, rec):
    """The group is right when it equals the truth group, or the truth body (where the truth
    gives one) with the organisation in its own field."""
    got = rec.get("group") if rec else None
    org = rec.get("organisation") if rec else None
    want = normalise_text(truth_doc.get("group"))
    accepted = {want}
    if truth_doc.get("body"):
        accepted.add(normalise_text(truth_doc["body"]))
    candidates = {normalise_text(got)}
    if org:
        candidates.add(normalise_text(f"{got} {org}"))
    ok = got is not None and bool(accepted & candidates)
    tally["group"].add(ok, t, truth_doc.get("group"), got)


def score_kind(t, tally, truth_doc, rec):
    if not truth_doc.get("kind"):
        return
    got = rec.get("kind") if rec else None
    tally["kind"].add(normalise_text(got) == normalise_text(truth_doc["kind"]),
                      t, truth_doc["kind"], got)


def score_items(t, tally, truth_doc, rec):
    """Titles, numbers, presenters and decisions of one file."""
    truth_items = as_list(truth_doc.get("items"))
    parsed_items = [p for p in as_list(rec.get("items") if rec else None)
                    if isinstance(p, dict)]
    pairs = match_items_in_order(truth_items, parsed_items)
    matched_truth = {ti for ti, _ in pairs}
    matched_parsed = {pi for _, pi in pairs}
    parsed_titles = [str(p.get("title") or "") for p in parsed_items]

    tally["item_recall"].add_counts(len(pairs), len(truth_items))
    parsed_keys = {normalise_title(x) for x in parsed_titles}
    for ti, item in enumerate(truth_items):
        if ti not in matched_truth:
            title = item.get("title") or ""
            got = closest(title, parsed_titles)
            if normalise_title(title) in parsed_keys:
                got = f"{got} (present, but out of order)"
            tally["item_recall"].fail(t, title, got)
    tally["item_precision"].add_counts(len(pairs), len(parsed_items))
    truth_titles = [str(i.get("title") or "") for i in truth_items]
    truth_keys = {normalise_title(x) for x in truth_titles}
    for pi, title in enumerate(parsed_titles):
        if pi not in matched_parsed:
            expected = closest(title, truth_titles)
            if normalise_title(title) in truth_keys:
                expected = f"{expected} (truth item, but out of order)"
            tally["item_precision"].fail(t, expected, title)
    missing = len(truth_items) - len(pairs)
    tally["files_all_items"].add(missing == 0, t, f"{len(truth_items)} items",
                                 f"{missing} not found in order")

    for ti, pi in pairs:
        want, got = truth_items[ti], parsed_items[pi]
        label = f"{want.get('title')}"
        tally["item_number"].add(normalise_number(want.get("number")) ==
                                 normalise_number(got.get("number")),
                                 t, f"{label}: {want.get('number')!r}",
                                 f"{got.get('number')!r}")
        if "dnr" in want:
            key = "dnr" if want["dnr"] else "dnr_false"
            ok = normalise_text(want["dnr"] or "") == normalise_text(got.get("dnr") or "")
            tally[key].add(ok, t, f"{label}: {want['dnr']!r}", got.get("dnr"))
        score_presenters(t, tally, label, as_list(want.get("presenters")),
                         [str(x) for x in as_list(got.get("presenters"))])
        has_truth = want.get("decision") is not None
        has_parsed = any(str(d).strip() for d in as_list(got.get("decisions")))
        tally["decision_agreement"].add(
            has_truth == has_parsed, t,
            f"{label}: {'decision' if has_truth else 'no decision'}",
            f"{len(as_list(got.get('decisions')))} decisions" if has_parsed else "none")


def score_presenters(t, tally, label, expected, got):
    got_keys = {normalise_name(g) for g in got}
    for name in expected:
        tally["presenter_recall"].add(normalise_name(name) in got_keys, t,
                                      f"{label}: {name}", got)
    add_lenient_recall(tally["presenter_recall_lenient"], t, f"{label}: ", expected, got)


def score_persons(t, tally, truth_doc, rec):
    expected = list(dict.fromkeys(as_list(truth_doc.get("persons"))))
    got = parsed_person_names(rec) if rec else []
    expected_keys = {normalise_name(n): n for n in expected}
    got_keys = {}
    for n in got:
        got_keys.setdefault(normalise_name(n), n)

    for key, name in expected_keys.items():
        tally["person_recall"].add(key in got_keys, t, name,
                                   closest(name, list(got_keys.values())))
    for key, name in got_keys.items():
        tally["person_precision"].add(key in expected_keys, t,
                                      closest(name, list(expected_keys.values())), name)
    add_lenient_recall(tally["person_recall_lenient"], t, "",
                       list(expected_keys.values()), list(got_keys.values()))


def person_records(rec):
    return [p for p in as_list(rec.get("persons") if rec else None) if isinstance(p, dict)]


def score_cover(t, tally, truth_doc, rec):
    """The fields of the municipal and association styles: organisation, absent, chair,
    secretary, adjusters and parties. Each is scored only where the truth gives it."""
    if truth_doc.get("municipality"):
        got = rec.get("organisation") if rec else None
        want = truth_doc["municipality"]
        tally["organisation"].add(normalise_text(got).startswith(normalise_text(want)),
                                  t, want, got)
    present = {normalise_name(n) for n in parsed_person_names(rec)} if rec else set()
    if "absent" in truth_doc:
        absent_got = {normalise_name(str(x.get("name") if isinstance(x, dict) else x))
                      for x in as_list(rec.get("absent") if rec else None)}
        for name in as_list(truth_doc.get("absent")):
            tally["absent_recall"].add(normalise_name(name) in absent_got, t, name,
                                       sorted(absent_got))
        for name in as_list(truth_doc.get("absent")) + as_list(truth_doc.get("mentioned")):
            tally["absent_as_present"].add(normalise_name(name) not in present, t,
                                           f"{name} not present", "reported present")
    for field, parsed_key in (("chair", "chairs"), ("secretary", "secretary")):
        if truth_doc.get(field):
            got = [str(x) for x in as_list(rec.get(parsed_key) if rec else None)]
            ok = normalise_name(truth_doc[field]) in {normalise_name(g) for g in got}
            tally[field].add(ok, t, truth_doc[field], got)
    if "adjusters" in truth_doc:
        got = {normalise_name(str(x)) for x in as_list(rec.get("adjusters") if rec else None)}
        for name in as_list(truth_doc.get("adjusters")):
            tally["adjusters"].add(normalise_name(name) in got, t, name, sorted(got))
    parties = truth_doc.get("parties") or {}
    if parties:
        by_name = {normalise_name(str(p.get("name"))): p.get("party")
                   for p in person_records(rec)}
        for name, party in parties.items():
            key = normalise_name(name)
            if key in by_name:
                got = by_name[key]
                tally["parties"].add(normalise_text(got or "") == normalise_text(party),
                                     t, f"{name} ({party})", got)


def evaluate(truth, records, max_examples):
    """Score every truth file; return (tallies, missing_files, extra_files)."""
    tally = {key: Tally(label, max_examples) for key, label in METRICS}
    truth_files = set()
    missing = []
    for doc in truth:
        t = doc["file"]
        truth_files.add(t)
        rec = records.get(t)
        if rec is None:
            missing.append(t)
        score_dates(t, tally, doc, rec)
        score_group(t, tally, doc, rec)
        score_kind(t, tally, doc, rec)
        score_items(t, tally, doc, rec)
        score_persons(t, tally, doc, rec)
        score_cover(t, tally, doc, rec)
    extra = sorted(f for f in records if f not in truth_files)
    return tally, missing, extra


# --------------------------------------------------------------------------- reporting


def format_rate(rate):
    return "   -  " if rate is None else f"{100 * rate:5.1f}%"


def print_table(summary, tally, show_failures):
    print(f"parse accuracy: {summary['truth_files']} truth files, "
          f"{summary['parsed_records']} parse records "
          f"({len(summary['missing_files'])} missing, {len(summary['extra_files'])} extra, "
          f"{summary['ignored_lines']} ignored lines)")
    width = max(len(label) for _, label in METRICS)
    print(f"  {'metric':<{width}}  {'hits':>7} / {'total':<7} {'rate':>6}")
    for key, label in METRICS:
        m = tally[key]
        print(f"  {label:<{width}}  {m.hits:>7} / {m.total:<7} {format_rate(m.rate)}")
    if not show_failures:
        return
    if summary["missing_files"]:
        print(f"\nmissing files (no parse record), first {show_failures}:")
        for f in summary["missing_files"][:show_failures]:
            print(f"  {f}")
    if summary["extra_files"]:
        print(f"\nextra files (not in truth), first {show_failures}:")
        for f in summary["extra_files"][:show_failures]:
            print(f"  {f}")
    for key, label in METRICS:
        failures = tally[key].failures
        if not failures:
            continue
        m = tally[key]
        print(f"\n{label}: {m.total - m.hits} failure(s), {len(failures)} shown")
        for ex in failures:
            print(f"  {ex['file']}")
            print(f"    expected: {shorten(ex['expected'])}")
            print(f"    got:      {shorten(ex['got'])}")


def shorten(value, limit=160):
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="protokollsok binary")
    ap.add_argument("--corpus", required=True, help="archive folder made by gen_corpus.py")
    ap.add_argument("--truth", help="truth JSON Lines (default: CORPUS/truth.jsonl)")
    ap.add_argument("--show-failures", type=int, default=0, metavar="N",
                    help="print up to N example failures per category")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds for the parse run")
    args = ap.parse_args(argv)

    truth_path = args.truth or os.path.join(args.corpus, "truth.jsonl")
    try:
        truth = read_truth(truth_path)
    except (OSError, ValueError) as e:
        print(f"error: cannot read truth {truth_path}: {e}", file=sys.stderr)
        return 2

    stdout = run_parser(args.bin, args.corpus, args.timeout)
    records, ignored = read_parse_records(stdout, args.corpus)
    if not records:
        print(f"warning: `{args.bin} parse {args.corpus} --json` printed no JSON records",
              file=sys.stderr)
    tally, missing, extra = evaluate(truth, records, max(args.show_failures, 0))

    summary = {"truth_files": len(truth), "parsed_records": len(records),
               "ignored_lines": ignored, "missing_files": missing, "extra_files": extra}
    if args.json:
        out = dict(summary, missing_files=len(missing), extra_files=len(extra))
        if args.show_failures > 0:
            out["missing_examples"] = missing[:args.show_failures]
            out["extra_examples"] = extra[:args.show_failures]
        out["metrics"] = {key: tally[key].as_json() for key, _ in METRICS}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print_table(summary, tally, args.show_failures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
