//! The relevance judgments and parser truth over the shipped archive (`corpus/`,
//! judged in `tests/eval/`), run against the built binary.

mod common;

use common::*;

#[test]
fn seed_archive_judgments_all_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    corpus_from(&[repo("corpus")], &corpus);
    let index = tmp.path().join("index");
    let out = run(&[
        "index",
        "--corpus",
        corpus.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
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
fn seed_archive_parser_truth_holds() {
    let (n, failures) = judge_truth(&repo("tests/eval/seeds_truth.json"), &repo("corpus"), true);
    assert_eq!(n, 5);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
