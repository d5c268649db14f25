//! The query plan: what a query as written becomes before it meets the index.
//! Owns: the query syntax (words AND-ed, `"phrase"`, `OR`, `-word`, `prefix*`);
//! the plan every consumer of a query shares — search, trend, the person filter and
//! eval alike: parse → spelling correction of words the archive lacks →
//! abbreviations and their long forms → compound and form expansion (the tantivy
//! query of each clause) → filters; the words it highlights; and the filters
//! (dates, facet values, decisions), which match or not and never score.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use tantivy::collector::DocSetCollector;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RangeQuery, RegexQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime, Searcher, Term};

use serde::{Deserialize, Serialize};

use crate::analysis;
use crate::config::Limits;
use crate::error::{Error, Result};
use crate::facets::{FacetField, ProtocolFacets, TermCounts};
use crate::index::{Fields, Store};
use crate::parse::Date;
use crate::variants::edit_distance;

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
        return Err(Error::query(
            q,
            format!("the query is longer than {max_chars} characters"),
        ));
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
            return Err(Error::query(
                q,
                "a lone '-' must stand right before the word to exclude",
            ));
        }
        let start = if negated { i + 1 } else { i };
        let (clause, next) = if chars.get(start) == Some(&'"') {
            let end = (start + 1..chars.len())
                .find(|&j| chars[j] == '"')
                .ok_or_else(|| Error::query(q, "a quote is not closed"))?;
            let words: Vec<String> = chars[start + 1..end]
                .iter()
                .collect::<String>()
                .split_whitespace()
                .map(str::to_string)
                .collect();
            if words.is_empty() {
                return Err(Error::query(q, "an empty phrase \"\""));
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
                return Err(Error::query(q, "a quote is not closed"));
            }
            if word == "OR" && !negated {
                if raw.is_empty() || pending_or {
                    return Err(Error::query(q, "OR must stand between two words"));
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
                    return Err(Error::query(
                        q,
                        "'*' must follow the beginning of a word, as in suicid*",
                    ));
                }
                Clause::Prefix(prefix.to_string())
            } else {
                if word.contains('*') {
                    return Err(Error::query(q, "'*' may only end a word"));
                }
                Clause::Word(word)
            };
            (clause, end)
        };
        if pending_or && negated {
            return Err(Error::query(q, "an excluded word cannot be part of OR"));
        }
        ors.push(pending_or);
        raw.push((negated, clause));
        pending_or = false;
        i = next;
    }
    if pending_or {
        return Err(Error::query(q, "OR must stand between two words"));
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

/// Filters that narrow a search: a date range, facet values and "holds a decision".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// A wanted value per facet: the exact value, else a case-insensitive one, else
    /// the most frequent value that holds it. A person is every spelling of the
    /// name; a party is the meetings where a person of the party was present.
    pub facets: BTreeMap<FacetField, String>,
    pub decisions: bool,
}

impl Filters {
    /// These filters and a wanted value of `facet` (an empty value is no filter).
    pub fn with(mut self, facet: FacetField, value: Option<String>) -> Filters {
        if let Some(v) = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        {
            self.facets.insert(facet, v);
        }
        self
    }

    /// The wanted value of `facet`.
    pub fn get(&self, facet: FacetField) -> Option<&str> {
        self.facets.get(&facet).map(String::as_str)
    }

