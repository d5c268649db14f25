//! Answers queries against the index.
//! Owns: the user's query syntax (words AND-ed, `"phrase"`, `OR`, `-word`,
//! `prefix*`), filters (date range, group, person, topic, decisions), ranking
//! (exact title > stemmed title > exact body > stemmed body > context; newer
//! protocols win ties), highlighted snippets, facet counts, and reading a whole
//! protocol back from the index.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RangeQuery, RegexQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DateTime, DocAddress, Searcher, TantivyDocument, Term};

use crate::analysis;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::facets::{ProtocolFacets, TermCounts};
use crate::index::{Fields, Store};
use crate::parse::{Date, Item, Protocol};

pub use crate::error::QueryError;
pub use crate::variants::edit_distance;

fn query_error(message: impl Into<String>) -> Error {
    Error::Query(QueryError {
        message: message.into(),
    })
}

/// One clause of a parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    Word(String),
    Phrase(Vec<String>),
    Prefix(String),
}

/// A parsed query: groups AND-ed together, the clauses of a group OR-ed; and
/// clauses that must not match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    pub groups: Vec<Vec<Clause>>,
    pub excluded: Vec<Clause>,
}

impl ParsedQuery {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.excluded.is_empty()
    }
}

/// Parses the query syntax: `IKB finansiering`, `"barn och unga"`, `a OR b`,
/// `-covid`, `suicid*`.
pub fn parse_query(q: &str, max_chars: usize) -> Result<ParsedQuery> {
    if q.chars().count() > max_chars {
        return Err(query_error(format!(
            "the query is longer than {max_chars} characters"
        )));
    }
    let mut raw: Vec<(bool, Clause)> = Vec::new(); // (negated, clause)
    let mut ors: Vec<bool> = Vec::new(); // ors[k]: clause k joins the one before with OR
    let mut pending_or = false;
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let negated = c == '-' && chars.get(i + 1).is_some_and(|n| !n.is_whitespace());
        if c == '-' && !negated {
            return Err(query_error(
                "a lone '-' must stand right before the word to exclude",
            ));
        }
        let start = if negated { i + 1 } else { i };
        let (clause, next) = if chars.get(start) == Some(&'"') {
            let end = (start + 1..chars.len())
                .find(|&j| chars[j] == '"')
                .ok_or_else(|| query_error("a quote is not closed"))?;
            let words: Vec<String> = chars[start + 1..end]
                .iter()
                .collect::<String>()
                .split_whitespace()
                .map(str::to_string)
                .collect();
            if words.is_empty() {
                return Err(query_error("an empty phrase \"\""));
            }
            (
                if words.len() == 1 {
                    Clause::Word(words[0].clone())
                } else {
                    Clause::Phrase(words)
                },
                end + 1,
            )
        } else {
            let end = (start..chars.len())
                .find(|&j| chars[j].is_whitespace())
                .unwrap_or(chars.len());
            let word: String = chars[start..end].iter().collect();
            if word.contains('"') {
                return Err(query_error("a quote is not closed"));
            }
            if word == "OR" && !negated {
                if raw.is_empty() || pending_or {
                    return Err(query_error("OR must stand between two words"));
                }
                pending_or = true;
                i = end;
                continue;
            }
            if word == "AND" && !negated {
                i = end;
                continue;
            }
            let clause = if let Some(prefix) = word.strip_suffix('*') {
                if prefix.is_empty() || prefix.contains('*') {
                    return Err(query_error(
                        "'*' must follow the beginning of a word, as in suicid*",
                    ));
                }
                Clause::Prefix(prefix.to_string())
            } else {
                if word.contains('*') {
                    return Err(query_error("'*' may only end a word"));
                }
                Clause::Word(word)
            };
            (clause, end)
        };
        if pending_or && negated {
            return Err(query_error("an excluded word cannot be part of OR"));
        }
        ors.push(pending_or);
        raw.push((negated, clause));
        pending_or = false;
        i = next;
    }
    if pending_or {
        return Err(query_error("OR must stand between two words"));
    }
    let mut parsed = ParsedQuery::default();
    for ((negated, clause), or) in raw.into_iter().zip(ors) {
        if negated {
            parsed.excluded.push(clause);
        } else if or && !parsed.groups.is_empty() {
            parsed.groups.last_mut().expect("non-empty").push(clause);
        } else {
            parsed.groups.push(vec![clause]);
        }
    }
    Ok(parsed)
}

