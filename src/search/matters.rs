//! Matters as answers: the list of matters, newest first, and one matter's timeline
//! with each item's title, decisions and why it joined (see [`crate::index::matters`]
//! for the threading).

use std::collections::HashMap;

use crate::config::Limits;
use crate::error::{Error, Result};
use crate::index::matters::{Link, Matter};
use crate::index::store::Store;
use crate::parse::Protocol;
use crate::search::hits::{protocol, search, SearchRequest, Sort};

/// One item of a matter's timeline.
#[derive(Debug, Clone)]
pub struct TimelineItem {
    pub protocol_id: String,
    pub item_index: u64,
    pub date: Option<String>,
    pub group: String,
    pub number: Option<String>,
    pub title: String,
    pub decisions: Vec<String>,
    pub link: Link,
}

/// A matter: its items in date order.
#[derive(Debug, Clone)]
pub struct MatterView {
    pub id: String,
    /// The title of its latest item.
    pub title: String,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub groups: Vec<String>,
    /// The diary number the thread shares, if any.
    pub dnr: Option<String>,
    pub decided: bool,
    pub items: Vec<TimelineItem>,
}

/// A page of matters, the latest first.
#[derive(Debug, Clone)]
pub struct MatterList {
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    /// Each matter with its latest item only.
    pub matters: Vec<MatterView>,
}

/// Reads the protocols of `matter` once each and builds its timeline; `only_last`
/// keeps the latest item (a list shows no more).
fn view(store: &Store, matter: &Matter, only_last: bool) -> Result<MatterView> {
    let mut protocols: HashMap<&str, Protocol> = HashMap::new();
    let wanted: Vec<_> = if only_last {
        matter.items.last().into_iter().collect()
    } else {
        matter.items.iter().collect()
    };
    let mut items = Vec::with_capacity(wanted.len());
    for it in wanted {
        if !protocols.contains_key(it.protocol_id.as_str()) {
            protocols.insert(&it.protocol_id, protocol(store, &it.protocol_id)?);
        }
        let p = &protocols[it.protocol_id.as_str()];
        let item = usize::try_from(it.item_index)
            .ok()
            .and_then(|i| p.items.get(i));
        items.push(TimelineItem {
            protocol_id: it.protocol_id.clone(),
            item_index: it.item_index,
            date: it.date.clone(),
            group: it.group.clone(),
            number: item.and_then(|i| i.number.clone()),
            title: item.map(|i| i.title.clone()).unwrap_or_default(),
            decisions: item.map(|i| i.decisions.clone()).unwrap_or_default(),
            link: it.link.clone(),
        });
    }
    let mut groups: Vec<String> = Vec::new();
    for it in &matter.items {
        if !groups.contains(&it.group) {
            groups.push(it.group.clone());
        }
    }
    let dnr = matter.items.iter().find_map(|i| match &i.link {
        Link::Dnr(d) => Some(d.clone()),
        _ => None,
    });
    Ok(MatterView {
        id: matter.id.clone(),
        title: items.last().map(|i| i.title.clone()).unwrap_or_default(),
        first_date: matter.items.first().and_then(|i| i.date.clone()),
        last_date: matter.items.last().and_then(|i| i.date.clone()),
        groups,
        dnr,
        decided: matter.items.iter().any(|i| i.decided),
        items,
    })
}

/// The matters of the archive, the latest first.
pub fn list(store: &Store, limits: &Limits, limit: usize, offset: usize) -> Result<MatterList> {
    limits.check_page(limit, offset)?;
    let all = store.matters()?;
    let mut order: Vec<&Matter> = all.matters.iter().collect();
    order.sort_by(|a, b| {
        let last = |m: &Matter| m.items.last().and_then(|i| i.date.clone());
        last(b).cmp(&last(a)).then_with(|| a.id.cmp(&b.id))
    });
    let mut matters = Vec::new();
    for m in order.iter().skip(offset).take(limit) {
        matters.push(view(store, m, true)?);
    }
    Ok(MatterList {
        total: order.len(),
        offset,
        limit,
        matters,
    })
}

/// One matter by its id, or the matter of the best hit of a query that has one.
pub fn matter(store: &Store, limits: &Limits, id_or_query: &str) -> Result<MatterView> {
    let all = store.matters()?;
    if let Some(m) = all.get(id_or_query.trim()) {
        return view(store, m, false);
    }
    let found = search(
        store,
        limits,
        &SearchRequest {
            query: id_or_query.to_string(),
            filters: Default::default(),
            limit: limits.max_limit.min(50),
            offset: 0,
            facet_limit: 0,
            sort: Sort::Relevance,
        },
    )?;
    let m = found
        .hits
        .iter()
        .find_map(|h| all.of_item(&h.protocol_id, h.item_index))
        .ok_or_else(|| Error::UnknownMatter(id_or_query.to_string()))?;
    view(store, m, false)
}