    /// The filter parameter names [`Filters::from_pairs`] takes.
    pub fn keys() -> Vec<&'static str> {
        let mut keys = vec!["from", "to", "decisions"];
        keys.extend(FacetField::ALL.map(FacetField::name));
        keys
    }

    /// Filters from `key=value` pairs (HTTP parameters, a judgment's filter column):
    /// `from`, `to` (`YYYY-MM-DD`), `decisions` (`true`/`false`) and any facet
    /// name. Other keys are passed over for the caller to judge; a bad value is an
    /// error that names its key.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Filters> {
        let mut out = Filters::default();
        for (key, value) in pairs {
            let value = value.trim();
            match key {
                "from" | "to" if value.is_empty() => {}
                "from" | "to" => {
                    let d = Date::parse_iso(value).ok_or_else(|| {
                        Error::InvalidArgument(format!(
                            "{key} must be a date YYYY-MM-DD, not {value:?}"
                        ))
                    })?;
                    if key == "from" {
                        out.from = Some(d);
                    } else {
                        out.to = Some(d);
                    }
                }
                "decisions" => {
                    out.decisions = match value {
                        "" | "false" | "0" => false,
                        "true" | "1" => true,
                        other => {
                            return Err(Error::InvalidArgument(format!(
                                "decisions must be true or false, not {other:?}"
                            )))
                        }
                    }
                }
                other => {
                    if let Ok(facet) = other.parse::<FacetField>() {
                        out = out.with(facet, Some(value.to_string()));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Checks the filters' values against each other.
    pub fn check(&self) -> Result<()> {
        if let (Some(a), Some(b)) = (self.from, self.to) {
            if a > b {
                return Err(Error::InvalidArgument(format!("from {a} is after to {b}")));
            }
        }
        Ok(())
    }
}

/// A query word replaced by a close spelling that occurs in the archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Correction {
    pub from: String,
    pub to: String,
}

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
    filters: Vec<Box<dyn Query>>,
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
        self.combine(Some(self.text_query.box_clone()), &[])
    }

    /// Every item the filters let through, whatever the words.
    pub fn everything_filtered(&self) -> BooleanQuery {
        self.combine(None, &[])
    }

    /// The query narrowed by one more filter query.
    pub fn narrowed(&self, extra: Box<dyn Query>) -> BooleanQuery {
        self.combine(Some(self.text_query.box_clone()), &[extra])
    }

    fn combine(&self, text: Option<Box<dyn Query>>, extra: &[Box<dyn Query>]) -> BooleanQuery {
        let mut must: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, text.unwrap_or_else(|| Box::new(AllQuery)))];
        for q in self.filters.iter().chain(extra) {
            must.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(q.box_clone(), 0.0)),
            ));
        }
        BooleanQuery::new(must)
    }

    /// What marks the words this plan matches in a text.
    pub fn matcher(&self, f: &Fields) -> Result<crate::snippet::Matcher> {
        highlighter(f, &self.parsed)
    }
}

/// A filter query for one facet value, as the plan builds it.
pub fn facet_filter(
    store: &Store,
    searcher: &Searcher,
    facet: FacetField,
    value: &str,
) -> Result<Box<dyn Query>> {
    let filters = Filters::default().with(facet, Some(value.to_string()));
    let mut built = build_filters(store, searcher, &filters)?;
    Ok(built.pop().unwrap_or_else(|| Box::new(AllQuery)))
}

/// Filter queries; a facet value that is not a value exactly is matched
/// case-insensitively, then as a substring of one.
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
    for (&facet, value) in &filters.facets {
        let field = f.facet(facet);
        let Some(v) = resolve_facet_value(store, searcher, facet, value)? else {
            tracing::debug!(filter = facet.name(), value = %value, "no such facet value");
            out.push(Box::new(EmptyQuery));
            continue;
        };
        if !facet.on_first_item() {
            out.push(Box::new(TermQuery::new(
                Term::from_field_text(field, &v),
                IndexRecordOption::Basic,
            )));
            continue;
        }
        // A person is every spelling of their name.
        let spellings = if facet == FacetField::Person {
            store.person_variants()?.spellings(&v)
        } else {
            vec![v.clone()]
        };
        // Attendees are on each protocol's first item: the filter is every item of
        // the protocols found.
        let ids = protocol_ids(store, searcher, any_term(field, &spellings).as_ref())?;
        out.push(Box::new(TermSetQuery::new(
            ids.iter()
                .map(|id| Term::from_field_text(f.protocol_id, id)),
        )));
    }
    if filters.decisions {
        out.push(Box::new(TermQuery::new(
            Term::from_field_text(f.facet(FacetField::Decision), "ja"),
            IndexRecordOption::Basic,
        )));
    }
    Ok(out)
}

/// Items with any of `values` in `field` (a raw-string field).
pub fn any_term(field: Field, values: &[String]) -> Box<dyn Query> {
    Box::new(BooleanQuery::union(
        values
            .iter()
            .map(|v| {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, v),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>
            })
            .collect(),
    ))
}

