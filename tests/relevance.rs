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
