//! Matters (ärenden): the agenda items of different meetings that concern one matter,
//! threaded in date order. Links, each with its reason, strongest first:
//!
//! 1. the same diary number (`Dnr`) within one organisation;
//! 2. the same title, once dates, numbers, labels (`– information`) and small words
//!    are set aside, within one organisation, when the title is distinctive (two
//!    words or more, or one long compound) and not a standing item of its body;
//! 3. the same abbreviation in the titles (`IKB`), within one organisation, when it
//!    is not a standing one.
//!
//! A title or an abbreviation that a body has at most of its meetings is a standing
//! item (`Ekonomisk uppföljning`), not a matter. A link by title or abbreviation never
//! joins two threads that hold different diary numbers.
//!
//! Threads are computed from fast fields only (the keys are written when an item is
//! indexed), once per version of the index.

use std::collections::{BTreeSet, HashMap};

use tantivy::columnar::StrColumn;
use tantivy::Searcher;

use crate::analysis::tokenize::analyse_word;
use crate::error::{Error, Result};
use crate::index::facets::{column_values, value_of};

/// Index fields the matters are read from (written by the document builder).
pub const DNR_FIELD: &str = "f_dnr";
pub const KEY_FIELD: &str = "f_matter_key";
pub const ABBR_FIELD: &str = "f_title_abbr";
pub const DAY_FIELD: &str = "f_day";

/// Small words that say nothing of a matter.
const SMALL_WORDS: &[&str] = &[
    "och", "i", "för", "av", "om", "på", "till", "med", "samt", "från", "inom", "vid", "den",
    "det", "de", "en", "ett", "efter", "under", "inför", "över", "mot", "kring",
];

/// A diary number as a key: upper case, no spaces (`ks 2024/ 12` → `KS2024/12`).
pub fn dnr_key(dnr: &str) -> String {
    dnr.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// A title as a key: the keys of its words, without numbers, dates and small words,
/// in order. `None` for a title too plain to name a matter by itself (one short word).
pub fn title_key(topic: &str) -> Option<String> {
    let words: Vec<String> = topic
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().any(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|w| !SMALL_WORDS.contains(&w.as_str()))
        .map(|w| analyse_word(&w).key)
        .collect();
    match words.as_slice() {
        [] => None,
        [one] if one.chars().count() < 12 => None,
        _ => Some(words.join(" ")),
    }
}

/// The abbreviations a title spells (`IKB`, `SIP`): words of two to six capitals.
pub fn title_abbreviations(title: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in title.split(|c: char| !c.is_alphanumeric()) {
        let n = w.chars().count();
        if (2..=6).contains(&n)
            && w.chars().all(|c| c.is_uppercase())
            && !out.iter().any(|o| o == w)
        {
            out.push(w.to_string());
        }
    }
    out
}

/// Why an item joined its matter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Link {
    /// The first item of the thread.
    First,
    Dnr(String),
    Title,
    Abbreviation(String),
}

impl Link {
    /// `first`, `dnr`, `title` or `abbreviation`.
    pub fn name(&self) -> &'static str {
        match self {
            Link::First => "first",
            Link::Dnr(_) => "dnr",
            Link::Title => "title",
            Link::Abbreviation(_) => "abbreviation",
        }
    }

    /// The diary number or abbreviation the link shares, if any.
    pub fn value(&self) -> Option<&str> {
        match self {
            Link::Dnr(v) | Link::Abbreviation(v) => Some(v),
            Link::First | Link::Title => None,
        }
    }
}

/// One item of a matter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MatterItem {
    pub protocol_id: String,
    pub item_index: u64,
    pub date: Option<String>,
    pub group: String,
    pub decided: bool,
    pub link: Link,
}

/// A thread of items of one matter, in date order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Matter {
    pub id: String,
    pub items: Vec<MatterItem>,
}

