//! The query plan: what a query as written becomes before it meets the index, the
//! one plan search, trend, the person filter and eval share: parse → spelling
//! correction of words the archive lacks → abbreviations and their long forms →
//! compound and form expansion (the tantivy query of each clause) → filters; and the
//! words it highlights.

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use crate::analysis::tokenize;
use crate::config::Limits;
use crate::error::{Error, Result};
use crate::index::facets::FacetField;
use crate::index::{schema::Fields, store::Store};
use crate::query::correct::{correct_unknown_words, expand_abbreviations, synonyms, Correction};
use crate::query::filters::{build_filters, BuiltFilter, Filters};
use crate::query::parse::{parse_query, Clause, ParsedQuery};

/// A query made ready to run: the one plan search, trend, the person filter and
/// eval all use.
pub struct QueryPlan {
    /// The query as written.
    pub text: String,
    /// The query after corrections and abbreviations.
    pub parsed: ParsedQuery,
    /// Words that matched nothing and were replaced by a close word that does.
    pub corrected: Vec<Correction>,
    text_query: Box<dyn Query>,
    filters: Vec<BuiltFilter>,
}

/// Plans `text` under `filters`: parse (within the limits) → correct unknown words →
/// add abbreviations and long forms → build each clause with its compounds and
/// forms → resolve the filters.
pub fn plan(
    store: &Store,
    searcher: &Searcher,
    text: &str,
    filters: &Filters,
    limits: &Limits,
) -> Result<QueryPlan> {
    filters.check()?;
    let mut parsed = parse_query(text, limits.max_query_chars)?;
    let corrected = correct_unknown_words(store, searcher, &mut parsed)?;
    expand_abbreviations(&synonyms(store, searcher)?, &mut parsed);
    let text_query = build_text_query(&store.fields, &parsed)?;
    let filters = build_filters(store, searcher, filters)?;
    Ok(QueryPlan {
        text: text.to_string(),
        parsed,
        corrected,
        text_query,
        filters,
    })
}

impl QueryPlan {
    /// Whether the query has no words (it then lists every item under the filters).
    pub fn is_empty(&self) -> bool {
        self.parsed.groups.is_empty()
    }

    /// The whole tantivy query: the words, and the filters that add nothing to a score.
    pub fn query(&self) -> BooleanQuery {
        self.combine(Some(self.text_query.box_clone()), &[], None)
    }

    /// Every item the filters let through, whatever the words.
    pub fn everything_filtered(&self) -> BooleanQuery {
        self.combine(None, &[], None)
    }

    /// The query narrowed by one more filter query.
    pub fn narrowed(&self, extra: Box<dyn Query>) -> BooleanQuery {
        self.combine(Some(self.text_query.box_clone()), &[extra], None)
    }

    /// The facets the filters narrow by.
    pub fn filtered_facets(&self) -> Vec<FacetField> {
        self.filters.iter().filter_map(|f| f.facet).collect()
    }

    /// The filter of `facet` alone (everything when there is none).
    pub fn facet_filter(&self, facet: FacetField) -> BooleanQuery {
        let own = self
            .filters
            .iter()
            .filter(|f| f.facet == Some(facet))
            .map(|f| (Occur::Must, f.query.box_clone()))
            .collect::<Vec<_>>();
        if own.is_empty() {
            return BooleanQuery::new(vec![(Occur::Must, Box::new(AllQuery))]);
        }
        BooleanQuery::new(own)
    }

    /// The query with every filter but that of `facet`: what the counts of the
    /// facet's values are taken over, so that the values not chosen keep theirs.
    pub fn without_facet(&self, facet: FacetField) -> BooleanQuery {
        self.combine(Some(self.text_query.box_clone()), &[], Some(facet))
    }

    fn combine(
        &self,
        text: Option<Box<dyn Query>>,
        extra: &[Box<dyn Query>],
        except: Option<FacetField>,
    ) -> BooleanQuery {
        let mut must: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, text.unwrap_or_else(|| Box::new(AllQuery)))];
        let kept = self
            .filters
            .iter()
            .filter(|f| except.is_none() || f.facet != except)
            .map(|f| &f.query);
        for q in kept.chain(extra) {
            must.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(q.box_clone(), 0.0)),
            ));
        }
        BooleanQuery::new(must)
    }

    /// What marks the words this plan matches in a text.
    pub fn matcher(&self, f: &Fields) -> Result<crate::query::snippet::Matcher> {
        highlighter(f, &self.parsed)
    }
}

