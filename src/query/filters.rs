//! Filters: dates, facet values and "holds a decision". They match or not and never
//! score; a facet value as written is resolved to a value of the index.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use tantivy::collector::DocSetCollector;
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime, Searcher, Term};

use crate::error::{Error, Result};
use crate::index::facets::{FacetField, ProtocolFacets, TermCounts};
use crate::index::store::Store;
use crate::parse::Date;

/// Filters that narrow a search: a date range, facet values and "holds a decision".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// The wanted values per facet, any of which will do (OR within a facet, AND
    /// across facets): each the exact value, else a case-insensitive one, else the
    /// most frequent value that holds it. A person is every spelling of the name; a
    /// party is the meetings where a person of the party was present.
    pub facets: BTreeMap<FacetField, Vec<String>>,
    pub decisions: bool,
    /// Only items of protocols that entered the index (new or changed) on or after
    /// this day (UTC): what a script that polls asks for.
    pub since: Option<Date>,
}

impl Filters {
    /// These filters and one more wanted value of `facet` (an empty value is no
    /// filter; a value asked for twice counts once).
    pub fn with(mut self, facet: FacetField, value: Option<String>) -> Filters {
        if let Some(v) = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        {
            let values = self.facets.entry(facet).or_default();
            if !values.contains(&v) {
                values.push(v);
            }
        }
        self
    }

    /// These filters and each of `values` of `facet`.
    pub fn with_all(self, facet: FacetField, values: Vec<String>) -> Filters {
        values.into_iter().fold(self, |f, v| f.with(facet, Some(v)))
    }

    /// The first wanted value of `facet`.
    pub fn get(&self, facet: FacetField) -> Option<&str> {
        self.values(facet).first().map(String::as_str)
    }

    /// Every wanted value of `facet`.
    pub fn values(&self, facet: FacetField) -> &[String] {
        self.facets.get(&facet).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The filter parameter names [`Filters::from_pairs`] takes.
    pub fn keys() -> Vec<&'static str> {
        let mut keys = vec!["from", "to", "since", "decisions"];
        keys.extend(FacetField::ALL.map(FacetField::name));
        keys
    }

