//! What an index document is: the schema (one document per agenda item, carrying its
//! protocol's metadata on the first item), the fields by role, and the document
//! builder, where every facet's values come from one exhaustive match.

use std::path::Path;

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, Value, FAST, STORED, STRING,
};
use tantivy::{doc, DateTime, TantivyDocument};

use crate::analysis::themes::Themes;
use crate::analysis::tokenize;
use crate::index::facets::FacetField;
use crate::index::matters;
use crate::ingest::read::CorpusFile;
use crate::parse::{Item, Protocol};

/// Bumped whenever the schema or the parser changes what is stored, so that an old
/// index is rebuilt instead of misread.
pub const SCHEMA_VERSION: u64 = 9;

/// The fields of the schema, by role.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub protocol_id: Field,
    pub file: Field,
    pub file_size: Field,
    pub file_mtime: Field,
    pub file_hash: Field,
    pub schema_version: Field,
    pub item_ord: Field,
    pub number: Field,
    /// The item's diary number, stored; its words are also in `title_exact`.
    pub dnr: Field,
    /// The item's motions and reservations as JSON (`{"motions": […], "reservations": […]}`).
    pub stances_json: Field,
    pub title: Field,
    pub title_exact: Field,
    pub body: Field,
    pub body_exact: Field,
    pub context: Field,
    /// Keys of compound parts in the title and body (`ungdomsmottagning` →
    /// `ungdom`, `mottagning`), for a lower-weighted match on a part.
    pub parts: Field,
    /// Title and body with diacritics folded, for a low-weight fallback.
    pub folded: Field,
    pub parent: Field,
    pub date: Field,
    pub date_str: Field,
    pub group: Field,
    pub kind: Field,
    pub presenters: Field,
    pub decisions: Field,
    pub protocol_json: Field,
    /// The facet fields, in the order of [`FacetField::ALL`]: see [`Fields::facet`].
    facets: [Field; FacetField::ALL.len()],
    /// The people who presented an item (a person's profile finds them here).
    pub f_presenter: Field,
    /// `ABBR\u{1f}long form` pairs the protocol defines (on its first item).
    pub f_abbrev: Field,
    /// `role\u{1f}name` of each person the protocol lists (on its first item): the
    /// list a name is on, the evidence that tells two people from two spellings.
    pub f_listed: Field,
    /// The item's themes, stored to be shown (the topic facet indexes them).
    pub themes: Field,
    /// Keys that thread an item into its matter (see [`crate::index::matters`]): its
    /// diary number, its title as a key, the abbreviations of its title, its day.
    pub f_dnr: Field,
    pub f_matter_key: Field,
    pub f_title_abbr: Field,
    pub f_day: Field,
    /// When the protocol's file entered the index as it is now (seconds since the
    /// epoch): `--since` and the feeds' `updated`.
    pub indexed_at: Field,
}

/// Separates a role from a name in [`Fields::f_listed`].
pub const LISTED_SEP: char = '\u{1f}';

impl Fields {
    /// The index field of a facet.
    pub fn facet(&self, facet: FacetField) -> Field {
        self.facets[facet as usize]
    }

    /// The facet an index field is, if it is one.
    pub fn facet_of(&self, field: Field) -> Option<FacetField> {
        FacetField::ALL
            .into_iter()
            .find(|&f| self.facet(f) == field)
    }
}