/// The tantivy query for the parsed user query; `AllQuery` when it has no terms.
fn build_text_query(f: &Fields, parsed: &ParsedQuery) -> Result<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if parsed.groups.is_empty() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    for group in &parsed.groups {
        let alternatives: Vec<Box<dyn Query>> = group
            .iter()
            .map(|c| clause_query(f, c))
            .collect::<Result<_>>()?;
        let q: Box<dyn Query> = if alternatives.len() == 1 {
            alternatives.into_iter().next().expect("one")
        } else {
            Box::new(BooleanQuery::union(alternatives))
        };
        clauses.push((Occur::Must, q));
    }
    for c in &parsed.excluded {
        clauses.push((Occur::MustNot, clause_query(f, c)?));
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// Field weights: an exact title match ranks first, then the stemmed title,
/// the exact body, the stemmed body, and last the item's context (group, parent).
const W_TITLE_EXACT: f32 = 4.0;
const W_TITLE: f32 = 2.5;
const W_BODY_EXACT: f32 = 1.5;
const W_BODY: f32 = 1.0;
const W_CONTEXT: f32 = 0.3;
/// A match on a compound's part, or on a compound written apart, counts for less
/// than the word itself; a match with diacritics folded least of all.
const W_PART: f32 = 0.5;
const W_SPLIT: f32 = 0.8;
const W_FOLDED: f32 = 0.2;
/// Shorter words are not matched folded: `för` is not `for`, `år` is not `ar`.
const MIN_FOLDED_CHARS: usize = 5;

fn clause_query(f: &Fields, clause: &Clause) -> Result<Box<dyn Query>> {
    let mut exact = tokenize::exact_analyzer();
    let mut stem = tokenize::stemmed_analyzer();
    match clause {
        Clause::Word(w) => {
            let te = tokenize::tokens(&mut exact, w);
            let ts = tokenize::tokens(&mut stem, w);
            if te.is_empty() {
                return Ok(Box::new(EmptyQuery));
            }
            if te.len() > 1 {
                return Ok(phrase_query(f, &te, &ts));
            }
            let mut alts: Vec<Box<dyn Query>> = vec![
                boosted(term_query(f.title_exact, &te[0]), W_TITLE_EXACT),
                boosted(term_query(f.title, &ts[0]), W_TITLE),
                boosted(term_query(f.body_exact, &te[0]), W_BODY_EXACT),
                boosted(term_query(f.body, &ts[0]), W_BODY),
                // `mottagning` in `ungdomsmottagning`.
                boosted(term_query(f.parts, &ts[0]), W_PART),
            ];
            if te[0].chars().count() >= MIN_FOLDED_CHARS {
                // `Molstad` finds `Mølstad` (folded field); `Katrín` finds `Katrin`
                // (its folded form in the exact fields).
                let folded = tokenize::fold(&te[0]);
                alts.push(boosted(term_query(f.folded, &folded), W_FOLDED));
                if folded != te[0] {
                    alts.push(boosted(term_query(f.title_exact, &folded), W_FOLDED));
                    alts.push(boosted(term_query(f.body_exact, &folded), W_FOLDED));
                }
            }
            // A compound also matches its parts written apart: `länsgemensam`
            // finds `Läns gemensam ledning`.
            let written = tokenize::analyse_word(&te[0]).written_parts;
            if written.len() > 1 {
                let keys: Vec<String> = written
                    .iter()
                    .map(|p| tokenize::analyse_word(p).key)
                    .collect();
                alts.push(boosted(
                    Box::new(BooleanQuery::union(vec![
                        boosted(phrase(f.title, &keys), W_TITLE),
                        boosted(phrase(f.body, &keys), W_BODY),
                    ])),
                    W_SPLIT,
                ));
            }
            // The body's name and the parent heading (`context`) rank an item that
            // matches in its own text; they make no item a hit by themselves.
            let own = Box::new(BooleanQuery::union(alts)) as Box<dyn Query>;
            Ok(Box::new(BooleanQuery::new(vec![
                (Occur::Must, own),
                (
                    Occur::Should,
                    boosted(term_query(f.context, &ts[0]), W_CONTEXT),
                ),
            ])))
        }
        Clause::Phrase(words) => {
            let joined = words.join(" ");
            let te = tokenize::tokens(&mut exact, &joined);
            let ts = tokenize::tokens(&mut stem, &joined);
            match te.len() {
                0 => Ok(Box::new(EmptyQuery)),
                1 => clause_query(f, &Clause::Word(te[0].clone())),
                2 | 3 => {
                    // Words written apart also match them joined: `"läns gemensam"`
                    // finds `länsgemensam`.
                    let joined = te.concat();
                    Ok(Box::new(BooleanQuery::union(vec![
                        phrase_query(f, &te, &ts),
                        boosted(
                            Box::new(BooleanQuery::union(vec![
                                boosted(
                                    term_query(f.title, &tokenize::analyse_word(&joined).key),
                                    W_TITLE,
                                ),
                                boosted(
                                    term_query(f.body, &tokenize::analyse_word(&joined).key),
                                    W_BODY,
                                ),
                            ])),
                            W_SPLIT,
                        ),
                    ])))
                }
                _ => Ok(phrase_query(f, &te, &ts)),
            }
        }
        Clause::Number(n) => Ok(Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(f.number, n),
                IndexRecordOption::Basic,
            )),
            1.0,
        ))),
        Clause::Prefix(p) => {
            let te = tokenize::tokens(&mut exact, p);
            let Some(last) = te.last() else {
                return Ok(Box::new(EmptyQuery));
            };
            if te.len() > 1 {
                return Err(Error::query(p, "a prefix (word*) must be a single word"));
            }
            let pattern = format!("{}.*", regex_escape(last));
            let mk = |field| -> Result<Box<dyn Query>> {
                RegexQuery::from_pattern(&pattern, field)
                    .map(|q| Box::new(q) as Box<dyn Query>)
                    .map_err(|e| Error::query(p, e.to_string()))
            };
            Ok(Box::new(BooleanQuery::union(vec![
                boosted(mk(f.title_exact)?, W_TITLE_EXACT),
                boosted(mk(f.body_exact)?, W_BODY_EXACT),
            ])))
        }
    }
}

