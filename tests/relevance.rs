//! The relevance judgments and parser truth over the shipped archive (`corpus/`,
//! judged in `tests/eval/`), run against the built binary.

mod common;

use common::*;

#[test]
fn seed_archive_judgments_all_pass() {
    let (_tmp, corpus, index) = indexed_archive();
    let (n, failures) = judge_queries(&repo("tests/eval/queries.tsv"), &index, &corpus);
    assert!(n >= 20, "only {n} judgments read");
    assert!(
        failures.is_empty(),
        "{} of {n} judgments failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn our_own_judgments_over_the_archive_pass() {
    let (_tmp, corpus, index) = indexed_archive();
    let (n, failures) = judge_queries(&repo("tests/eval/own_queries.tsv"), &index, &corpus);
    assert!(n >= 20, "only {n} judgments read");
    assert!(
        failures.is_empty(),
        "{} of {n} judgments failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
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

/// Parser gaps on the held-out layouts in `tests/fixtures/layouts/`, each a known,
/// open piece of work. The test fails on any other failure, so a regression or a
/// new gap cannot pass unnoticed; fixing a gap means deleting its line here.
const KNOWN_LAYOUT_GAPS: &[&str] = &[
    // A heading phrased as a question (`Vad säger invånarna?`) reads as a question to the meeting.
    "l07_politiskt_samrad_vasternorrland.txt: item \"vad säger invånarna\"",
    // Attendance laid out in two side-by-side columns.
    "l11_funktionshinderradet_kalix.txt: person",
    // Attendance as a markdown table.
    "l12_pensionarsradet_tomelilla.md: person",
];

#[test]
fn held_out_layout_judgments_hold_but_for_known_gaps() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    corpus_from(&[repo("tests/fixtures/layouts")], &corpus);
    let index = tmp.path().join("index");
    let out = run(&[
        "index",
        "--corpus",
        corpus.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (nq, mut failures) =
        judge_queries(&repo("tests/fixtures/layouts/queries.tsv"), &index, &corpus);
    let (nt, truth_failures) =
        judge_truth(&repo("tests/fixtures/layouts/truth.json"), &corpus, false);
    assert!(nq >= 15 && nt >= 12, "{nq} queries, {nt} files judged");
    failures.extend(truth_failures);
    let unexpected: Vec<&String> = failures
        .iter()
        .filter(|f| {
            !KNOWN_LAYOUT_GAPS.iter().any(|gap| {
                f.starts_with(gap)
                    || gap.split(": ").count() == 2
                        && f.starts_with(gap.split(": ").next().unwrap())
                        && f.contains(gap.split(": ").nth(1).unwrap())
            })
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected failures:\n{}",
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
