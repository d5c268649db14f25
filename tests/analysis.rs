//! The Swedish analysis against the shipped archive: compound splitting keeps
//! frequent words whole unless they are reviewed compounds.

use std::collections::HashMap;
use std::path::Path;

use protokollsok::analysis::lexicon::lexicon;
use protokollsok::analysis::tokenize;

fn reviewed_compounds() -> HashMap<String, Vec<String>> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compounds.tsv"),
    )
    .expect("compounds.tsv");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (word, parts) = l.split_once('\t').expect("word<TAB>parts");
            (
                word.to_string(),
                parts.split('+').map(str::to_string).collect(),
            )
        })
        .collect()
}

/// The words of the shipped archive, most frequent first.
fn corpus_words_by_frequency() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut exact = tokenize::exact_analyzer();
    for f in protokollsok::ingest::read::list_corpus(&dir).expect("corpus") {
        let bytes = std::fs::read(&f.path).expect("readable");
        let text = protokollsok::ingest::read::decode(&bytes)
            .expect("text")
            .text;
        for w in tokenize::tokens(&mut exact, &text) {
            if w.chars().all(char::is_alphabetic) {
                *counts.entry(w).or_default() += 1;
            }
        }
    }
    let mut words: Vec<(String, usize)> = counts.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    words.into_iter().map(|(w, _)| w).collect()
}

fn split(word: &str) -> Option<Vec<String>> {
    lexicon()
        .split(word)
        .map(|parts| parts.into_iter().map(|p| p.text).collect())
}

#[test]
fn the_200_most_frequent_words_split_only_when_reviewed_as_compounds() {
    let reviewed = reviewed_compounds();
    let words = corpus_words_by_frequency();
    assert!(words.len() > 1000, "the archive has {} words", words.len());
    let mut wrong = Vec::new();
    for w in words.iter().take(200) {
        let got = split(w);
        let want = reviewed.get(w);
        if got.as_ref() != want {
            wrong.push(format!("{w}: split {got:?}, reviewed {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn reviewed_compounds_split_as_listed() {
    for (word, parts) in reviewed_compounds() {
        assert_eq!(split(&word).as_ref(), Some(&parts), "{word}");
    }
}
