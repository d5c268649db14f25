//! Runs query plans against the index.
//! Owns: ranking (exact title > stemmed title > exact body > stemmed body, context
//! ranks; newer protocols win ties; or newest first), the page of hits with their
//! marked snippets, facet counts that equal what the filter of a value finds, and
//! reading a whole protocol back from the index.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, TantivyDocument, Term};

use crate::config::Limits;
use crate::error::{Error, Result};
use crate::index::facets::{
    Counts, Estimated, FacetCounts, FacetField, ProtocolFacets, Sampling, Several, TermCounts,
};
use crate::index::schema::{opt_str, str_value, str_values, Fields};
use crate::index::store::Store;
use crate::parse::Protocol;
use crate::query::budget::{Budget, Within};
use crate::query::correct::Correction;
use crate::query::filters::{all_facet_values, Filters};
use crate::query::plan::plan;
use crate::query::snippet::Marked;

/// A search request.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    pub limit: usize,
    pub offset: usize,
    /// Facet values per field in the answer (0: no facets).
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

/// One agenda item that matched.
#[derive(Debug, Clone, PartialEq)]
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
    /// The part of the item's text that shows the most of what matched.
    pub snippet: Marked,
    /// What matched in the title, as character ranges.
    pub title_marks: Vec<[usize; 2]>,
    pub presenters: Vec<String>,
    pub decisions: Vec<String>,
    /// The item's themes (its values of the topic facet).
    pub themes: Vec<String>,
    /// The matter the item belongs to, when it is threaded with items of other meetings.
    pub matter: Option<String>,
    /// When the protocol entered the index as it is now (seconds since the epoch).
    pub indexed_at: i64,
}

/// A facet value and how many matching items carry it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// The answer to a search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResponse {
    pub query: String,
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<FacetField, Vec<FacetCount>>,
    /// The facet counts are estimates: past [`FACET_EXACT_ITEMS`] matching items
    /// they come from a sample (see [`Sampling`]); `total` is exact.
    pub facets_estimated: bool,
    /// Query words that matched nothing and were replaced by a close word that does.
    pub corrected: Vec<Correction>,
    pub took_ms: f64,
}

/// Matching items a search's facet counts look at one by one; past them the
/// counts are estimated from a sample. A frequent word matches most of an archive,
/// and counting every item would take most of the search's time.
pub const FACET_EXACT_ITEMS: u64 = 20_000;

/// What a day of an item's date adds to its score: enough to rank the newer of
/// two equal scores first, too little to pass a better score.
const DAY_WEIGHT: f64 = 1e-8;

/// A score, ordered (scores are never NaN; `total_cmp` orders them all the same).
#[derive(Debug, Clone, Copy, PartialEq)]
struct ScoreOrder(f32);

impl Eq for ScoreOrder {}

