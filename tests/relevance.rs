//! The relevance judgments and parser truth over the shipped archive (`corpus/`,
//! judged in `tests/eval/`), run against the built binary.

mod common;

use common::*;

#[test]
fn seed_archive_judgments_all_pass() {
    let (_tmp, corpus, index) = indexed_archive();
    assert_judgments_pass(&repo("tests/eval/queries.tsv"), &index, &corpus, 20);
}

#[test]
fn our_own_judgments_over_the_archive_pass() {
    let (_tmp, corpus, index) = indexed_archive();
    assert_judgments_pass(&repo("tests/eval/own_queries.tsv"), &index, &corpus, 20);
}

#[test]
fn the_eval_command_reports_recall_and_mrr() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    corpus_from(&[repo("corpus")], &corpus);
    let index = tmp.path().join("index");
    let args = [
        "--corpus",
        corpus.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ];
    let queries = repo("tests/eval/queries.tsv");
    let out = run(&[
        &["eval", queries.to_str().unwrap(), "--json"][..],
        &args[..],
    ]
    .concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["failed"], 0);
    assert_eq!(v["recall_at_k"], 1.0);
    assert!(v["mrr"].as_f64().unwrap() > 0.5);
    // A judgment that cannot hold makes eval fail and say which.
    let bad = tmp.path().join("bad.tsv");
    std::fs::write(&bad, "IKB finansiering\t-\t2026-04-10\t1\n").unwrap();
    let out = run(&[&["eval", bad.to_str().unwrap()][..], &args[..]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("FAIL line 1"), "{}", stdout(&out));
    assert!(stdout(&out).contains("0 passed, 1 failed"));
}