fn phrase(field: Field, toks: &[String]) -> Box<dyn Query> {
    Box::new(PhraseQuery::new(
        toks.iter()
            .map(|t| Term::from_field_text(field, t))
            .collect(),
    ))
}

/// A phrase in the title (exact, then stemmed) and the body (stemmed). The body is
/// not searched for the exact phrase as well: every exact match is a stemmed one,
/// and checking positions twice over the longest field doubled a phrase's cost.
fn phrase_query(f: &Fields, exact_tokens: &[String], stem_tokens: &[String]) -> Box<dyn Query> {
    Box::new(BooleanQuery::union(vec![
        boosted(phrase(f.title_exact, exact_tokens), W_TITLE_EXACT),
        boosted(phrase(f.title, stem_tokens), W_TITLE),
        boosted(phrase(f.body, stem_tokens), W_BODY),
    ]))
}

/// A word in one field, scored by its frequency (positions are only read by
/// phrases).
fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(q: Box<dyn Query>, w: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, w))
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What marks the words a parsed query matched: the terms of its positive part,
/// and its prefixes.
pub fn highlighter(f: &Fields, parsed: &ParsedQuery) -> Result<crate::query::snippet::Matcher> {
    let mut matcher = crate::query::snippet::Matcher::default();
    for group in &parsed.groups {
        let prefixes: Vec<String> = group
            .iter()
            .filter_map(|c| match c {
                Clause::Prefix(p) => Some(p.to_lowercase()),
                _ => None,
            })
            .collect();
        let one = ParsedQuery {
            groups: vec![group.clone()],
            excluded: Vec::new(),
        };
        matcher.add_group(build_text_query(f, &one)?.as_ref(), f, &prefixes);
    }
    Ok(matcher)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random queries of query syntax, Swedish letters, letters that change length in
    /// lower case and lone combining marks parse (or are refused) and plan without a panic.
    #[test]
    fn hostile_queries_never_panic() {
        const PIECES: &[&str] = &[
            "\"",
            "-",
            "*",
            "OR",
            "or",
            "(",
            ")",
            "IKB",
            "vård",
            "länsgemensam",
            "a",
            "ö",
            "İ",
            "ẞ",
            "\u{301}",
            " ",
            "  ",
            "§",
            "12",
            "2024-05-06",
            ":",
            "group:",
            "\\",
            "samverkansområdesgrupper",
            "**",
            "-\"",
            "\"\"",
            "x*y",
            "\u{0}",
            "\t",
        ];
        let (_, fields) = crate::index::schema::schema();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let mut q = String::new();
            for _ in 0..(1 + next() % 12) {
                q.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
                if next() % 2 == 0 {
                    q.push(' ');
                }
            }
            if let Ok(parsed) = parse_query(&q, 1000) {
                let _ = build_text_query(&fields, &parsed);
            }
        }
    }
}
