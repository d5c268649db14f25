//! Frozen answers on the shipped archive: search, show, facets, trend and persons
//! as scripts read them (`--json`). A change to one of them is made on purpose,
//! with `UPDATE_GOLDEN=1 cargo test --test golden`, and shows as a diff of
//! `tests/golden/`.

mod common;

use common::*;
use serde_json::Value;

fn json(index: &std::path::Path, corpus: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec![
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let out = run(&all);
    serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stderr(&out)))
}

#[test]
fn answers_on_the_shipped_archive_are_the_frozen_ones() {
    let (_tmp, corpus, index) = indexed_archive();
    let cases: &[(&str, &[&str])] = &[
        ("search_ikb", &["search", "IKB finansiering", "--json"]),
        (
            "search_samverkan",
            &["search", "samverkan", "--json", "--limit", "5"],
        ),
        (
            "search_misspelled",
            &["search", "suicidprevnetion", "--json", "--limit", "3"],
        ),
        (
            "search_filtered",
            &[
                "search",
                "barn OR unga",
                "--json",
                "--limit",
                "3",
                "--group",
                "ledningsgrupp",
                "--from",
                "2026-01-01",
            ],
        ),
        ("search_empty", &["search", "", "--json", "--limit", "2"]),
        ("show", &["show", "61e2fc07ac9a", "--json"]),
        ("facets", &["facets", "--json"]),
        ("trend", &["trend", "suicidprevention", "--json"]),
        ("trend_misspelled", &["trend", "suicidprevnetion", "--json"]),
        ("persons", &["persons", "--json"]),
        ("persons_variants", &["persons", "--variants", "--json"]),
        ("matters", &["matters", "--json"]),
        ("matter", &["matter", "digital ungdomsmottagning", "--json"]),
    ];
    for (name, args) in cases {
        assert_golden(name, json(&index, &corpus, args));
    }
}