    /// Filters from `key=value` pairs (HTTP parameters, a judgment's filter column):
    /// `from`, `to` (`YYYY-MM-DD`), `decisions` (`true`/`false`) and any facet
    /// name, which may come more than once (any of its values will do). Other keys are passed over for the caller to judge; a bad value is an
    /// error that names its key.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Filters> {
        let mut out = Filters::default();
        for (key, value) in pairs {
            let value = value.trim();
            match key {
                "from" | "to" | "since" if value.is_empty() => {}
                "from" | "to" | "since" => {
                    let d = Date::parse_iso(value).ok_or_else(|| {
                        Error::InvalidArgument(format!(
                            "{key} must be a date YYYY-MM-DD, not {value:?}"
                        ))
                    })?;
                    match key {
                        "from" => out.from = Some(d),
                        "to" => out.to = Some(d),
                        _ => out.since = Some(d),
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

/// A filter query for one facet value, as the plan builds it.
pub fn facet_filter(
    store: &Store,
    searcher: &Searcher,
    facet: FacetField,
    value: &str,
) -> Result<Box<dyn Query>> {
    let filters = Filters::default().with(facet, Some(value.to_string()));
    let mut built = build_filters(store, searcher, &filters)?;
    Ok(built
        .pop()
        .map(|f| f.query)
        .unwrap_or_else(|| Box::new(AllQuery)))
}

/// One filter as a query, and the facet it filters by (none for dates, `since` and
/// decisions): a facet's counts are taken without its own filter, so that choosing
/// a value does not hide the others.
pub(crate) struct BuiltFilter {
    pub facet: Option<FacetField>,
    pub query: Box<dyn Query>,
}

/// Filter queries; a facet value that is not a value exactly is matched
/// case-insensitively, then as a substring of one. The values of one facet are
/// alternatives.
pub(crate) fn build_filters(
    store: &Store,
    searcher: &Searcher,
    filters: &Filters,
) -> Result<Vec<BuiltFilter>> {
    let f = &store.fields;
    let mut out: Vec<BuiltFilter> = Vec::new();
    let plain = |query: Box<dyn Query>| BuiltFilter { facet: None, query };
    if let Some(since) = filters.since {
        out.push(plain(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_i64(
                f.indexed_at,
                since.days_since_epoch() * 86_400,
            )),
            Bound::Unbounded,
        ))));
    }
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
        out.push(plain(Box::new(RangeQuery::new(
            bound(filters.from, false),
            bound(filters.to, true),
        ))));
    }
    for (&facet, values) in &filters.facets {
        let field = f.facet(facet);
        let mut resolved: Vec<String> = Vec::new();
        for value in values {
            match resolve_facet_value(store, searcher, facet, value)? {
                Some(v) => resolved.push(v),
                None => {
                    tracing::debug!(filter = facet.name(), value = %value, "no such facet value")
                }
            }
        }
        let query: Box<dyn Query> = if resolved.is_empty() {
            Box::new(EmptyQuery)
        } else if !facet.on_first_item() {
            any_term(field, &resolved)
        } else {
            // A person is every spelling of their name.
            let spellings = if facet == FacetField::Person {
                let variants = store.person_variants()?;
                resolved
                    .iter()
                    .flat_map(|v| variants.spellings(v))
                    .collect()
            } else {
                resolved
            };
            // Attendees are on each protocol's first item: the filter is every item
            // of the protocols found.
            let ids = protocol_ids(store, searcher, any_term(field, &spellings).as_ref())?;
            Box::new(TermSetQuery::new(
                ids.iter()
                    .map(|id| Term::from_field_text(f.protocol_id, id)),
            ))
        };
        out.push(BuiltFilter {
            facet: Some(facet),
            query,
        });
    }
    if filters.decisions {
        out.push(plain(Box::new(TermQuery::new(
            Term::from_field_text(f.facet(FacetField::Decision), "ja"),
            IndexRecordOption::Basic,
        ))));
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

/// The ids of the protocols of the items `query` matches.
pub fn protocol_ids(
    store: &Store,
    searcher: &Searcher,
    query: &dyn Query,
) -> Result<BTreeSet<String>> {
    let err = |e: tantivy::TantivyError| Error::index(&store.dir, e);
    let docs = searcher.search(query, &DocSetCollector).map_err(err)?;
    // The protocol id ordinals by segment, then each segment's ids in one pass over
    // its dictionary.
    let mut ords: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for addr in docs {
        ords.entry(addr.segment_ord).or_default().push(addr.doc_id);
    }
    let mut ids = BTreeSet::new();
    for (segment, docs) in ords {
        let seg = searcher.segment_reader(segment);
        let Some(col) = seg.fast_fields().str("protocol_id").map_err(err)? else {
            continue;
        };
        let mut wanted: Vec<u64> = docs
            .iter()
            .filter_map(|&doc| col.ords().first(doc))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        col.dictionary()
            .sorted_ords_to_term_cb(&wanted, |bytes| {
                ids.insert(String::from_utf8_lossy(bytes).into_owned());
            })
            .map_err(|e| Error::index(&store.dir, e))?;
    }
    Ok(ids)
}

/// Every value of a facet with its count of items over the whole index.
pub fn all_facet_values(
    store: &Store,
    searcher: &Searcher,
    facet: FacetField,
) -> Result<crate::index::facets::Counts> {
    let counts = if facet.per_protocol() {
        searcher
            .search(
                &AllQuery,
                &ProtocolFacets::new(vec![facet], store.tables.clone()),
            )
            .map(|mut fruit| {
                fruit
                    .remove(&facet)
                    .map(|c| c.into_counts())
                    .unwrap_or_default()
            })
    } else {
        searcher.search(
            &AllQuery,
            &TermCounts::new(facet).with_tables(store.tables.clone()),
        )
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let two = Filters::from_pairs([("group", "A"), ("group", "B"), ("group", "A")]).unwrap();
        assert_eq!(two.values(FacetField::Group), ["A", "B"]);
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
}
