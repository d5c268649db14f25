//! The wire format: the JSON shapes scripts and the page rely on, shared by
//! `--json` output and HTTP. They are types of their own, built from the engine's
//! records at the edge, so that a change inside the parser or the engine does not
//! silently change what scripts read; `web/openapi.json` describes these types, and
//! a test holds the two together in both directions.
//!
//! Highlights are character ranges (`[start, end)`, Unicode scalar values) into the
//! text beside them; the `snippet` field is the same marks rendered as HTML.

pub mod atom;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::{self, ItemMarks, ProtocolView};
use crate::error::Error;
use crate::index::variants;
use crate::parse;
use crate::search::{hits, matters, new, profile, trend};

/// The one error body: a stable machine-readable `code` and a message for people.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub error: String,
}

impl ApiError {
    pub fn from_error(e: &Error) -> Self {
        ApiError {
            code: e.code().to_string(),
            error: e.to_string(),
        }
    }
}

/// A facet value and its count.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

impl From<&hits::FacetCount> for FacetCount {
    fn from(c: &hits::FacetCount) -> Self {
        FacetCount {
            value: c.value.clone(),
            count: c.count,
        }
    }
}

/// Facet lists by facet name.
pub type Facets = BTreeMap<String, Vec<FacetCount>>;

/// Facet lists by their public name.
pub fn facets(from: &BTreeMap<crate::index::facets::FacetField, Vec<hits::FacetCount>>) -> Facets {
    from.iter()
        .map(|(f, values)| {
            (
                f.name().to_string(),
                values.iter().map(Into::into).collect(),
            )
        })
        .collect()
}

/// A query word replaced by a close spelling that occurs in the archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Correction {
    pub from: String,
    pub to: String,
}

fn corrections(from: &[crate::query::correct::Correction]) -> Vec<Correction> {
    from.iter()
        .map(|c| Correction {
            from: c.from.clone(),
            to: c.to.clone(),
        })
        .collect()
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
    /// HTML-escaped snippet with `<mark>` around the matched words.
    pub snippet: String,
    /// The snippet as plain text.
    pub snippet_text: String,
    /// The matched words of `snippet_text`, as character ranges.
    pub highlights: Vec<[usize; 2]>,
    pub title_highlights: Vec<[usize; 2]>,
    pub presenters: Vec<String>,
    pub decisions: Vec<String>,
    /// The item's themes: its values of the topic facet.
    pub themes: Vec<String>,
    /// The id of the item's matter (`/api/matters/{id}`), when it is threaded with
    /// items of other meetings.
    pub matter: Option<String>,
    /// When the protocol entered the index as it is now (RFC 3339).
    pub indexed: String,
    #[serde(skip)]
    pub indexed_at: i64,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SearchResponse {
    pub query: String,
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// The facet counts are estimates (a very broad search; `total` is exact).
    pub facets_estimated: bool,
    /// Query words that matched nothing and were replaced by a close word that does.
    pub corrected: Vec<Correction>,
    pub took_ms: f64,
}

impl From<&hits::SearchResponse> for SearchResponse {
    fn from(r: &hits::SearchResponse) -> Self {
        SearchResponse {
            query: r.query.clone(),
            total: r.total,
            offset: r.offset,
            limit: r.limit,
            hits: r
                .hits
                .iter()
                .map(|h| Hit {
                    protocol_id: h.protocol_id.clone(),
                    file: h.file.clone(),
                    date: h.date.clone(),
                    group: h.group.clone(),
                    kind: h.kind.clone(),
                    item_number: h.item_number.clone(),
                    item_title: h.item_title.clone(),
                    item_index: h.item_index,
                    parent: h.parent.clone(),
                    score: h.score,
                    snippet: h.snippet.to_html(),
                    snippet_text: h.snippet.text.clone(),
                    highlights: h.snippet.marks.clone(),
                    title_highlights: h.title_marks.clone(),
                    presenters: h.presenters.clone(),
                    decisions: h.decisions.clone(),
                    themes: h.themes.clone(),
                    matter: h.matter.clone(),
                    indexed: atom::rfc3339(h.indexed_at),
                    indexed_at: h.indexed_at,
                })
                .collect(),
            facets: facets(&r.facets),
            facets_estimated: r.facets_estimated,
            corrected: corrections(&r.corrected),
            took_ms: r.took_ms,
        }
    }
}

/// A motion or a reservation, with the members who made it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stance {
    pub by: Vec<String>,
    pub text: String,
}