impl PartialOrd for ScoreOrder {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ScoreOrder {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Runs a search.
pub fn search(store: &Store, limits: &Limits, req: &SearchRequest) -> Result<SearchResponse> {
    let started = std::time::Instant::now();
    limits.check_page(req.limit, req.offset)?;
    limits.check_facet_values(req.facet_limit)?;
    let searcher = store.reader.searcher();
    let plan = plan(store, &searcher, &req.query, &req.filters, limits)?;
    let f = &store.fields;
    let query = plan.query();
    let empty = plan.is_empty();
    let by_date = empty || req.sort == Sort::Date;

    let date_field = "date";
    let kept = req.limit.max(1).saturating_add(req.offset);
    let top = TopDocs::with_limit(req.limit.max(1))
        .and_offset(req.offset)
        .tweak_score(move |seg: &tantivy::SegmentReader| {
            let dates = seg.fast_fields().date(date_field).ok();
            let days_of = |d: tantivy::DateTime| d.into_timestamp_secs() as f64 / 86_400.0;
            // Among equal scores the newer item ranks first: the date moves a score
            // by at most `reach` either way.
            let reach = dates.as_ref().map_or(0.0, |c| {
                days_of(c.min_value())
                    .abs()
                    .max(days_of(c.max_value()).abs())
                    * DAY_WEIGHT
            });
            // The best `kept` scores so far (lowest on top): a match scoring below
            // the lowest of them by more than twice `reach` cannot be among the
            // hits, and its date is not read.
            let best = std::cell::RefCell::new(std::collections::BinaryHeap::with_capacity(
                kept.saturating_add(1).min(1 << 16),
            ));
            move |doc: tantivy::DocId, score: tantivy::Score| {
                let days = || {
                    dates
                        .as_ref()
                        .and_then(|c| c.first(doc))
                        .map_or(0.0, days_of)
                };
                if by_date {
                    return days();
                }
                let raw = f64::from(score);
                let mut best = best.borrow_mut();
                match best.peek() {
                    Some(&std::cmp::Reverse(ScoreOrder(lowest))) if best.len() >= kept => {
                        if raw + 2.0 * reach < f64::from(lowest) {
                            return raw;
                        }
                        if score > lowest {
                            best.pop();
                            best.push(std::cmp::Reverse(ScoreOrder(score)));
                        }
                    }
                    _ => best.push(std::cmp::Reverse(ScoreOrder(score))),
                }
                raw + days() * DAY_WEIGHT
            }
        });
    // Facets whose values belong to the protocol are counted per protocol; those
    // of the item itself (topic, decision) per item.
    let wanted: Vec<FacetField> = if req.facet_limit > 0 {
        FacetField::ALL.to_vec()
    } else {
        Vec::new()
    };
    let (per_protocol, per_item): (Vec<FacetField>, Vec<FacetField>) =
        wanted.iter().partition(|f| f.per_protocol());
    let docs: u64 = searcher
        .segment_readers()
        .iter()
        .map(|s| u64::from(s.max_doc()))
        .sum();
    let sampling = Sampling::after(FACET_EXACT_ITEMS, docs);
    // One collector per concern, composed statically: every match passes through
    // each of them.
    let item_counts = Several(
        per_item
            .iter()
            .map(|&facet| {
                TermCounts::new(facet)
                    .with_tables(store.tables.clone())
                    .sampling(sampling)
            })
            .collect(),
    );
    let facet_counts = (!wanted.is_empty()).then(|| {
        (
            Estimated(sampling),
            ProtocolFacets::new(per_protocol, store.tables.clone()).sampling(sampling),
            item_counts,
        )
    });
    let multi = (top, Count, facet_counts);
    // A facet the filters narrow by is counted without its own filter: the values
    // not chosen keep their counts and can be added (OR within a facet). When one
    // facet is filtered, one walk of the matches without its filter does both: the
    // hits are collected within the filter, the facet's counts over every match.
    let filtered: Vec<FacetField> = plan
        .filtered_facets()
        .into_iter()
        .filter(|f| wanted.contains(f))
        .collect();
    let walked_once = match filtered.as_slice() {
        [facet] => Some(*facet),
        _ => None,
    };
    let index_err = |e| Error::index(&store.dir, e);
    let budget = Budget::starting_now(limits.search_budget);
    let (fruits, walked) = match walked_once {
        Some(facet) => {
            let all = recount(store, facet, sampling);
            let within = Within::new(&searcher, &plan.facet_filter(facet), multi, all, &budget)
                .map_err(index_err)?;
            let (fruits, walked) = searcher
                .search(&plan.without_facet(facet), &within)
                .map_err(index_err)?;
            (fruits, Some((facet, walked)))
        }
        None => {
            let fruits = searcher
                .search(&query, &budget.apply(multi))
                .map_err(index_err)?;
            (fruits, None)
        }
    };

    let (top_docs, total, facet_fruits) = fruits;
    let (mut facets_estimated, mut all_counts) = match facet_fruits {
        Some((estimated, protocol_counts, item_counts)) => {
            let mut all_counts = protocol_counts;
            for (&facet, counts) in per_item.iter().zip(item_counts) {
                all_counts.insert(facet, FacetCounts::named(facet, counts));
            }
            (estimated, all_counts)
        }
        None => (false, HashMap::new()),
    };
    // The filtered facet counted beside the walk above; or, with two or more facets
    // filtered, each counted by a walk of its own.
    let others = filtered.into_iter().filter(|_| walked_once.is_none());
    let walks = others.map(|facet| {
        let q = plan.without_facet(facet);
        let fruit = searcher.search(&q, &budget.apply(recount(store, facet, sampling)));
        fruit.map(|fruit| (facet, fruit)).map_err(index_err)
    });
    for walk in walked.map(Ok).into_iter().chain(walks) {
        let (facet, fruit) = walk?;
        let (counts, estimated) = recounted(facet, fruit);
        facets_estimated |= estimated;
        all_counts.insert(facet, counts);
    }
    if budget.spent() {
        return Err(Error::TooSlow(budget.budget()));
    }
    let mut facets = BTreeMap::new();
    for facet in wanted {
        let mut counts = all_counts
            .remove(&facet)
            .unwrap_or_else(|| FacetCounts::named(facet, Counts::default()));
        if facet == FacetField::Person {
            merge_spellings(store, &mut counts)?;
        }
        facets.insert(
            facet,
            facet_values(counts, req.facet_limit, req.filters.values(facet)),
        );
    }

    let matcher = plan.matcher(f)?;
    let mut hits = Vec::with_capacity(top_docs.len());
    let mut scopes = Vec::with_capacity(top_docs.len());
    for (score, addr) in top_docs {
        scopes.push(crate::index::matters::scope_of(&searcher, addr));
        let doc: TantivyDocument = searcher
            .doc(addr)
            .map_err(|e| Error::index(&store.dir, e))?;
        let body = str_value(&doc, f.body);
        let snippet = crate::query::snippet::snippet(&body, &matcher, SNIPPET_CHARS)
            .unwrap_or_else(|| Marked::plain(leading_chars(&body, SNIPPET_CHARS)));
        let mut hit = hit_from_doc(f, &doc, if empty { 0.0 } else { score as f32 }, snippet);
        hit.title_marks = Marked::of(&hit.item_title, &matcher).marks;
        hits.push(hit);
    }
    let items: Vec<(&str, u64, Option<&str>)> = hits
        .iter()
        .zip(&scopes)
        .map(|(h, scope)| (h.protocol_id.as_str(), h.item_index, scope.as_deref()))
        .collect();
    let matters = store.matters_of(&items)?;
    for (hit, matter) in hits.iter_mut().zip(matters) {
        hit.matter = matter;
    }
    Ok(SearchResponse {
        query: req.query.clone(),
        total,
        offset: req.offset,
        limit: req.limit,
        hits,
        facets,
        facets_estimated,
        corrected: plan.corrected,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// What counts the values of `facet` alone (whether they are estimates beside),
/// by protocol or by item as the facet's values belong.
type Recount = (
    Option<(ProtocolFacets, Estimated)>,
    Option<(TermCounts, Estimated)>,
);

fn recount(store: &Store, facet: FacetField, sampling: Sampling) -> Recount {
    if facet.per_protocol() {
        let counts = ProtocolFacets::new(vec![facet], store.tables.clone()).sampling(sampling);
        (Some((counts, Estimated(sampling))), None)
    } else {
        let counts = TermCounts::new(facet)
            .with_tables(store.tables.clone())
            .sampling(sampling);
        (None, Some((counts, Estimated(sampling))))
    }
}

/// The counts of a [`Recount`], and whether they are estimates.
fn recounted(
    facet: FacetField,
    fruit: <Recount as tantivy::collector::Collector>::Fruit,
) -> (FacetCounts, bool) {
    match fruit {
        (Some((mut by_protocol, estimated)), _) => {
            let counts = by_protocol.remove(&facet);
            let none = || FacetCounts::named(facet, Counts::default());
            (counts.unwrap_or_else(none), estimated)
        }
        (None, Some((by_item, estimated))) => (FacetCounts::named(facet, by_item), estimated),
        (None, None) => (FacetCounts::named(facet, Counts::default()), false),
    }
}

/// One person, one value: counts of other spellings go to the main one.
fn merge_spellings(store: &Store, counts: &mut FacetCounts) -> Result<()> {
    let variants = store.person_variants()?;
    // Few people have more than one spelling: those are moved, the rest stay.
    for (spelling, name) in variants.respellings() {
        counts.move_count(spelling, name);
    }
    Ok(())
}

const SNIPPET_CHARS: usize = 220;

/// The first `limit` values of a facet in its order, and after them any value the
/// filters chose that the limit cut off: a chosen value stays in sight to be undone.
fn facet_values(counts: FacetCounts, limit: usize, chosen: &[String]) -> Vec<FacetCount> {
    let chosen: Vec<String> = chosen.iter().map(|c| c.to_lowercase()).collect();
    counts
        .top(limit, |v| {
            !chosen.is_empty() && chosen.contains(&v.to_lowercase())
        })
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect()
}

/// Every value of every facet (or of `only`) with its count over the whole index;
/// people with their spellings merged.
pub fn facets(
    store: &Store,
    only: Option<FacetField>,
) -> Result<BTreeMap<FacetField, Vec<FacetCount>>> {
    let searcher = store.reader.searcher();
    let mut out = BTreeMap::new();
    for facet in FacetField::ALL {
        if only.is_some_and(|o| o != facet) {
            continue;
        }
        let mut counts = FacetCounts::named(facet, all_facet_values(store, &searcher, facet)?);
        if facet == FacetField::Person {
            merge_spellings(store, &mut counts)?;
        }
        out.insert(facet, facet_values(counts, usize::MAX, &[]));
    }
    Ok(out)
}

fn hit_from_doc(f: &Fields, doc: &TantivyDocument, score: f32, snippet: Marked) -> Hit {
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
        title_marks: Vec::new(),
        presenters: str_values(doc, f.presenters),
        decisions: str_values(doc, f.decisions),
        themes: str_values(doc, f.themes),
        matter: None,
        indexed_at: doc
            .get_first(f.indexed_at)
            .and_then(|v| v.as_i64())
            .unwrap_or(0),
    }
}

fn leading_chars(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

/// More items than any protocol has; a protocol's items are read up to this many.
const MAX_ITEMS: usize = 100_000;

/// A protocol read back from the index, with its items in order.
pub fn protocol(store: &Store, id: &str) -> Result<Protocol> {
    let searcher = store.reader.searcher();
    let f = &store.fields;
    let q = TermQuery::new(
        Term::from_field_text(f.protocol_id, id),
        IndexRecordOption::Basic,
    );
    let addrs: Vec<(tantivy::Score, DocAddress)> = searcher
        .search(&q, &TopDocs::with_limit(MAX_ITEMS).order_by_score())
        .map_err(|e| Error::index(&store.dir, e))?;
    if addrs.is_empty() {
        return Err(Error::UnknownProtocol(id.to_string()));
    }
    let mut docs = Vec::with_capacity(addrs.len());
    for (_, addr) in addrs {
        docs.push(
            searcher
                .doc::<TantivyDocument>(addr)
                .map_err(|e| Error::index(&store.dir, e))?,
        );
    }
    crate::index::schema::protocol_from_docs(f, &docs)
        .ok_or_else(|| Error::index(&store.dir, format!("protocol {id} has no stored metadata")))
}
