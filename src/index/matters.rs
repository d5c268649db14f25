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
//! indexed), once per version of the index. A body is a group of one organisation,
//! and every rule links within one organisation: the matters of a few
//! organisations are threaded from their own items alone.

use std::collections::HashMap;
use std::rc::Rc;

use tantivy::columnar::StrColumn;
use tantivy::Searcher;

use crate::analysis::tokenize::analyse_word;
use crate::error::{Error, Result};

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
    /// The organisation ([`scope_of`]) of each matter, when threaded by this
    /// process (not kept on disk).
    scopes: Vec<String>,
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
            scopes: Vec::new(),
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
    write_lookup_of(matters, |_| true, path)
}

/// Writes the lookup file of the matters of one organisation ([`scope_of`]) of
/// `matters`, threaded by this process.
pub fn write_scope_lookup(
    matters: &Matters,
    scope: &str,
    path: &std::path::Path,
) -> std::io::Result<()> {
    write_lookup_of(
        matters,
        |k| matters.scopes.get(k).is_some_and(|s| s == scope),
        path,
    )
}

fn write_lookup_of(
    matters: &Matters,
    wanted: impl Fn(usize) -> bool,
    path: &std::path::Path,
) -> std::io::Result<()> {
    let mut records: Vec<[u8; RECORD]> = Vec::new();
    for (_, m) in matters
        .matters
        .iter()
        .enumerate()
        .filter(|(k, _)| wanted(*k))
    {
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

/// Strings kept once each: threading compares their numbers. Over a million
/// protocols an item's strings, each held by every item, were most of the memory
/// and the time threading took.
#[derive(Default)]
struct Names {
    ids: HashMap<Rc<str>, u32>,
    names: Vec<Rc<str>>,
}

impl Names {
    /// The number of `name`, given it when it is new. (Past four thousand million
    /// names, more than any index holds items, the last number is given again.)
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let Ok(id) = u32::try_from(self.names.len()) else {
            return u32::MAX;
        };
        let name: Rc<str> = name.into();
        self.names.push(name.clone());
        self.ids.insert(name, id);
        id
    }

    fn name(&self, id: u32) -> &str {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.names.get(i))
            .map_or("", |n| n)
    }

    /// Each name's place among all of them in the order of the strings.
    fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.names.len())
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        order.sort_unstable_by(|&a, &b| self.name(a).cmp(self.name(b)));
        let mut rank = vec![0u32; self.names.len()];
        for (place, &id) in order.iter().enumerate() {
            if let (Some(r), Ok(place)) = (rank.get_mut(id as usize), u32::try_from(place)) {
                *r = place;
            }
        }
        rank
    }
}

/// An [`Entry`] with its strings as numbers of [`Names`].
#[derive(Debug, Clone, Copy)]
struct Item {
    protocol: u32,
    item_index: u64,
    date: Option<u32>,
    group: u32,
    /// Diary numbers and titles are an organisation's own (its group's, when the
    /// organisation is not known).
    scope: u32,
    decided: bool,
    dnr: Option<u32>,
    key: Option<u32>,
    /// Its abbreviations: `Threading::abbreviations[first..first + count]`.
    abbreviations_first: usize,
    abbreviations_count: usize,
}

/// Why an item joined its matter, with the strings as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkId {
    First,
    Dnr(u32),
    Title,
    Abbreviation(u32),
}

/// The items of an index on their way to be threaded.
#[derive(Default)]
struct Threading {
    names: Names,
    items: Vec<Item>,
    abbreviations: Vec<u32>,
}

impl Threading {
    fn push(&mut self, e: &Entry) {
        let names = &mut self.names;
        let group = names.id(&e.group);
        let first = self.abbreviations.len();
        for a in &e.abbreviations {
            self.abbreviations.push(names.id(a));
        }
        self.items.push(Item {
            protocol: names.id(&e.protocol_id),
            item_index: e.item_index,
            date: e.date.as_deref().map(|d| names.id(d)),
            group,
            scope: e.organisation.as_deref().map_or(group, |o| names.id(o)),
            decided: e.decided,
            dnr: e.dnr.as_deref().map(|d| names.id(d)),
            key: e.key.as_deref().map(|k| names.id(k)),
            abbreviations_first: first,
            abbreviations_count: e.abbreviations.len(),
        });
    }
}

/// A string column of one segment with the numbers ([`Names`]) of its values, by
/// ordinal: all of them numbered at once, or each when first met.
struct Numbered {
    col: StrColumn,
    ids: Vec<Option<u32>>,
}