/// Filters that narrow a search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub group: Option<String>,
    pub person: Option<String>,
    pub topic: Option<String>,
    /// The municipality, region or association.
    pub organisation: Option<String>,
    /// Meetings where a person of this party was present.
    pub party: Option<String>,
    pub decisions: bool,
}

/// A search request.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    pub limit: usize,
    pub offset: usize,
    /// Facet values per field in the answer.
    pub facet_limit: usize,
    pub sort: Sort,
}

/// The order of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first; newer protocols win ties. An empty query sorts by date.
    #[default]
    Relevance,
    /// Newest meeting first.
    Date,
}

impl std::str::FromStr for Sort {
    type Err = Error;
    fn from_str(s: &str) -> Result<Sort> {
        match s {
            "relevance" | "" => Ok(Sort::Relevance),
            "date" => Ok(Sort::Date),
            other => Err(Error::InvalidArgument(format!(
                "sort must be relevance or date, not {other:?}"
            ))),
        }
    }
}

/// The whole tantivy query for a parsed query and its filters.
pub fn build_query(
    store: &Store,
    searcher: &Searcher,
    parsed: &ParsedQuery,
    filters: &Filters,
) -> Result<BooleanQuery> {
    let mut must: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, build_text_query(&store.fields, parsed)?)];
    // Filters filter: they match or not, and add nothing to an item's score.
    for q in build_filters(store, searcher, filters)? {
        must.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
    }
    Ok(BooleanQuery::new(must))
}

/// Checks the filters' values against each other.
pub fn check_filters(filters: &Filters) -> Result<()> {
    if let (Some(a), Some(b)) = (filters.from, filters.to) {
        if a > b {
            return Err(Error::InvalidArgument(format!("from {a} is after to {b}")));
        }
    }
    Ok(())
}

/// One agenda item that matched.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hit {
    pub protocol_id: String,
    pub file: String,
    pub date: Option<String>,
    pub group: String,
    pub kind: String,
    pub item_number: Option<String>,
    pub item_title: String,
    pub item_index: u64,
    pub parent: Option<String>,
    pub score: f32,
    /// HTML-escaped text with `<mark>` around the matched words.
    pub snippet: String,
    pub presenters: Vec<String>,
    pub decisions: Vec<String>,
}

/// A facet value and how many matching items carry it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SearchResponse {
    pub query: String,
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    /// Query words that matched nothing and were replaced by a close word that does.
    pub corrected: Vec<Correction>,
    pub took_ms: f64,
}

/// A query word replaced by a close spelling that occurs in the archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Correction {
    pub from: String,
    pub to: String,
}