/// Every matter of an index (threads of two items or more), and which matter each
/// item is in. Kept on disk as its matters alone (see `Store::matters`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(from = "Threads")]
pub struct Matters {
    pub matters: Vec<Matter>,
    by_item: HashMap<(String, u64), usize>,
}

/// What of [`Matters`] is written down: which matter an item is in follows.
#[derive(serde::Deserialize)]
struct Threads {
    matters: Vec<Matter>,
}

impl From<Threads> for Matters {
    fn from(t: Threads) -> Matters {
        let mut by_item = HashMap::new();
        for (k, m) in t.matters.iter().enumerate() {
            for item in &m.items {
                by_item.insert((item.protocol_id.clone(), item.item_index), k);
            }
        }
        Matters {
            matters: t.matters,
            by_item,
        }
    }
}

impl serde::Serialize for Matters {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Written<'a> {
            matters: &'a [Matter],
        }
        Written {
            matters: &self.matters,
        }
        .serialize(s)
    }
}

impl Matters {
    /// The matter an item (protocol id, item index) belongs to.
    pub fn of_item(&self, protocol_id: &str, item_index: u64) -> Option<&Matter> {
        self.by_item
            .get(&(protocol_id.to_string(), item_index))
            .and_then(|&i| self.matters.get(i))
    }

    /// The matter with this id.
    pub fn get(&self, id: &str) -> Option<&Matter> {
        self.matters.iter().find(|m| m.id == id)
    }
}

/// The matter of each item, as a file a process can look an item up in without
/// reading the matters: fixed records of 29 bytes, sorted — 16 hex digits of a hash
/// of the item (protocol id, item index), the matter's 12-character id, a newline.
/// A one-shot search names the matter of its ten hits in a few reads.
const RECORD: usize = 29;

fn item_key(protocol_id: &str, item_index: u64) -> [u8; 16] {
    let hex = blake3::hash(format!("{protocol_id}\u{1f}{item_index}").as_bytes()).to_hex();
    let mut key = [0u8; 16];
    key.copy_from_slice(&hex.as_bytes()[..16]);
    key
}

/// Writes the lookup file of `matters` (see [`Lookup`]).
pub fn write_lookup(matters: &Matters, path: &std::path::Path) -> std::io::Result<()> {
    let mut records: Vec<[u8; RECORD]> = Vec::new();
    for m in &matters.matters {
        let id = m.id.as_bytes();
        if id.len() != 12 {
            continue;
        }
        for item in &m.items {
            let mut r = [b'\n'; RECORD];
            r[..16].copy_from_slice(&item_key(&item.protocol_id, item.item_index));
            r[16..28].copy_from_slice(id);
            records.push(r);
        }
    }
    records.sort_unstable();
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, records.concat())?;
    std::fs::rename(&tmp, path)
}

/// A file [`write_lookup`] wrote, open for lookups.
pub struct Lookup {
    file: std::fs::File,
    records: u64,
}

impl Lookup {
    pub fn open(path: &std::path::Path) -> std::io::Result<Lookup> {
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        if len % RECORD as u64 != 0 {
            return Err(std::io::Error::other("not a matter lookup file"));
        }
        Ok(Lookup {
            file,
            records: len / RECORD as u64,
        })
    }

    /// The id of the matter an item belongs to: a binary search over the records.
    pub fn matter_of(
        &mut self,
        protocol_id: &str,
        item_index: u64,
    ) -> std::io::Result<Option<String>> {
        use std::io::{Read, Seek, SeekFrom};
        let key = item_key(protocol_id, item_index);
        let (mut lo, mut hi) = (0u64, self.records);
        let mut record = [0u8; RECORD];
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            self.file.seek(SeekFrom::Start(mid * RECORD as u64))?;
            self.file.read_exact(&mut record)?;
            match record[..16].cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return Ok(std::str::from_utf8(&record[16..28])
                        .ok()
                        .map(str::to_string));
                }
            }
        }
        Ok(None)
    }
}