impl Numbered {
    /// Every value numbered now: what reading every item wants.
    fn all(col: StrColumn, names: &mut Names) -> std::io::Result<Numbered> {
        let dict = col.dictionary();
        let mut ids = Vec::with_capacity(dict.num_terms());
        let mut stream = dict.stream()?;
        while stream.advance() {
            ids.push(Some(names.id(&String::from_utf8_lossy(stream.key()))));
        }
        Ok(Numbered { col, ids })
    }

    /// Values numbered as they are met: what reading a few organisations' items
    /// wants.
    fn as_met(col: StrColumn) -> Numbered {
        let ids = vec![None; col.dictionary().num_terms()];
        Numbered { col, ids }
    }

    fn of_ord(&mut self, ord: u64, names: &mut Names) -> std::io::Result<Option<u32>> {
        let Some(slot) = usize::try_from(ord).ok().and_then(|o| self.ids.get_mut(o)) else {
            return Ok(None);
        };
        if let Some(id) = *slot {
            return Ok(Some(id));
        }
        let mut value = String::new();
        if !self.col.ord_to_str(ord, &mut value)? {
            return Ok(None);
        }
        let id = names.id(&value);
        *slot = Some(id);
        Ok(Some(id))
    }

    /// The number of the first value of `doc`.
    fn first(&mut self, doc: u32, names: &mut Names) -> std::io::Result<Option<u32>> {
        let first = self.col.term_ords(doc).next();
        match first {
            Some(ord) => self.of_ord(ord, names),
            None => Ok(None),
        }
    }

    /// The ordinal of `value`, if the column holds it.
    fn ord_of(&self, value: &str) -> std::io::Result<Option<u64>> {
        self.col.dictionary().term_ord(value.as_bytes())
    }
}

/// The organisation an item belongs to, as threading scopes it (its group's name,
/// when the organisation is not known): a matter never crosses it.
pub fn scope_of(searcher: &Searcher, addr: tantivy::DocAddress) -> Option<String> {
    let seg = searcher.segment_readers().get(addr.segment_ord as usize)?;
    let fast = seg.fast_fields();
    let first = |name: &str| -> Option<String> {
        let col = fast.str(name).ok()??;
        let ord = col.term_ords(addr.doc_id).next()?;
        let mut value = String::new();
        col.ord_to_str(ord, &mut value).ok()?.then_some(value)
    };
    first("f_organisation").or_else(|| first("f_group"))
}

/// Reads items from the fast fields and threads them: every item of the index, or
/// with `scopes` those of these organisations alone (see [`scope_of`]), whose
/// matters are the same either way.
pub fn from_index(
    searcher: &Searcher,
    dir: &std::path::Path,
    scopes: Option<&std::collections::BTreeSet<String>>,
) -> Result<Matters> {
    let err = |e: std::io::Error| Error::index(dir, e);
    let mut t = Threading::default();
    let empty = t.names.id("");
    let yes = t.names.id("ja");
    for seg in searcher.segment_readers() {
        let fast = seg.fast_fields();
        let col = |name: &str| fast.str(name).map_err(|e| Error::index(dir, e));
        let (Some(ids), Some(groups)) = (col("protocol_id")?, col("f_group")?) else {
            continue;
        };
        let ords = fast.u64("item_ord").map_err(|e| Error::index(dir, e))?;
        let names = &mut t.names;
        let mut number = |c: StrColumn| -> Result<Numbered> {
            match scopes {
                Some(_) => Ok(Numbered::as_met(c)),
                None => Numbered::all(c, names).map_err(err),
            }
        };
        let (mut ids, mut groups) = (number(ids)?, number(groups)?);
        let mut optional =
            |name: &str| -> Result<Option<Numbered>> { col(name)?.map(&mut number).transpose() };
        let mut orgs = optional("f_organisation")?;
        let mut decisions = optional("f_decision")?;
        let mut dnrs = optional(DNR_FIELD)?;
        let mut keys = optional(KEY_FIELD)?;
        let mut abbrs = optional(ABBR_FIELD)?;
        let mut days = optional(DAY_FIELD)?;
        // With `scopes`, the ordinals of their names in this segment.
        let wanted = match scopes {
            Some(scopes) => {
                let mut org_ords = std::collections::HashSet::new();
                let mut group_ords = std::collections::HashSet::new();
                for scope in scopes {
                    if let Some(o) = orgs
                        .as_ref()
                        .map(|c| c.ord_of(scope))
                        .transpose()
                        .map_err(err)?
                    {
                        org_ords.extend(o);
                    }
                    group_ords.extend(groups.ord_of(scope).map_err(err)?);
                }
                if org_ords.is_empty() && group_ords.is_empty() {
                    continue;
                }
                Some((org_ords, group_ords))
            }
            None => None,
        };
        for doc in seg.doc_ids_alive() {
            if let Some((org_ords, group_ords)) = &wanted {
                let org = orgs.as_ref().and_then(|c| c.col.term_ords(doc).next());
                let inside = match org {
                    Some(o) => org_ords.contains(&o),
                    None => groups
                        .col
                        .term_ords(doc)
                        .next()
                        .is_some_and(|g| group_ords.contains(&g)),
                };
                if !inside {
                    continue;
                }
            }
            let names = &mut t.names;
            let mut first = |c: &mut Option<Numbered>| -> Result<Option<u32>> {
                match c {
                    Some(c) => c.first(doc, names).map_err(err),
                    None => Ok(None),
                }
            };
            let organisation = first(&mut orgs)?;
            let decided = first(&mut decisions)? == Some(yes);
            let (dnr, key, date) = (first(&mut dnrs)?, first(&mut keys)?, first(&mut days)?);
            let group = groups.first(doc, names).map_err(err)?.unwrap_or(empty);
            let protocol = ids.first(doc, names).map_err(err)?.unwrap_or(empty);
            let abbreviations_first = t.abbreviations.len();
            if let Some(c) = &mut abbrs {
                let all: Vec<u64> = c.col.term_ords(doc).collect();
                for o in all {
                    if let Some(a) = c.of_ord(o, names).map_err(err)? {
                        t.abbreviations.push(a);
                    }
                }
            }
            t.items.push(Item {
                protocol,
                item_index: ords.first(doc).unwrap_or(0),
                date,
                group,
                scope: organisation.unwrap_or(group),
                decided,
                dnr,
                key,
                abbreviations_first,
                abbreviations_count: t.abbreviations.len() - abbreviations_first,
            });
        }
    }
    Ok(thread_items(t))
}

