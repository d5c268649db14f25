//! Corrections the plan makes before it builds a query: a word that matches nothing
//! is replaced by the closest word of the archive, and abbreviations join their long
//! forms (and the other way round).

use std::collections::HashMap;

use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use serde::{Deserialize, Serialize};

use crate::analysis::tokenize;
use crate::error::{Error, Result};
use crate::index::store::Store;
use crate::index::variants::edit_distance;
use crate::query::parse::{Clause, ParsedQuery};

/// A query word replaced by a close spelling that occurs in the archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Correction {
    pub from: String,
    pub to: String,
}

/// The abbreviations the archive defines, with the shipped list.
pub fn synonyms(store: &Store, searcher: &Searcher) -> Result<crate::analysis::synonyms::Synonyms> {
    let f = &store.fields;
    let mut learned = Vec::new();
    for seg in searcher.segment_readers() {
        let inverted = seg
            .inverted_index(f.f_abbrev)
            .map_err(|e| Error::index(&store.dir, e))?;
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(|e| Error::index(&store.dir, e))?;
        while stream.advance() {
            if let Some((abbr, long)) = std::str::from_utf8(stream.key())
                .ok()
                .and_then(|t| t.split_once(crate::analysis::synonyms::SEP))
            {
                learned.push((abbr.to_string(), long.to_string()));
            }
        }
    }
    Ok(crate::analysis::synonyms::Synonyms::with_learned(learned))
}

/// `IKB` also matches `"intensiv kontextuell behandling"` and the other way round:
/// each form joins its clause's OR group.
pub(crate) fn expand_abbreviations(
    syn: &crate::analysis::synonyms::Synonyms,
    parsed: &mut ParsedQuery,
) {
    for group in parsed.groups.iter_mut() {
        let mut extra = Vec::new();
        for clause in group.iter() {
            match clause {
                Clause::Word(w) => {
                    for long in syn.long_forms(w) {
                        extra.push(Clause::Phrase(
                            long.split_whitespace().map(str::to_string).collect(),
                        ));
                    }
                }
                Clause::Phrase(words) => {
                    if let Some(abbr) = syn.abbreviation_of(&words.join(" ")) {
                        extra.push(Clause::Word(abbr));
                    }
                }
                Clause::Prefix(_) | Clause::Number(_) => {}
            }
        }
        for c in extra {
            if !group.contains(&c) {
                group.push(c);
            }
        }
    }
}

/// How far a word may be from its correction, by its length (as Elasticsearch's
/// `AUTO`): none up to 2 characters, one edit up to 5, two beyond.
fn max_edits(word: &str) -> u8 {
    match word.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

/// Replaces each query word that matches nothing (in any field, exact or stemmed)
/// with the closest word of the archive (fewest edits, then most frequent). A word
/// that occurs is never corrected.
pub(crate) fn correct_unknown_words(
    store: &Store,
    searcher: &Searcher,
    parsed: &mut ParsedQuery,
) -> Result<Vec<Correction>> {
    let f = &store.fields;
    let mut out = Vec::new();
    let mut exact = tokenize::exact_analyzer();
    let mut stem = tokenize::stemmed_analyzer();
    for group in parsed.groups.iter_mut() {
        for clause in group.iter_mut() {
            let Clause::Word(word) = clause else { continue };
            let te = tokenize::tokens(&mut exact, word);
            let ts = tokenize::tokens(&mut stem, word);
            if te.len() != 1 || ts.len() != 1 {
                continue;
            }
            let df = |field: Field, t: &str| {
                searcher
                    .doc_freq(&Term::from_field_text(field, t))
                    .unwrap_or(0)
            };
            let seen = df(f.body_exact, &te[0])
                + df(f.title_exact, &te[0])
                + df(f.body, &ts[0])
                + df(f.title, &ts[0])
                + df(f.context, &ts[0])
                + df(f.parts, &ts[0]);
            if seen > 0 || max_edits(&te[0]) == 0 {
                continue;
            }
            // An abbreviation as typed (`SoL`, `HVB`: two capitals or more) or a word the
            // lexicon knows is what the user meant, found or not: never another word.
            let capitals = word.chars().filter(|c| c.is_uppercase()).count();
            if capitals >= 2 || crate::analysis::lexicon::lexicon().lemma(&te[0]).is_some() {
                continue;
            }
            if let Some(best) = closest_term(store, searcher, f.body_exact, &te[0])? {
                out.push(Correction {
                    from: word.clone(),
                    to: best.clone(),
                });
                *word = best;
            }
        }
    }
    Ok(out)
}

/// The term of `field` closest to `word` within `max_edits(word)` edits.
fn closest_term(
    store: &Store,
    searcher: &Searcher,
    field: Field,
    word: &str,
) -> Result<Option<String>> {
    // One edit first: its automaton is far smaller than two edits' on a large dictionary.
    for edits in 1..=max_edits(word) {
        if let Some(t) = closest_term_within(store, searcher, field, word, edits)? {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

fn closest_term_within(
    store: &Store,
    searcher: &Searcher,
    field: Field,
    word: &str,
    edits: u8,
) -> Result<Option<String>> {
    let fuzzy =
        tantivy::query::FuzzyTermQuery::new(Term::from_field_text(field, word), edits, true);
    let mut freq: HashMap<String, u64> = HashMap::new();
    for seg in searcher.segment_readers() {
        let automaton = fuzzy.automaton().map_err(|e| Error::index(&store.dir, e))?;
        let inverted = seg
            .inverted_index(field)
            .map_err(|e| Error::index(&store.dir, e))?;
        let mut stream = inverted
            .terms()
            .search(automaton)
            .into_stream()
            .map_err(|e| Error::index(&store.dir, e))?;
        while stream.advance() {
            if let Ok(term) = std::str::from_utf8(stream.key()) {
                *freq.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    Ok(freq
        .into_iter()
        .min_by(|(a, fa), (b, fb)| {
            edit_distance(word, a)
                .cmp(&edit_distance(word, b))
                .then(fb.cmp(fa))
                .then(a.cmp(b))
        })
        .map(|(t, _)| t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_transpositions_as_one() {
        assert_eq!(edit_distance("samverkan", "samverkan"), 0);
        assert_eq!(edit_distance("samverkn", "samverkan"), 1);
        assert_eq!(edit_distance("suicidprevnetion", "suicidprevention"), 1);
        assert_eq!(edit_distance("för", "for"), 1);
        assert_eq!(max_edits("ab"), 0);
        assert_eq!(max_edits("vård"), 1);
        assert_eq!(max_edits("palliatv"), 2);
    }
}
