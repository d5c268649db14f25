//! A person across the archive: the meetings they attended, the items they
//! presented, the roles and organisations they had, and the topics they spoke on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::schema::Value;
use tantivy::TantivyDocument;

use crate::error::{Error, Result};
use crate::index::facets::{FacetField, TermCounts};
use crate::index::store::Store;
use crate::parse::Protocol;
use crate::query::filters::{all_facet_values, any_term};
use crate::search::hits::FacetCount;

/// A meeting a person took part in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Meeting {
    pub protocol_id: String,
    pub date: Option<String>,
    pub group: String,
    pub kind: String,
    pub role: Option<String>,
    pub organisation: Option<String>,
}

/// An item a person presented.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Presented {
    pub protocol_id: String,
    pub date: Option<String>,
    pub group: String,
    pub item_title: String,
    pub item_index: u64,
}

/// A role (with organisation) and when the person held it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RoleSpan {
    pub role: Option<String>,
    pub organisation: Option<String>,
    pub first: Option<String>,
    pub last: Option<String>,
    pub meetings: usize,
}

/// Everything the archive says about one person.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PersonProfile {
    /// The person's name as most protocols spell it.
    pub name: String,
    /// Every spelling of the name the archive merged into this person.
    pub spellings: Vec<String>,
    pub meetings: Vec<Meeting>,
    pub presented: Vec<Presented>,
    pub roles: Vec<RoleSpan>,
    pub topics: Vec<FacetCount>,
}

/// The profile of the person named `name`: any spelling of the name the archive
/// merged into one person, in any case. The same person the person filter finds.
pub fn person(store: &Store, name: &str) -> Result<PersonProfile> {
    let searcher = store.reader.searcher();
    let f = &store.fields;
    let known = all_facet_values(store, &searcher, FacetField::Person)?;
    let wanted = name.trim().to_lowercase();
    let mut matches: Vec<&String> = known
        .keys()
        .filter(|v| v.to_lowercase() == wanted)
        .collect();
    matches.sort();
    let asked = matches
        .first()
        .ok_or_else(|| Error::UnknownPerson(name.to_string()))?;
    let variants = store.person_variants()?;
    let canonical = variants.canonical(asked).to_string();
    let spellings = variants.spellings(&canonical);
    let any_spelling = |field| any_term(field, &spellings);
    let err = |e: tantivy::TantivyError| Error::index(&store.dir, e);

    let attended = any_spelling(f.facet(FacetField::Person));
    let docs = searcher.search(&attended, &DocSetCollector).map_err(err)?;
    let mut meetings = Vec::new();
    for addr in docs {
        let doc: TantivyDocument = searcher.doc(addr).map_err(err)?;
        let Some(json) = doc.get_first(f.protocol_json).and_then(|v| v.as_str()) else {
            continue;
        };
        let Ok(meta) = serde_json::from_str::<Protocol>(json) else {
            continue;
        };
        let me = meta.persons.iter().find(|p| spellings.contains(&p.name));
        meetings.push(Meeting {
            protocol_id: meta.id,
            date: meta.date,
            group: meta.group,
            kind: meta.kind,
            role: me.and_then(|p| p.role.clone()),
            organisation: me.and_then(|p| p.organisation.clone()),
        });
    }
    meetings.sort_by(|a, b| b.date.cmp(&a.date));

    let presenter = any_spelling(f.f_presenter);
    let docs = searcher.search(&presenter, &DocSetCollector).map_err(err)?;
    let mut presented = Vec::new();
    for addr in docs {
        let doc: TantivyDocument = searcher.doc(addr).map_err(err)?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        presented.push(Presented {
            protocol_id: text(f.protocol_id).unwrap_or_default(),
            date: text(f.date_str),
            group: text(f.group).unwrap_or_default(),
            item_title: text(f.title).unwrap_or_default(),
            item_index: doc
                .get_first(f.item_ord)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
        });
    }
    presented.sort_by(|a, b| b.date.cmp(&a.date).then(a.item_index.cmp(&b.item_index)));

    let counts = searcher
        .search(&presenter, &TermCounts::new(FacetField::Topic))
        .map_err(err)?;
    let mut topics: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    topics.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));

    Ok(PersonProfile {
        roles: role_spans(&meetings),
        name: canonical,
        spellings,
        meetings,
        presented,
        topics,
    })
}

/// Groups meetings by (role, organisation), oldest first.
fn role_spans(meetings: &[Meeting]) -> Vec<RoleSpan> {
    let mut spans: BTreeMap<(Option<String>, Option<String>), RoleSpan> = BTreeMap::new();
    for m in meetings {
        let key = (m.role.clone(), m.organisation.clone());
        let span = spans.entry(key).or_insert_with(|| RoleSpan {
            role: m.role.clone(),
            organisation: m.organisation.clone(),
            first: m.date.clone(),
            last: m.date.clone(),
            meetings: 0,
        });
        span.meetings += 1;
        if m.date < span.first {
            span.first = m.date.clone();
        }
        if m.date > span.last {
            span.last = m.date.clone();
        }
    }
    let mut out: Vec<RoleSpan> = spans.into_values().collect();
    out.sort_by(|a, b| a.first.cmp(&b.first));
    out
}