#[test]
fn seed_archive_parser_truth_holds() {
    let (n, failures) = judge_truth(&repo("tests/eval/seeds_truth.json"), &repo("corpus"), true);
    assert_eq!(n, 5);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Protocols in layouts the shipped archive does not have (`tests/fixtures/layouts/`,
/// with their own truth and judgments): the rules must hold there too.
#[test]
fn held_out_layout_judgments_all_pass() {
    let (_tmp, corpus, index) = indexed_copy(&[repo("tests/fixtures/layouts")]);
    let (nq, mut failures) =
        judge_queries(&repo("tests/fixtures/layouts/queries.tsv"), &index, &corpus);
    let (nt, truth_failures) =
        judge_truth(&repo("tests/fixtures/layouts/truth.json"), &corpus, false);
    assert!(nq >= 15 && nt >= 12, "{nq} queries, {nt} files judged");
    failures.extend(truth_failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Real protocols of one municipality (`tests/fixtures/real/`, 24 files of 16 bodies,
/// PDF converted to Markdown by others; see its `SOURCES.md`): the municipal layout
/// family with front matter, running page headers, tables of contents, `§` items with
/// `Dnr`, two-column attendance and OCR pages. Scored per field, as
/// `shared/tools/score_parse.py` does but with titles compared whole; the floors are
/// what the parser reaches.
#[test]
fn real_protocols_parse_per_field() {
    let dir = repo("tests/fixtures/real");
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).unwrap()).unwrap();
    let (mut files, mut dates, mut groups) = (0, 0, 0);
    let (mut items, mut items_found) = (0, 0);
    let (mut persons, mut persons_found) = (0, 0);
    let (mut absent, mut absent_found) = (0, 0);
    let (mut reported, mut false_persons) = (0, 0);
    let (mut dnrs, mut dnrs_found) = (0, 0);
    let (mut officers, mut officers_found) = (0, 0);
    for (name, want) in truth.as_object().unwrap() {
        if name == "about" {
            continue;
        }
        files += 1;
        let out = run(&[
            "parse",
            dir.join("corpus").join(name).to_str().unwrap(),
            "--json",
        ]);
        let rec: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        dates += (rec["date"] == want["date"]) as usize;
        let group = key(rec["group"].as_str().unwrap());
        let want_group = key(want["group"].as_str().unwrap());
        groups += (group == want_group
            || (group.contains(&want_group) || want_group.contains(&group))
                && group.len().min(want_group.len()) * 10 >= 6 * group.len().max(want_group.len()))
            as usize;
        assert_eq!(rec["organisation"], "Kungsbacka kommun", "{name}");
        let got_items = rec["items"].as_array().unwrap();
        let writes_dnr = std::fs::read_to_string(dir.join("corpus").join(name))
            .unwrap()
            .contains("Dnr");
        let titles: Vec<String> = got_items
            .iter()
            .map(|i| key(i["title"].as_str().unwrap()))
            .collect();
        let mut pos = 0;
        for t in want["items"].as_array().unwrap() {
            items += 1;
            let t = key(t.as_str().unwrap());
            if let Some(j) = (pos..titles.len()).find(|&j| titles[j] == t) {
                items_found += 1;
                pos = j + 1;
                // Diary numbers are counted in protocols that print them.
                if writes_dnr {
                    dnrs += 1;
                    dnrs_found += got_items[j]["dnr"].is_string() as usize;
                }
            }
        }
        let names: Vec<String> = rec["persons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| key(p["name"].as_str().unwrap()))
            .collect();
        reported += names.len();
        for p in want["persons"].as_array().into_iter().flatten() {
            persons += 1;
            persons_found += names.contains(&key(p.as_str().unwrap())) as usize;
        }
        let got_absent: Vec<String> = rec["absent"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| key(p.as_str().unwrap()))
            .collect();
        for p in want["absent"].as_array().into_iter().flatten() {
            absent += 1;
            absent_found += got_absent.contains(&key(p.as_str().unwrap())) as usize;
        }
        // The chair among `chairs`, the secretary, each adjuster among `adjusters`.
        let names_of = |v: &serde_json::Value| -> Vec<String> {
            match v {
                serde_json::Value::Array(a) => {
                    a.iter().filter_map(|x| x.as_str()).map(key).collect()
                }
                serde_json::Value::String(x) => vec![key(x)],
                _ => Vec::new(),
            }
        };
        for (field, got) in [
            ("chair", &rec["chairs"]),
            ("secretary", &rec["secretary"]),
            ("adjusters", &rec["adjusters"]),
        ] {
            let got = names_of(got);
            for want_name in names_of(&want[field]) {
                officers += 1;
                officers_found += got.contains(&want_name) as usize;
            }
        }
        for field in ["absent", "not_persons"] {
            for p in want[field].as_array().into_iter().flatten() {
                false_persons += names.contains(&key(p.as_str().unwrap())) as usize;
            }
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    let report = format!(
        "{files} files: date {dates}, group {groups}, items {items_found}/{items}, \
         persons {persons_found}/{persons}, absent {absent_found}/{absent}, \
         false persons {false_persons} of {reported}, dnr {dnrs_found}/{dnrs}, \
         officers {officers_found}/{officers}"
    );
    assert_eq!(files, 24, "{report}");
    assert_eq!(dates, files, "{report}");
    assert_eq!(groups, files, "{report}");
    assert!(pct(items_found, items) >= 97.0, "{report}");
    assert!(pct(persons_found, persons) >= 97.0, "{report}");
    eprintln!("{report}");
    assert!(pct(officers_found, officers) >= 85.0, "{report}");
    assert!(pct(absent_found, absent) >= 85.0, "{report}");
    assert!(pct(false_persons, reported) <= 1.0, "{report}");
    assert!(pct(dnrs_found, dnrs) >= 98.0, "{report}");
}

/// The judged questions over the real protocols all pass.
#[test]
fn real_protocol_judgments() {
    let (_tmp, corpus, index) = indexed_copy(&[repo("tests/fixtures/real/corpus")]);
    let (n, failures) = judge_queries(&repo("tests/fixtures/real/queries.tsv"), &index, &corpus);
    assert_eq!(n, 20);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A name or title as the scoring compares it: case-folded, punctuation as spaces.
fn key(s: &str) -> String {
    s.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '§'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The same real protocols as some PDF extractors give them: each page one line, the
/// front matter gone. The records must still name the date, the body, most agenda
/// items (each title found at the start of an item title) and most of the people.
#[test]
fn real_protocols_with_each_page_on_one_line() {
    let dir = repo("tests/fixtures/real");
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).unwrap()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (mut files, mut dates, mut groups) = (0, 0, 0);
    let (mut items, mut items_found, mut persons, mut persons_found) = (0, 0, 0, 0);
    for (name, want) in truth.as_object().unwrap() {
        if name == "about" {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(dir.join("corpus").join(name)).unwrap();
        let body = match text.strip_prefix("---") {
            Some(rest) => rest.split_once("\n---").map_or(rest, |(_, b)| b),
            None => &text,
        };
        let pages: Vec<String> = body
            .split("<!-- sida ")
            .map(|p| p.split_once("-->").map_or(p, |(_, rest)| rest))
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect();
        let path = tmp.path().join(name.replace(".md", ".txt"));
        std::fs::write(&path, pages.join("\n")).unwrap();
        let out = run(&["parse", path.to_str().unwrap(), "--json"]);
        let rec: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        dates += (rec["date"] == want["date"]) as usize;
        let group = key(rec["group"].as_str().unwrap());
        groups += group.contains(&key(want["group"].as_str().unwrap())) as usize;
        let titles: Vec<String> = rec["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| key(i["title"].as_str().unwrap()))
            .collect();
        for t in want["items"].as_array().unwrap() {
            items += 1;
            let t = key(t.as_str().unwrap());
            items_found += titles.iter().any(|got| got.starts_with(&t)) as usize;
        }
        let names: Vec<String> = rec["persons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| key(p["name"].as_str().unwrap()))
            .collect();
        for p in want["persons"].as_array().into_iter().flatten() {
            persons += 1;
            persons_found += names.contains(&key(p.as_str().unwrap())) as usize;
        }
    }
    let report = format!(
        "{files} files: date {dates}, group {groups}, items {items_found}/{items}, \
         persons {persons_found}/{persons}"
    );
    eprintln!("{report}");
    assert!(dates + 2 >= files && groups + 1 >= files, "{report}");
    assert!(items_found * 100 >= items * 70, "{report}");
    assert!(persons_found * 100 >= persons * 75, "{report}");
}