/// What threading needs to know of one item.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub protocol_id: String,
    pub item_index: u64,
    pub date: Option<String>,
    pub group: String,
    pub organisation: Option<String>,
    pub decided: bool,
    pub dnr: Option<String>,
    pub key: Option<String>,
    pub abbreviations: Vec<String>,
}

impl Entry {
    /// Diary numbers and titles are an organisation's own.
    fn scope(&self) -> &str {
        self.organisation.as_deref().unwrap_or(&self.group)
    }
}

/// Reads every item's entry from the fast fields and threads them.
pub fn from_index(searcher: &Searcher, dir: &std::path::Path) -> Result<Matters> {
    let err = |e: std::io::Error| Error::index(dir, e);
    let mut entries = Vec::new();
    for seg in searcher.segment_readers() {
        let fast = seg.fast_fields();
        let col = |name: &str| fast.str(name).map_err(|e| Error::index(dir, e));
        let (Some(ids), Some(groups)) = (col("protocol_id")?, col("f_group")?) else {
            continue;
        };
        let (orgs, decisions, dnrs, keys, abbrs, days) = (
            col("f_organisation")?,
            col("f_decision")?,
            col(DNR_FIELD)?,
            col(KEY_FIELD)?,
            col(ABBR_FIELD)?,
            col(DAY_FIELD)?,
        );
        let ords = fast.u64("item_ord").map_err(|e| Error::index(dir, e))?;
        let values = |c: Option<&StrColumn>| -> Result<Option<(StrColumn, Vec<String>)>> {
            match c {
                Some(c) => Ok(Some((c.clone(), column_values(c).map_err(err)?))),
                None => Ok(None),
            }
        };
        let (ids, groups) = (values(Some(&ids))?, values(Some(&groups))?);
        let (orgs, decisions, dnrs, keys, abbrs, days) = (
            values(orgs.as_ref())?,
            values(decisions.as_ref())?,
            values(dnrs.as_ref())?,
            values(keys.as_ref())?,
            values(abbrs.as_ref())?,
            values(days.as_ref())?,
        );
        let first = |c: &Option<(StrColumn, Vec<String>)>, doc: u32| -> Option<String> {
            let (col, vals) = c.as_ref()?;
            value_of(vals, col.term_ords(doc).next()?).map(str::to_string)
        };
        for doc in seg.doc_ids_alive() {
            let mut e = Entry {
                protocol_id: first(&ids, doc).unwrap_or_default(),
                item_index: ords.first(doc).unwrap_or(0),
                date: first(&days, doc),
                group: first(&groups, doc).unwrap_or_default(),
                organisation: first(&orgs, doc),
                decided: first(&decisions, doc).as_deref() == Some("ja"),
                dnr: first(&dnrs, doc),
                key: first(&keys, doc),
                abbreviations: Vec::new(),
            };
            if let Some((c, vals)) = &abbrs {
                for o in c.term_ords(doc) {
                    if let Some(v) = value_of(vals, o) {
                        e.abbreviations.push(v.to_string());
                    }
                }
            }
            entries.push(e);
        }
    }
    Ok(thread(entries))
}