/// Threads entries into matters by the rules of this module.
pub fn thread(entries: Vec<Entry>) -> Matters {
    let mut t = Threading::default();
    for e in &entries {
        t.push(e);
    }
    drop(entries);
    thread_items(t)
}

/// The root of `i`'s set, with the path to it made short.
fn find(parent: &mut [usize], i: usize) -> usize {
    let mut r = i;
    while let Some(&p) = parent.get(r).filter(|&&p| p != r) {
        r = p;
    }
    let mut k = i;
    while let Some(&next) = parent.get(k).filter(|&&p| p != r) {
        parent[k] = r;
        k = next;
    }
    r
}

/// How many different meetings hold each value: counted from (value, meeting)
/// pairs once each.
fn meetings_per<K: Ord + Copy + std::hash::Hash>(mut pairs: Vec<(K, u32)>) -> HashMap<K, usize> {
    pairs.sort_unstable();
    pairs.dedup();
    let mut out: HashMap<K, usize> = HashMap::new();
    for (k, _) in pairs {
        *out.entry(k).or_default() += 1;
    }
    out
}

fn thread_items(t: Threading) -> Matters {
    let Threading {
        names,
        mut items,
        abbreviations,
    } = t;
    let abbreviations_of = |e: &Item| -> &[u32] {
        abbreviations
            .get(e.abbreviations_first..)
            .and_then(|rest| rest.get(..e.abbreviations_count))
            .unwrap_or(&[])
    };
    // In date order; one meeting's items in their order. (Stable: two items alike
    // keep the order they were read in.)
    let rank = names.ranks();
    let rank_of = |id: u32| rank.get(id as usize).copied().unwrap_or(u32::MAX);
    items.sort_by_key(|e| (e.date.map(rank_of), rank_of(e.protocol), e.item_index));
    let n = items.len();
    // Standing titles and abbreviations: those a body (a group of an organisation)
    // has at more than half of its meetings (and at four or more).
    let meetings = meetings_per(
        items
            .iter()
            .map(|e| ((e.scope, e.group), e.protocol))
            .collect(),
    );
    let with_key = meetings_per(
        items
            .iter()
            .flat_map(|e| {
                e.key
                    .into_iter()
                    .chain(abbreviations_of(e).iter().copied())
                    .map(move |k| ((e.scope, e.group, k), e.protocol))
            })
            .collect(),
    );
    let standing = |e: &Item, key: u32| {
        let held = with_key.get(&(e.scope, e.group, key)).copied().unwrap_or(0);
        let all = meetings.get(&(e.scope, e.group)).copied().unwrap_or(0);
        held >= 4 && held * 2 > all
    };
    let mut parent: Vec<usize> = (0..n).collect();
    let mut dnr_of: Vec<Option<u32>> = items.iter().map(|e| e.dnr).collect();
    let mut link: Vec<LinkId> = vec![LinkId::First; n];
    // Joins b's thread to a's unless both hold different diary numbers.
    let mut join = |a: usize, b: usize, why: LinkId| {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra == rb {
            return;
        }
        let (keep, other) = if ra < rb { (ra, rb) } else { (rb, ra) };
        let (x, y) = (dnr_of[keep], dnr_of[other]);
        if matches!((x, y), (Some(x), Some(y)) if x != y) {
            return;
        }
        parent[other] = keep;
        dnr_of[keep] = x.or(y);
        let later = a.max(b);
        if link[later] == LinkId::First {
            link[later] = why;
        }
    };
    // Diary numbers first, so that titles never join two of them.
    let mut seen: [HashMap<(u32, u32), usize>; 3] = Default::default();
    let mut values: Vec<u32> = Vec::new();
    for (rule, seen) in seen.iter_mut().enumerate() {
        for (i, e) in items.iter().enumerate() {
            values.clear();
            match rule {
                0 => values.extend(e.dnr),
                1 => values.extend(e.key.filter(|&k| !standing(e, k))),
                _ => values.extend(
                    abbreviations_of(e)
                        .iter()
                        .copied()
                        .filter(|&a| !standing(e, a)),
                ),
            }
            for &value in &values {
                match seen.get(&(e.scope, value)) {
                    Some(&j) => {
                        let why = match rule {
                            0 => LinkId::Dnr(value),
                            1 => LinkId::Title,
                            _ => LinkId::Abbreviation(value),
                        };
                        join(j, i, why);
                    }
                    None => {
                        seen.insert((e.scope, value), i);
                    }
                }
            }
        }
    }
    drop(seen);
    // Every item's root; a root is the first item of its thread.
    for i in 0..n {
        find(&mut parent, i);
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by_key(|&i| (parent[i], i));
    let mut out = Matters::default();
    for members in order.chunk_by(|&a, &b| parent[a] == parent[b]) {
        let Some(&root) = members.first() else {
            continue;
        };
        let e = &items[root];
        // One meeting's items are no thread across meetings.
        if members.iter().all(|&i| items[i].protocol == e.protocol) {
            continue;
        }
        let defining = dnr_of[root].or(e.key).map_or("", |d| names.name(d));
        let id = blake3::hash(
            format!(
                "{}\u{1f}{defining}\u{1f}{}",
                names.name(e.scope),
                names.name(e.protocol)
            )
            .as_bytes(),
        )
        .to_hex()[..12]
            .to_string();
        let k = out.matters.len();
        let items = members
            .iter()
            .map(|&i| {
                let e = &items[i];
                let protocol_id = names.name(e.protocol).to_string();
                out.by_item.insert((protocol_id.clone(), e.item_index), k);
                MatterItem {
                    protocol_id,
                    item_index: e.item_index,
                    date: e.date.map(|d| names.name(d).to_string()),
                    group: names.name(e.group).to_string(),
                    decided: e.decided,
                    link: match if i == root { LinkId::First } else { link[i] } {
                        LinkId::First => Link::First,
                        LinkId::Dnr(d) => Link::Dnr(names.name(d).to_string()),
                        LinkId::Title => Link::Title,
                        LinkId::Abbreviation(a) => Link::Abbreviation(names.name(a).to_string()),
                    },
                }
            })
            .collect();
        out.matters.push(Matter { id, items });
        out.scopes.push(names.name(e.scope).to_string());
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

    /// A body is a group of one organisation: a title standing at one
    /// municipality's Socialnämnden is no matter there, and the same title at a few
    /// meetings of another municipality's Socialnämnden is one.
    #[test]
    fn a_standing_item_is_one_body_of_one_organisation() {
        let mut entries = Vec::new();
        for k in 1..=5 {
            let mut e = entry(
                &format!("a{k}"),
                &format!("2025-0{k}-01"),
                "Socialnämnden",
                "Hemtjänst i Ekeby",
                None,
            );
            e.organisation = Some("Ekeby kommun".into());
            entries.push(e);
        }
        for k in 1..=9 {
            let title = if k <= 2 {
                "Hemtjänst i Ekeby"
            } else {
                "Övriga frågor"
            };
            let mut e = entry(
                &format!("b{k}"),
                &format!("2025-0{k}-02"),
                "Socialnämnden",
                title,
                None,
            );
            e.organisation = Some("Åby kommun".into());
            entries.push(e);
        }
        let m = thread(entries);
        assert!(m.of_item("a1", 1).is_none(), "{:?}", m.matters);
        let other = m.of_item("b1", 1).expect("a matter of Åby");
        let ids: Vec<&str> = other.items.iter().map(|i| i.protocol_id.as_str()).collect();
        assert_eq!(ids, ["b1", "b2"]);
    }
}