/// One agenda item of a protocol.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Item {
    pub number: Option<String>,
    pub title: String,
    pub parent: Option<String>,
    pub text: String,
    pub presenters: Vec<String>,
    pub decisions: Vec<String>,
    pub dnr: Option<String>,
    pub motions: Vec<Stance>,
    pub reservations: Vec<Stance>,
    pub topic: Option<String>,
    /// The item's themes: its values of the topic facet.
    pub themes: Vec<String>,
    /// What the query asked with the protocol matched here; absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlights: Option<ItemHighlights>,
}

/// What a query matched in one item, as character ranges of each text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct ItemHighlights {
    pub title: Vec<[usize; 2]>,
    pub text: Vec<[usize; 2]>,
    pub dnr: Vec<[usize; 2]>,
    /// One list per decision.
    pub decisions: Vec<Vec<[usize; 2]>>,
}

impl From<&ItemMarks> for ItemHighlights {
    fn from(m: &ItemMarks) -> Self {
        ItemHighlights {
            title: m.title.clone(),
            text: m.text.clone(),
            dnr: m.dnr.clone(),
            decisions: m.decisions.clone(),
        }
    }
}

/// A person on a protocol's attendance list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub organisation: Option<String>,
    pub role: Option<String>,
    /// For a substitute: the member they served for.
    pub replaces: Option<String>,
    pub party: Option<String>,
}

/// A protocol.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Protocol {
    pub id: String,
    pub file: String,
    pub date: Option<String>,
    pub group: String,
    pub organisation: Option<String>,
    pub kind: String,
    pub language: String,
    pub title: String,
    pub place: Option<String>,
    pub chairs: Vec<String>,
    pub secretary: Option<String>,
    pub adjusters: Vec<String>,
    pub items: Vec<Item>,
    pub persons: Vec<Person>,
    pub absent: Vec<String>,
}

fn stances(from: &[parse::debate::Stance]) -> Vec<Stance> {
    from.iter()
        .map(|s| Stance {
            by: s.by.clone(),
            text: s.text.clone(),
        })
        .collect()
}

impl From<&parse::Protocol> for Protocol {
    fn from(p: &parse::Protocol) -> Self {
        Protocol {
            id: p.id.clone(),
            file: p.file.clone(),
            date: p.date.clone(),
            group: p.group.clone(),
            organisation: p.organisation.clone(),
            kind: p.kind.clone(),
            language: p.language.clone(),
            title: p.title.clone(),
            place: p.place.clone(),
            chairs: p.chairs.clone(),
            secretary: p.secretary.clone(),
            adjusters: p.adjusters.clone(),
            items: p
                .items
                .iter()
                .map(|i| Item {
                    number: i.number.clone(),
                    title: i.title.clone(),
                    parent: i.parent.clone(),
                    text: i.text.clone(),
                    presenters: i.presenters.clone(),
                    decisions: i.decisions.clone(),
                    dnr: i.dnr.clone(),
                    motions: stances(&i.motions),
                    reservations: stances(&i.reservations),
                    topic: i.topic.clone(),
                    themes: i.themes.clone(),
                    highlights: None,
                })
                .collect(),
            persons: p
                .persons
                .iter()
                .map(|x| Person {
                    name: x.name.clone(),
                    organisation: x.organisation.clone(),
                    role: x.role.clone(),
                    replaces: x.replaces.clone(),
                    party: x.party.clone(),
                })
                .collect(),
            absent: p.absent.clone(),
        }
    }
}

impl From<&ProtocolView> for Protocol {
    fn from(v: &ProtocolView) -> Self {
        let mut p = Protocol::from(&v.protocol);
        for (item, marks) in p.items.iter_mut().zip(&v.marks) {
            item.highlights = Some(marks.into());
        }
        p
    }
}