/// Checks a query's syntax and length within `limits`, without reading the index.
pub fn check(text: &str, limits: &Limits) -> Result<()> {
    parse_query(text, limits.max_query_chars).map(|_| ())
}

/// The ids of the protocols of the items `query` matches.
pub fn protocol_ids(
    store: &Store,
    searcher: &Searcher,
    query: &dyn Query,
) -> Result<BTreeSet<String>> {
    let err = |e: tantivy::TantivyError| Error::index(&store.dir, e);
    let docs = searcher.search(query, &DocSetCollector).map_err(err)?;
    let mut ids = BTreeSet::new();
    let mut id = String::new();
    for addr in docs {
        let seg = searcher.segment_reader(addr.segment_ord);
        let Some(col) = seg.fast_fields().str("protocol_id").map_err(err)? else {
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

/// Every value of a facet with its count of items over the whole index.
pub fn all_facet_values(
    store: &Store,
    searcher: &Searcher,
    facet: FacetField,
) -> Result<HashMap<String, u64>> {
    let counts = if facet.per_protocol() {
        searcher
            .search(
                &AllQuery,
                &ProtocolFacets::new(vec![facet], store.tables.clone()),
            )
            .map(|mut fruit| fruit.remove(&facet).unwrap_or_default())
    } else {
        searcher.search(&AllQuery, &TermCounts::new(facet))
    };
    counts.map_err(|e| Error::index(&store.dir, e))
}

/// The facet value a filter means: the value itself, one that differs only in case,
/// else the most frequent value that holds it. A person's name resolves to the
/// person, whichever spelling was asked for.
pub fn resolve_facet_value(
    store: &Store,
    searcher: &Searcher,
    facet: FacetField,
    wanted: &str,
) -> Result<Option<String>> {
    let field = store.fields.facet(facet);
    // An exact value is a term lookup; only other spellings need the list of values.
    let exact = Term::from_field_text(field, wanted);
    if searcher
        .doc_freq(&exact)
        .map_err(|e| Error::index(&store.dir, e))?
        > 0
    {
        return Ok(Some(wanted.to_string()));
    }
    let values = all_facet_values(store, searcher, facet)?;
    let w = wanted.to_lowercase();
    let mut sorted: Vec<(&String, &u64)> = values.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    if let Some((v, _)) = sorted.iter().find(|(v, _)| v.to_lowercase() == w) {
        return Ok(Some((*v).clone()));
    }
    Ok(sorted
        .iter()
        .find(|(v, _)| v.to_lowercase().contains(&w))
        .map(|(v, _)| (*v).clone()))
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
pub fn synonyms(store: &Store, searcher: &Searcher) -> Result<crate::synonyms::Synonyms> {
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
    store: &Store,
    searcher: &Searcher,
    parsed: &mut ParsedQuery,
) -> Result<Vec<Correction>> {
    let f = &store.fields;
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
    fn filters_are_read_from_pairs_and_bad_values_name_their_key() {
        let f = Filters::from_pairs([
            ("group", " Ledningsgrupp "),
            ("from", "2026-01-01"),
            ("decisions", "true"),
            ("kind", "protokoll"),
            ("q", "ignored here"),
            ("person", ""),
        ])
        .unwrap();
        assert_eq!(f.get(FacetField::Group), Some("Ledningsgrupp"));
        assert_eq!(f.get(FacetField::Kind), Some("protokoll"));
        assert_eq!(f.get(FacetField::Person), None);
        assert!(f.decisions);
        assert_eq!(f.from, Date::parse_iso("2026-01-01"));
        let e = Filters::from_pairs([("to", "igår")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("to must be a date"), "{e}");
        assert!(Filters::from_pairs([("decisions", "kanske")]).is_err());
        let reversed = Filters::from_pairs([("from", "2026-02-01"), ("to", "2026-01-01")]);
        assert!(reversed.unwrap().check().is_err());
    }

    #[test]
    fn empty_query_lists_everything() {
        assert!(p("").unwrap().is_empty());
        assert!(p("   ").unwrap().is_empty());
    }
}