/// Threads entries into matters by the rules of this module.
pub fn thread(mut entries: Vec<Entry>) -> Matters {
    entries.sort_by(|a, b| {
        (&a.date, &a.protocol_id, a.item_index).cmp(&(&b.date, &b.protocol_id, b.item_index))
    });
    let n = entries.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let mut dnr_of: Vec<Option<String>> = entries.iter().map(|e| e.dnr.clone()).collect();
    let mut link: Vec<Link> = vec![Link::First; n];
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        let mut k = i;
        while p[k] != r {
            let next = p[k];
            p[k] = r;
            k = next;
        }
        r
    }
    // Standing titles and abbreviations: those a body has at more than half of its
    // meetings (and at four or more).
    let mut meetings: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut with_key: HashMap<(&str, &str), BTreeSet<&str>> = HashMap::new();
    for e in &entries {
        meetings.entry(&e.group).or_default().insert(&e.protocol_id);
        if let Some(k) = &e.key {
            with_key
                .entry((&e.group, k))
                .or_default()
                .insert(&e.protocol_id);
        }
        for a in &e.abbreviations {
            with_key
                .entry((&e.group, a))
                .or_default()
                .insert(&e.protocol_id);
        }
    }
    let standing = |group: &str, key: &str| {
        let held = with_key.get(&(group, key)).map_or(0, BTreeSet::len);
        let all = meetings.get(group).map_or(0, BTreeSet::len);
        held >= 4 && held * 2 > all
    };
    // Joins b's thread to a's unless both hold different diary numbers.
    let mut join =
        |a: usize, b: usize, why: Link, parent: &mut [usize], dnr_of: &mut [Option<String>]| {
            let (ra, rb) = (find(parent, a), find(parent, b));
            if ra == rb {
                return;
            }
            if let (Some(x), Some(y)) = (&dnr_of[ra], &dnr_of[rb]) {
                if x != y {
                    return;
                }
            }
            let (keep, other) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent[other] = keep;
            if dnr_of[keep].is_none() {
                dnr_of[keep] = dnr_of[other].clone();
            }
            let later = a.max(b);
            if link[later] == Link::First {
                link[later] = why;
            }
        };
    type Keyed<'a> = HashMap<(&'a str, String), usize>;
    let mut seen: [Keyed; 3] = [HashMap::new(), HashMap::new(), HashMap::new()];
    let keys: Vec<(usize, Vec<(usize, String)>)> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut k: Vec<(usize, String)> = Vec::new();
            if let Some(d) = &e.dnr {
                k.push((0, d.clone()));
            }
            if let Some(t) = e.key.as_ref().filter(|t| !standing(&e.group, t)) {
                k.push((1, t.clone()));
            }
            for a in e.abbreviations.iter().filter(|a| !standing(&e.group, a)) {
                k.push((2, a.clone()));
            }
            (i, k)
        })
        .collect();
    // Diary numbers first, so that titles never join two of them.
    for rule in 0..3 {
        for (i, k) in &keys {
            for (r, value) in k.iter().filter(|(r, _)| *r == rule) {
                let scope = entries[*i].scope();
                match seen[*r].get(&(scope, value.clone())) {
                    Some(&j) => {
                        let why = match r {
                            0 => Link::Dnr(value.clone()),
                            1 => Link::Title,
                            _ => Link::Abbreviation(value.clone()),
                        };
                        join(j, *i, why, &mut parent, &mut dnr_of);
                    }
                    None => {
                        seen[*r].insert((scope, value.clone()), *i);
                    }
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out = Matters::default();
    let mut roots: Vec<usize> = groups.keys().copied().collect();
    roots.sort_unstable();
    for root in roots {
        let members = &groups[&root];
        // One meeting's items are no thread across meetings.
        let meetings: BTreeSet<&str> = members
            .iter()
            .map(|&i| entries[i].protocol_id.as_str())
            .collect();
        if meetings.len() < 2 {
            continue;
        }
        let e = &entries[root];
        let defining = dnr_of[root].clone().or(e.key.clone()).unwrap_or_default();
        let id = blake3::hash(
            format!("{}\u{1f}{defining}\u{1f}{}", e.scope(), e.protocol_id).as_bytes(),
        )
        .to_hex()[..12]
            .to_string();
        let k = out.matters.len();
        let items = members
            .iter()
            .map(|&i| {
                let e = &entries[i];
                out.by_item.insert((e.protocol_id.clone(), e.item_index), k);
                MatterItem {
                    protocol_id: e.protocol_id.clone(),
                    item_index: e.item_index,
                    date: e.date.clone(),
                    group: e.group.clone(),
                    decided: e.decided,
                    link: if i == root {
                        Link::First
                    } else {
                        link[i].clone()
                    },
                }
            })
            .collect();
        out.matters.push(Matter { id, items });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(protocol: &str, date: &str, group: &str, title: &str, dnr: Option<&str>) -> Entry {
        Entry {
            protocol_id: protocol.into(),
            item_index: 1,
            date: Some(date.into()),
            group: group.into(),
            organisation: Some("Kommunen".into()),
            decided: false,
            dnr: dnr.map(dnr_key),
            key: title_key(title),
            abbreviations: title_abbreviations(title),
        }
    }

    #[test]
    fn keys_set_numbers_labels_and_small_words_aside() {
        assert_eq!(title_key("Budget 2026"), None);
        assert_eq!(
            title_key("Digital ungdomsmottagning"),
            title_key("Digitala ungdomsmottagningen")
        );
        assert_eq!(
            title_key("Samsjuklighetsreformen").as_deref(),
            Some("samsjuklighetsreform")
        );
        assert_eq!(
            title_abbreviations("Finansiering av IKB och SIP"),
            ["IKB", "SIP"]
        );
        assert_eq!(dnr_key("ks 2024/ 12"), "KS2024/12");
    }

    #[test]
    fn items_thread_by_dnr_title_and_abbreviation_with_their_reasons() {
        let m = thread(vec![
            entry(
                "a",
                "2025-01-10",
                "KS",
                "Detaljplan för Malby",
                Some("KS 2024/12"),
            ),
            entry(
                "b",
                "2025-03-10",
                "KS",
                "Detaljplan Malby – antagande",
                Some("KS 2024/12"),
            ),
            entry(
                "c",
                "2025-02-10",
                "Rådet",
                "Digital ungdomsmottagning",
                None,
            ),
            entry(
                "d",
                "2025-04-10",
                "Rådet",
                "Digital ungdomsmottagning",
                None,
            ),
            entry(
                "e",
                "2025-01-01",
                "Rådet",
                "Intensiv kontextuell behandling (IKB)",
                None,
            ),
            entry("f", "2025-05-01", "Rådet", "Finansiering av IKB", None),
            entry(
                "g",
                "2025-06-01",
                "KS",
                "Detaljplan för Malby",
                Some("KS 2025/99"),
            ),
        ]);
        assert_eq!(m.matters.len(), 3, "{:?}", m.matters);
        let dnr = m.of_item("b", 1).expect("threaded");
        assert_eq!(
            dnr.items.len(),
            2,
            "another diary number stays apart: {dnr:?}"
        );
        assert_eq!(dnr.items[1].link, Link::Dnr("KS2024/12".into()));
        assert!(m.of_item("g", 1).is_none());
        let title = m.of_item("d", 1).expect("threaded");
        assert_eq!(title.items[1].link, Link::Title);
        let abbr = m.of_item("f", 1).expect("threaded");
        assert_eq!(abbr.items[1].link, Link::Abbreviation("IKB".into()));
        assert_eq!(abbr.items[0].protocol_id, "e", "date order");
    }

    #[test]
    fn standing_items_and_other_organisations_are_no_matter() {
        let mut entries: Vec<Entry> = (1..=6)
            .map(|k| {
                entry(
                    &format!("m{k}"),
                    &format!("2025-0{k}-01"),
                    "Nämnden",
                    "Ekonomisk uppföljning",
                    None,
                )
            })
            .collect();
        let mut other = entry(
            "x",
            "2025-02-02",
            "Rådet",
            "Digital ungdomsmottagning",
            None,
        );
        other.organisation = Some("Regionen".into());
        entries.push(other);
        entries.push(entry(
            "y",
            "2025-03-03",
            "Rådet",
            "Digital ungdomsmottagning",
            None,
        ));
        assert!(thread(entries).matters.is_empty());
    }
}