/// One period of a trend.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrendPoint {
    pub period: String,
    pub from: String,
    pub to: String,
    pub matching: u64,
    pub total: u64,
    pub share: f64,
    pub groups: BTreeMap<String, u64>,
}

/// A query over time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Trend {
    pub query: String,
    pub interval: String,
    pub matching: u64,
    pub total: u64,
    pub points: Vec<TrendPoint>,
    pub corrected: Vec<Correction>,
}

impl From<&trend::TrendResponse> for Trend {
    fn from(t: &trend::TrendResponse) -> Self {
        Trend {
            query: t.query.clone(),
            interval: t.interval.name().to_string(),
            matching: t.matching,
            total: t.total,
            points: t
                .points
                .iter()
                .map(|p| TrendPoint {
                    period: p.period.clone(),
                    from: p.from.clone(),
                    to: p.to.clone(),
                    matching: p.matching,
                    total: p.total,
                    share: p.share,
                    groups: p.groups.clone(),
                })
                .collect(),
            corrected: corrections(&t.corrected),
        }
    }
}

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
    pub name: String,
    pub spellings: Vec<String>,
    pub meetings: Vec<Meeting>,
    pub presented: Vec<Presented>,
    pub roles: Vec<RoleSpan>,
    pub topics: Vec<FacetCount>,
}

impl From<&profile::PersonProfile> for PersonProfile {
    fn from(p: &profile::PersonProfile) -> Self {
        PersonProfile {
            name: p.name.clone(),
            spellings: p.spellings.clone(),
            meetings: p
                .meetings
                .iter()
                .map(|m| Meeting {
                    protocol_id: m.protocol_id.clone(),
                    date: m.date.clone(),
                    group: m.group.clone(),
                    kind: m.kind.clone(),
                    role: m.role.clone(),
                    organisation: m.organisation.clone(),
                })
                .collect(),
            presented: p
                .presented
                .iter()
                .map(|x| Presented {
                    protocol_id: x.protocol_id.clone(),
                    date: x.date.clone(),
                    group: x.group.clone(),
                    item_title: x.item_title.clone(),
                    item_index: x.item_index,
                })
                .collect(),
            roles: p
                .roles
                .iter()
                .map(|r| RoleSpan {
                    role: r.role.clone(),
                    organisation: r.organisation.clone(),
                    first: r.first.clone(),
                    last: r.last.clone(),
                    meetings: r.meetings,
                })
                .collect(),
            topics: p.topics.iter().map(Into::into).collect(),
        }
    }
}

/// A spelling merged into a person, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Variant {
    pub name: String,
    pub items: u64,
    /// `reordered`, `diacritics` or `one_letter`.
    pub reason: String,
    /// What besides the name speaks for the merge, against the person's name.
    pub evidence: Evidence,
}

/// Evidence beyond the name for two spellings being one person.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Evidence {
    /// Lists (one meeting, one role) that name both spellings; 0 for a merge on one
    /// letter.
    pub together: usize,
    /// Bodies both spellings met in.
    pub shared_groups: Vec<String>,
}

/// A person with more than one spelling.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Merged {
    pub name: String,
    pub items: u64,
    pub variants: Vec<Variant>,
}

/// The people with more than one spelling.
pub fn merged(v: &variants::Variants) -> Vec<Merged> {
    v.merged()
        .iter()
        .map(|m| Merged {
            name: m.name.clone(),
            items: m.items,
            variants: m
                .variants
                .iter()
                .map(|x| Variant {
                    name: x.name.clone(),
                    items: x.items,
                    reason: x.reason.name().to_string(),
                    evidence: Evidence {
                        together: x.evidence.together,
                        shared_groups: x.evidence.shared_groups.clone(),
                    },
                })
                .collect(),
        })
        .collect()
}