/// Builds the schema and returns it with its fields.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, stored: bool| {
        let idx = TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let o = TextOptions::default().set_indexing_options(idx);
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let stored_only = TextOptions::default().set_stored();
    // Fallback fields are only ever matched word by word: no positions.
    let unpositioned = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let fields = Fields {
        protocol_id: b.add_text_field("protocol_id", STRING | STORED | FAST),
        file: b.add_text_field("file", STRING | STORED | FAST),
        file_size: b.add_u64_field("file_size", FAST),
        file_mtime: b.add_i64_field("file_mtime", FAST),
        file_hash: b.add_u64_field("file_hash", FAST),
        schema_version: b.add_u64_field("schema_version", FAST),
        item_ord: b.add_u64_field(
            "item_ord",
            NumericOptions::default()
                .set_stored()
                .set_fast()
                .set_indexed(),
        ),
        // `§ 12` in a query finds items by their number.
        number: b.add_text_field("number", STRING | STORED),
        dnr: b.add_text_field("dnr", stored_only.clone()),
        stances_json: b.add_text_field("stances_json", stored_only.clone()),
        title: b.add_text_field("title", text(tokenize::STEMMED, true)),
        title_exact: b.add_text_field("title_exact", text(tokenize::EXACT, false)),
        body: b.add_text_field("body", text(tokenize::STEMMED, true)),
        // Phrases in the body match on the stemmed field; the exact body and the
        // context are only matched word by word.
        body_exact: b.add_text_field("body_exact", unpositioned(tokenize::EXACT)),
        context: b.add_text_field("context", unpositioned(tokenize::STEMMED)),
        parts: b.add_text_field("parts", unpositioned(tokenize::PARTS)),
        folded: b.add_text_field("folded", unpositioned(tokenize::FOLDED)),
        parent: b.add_text_field("parent", stored_only.clone()),
        date: b.add_date_field(
            "date",
            DateOptions::default()
                .set_indexed()
                .set_fast()
                .set_stored()
                .set_precision(DateTimePrecision::Seconds),
        ),
        date_str: b.add_text_field("date_str", STRING | STORED),
        group: b.add_text_field("group", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        presenters: b.add_text_field("presenters", stored_only.clone()),
        decisions: b.add_text_field("decisions", stored_only.clone()),
        protocol_json: b.add_text_field("protocol_json", stored_only),
        facets: FacetField::ALL.map(|f| b.add_text_field(f.field_name(), STRING | FAST)),
        f_presenter: b.add_text_field("f_presenter", STRING | FAST),
        f_abbrev: b.add_text_field("f_abbrev", STRING),
        f_listed: b.add_text_field("f_listed", STRING | FAST),
        themes: b.add_text_field("themes", STORED),
        f_dnr: b.add_text_field(matters::DNR_FIELD, STRING | FAST),
        f_matter_key: b.add_text_field(matters::KEY_FIELD, STRING | FAST),
        f_title_abbr: b.add_text_field(matters::ABBR_FIELD, STRING | FAST),
        f_day: b.add_text_field(matters::DAY_FIELD, STRING | FAST),
        indexed_at: b.add_i64_field(
            "indexed_at",
            NumericOptions::default()
                .set_stored()
                .set_fast()
                .set_indexed(),
        ),
    };
    (b.build(), fields)
}

/// True when `dir` holds an index.
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

pub fn same_schema(a: &Schema, b: &Schema) -> bool {
    serde_json::to_string(a).ok() == serde_json::to_string(b).ok()
}

/// One index document per item.
pub fn documents(
    f: &Fields,
    p: &Protocol,
    file: &CorpusFile,
    hash: u64,
    indexed_at: i64,
    themes: &Themes,
) -> Vec<TantivyDocument> {
    let p = &tagged(p, themes);
    let date = p.meeting_date();
    // The protocol's metadata is stored once, on its first item, without the items
    // (each item document stores its own).
    let stored = Protocol {
        items: Vec::new(),
        ..p.clone()
    };
    let mut abbreviations = Vec::new();
    for item in &p.items {
        abbreviations.extend(crate::analysis::synonyms::learn_from_text(&item.title));
        abbreviations.extend(crate::analysis::synonyms::learn_from_text(&item.text));
    }
    abbreviations.sort();
    abbreviations.dedup();
    let mut out = Vec::with_capacity(p.items.len());
    for (ord, item) in p.items.iter().enumerate() {
        let mut d = doc!(
            f.protocol_id => p.id.clone(),
            f.file => p.file.clone(),
            f.file_size => file.size,
            f.file_mtime => file.mtime,
            f.file_hash => hash,
            f.indexed_at => indexed_at,
            f.schema_version => SCHEMA_VERSION,
            f.item_ord => ord as u64,
            f.title => item.title.clone(),
            f.title_exact => item.title.clone(),
            f.body => item.text.clone(),
            f.body_exact => item.text.clone(),
            f.parts => item.title.clone(),
            f.parts => item.text.clone(),
            f.folded => item.title.clone(),
            f.folded => item.text.clone(),
            f.group => p.group.clone(),
            f.kind => p.kind.clone(),
        );
        if let Some(n) = &item.number {
            d.add_text(f.number, crate::parse::items::item_number_key(n));
        }
        // Staff search by diary number: it is matched like a word of the title.
        if !item.motions.is_empty() || !item.reservations.is_empty() {
            let stances = serde_json::json!({
                "motions": item.motions,
                "reservations": item.reservations,
            });
            d.add_text(f.stances_json, stances.to_string());
        }
        if let Some(topic) = &item.topic {
            if let Some(key) = matters::title_key(topic) {
                d.add_text(f.f_matter_key, key);
            }
            for abbr in matters::title_abbreviations(&item.title) {
                d.add_text(f.f_title_abbr, abbr);
            }
        }
        if let Some(dnr) = &item.dnr {
            d.add_text(f.f_dnr, matters::dnr_key(dnr));
            d.add_text(f.dnr, dnr);
            d.add_text(f.title_exact, dnr);
        }
        if let Some(parent) = &item.parent {
            d.add_text(f.parent, parent);
            d.add_text(f.context, parent);
        }
        d.add_text(f.context, &p.group);
        d.add_text(f.context, &p.kind);
        if let Some(date) = date {
            d.add_date(
                f.date,
                DateTime::from_timestamp_secs(date.days_since_epoch() * 86_400),
            );
            d.add_text(f.date_str, date.to_string());
            d.add_text(f.f_day, date.to_string());
        }
        for facet in FacetField::ALL {
            for value in facet_values(facet, p, item, ord) {
                d.add_text(f.facet(facet), value);
            }
        }
        for theme in &item.themes {
            d.add_text(f.themes, theme);
        }
        for name in &item.presenters {
            d.add_text(f.presenters, name);
            d.add_text(f.f_presenter, name);
        }
        for dec in &item.decisions {
            d.add_text(f.decisions, dec);
        }
        if ord == 0 {
            for person in &p.persons {
                let role = person.role.as_deref().unwrap_or("").to_lowercase();
                d.add_text(f.f_listed, format!("{role}{LISTED_SEP}{}", person.name));
            }
            d.add_text(
                f.protocol_json,
                serde_json::to_string(&stored).expect("serialisable"),
            );
            for (abbr, long) in &abbreviations {
                d.add_text(
                    f.f_abbrev,
                    format!("{abbr}{}{long}", crate::analysis::synonyms::SEP),
                );
            }
        }
        out.push(d);
    }
    out
}