/// Facet fields by their public name.
fn facet_fields(f: &Fields) -> [(&'static str, Field); 9] {
    [
        ("group", f.f_group),
        ("organisation", f.f_organisation),
        ("party", f.f_party),
        ("person", f.f_person),
        ("topic", f.f_topic),
        ("year", f.f_year),
        ("month", f.f_month),
        ("decision", f.f_decision),
        ("kind", f.f_kind),
    ]
}

/// Whether a facet's values are the same on every item of a protocol (one list
/// of them: [`crate::facets::PROTOCOL_FIELDS`]).
fn is_protocol_facet(name: &str) -> bool {
    crate::facets::PROTOCOL_FIELDS
        .iter()
        .any(|f| f.strip_prefix("f_") == Some(name))
}

/// Runs a search.
pub fn search(store: &Store, config: &Config, req: &SearchRequest) -> Result<SearchResponse> {
    let started = std::time::Instant::now();
    if req.limit > config.max_limit {
        return Err(Error::InvalidArgument(format!(
            "limit must be at most {}",
            config.max_limit
        )));
    }
    if req.offset > config.max_offset {
        return Err(Error::InvalidArgument(format!(
            "offset must be at most {}",
            config.max_offset
        )));
    }
    check_filters(&req.filters)?;
    let mut parsed = parse_query(&req.query, config.max_query_chars)?;
    let searcher = store.reader.searcher();
    let f = &store.fields;
    let corrected = correct_unknown_words(&searcher, f, &mut parsed)?;
    expand_abbreviations(&synonyms(&searcher, f)?, &mut parsed);
    let query = build_query(store, &searcher, &parsed, &req.filters)?;
    let empty = parsed.groups.is_empty();
    let by_date = empty || req.sort == Sort::Date;

    let date_field = "date";
    let top = TopDocs::with_limit(req.limit.max(1))
        .and_offset(req.offset)
        .tweak_score(move |seg: &tantivy::SegmentReader| {
            let dates = seg.fast_fields().date(date_field).ok();
            move |doc: tantivy::DocId, score: tantivy::Score| {
                let days = dates
                    .as_ref()
                    .and_then(|c| c.first(doc))
                    .map(|d| d.into_timestamp_secs() as f64 / 86_400.0)
                    .unwrap_or(0.0);
                if by_date {
                    days
                } else {
                    score as f64 + days * 1e-8
                }
            }
        });
    // Facets whose values belong to the protocol are counted per protocol; those
    // of the item itself (topic, decision) per item.
    let with_facets = req.facet_limit > 0;
    let names: Vec<&'static str> = facet_fields(f)
        .into_iter()
        .map(|(name, _)| name)
        .filter(|_| with_facets)
        .collect();
    let (per_protocol, per_item): (Vec<&str>, Vec<&str>) =
        names.iter().partition(|n| is_protocol_facet(n));
    let mut multi = tantivy::collector::MultiCollector::new();
    let top_handle = multi.add_collector(top);
    let count_handle = multi.add_collector(Count);
    let protocol_handle = multi.add_collector(ProtocolFacets::new(
        per_protocol.iter().map(|n| format!("f_{n}")).collect(),
    ));
    let item_handles: Vec<_> = per_item
        .iter()
        .map(|n| multi.add_collector(TermCounts::new(format!("f_{n}"))))
        .collect();
    let mut fruits = searcher
        .search(&query, &multi)
        .map_err(|e| Error::index(&config.index_dir, e))?;

    let top_docs = top_handle.extract(&mut fruits);
    let total = count_handle.extract(&mut fruits);
    let mut all_counts = protocol_handle.extract(&mut fruits);
    for (n, handle) in per_item.iter().zip(item_handles) {
        all_counts.insert(format!("f_{n}"), handle.extract(&mut fruits));
    }
    let mut facets = BTreeMap::new();
    for name in names {
        let mut counts = all_counts.remove(&format!("f_{name}")).unwrap_or_default();
        if name == "person" {
            // One person, one value: counts of other spellings go to the main one.
            let variants = store.person_variants()?;
            let mut merged: HashMap<String, u64> = HashMap::new();
            for (n, c) in counts {
                *merged
                    .entry(variants.canonical(&n).to_string())
                    .or_default() += c;
            }
            counts = merged;
        }
        facets.insert(
            name.to_string(),
            facet_values(&counts, req.facet_limit, name),
        );
    }

    let matcher = highlighter(f, &parsed)?;
    let mut hits = Vec::with_capacity(top_docs.len());
    for (score, addr) in top_docs {
        let doc: TantivyDocument = searcher
            .doc(addr)
            .map_err(|e| Error::index(&config.index_dir, e))?;
        let body = str_value(&doc, f.body);
        let html = crate::snippet::snippet(&body, &matcher, SNIPPET_CHARS)
            .unwrap_or_else(|| escape_html(&leading_chars(&body, SNIPPET_CHARS)));
        hits.push(hit_from_doc(
            f,
            &doc,
            if empty { 0.0 } else { score as f32 },
            html,
        ));
    }
    Ok(SearchResponse {
        query: req.query.clone(),
        total,
        offset: req.offset,
        limit: req.limit,
        hits,
        facets,
        corrected,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

const SNIPPET_CHARS: usize = 220;

/// What marks the words a parsed query matched: the terms of its positive part,
/// and its prefixes.
pub fn highlighter(f: &Fields, parsed: &ParsedQuery) -> Result<crate::snippet::Matcher> {
    let mut matcher = crate::snippet::Matcher::default();
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

/// The abbreviations the archive defines, with the shipped list.
pub fn synonyms(searcher: &Searcher, f: &Fields) -> Result<crate::synonyms::Synonyms> {
    let mut learned = Vec::new();
    for seg in searcher.segment_readers() {
        let inverted = seg
            .inverted_index(f.f_abbrev)
            .map_err(|e| Error::index("", e))?;
        let mut stream = inverted.terms().stream().map_err(|e| Error::index("", e))?;
        while stream.advance() {
            if let Some((abbr, long)) = std::str::from_utf8(stream.key())
                .ok()
                .and_then(|t| t.split_once(crate::synonyms::SEP))
            {
                learned.push((abbr.to_string(), long.to_string()));
            }
        }
    }
    Ok(crate::synonyms::Synonyms::with_learned(learned))
}

/// `IKB` also matches `"intensiv kontextuell behandling"` and the other way round:
/// each form joins its clause's OR group.
fn expand_abbreviations(syn: &crate::synonyms::Synonyms, parsed: &mut ParsedQuery) {
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
                Clause::Prefix(_) => {}
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
fn correct_unknown_words(
    searcher: &Searcher,
    f: &Fields,
    parsed: &mut ParsedQuery,
) -> Result<Vec<Correction>> {
    let mut out = Vec::new();
    let mut exact = analysis::exact_analyzer();
    let mut stem = analysis::stemmed_analyzer();
    for group in parsed.groups.iter_mut() {
        for clause in group.iter_mut() {
            let Clause::Word(word) = clause else { continue };
            let te = analysis::tokens(&mut exact, word);
            let ts = analysis::tokens(&mut stem, word);
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
            if capitals >= 2 || crate::lexicon::lexicon().lemma(&te[0]).is_some() {
                continue;
            }
            if let Some(best) = closest_term(searcher, f.body_exact, &te[0])? {
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
fn closest_term(searcher: &Searcher, field: Field, word: &str) -> Result<Option<String>> {
    // One edit first: its automaton is far smaller than two edits' on a large dictionary.
    for edits in 1..=max_edits(word) {
        if let Some(t) = closest_term_within(searcher, field, word, edits)? {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

fn closest_term_within(
    searcher: &Searcher,
    field: Field,
    word: &str,
    edits: u8,
) -> Result<Option<String>> {
    let fuzzy =
        tantivy::query::FuzzyTermQuery::new(Term::from_field_text(field, word), edits, true);
    let mut freq: HashMap<String, u64> = HashMap::new();
    for seg in searcher.segment_readers() {
        let automaton = fuzzy.automaton().map_err(|e| Error::index("", e))?;
        let inverted = seg.inverted_index(field).map_err(|e| Error::index("", e))?;
        let mut stream = inverted
            .terms()
            .search(automaton)
            .into_stream()
            .map_err(|e| Error::index("", e))?;
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

fn facet_values(counts: &HashMap<String, u64>, limit: usize, name: &str) -> Vec<FacetCount> {
    let mut values: Vec<FacetCount> = counts
        .iter()
        .map(|(value, &count)| FacetCount {
            value: value.clone(),
            count,
        })
        .collect();
    sort_facet_values(&mut values, name);
    values.truncate(limit);
    values
}

/// Years and months newest first; other facets by count, then alphabetically.
fn sort_facet_values(values: &mut [FacetCount], name: &str) {
    if matches!(name, "year" | "month") {
        values.sort_by(|a, b| b.value.cmp(&a.value));
    } else {
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
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
    let mut exact = analysis::exact_analyzer();
    let mut stem = analysis::stemmed_analyzer();
    match clause {
        Clause::Word(w) => {
            let te = analysis::tokens(&mut exact, w);
            let ts = analysis::tokens(&mut stem, w);
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
                let folded = analysis::fold(&te[0]);
                alts.push(boosted(term_query(f.folded, &folded), W_FOLDED));
                if folded != te[0] {
                    alts.push(boosted(term_query(f.title_exact, &folded), W_FOLDED));
                    alts.push(boosted(term_query(f.body_exact, &folded), W_FOLDED));
                }
            }
            // A compound also matches its parts written apart: `länsgemensam`
            // finds `Läns gemensam ledning`.
            let written = analysis::analyse_word(&te[0]).written_parts;
            if written.len() > 1 {
                let keys: Vec<String> = written
                    .iter()
                    .map(|p| analysis::analyse_word(p).key)
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
            let te = analysis::tokens(&mut exact, &joined);
            let ts = analysis::tokens(&mut stem, &joined);
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
                                    term_query(f.title, &analysis::analyse_word(&joined).key),
                                    W_TITLE,
                                ),
                                boosted(
                                    term_query(f.body, &analysis::analyse_word(&joined).key),
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
        Clause::Prefix(p) => {
            let te = analysis::tokens(&mut exact, p);
            let Some(last) = te.last() else {
                return Ok(Box::new(EmptyQuery));
            };
            if te.len() > 1 {
                return Err(query_error("a prefix (word*) must be a single word"));
            }
            let pattern = format!("{}.*", regex_escape(last));
            let mk = |field| -> Result<Box<dyn Query>> {
                RegexQuery::from_pattern(&pattern, field)
                    .map(|q| Box::new(q) as Box<dyn Query>)
                    .map_err(|e| query_error(e.to_string()))
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

/// Filter queries; a group, person or topic that is not a facet value exactly is
/// matched case-insensitively, then as a substring of one.
fn build_filters(
    store: &Store,
    searcher: &Searcher,
    filters: &Filters,
) -> Result<Vec<Box<dyn Query>>> {
    let f = &store.fields;
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    if filters.from.is_some() || filters.to.is_some() {
        let bound = |d: Option<Date>, end: bool| match d {
            Some(d) => {
                let secs = d.days_since_epoch() * 86_400 + if end { 86_399 } else { 0 };
                Bound::Included(Term::from_field_date(
                    f.date,
                    DateTime::from_timestamp_secs(secs),
                ))
            }
            None => Bound::Unbounded,
        };
        out.push(Box::new(RangeQuery::new(
            bound(filters.from, false),
            bound(filters.to, true),
        )));
    }
    for (field, name, value) in [
        (f.f_group, "group", &filters.group),
        (f.f_person, "person", &filters.person),
        (f.f_topic, "topic", &filters.topic),
        (f.f_organisation, "organisation", &filters.organisation),
        (f.f_party, "party", &filters.party),
    ] {
        let Some(value) = value else { continue };
        let resolved = resolve_facet_value(searcher, field, value)?;
        match resolved {
            // A person is every spelling of their name; a party is on the first item.
            Some(v) if field == f.f_person || field == f.f_party => {
                let spellings = if field == f.f_person {
                    store.person_variants()?.spellings(&v)
                } else {
                    vec![v.clone()]
                };
                let terms: Vec<Box<dyn Query>> = spellings
                    .iter()
                    .map(|s| {
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, s),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>
                    })
                    .collect();
                // Attendees are on each protocol's first item: the filter is every
                // item of the protocols found.
                let ids = protocol_ids(searcher, &BooleanQuery::union(terms))?;
                out.push(Box::new(TermSetQuery::new(
                    ids.iter()
                        .map(|id| Term::from_field_text(f.protocol_id, id)),
                )));
            }
            Some(v) => out.push(Box::new(TermQuery::new(
                Term::from_field_text(field, &v),
                IndexRecordOption::Basic,
            ))),
            None => {
                tracing::debug!(filter = name, value = %value, "no such facet value");
                out.push(Box::new(EmptyQuery));
            }
        }
    }
    if filters.decisions {
        out.push(Box::new(TermQuery::new(
            Term::from_field_text(f.f_decision, "ja"),
            IndexRecordOption::Basic,
        )));
    }
    Ok(out)
}

/// The ids of the protocols of the items `query` matches.
fn protocol_ids(searcher: &Searcher, query: &dyn Query) -> Result<BTreeSet<String>> {
    let docs = searcher
        .search(query, &tantivy::collector::DocSetCollector)
        .map_err(|e| Error::index("", e))?;
    let mut ids = BTreeSet::new();
    let mut id = String::new();
    for addr in docs {
        let seg = searcher.segment_reader(addr.segment_ord);
        let Some(col) = seg
            .fast_fields()
            .str("protocol_id")
            .map_err(|e| Error::index("", e))?
        else {
            continue;
        };
        if let Some(ord) = col.ords().first(addr.doc_id) {
            id.clear();
            if col.ord_to_str(ord, &mut id).is_ok() {
                ids.insert(id.clone());
            }
        }
    }
    Ok(ids)
}

/// Every value of a facet field, with counts over the whole index.
pub fn all_facet_values(searcher: &Searcher, field_name: &str) -> Result<Vec<FacetCount>> {
    let per_protocol = field_name.strip_prefix("f_").is_some_and(is_protocol_facet);
    let counts = if per_protocol {
        searcher
            .search(
                &AllQuery,
                &ProtocolFacets::new(vec![field_name.to_string()]),
            )
            .map(|mut fruit| fruit.remove(field_name).unwrap_or_default())
    } else {
        searcher.search(&AllQuery, &TermCounts::new(field_name))
    }
    .map_err(|e| Error::index("", e))?;
    Ok(counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect())
}

fn resolve_facet_value(searcher: &Searcher, field: Field, wanted: &str) -> Result<Option<String>> {
    // An exact value is a term lookup; only other spellings need the list of values.
    let exact = Term::from_field_text(field, wanted);
    if searcher.doc_freq(&exact).map_err(|e| Error::index("", e))? > 0 {
        return Ok(Some(wanted.to_string()));
    }
    let field_name = searcher.schema().get_field_name(field).to_string();
    let values = all_facet_values(searcher, &field_name)?;
    if values.iter().any(|v| v.value == wanted) {
        return Ok(Some(wanted.to_string()));
    }
    let w = wanted.to_lowercase();
    if let Some(v) = values.iter().find(|v| v.value.to_lowercase() == w) {
        return Ok(Some(v.value.clone()));
    }
    Ok(values
        .iter()
        .filter(|v| v.value.to_lowercase().contains(&w))
        .max_by_key(|v| v.count)
        .map(|v| v.value.clone()))
}

fn str_value(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn str_values(doc: &TantivyDocument, field: Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn opt_str(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

fn hit_from_doc(f: &Fields, doc: &TantivyDocument, score: f32, snippet: String) -> Hit {
    Hit {
        protocol_id: str_value(doc, f.protocol_id),
        file: str_value(doc, f.file),
        date: opt_str(doc, f.date_str),
        group: str_value(doc, f.group),
        kind: str_value(doc, f.kind),
        item_number: opt_str(doc, f.number),
        item_title: str_value(doc, f.title),
        item_index: doc
            .get_first(f.item_ord)
            .and_then(|v| v.as_u64())
            .unwrap_or(0),
        parent: opt_str(doc, f.parent),
        score,
        snippet,
        presenters: str_values(doc, f.presenters),
        decisions: str_values(doc, f.decisions),
    }
}

fn leading_chars(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

pub use crate::snippet::escape_html;

/// Reads a whole protocol back from the index.
pub fn protocol(store: &Store, id: &str) -> Result<Protocol> {
    let searcher = store.reader.searcher();
    let f = &store.fields;
    let q = TermQuery::new(
        Term::from_field_text(f.protocol_id, id),
        IndexRecordOption::Basic,
    );
    let addrs: Vec<(tantivy::Score, DocAddress)> = searcher
        .search(&q, &TopDocs::with_limit(100_000).order_by_score())
        .map_err(|e| Error::index("", e))?;
    if addrs.is_empty() {
        return Err(Error::UnknownProtocol(id.to_string()));
    }
    let mut items: Vec<(u64, Item)> = Vec::new();
    let mut meta: Option<Protocol> = None;
    for (_, addr) in addrs {
        let doc: TantivyDocument = searcher.doc(addr).map_err(|e| Error::index("", e))?;
        if let Some(json) = opt_str(&doc, f.protocol_json) {
            meta = serde_json::from_str(&json).ok();
        }
        let ord = doc
            .get_first(f.item_ord)
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        let title = str_value(&doc, f.title);
        let parent = opt_str(&doc, f.parent);
        let stances: serde_json::Value = opt_str(&doc, f.stances_json)
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        let stance_list = |key: &str| -> Vec<crate::parse::debate::Stance> {
            serde_json::from_value(stances[key].clone()).unwrap_or_default()
        };
        items.push((
            ord,
            Item {
                number: opt_str(&doc, f.number),
                topic: crate::parse::topic_of(&title, false),
                title,
                parent,
                text: str_value(&doc, f.body),
                presenters: str_values(&doc, f.presenters),
                decisions: str_values(&doc, f.decisions),
                dnr: opt_str(&doc, f.dnr),
                motions: stance_list("motions"),
                reservations: stance_list("reservations"),
            },
        ));
    }
    items.sort_by_key(|(o, _)| *o);
    let meta =
        meta.ok_or_else(|| Error::index("", format!("protocol {id} has no stored metadata")))?;
    Ok(Protocol {
        items: items.into_iter().map(|(_, i)| i).collect(),
        ..meta
    })
}

/// Every facet value with its count over the whole index, by facet name.
pub fn facets(store: &Store) -> Result<BTreeMap<String, Vec<FacetCount>>> {
    let searcher = store.reader.searcher();
    let mut out = BTreeMap::new();
    for (name, _) in facet_fields(&store.fields) {
        let mut values = all_facet_values(&searcher, &format!("f_{name}"))?;
        sort_facet_values(&mut values, name);
        out.insert(name.to_string(), values);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> std::result::Result<ParsedQuery, String> {
        parse_query(q, 1000).map_err(|e| e.to_string())
    }

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
        let (_, fields) = crate::index::schema();
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

    #[test]
    fn words_are_anded_and_or_joins() {
        let q = p("IKB finansiering").unwrap();
        assert_eq!(
            q.groups,
            vec![
                vec![Clause::Word("IKB".into())],
                vec![Clause::Word("finansiering".into())]
            ]
        );
        let q = p("IKB OR SDK vård").unwrap();
        assert_eq!(q.groups.len(), 2);
        assert_eq!(q.groups[0].len(), 2);
    }

    #[test]
    fn phrases_negations_and_prefixes() {
        let q = p("\"barn och unga\" -covid suicid*").unwrap();
        assert_eq!(
            q.groups[0],
            vec![Clause::Phrase(vec![
                "barn".into(),
                "och".into(),
                "unga".into()
            ])]
        );
        assert_eq!(q.groups[1], vec![Clause::Prefix("suicid".into())]);
        assert_eq!(q.excluded, vec![Clause::Word("covid".into())]);
    }

    #[test]
    fn malformed_queries_are_refused_with_a_reason() {
        for bad in [
            "\"barn och",
            "OR vård",
            "vård OR",
            "a OR OR b",
            "*",
            "- vård",
            "a*b",
            "\"\"",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
        assert!(p(&"a".repeat(1001)).is_err());
    }

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

    #[test]
    fn empty_query_lists_everything() {
        assert!(p("").unwrap().is_empty());
        assert!(p("   ").unwrap().is_empty());
    }
}