/// One item of a matter's timeline, and why it joined.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MatterItem {
    pub protocol_id: String,
    pub item_index: u64,
    pub date: Option<String>,
    pub group: String,
    pub number: Option<String>,
    pub title: String,
    pub decisions: Vec<String>,
    /// `first` (the thread's first item), `dnr`, `title` or `abbreviation`.
    pub linked_by: String,
    /// The diary number or abbreviation it shares, for those links.
    pub link_value: Option<String>,
}

/// A matter: items of different meetings that concern it, in date order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Matter {
    pub id: String,
    /// The title of its latest item.
    pub title: String,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub groups: Vec<String>,
    pub dnr: Option<String>,
    /// Whether any of its items holds a decision.
    pub decided: bool,
    /// Every item in a timeline; the latest only in a list.
    pub items: Vec<MatterItem>,
}

/// A page of matters, the latest first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MatterList {
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub matters: Vec<Matter>,
}

impl From<&matters::MatterView> for Matter {
    fn from(m: &matters::MatterView) -> Self {
        Matter {
            id: m.id.clone(),
            title: m.title.clone(),
            first_date: m.first_date.clone(),
            last_date: m.last_date.clone(),
            groups: m.groups.clone(),
            dnr: m.dnr.clone(),
            decided: m.decided,
            items: m
                .items
                .iter()
                .map(|i| MatterItem {
                    protocol_id: i.protocol_id.clone(),
                    item_index: i.item_index,
                    date: i.date.clone(),
                    group: i.group.clone(),
                    number: i.number.clone(),
                    title: i.title.clone(),
                    decisions: i.decisions.clone(),
                    linked_by: i.link.name().to_string(),
                    link_value: i.link.value().map(str::to_string),
                })
                .collect(),
        }
    }
}

impl From<&matters::MatterList> for MatterList {
    fn from(l: &matters::MatterList) -> Self {
        MatterList {
            total: l.total,
            offset: l.offset,
            limit: l.limit,
            matters: l.matters.iter().map(Into::into).collect(),
        }
    }
}

/// An item a new term comes from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NewSource {
    pub protocol_id: String,
    pub item_index: u64,
    pub date: String,
    pub group: String,
    pub title: String,
}

/// A theme or title word whose share of agenda items rose.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rising {
    pub term: String,
    /// `theme` or `word`.
    pub kind: String,
    /// Items of the period that hold it, and of the period before.
    pub items: u64,
    pub items_before: u64,
    /// Its share of all items of each period (0–1).
    pub share: f64,
    pub share_before: f64,
    /// The latest items of the period that hold it.
    pub sources: Vec<NewSource>,
}

/// What rose in a period against the one before.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct New {
    pub period: String,
    pub previous: String,
    /// All items of each period.
    pub items: u64,
    pub items_before: u64,
    pub rising: Vec<Rising>,
}

impl From<&new::NewResponse> for New {
    fn from(n: &new::NewResponse) -> Self {
        New {
            period: n.period.clone(),
            previous: n.previous.clone(),
            items: n.items,
            items_before: n.items_before,
            rising: n
                .rising
                .iter()
                .map(|r| Rising {
                    term: r.term.clone(),
                    kind: r.kind.to_string(),
                    items: r.items,
                    items_before: r.items_before,
                    share: r.share,
                    share_before: r.share_before,
                    sources: r
                        .sources
                        .iter()
                        .map(|s| NewSource {
                            protocol_id: s.protocol_id.clone(),
                            item_index: s.item_index,
                            date: s.date.clone(),
                            group: s.group.clone(),
                            title: s.title.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The server's state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Health {
    /// `ok`, or `building` while the first build runs and nothing is searchable.
    pub status: String,
    pub protocols: usize,
    pub items: u64,
    /// When the commit searches answer from was made (RFC 3339, UTC).
    pub last_commit: Option<String>,
    /// Whether an update of the index runs now.
    pub indexing: bool,
    pub version: String,
}

impl From<&engine::Health> for Health {
    fn from(h: &engine::Health) -> Self {
        Health {
            status: if h.building { "building" } else { "ok" }.to_string(),
            protocols: h.protocols,
            items: h.items,
            last_commit: h.last_commit.map(atom::rfc3339),
            indexing: h.indexing,
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}