/// The values of one facet on item number `ord` of protocol `p`. The people and
/// their parties are the protocol's: they go on its first item only, and a person
/// or party filter reaches the other items through the protocol id.
pub fn facet_values(facet: FacetField, p: &Protocol, item: &Item, ord: usize) -> Vec<String> {
    let date = p.meeting_date();
    let first = ord == 0;
    let some = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_string);
    match facet {
        FacetField::Group => some(Some(&p.group)).into_iter().collect(),
        FacetField::Organisation => some(p.organisation.as_deref()).into_iter().collect(),
        FacetField::Kind => vec![p.kind.clone()],
        FacetField::Year => date.map(|d| d.year.to_string()).into_iter().collect(),
        FacetField::Month => date
            .map(|d| format!("{:04}-{:02}", d.year, d.month))
            .into_iter()
            .collect(),
        FacetField::Person if first => p.persons.iter().map(|x| x.name.clone()).collect(),
        FacetField::Party if first => {
            let mut parties: Vec<String> = Vec::new();
            for party in p.persons.iter().filter_map(|x| x.party.as_deref()) {
                if !parties.iter().any(|q| q == party) {
                    parties.push(party.to_string());
                }
            }
            parties
        }
        FacetField::Person | FacetField::Party => Vec::new(),
        FacetField::Decision => vec![if item.decisions.is_empty() {
            "nej"
        } else {
            "ja"
        }
        .into()],
        FacetField::Topic => item.themes.clone(),
    }
}

/// The protocol with each item's themes: every item but a procedural one or a
/// container (no topic of its own), and the text of a protocol read as one item.
fn tagged(p: &Protocol, themes: &Themes) -> Protocol {
    let whole = p.items.len() == 1;
    let mut p = p.clone();
    for item in &mut p.items {
        item.themes = if item.topic.is_some() || whole {
            themes.tag(&item.title, &item.text)
        } else {
            Vec::new()
        };
    }
    p
}

/// A protocol read back from its stored item documents (any order): the metadata of
/// its first item and every item in order, with the themes it was tagged with.
pub fn protocol_from_docs(f: &Fields, docs: &[TantivyDocument]) -> Option<Protocol> {
    let mut items: Vec<(u64, Item)> = Vec::new();
    let mut meta: Option<Protocol> = None;
    for doc in docs {
        if let Some(json) = opt_str(doc, f.protocol_json) {
            meta = serde_json::from_str(&json).ok();
        }
        let ord = doc
            .get_first(f.item_ord)
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        let title = str_value(doc, f.title);
        let parent = opt_str(doc, f.parent);
        let stances: serde_json::Value = opt_str(doc, f.stances_json)
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        let stance_list = |key: &str| -> Vec<crate::parse::debate::Stance> {
            serde_json::from_value(stances[key].clone()).unwrap_or_default()
        };
        items.push((
            ord,
            Item {
                number: opt_str(doc, f.number),
                topic: crate::parse::topic_of(&title, false),
                title,
                parent,
                text: str_value(doc, f.body),
                presenters: str_values(doc, f.presenters),
                decisions: str_values(doc, f.decisions),
                dnr: opt_str(doc, f.dnr),
                motions: stance_list("motions"),
                reservations: stance_list("reservations"),
                themes: str_values(doc, f.themes),
            },
        ));
    }
    items.sort_by_key(|(o, _)| *o);
    Some(Protocol {
        items: items.into_iter().map(|(_, i)| i).collect(),
        ..meta?
    })
}

/// The first text of `field`, or empty.
pub fn str_value(doc: &TantivyDocument, field: Field) -> String {
    opt_str(doc, field).unwrap_or_default()
}

/// Every text of `field`.
pub fn str_values(doc: &TantivyDocument, field: Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// The first text of `field`.
pub fn opt_str(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}
