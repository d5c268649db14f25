//! Counting facet values fast. Facet fields are raw strings with a fast column
//! (term ordinals per document); counting is one array increment per value, and
//! only the values that occur are turned back into strings, once per segment.
//! Tantivy's own `FacetCollector` walks the facet dictionary for every collect and
//! was the largest cost of a search.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, SegmentReader};

/// How many of the matching items facet counts look at. A very broad search (a
/// frequent word matches most of an archive) would spend most of its time counting
/// facets; past `exact` matching items the counts are estimated from a systematic
/// sample instead, and the answer says they are estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sampling {
    /// Matching items counted one by one, over the whole index (shared among its
    /// segments by their size); `u64::MAX` counts every item.
    exact: u64,
    /// Documents in the index, to share `exact` among segments.
    docs: u64,
}

impl Sampling {
    /// Every matching item counted.
    pub const EXACT: Sampling = Sampling {
        exact: u64::MAX,
        docs: 1,
    };

    /// The first `exact` matching items of an index of `docs` documents counted,
    /// then a sample.
    pub fn after(exact: u64, docs: u64) -> Sampling {
        Sampling {
            exact: exact.max(1),
            docs: docs.max(1),
        }
    }

    /// The items of `segment` counted one by one: its share of `exact`, and at least
    /// a thousand.
    fn exact_in(&self, segment: &SegmentReader) -> u64 {
        if self.exact == u64::MAX {
            return u64::MAX;
        }
        let share = u128::from(self.exact) * u128::from(segment.max_doc()) / u128::from(self.docs);
        u64::try_from(share).unwrap_or(u64::MAX).max(1_000)
    }

    fn sampler(&self, segment: &SegmentReader) -> Sampler {
        Sampler::new(self.exact_in(segment))
    }
}

/// Which matching documents of a segment are counted, and for how many each
/// stands: the first `exact` for one each; then every second for two, up to twice
/// `exact`; every fourth for four, up to four times `exact`; and so on. Each range
/// of documents is counted at its true size (the last, unfinished one to within a
/// stride), and at most about
/// `exact × (1 + log2(matches / exact) / 2)` documents are looked at.
#[derive(Debug, Clone, Copy)]
struct Sampler {
    seen: u64,
    stride: u64,
    next_level: u64,
}

impl Sampler {
    /// Counts the first `exact` documents (rounded up to a power of two: then every
    /// range of documents is counted at exactly its size) one by one.
    fn new(exact: u64) -> Sampler {
        Sampler {
            seen: 0,
            stride: 1,
            next_level: exact.max(2).checked_next_power_of_two().unwrap_or(u64::MAX),
        }
    }

    /// The weight of the next matching document, or `None` when it is not counted.
    fn next(&mut self) -> Option<u32> {
        self.seen += 1;
        if self.seen > self.next_level {
            self.stride = self.stride.saturating_mul(2);
            self.next_level = self.next_level.saturating_mul(2);
        }
        self.seen
            .is_multiple_of(self.stride)
            .then(|| u32::try_from(self.stride).unwrap_or(u32::MAX))
    }

    /// Whether any document was left out (the counts are estimates).
    fn sampled(&self) -> bool {
        self.stride > 1
    }
}

/// Says whether a search's facet counts under `sampling` are estimates: whether any
/// segment matched more items than it counts one by one.
pub struct Estimated(pub Sampling);

pub struct EstimatedSegment(Sampler);

impl Collector for Estimated {
    type Fruit = bool;
    type Child = EstimatedSegment;

    fn for_segment(&self, _ord: u32, segment: &SegmentReader) -> tantivy::Result<EstimatedSegment> {
        Ok(EstimatedSegment(self.0.sampler(segment)))
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<bool>) -> tantivy::Result<bool> {
        Ok(fruits.into_iter().any(|f| f))
    }
}

impl SegmentCollector for EstimatedSegment {
    type Fruit = bool;

    fn collect(&mut self, _doc: DocId, _score: Score) {
        self.0.next();
    }

    fn harvest(self) -> bool {
        self.0.sampled()
    }
}

/// Counts the values of one multi-valued string fast field over the matching docs.
pub struct TermCounts {
    field: FacetField,
    sampling: Sampling,
    tables: Option<Arc<FacetTables>>,
}

impl TermCounts {
    pub fn new(field: FacetField) -> Self {
        TermCounts {
            field,
            sampling: Sampling::EXACT,
            tables: None,
        }
    }

    /// Counts with what `tables` keeps of each segment (see [`FacetTables`]).
    pub fn with_tables(self, tables: Arc<FacetTables>) -> Self {
        TermCounts {
            tables: Some(tables),
            ..self
        }
    }

    /// Counts under `sampling` (see [`Sampling`]).
    pub fn sampling(self, sampling: Sampling) -> Self {
        TermCounts { sampling, ..self }
    }
}

pub struct TermCountsSegment {
    column: Option<StrColumn>,
    ids: Option<Arc<Vec<u32>>>,
    counts: Vec<u32>,
    sampler: Sampler,
}

/// The values of one field for each protocol of a segment, by protocol ordinal:
/// `values[starts[p]..starts[p + 1]]`.
#[derive(Debug)]
pub struct ProtocolValues {
    starts: Vec<u32>,
    values: Vec<u32>,
}

impl ProtocolValues {
    fn build(protocols: &StrColumn, column: &StrColumn, max_doc: DocId) -> ProtocolValues {
        let n = protocols.dictionary().num_terms();
        // Values may sit on one item of the protocol only (attendees are on the
        // first): the first item that has any gives them.
        let mut per: Vec<Option<Vec<u32>>> = vec![None; n];
        for doc in 0..max_doc {
            let Some(p) = protocols.ords().first(doc) else {
                continue;
            };
            let slot = &mut per[p as usize];
            if slot.is_none() {
                let values: Vec<u32> = column
                    .ords()
                    .values_for_doc(doc)
                    .map(|o| o as u32)
                    .collect();
                if !values.is_empty() {
                    *slot = Some(values);
                }
            }
        }
        let mut starts = Vec::with_capacity(n + 1);
        let mut values = Vec::new();
        for v in per {
            starts.push(values.len() as u32);
            values.extend(v.unwrap_or_default());
        }
        starts.push(values.len() as u32);
        ProtocolValues { starts, values }
    }

    fn of(&self, protocol: usize) -> &[u32] {
        &self.values[self.starts[protocol] as usize..self.starts[protocol + 1] as usize]
    }
}

/// The facets of the archive: each is a raw-string field `f_<name>` with a fast
/// column. Adding a facet is a variant here (with its name and whether its values
/// are the protocol's) and the line of the document builder in `index` that fills it;
/// the schema, the filters, the facet lists, the CLI's `--facet` check and the HTTP
/// parameters all go through [`FacetField::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FacetField {
    /// The body that met.
    Group,
    /// The municipality, region or association.
    Organisation,
    /// Party letters of the people present.
    Party,
    /// The people present.
    Person,
    /// The item's topic.
    Topic,
    Year,
    /// `YYYY-MM`.
    Month,
    /// `ja` when the item holds a decision, else `nej`.
    Decision,
    /// `protokoll`, `mötesanteckningar`, …
    Kind,
}

impl FacetField {
    pub const ALL: [FacetField; 9] = [
        FacetField::Group,
        FacetField::Organisation,
        FacetField::Party,
        FacetField::Person,
        FacetField::Topic,
        FacetField::Year,
        FacetField::Month,
        FacetField::Decision,
        FacetField::Kind,
    ];

    /// The public name: facet key in answers, filter parameter, `--field` value.
    pub fn name(self) -> &'static str {
        match self {
            FacetField::Group => "group",
            FacetField::Organisation => "organisation",
            FacetField::Party => "party",
            FacetField::Person => "person",
            FacetField::Topic => "topic",
            FacetField::Year => "year",
            FacetField::Month => "month",
            FacetField::Decision => "decision",
            FacetField::Kind => "kind",
        }
    }

    /// The index field.
    pub fn field_name(self) -> &'static str {
        match self {
            FacetField::Group => "f_group",
            FacetField::Organisation => "f_organisation",
            FacetField::Party => "f_party",
            FacetField::Person => "f_person",
            FacetField::Topic => "f_topic",
            FacetField::Year => "f_year",
            FacetField::Month => "f_month",
            FacetField::Decision => "f_decision",
            FacetField::Kind => "f_kind",
        }
    }

    /// Whether the values are the protocol's (the same on every item), as opposed to
    /// the item's own (topic, decision). Protocol values are counted per protocol.
    pub fn per_protocol(self) -> bool {
        !matches!(self, FacetField::Topic | FacetField::Decision)
    }

    /// Whether the values sit on the protocol's first item only (lists of people),
    /// so that a filter on them selects the whole protocols they are on.
    pub fn on_first_item(self) -> bool {
        matches!(self, FacetField::Person | FacetField::Party)
    }

    /// Periods are listed newest first; other facets by count.
    pub fn by_value(self) -> bool {
        matches!(self, FacetField::Year | FacetField::Month)
    }

    /// Sorts values the way this facet lists them: years and months newest first,
    /// other facets by count, then alphabetically.
    pub fn sort<S: AsRef<str>>(self, values: &mut [(S, u64)]) {
        values.sort_unstable_by(|a, b| self.order(a, b));
    }

    /// The order of [`FacetField::sort`]: total over distinct values.
    pub fn order<S: AsRef<str>>(self, a: &(S, u64), b: &(S, u64)) -> std::cmp::Ordering {
        let (x, y) = (a.0.as_ref(), b.0.as_ref());
        if self.by_value() {
            y.cmp(x)
        } else {
            b.1.cmp(&a.1).then_with(|| x.cmp(y))
        }
    }

    /// The names of every facet, for a message.
    pub fn names() -> String {
        FacetField::ALL.map(FacetField::name).join(", ")
    }
}

impl std::str::FromStr for FacetField {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<FacetField, String> {
        FacetField::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| format!("unknown facet {s:?}; one of: {}", FacetField::names()))
    }
}

/// Counts by facet value (a fast hash: a broad search counts tens of thousands of
/// names per segment).
pub type Counts = HashMap<String, u64, rustc_hash::FxBuildHasher>;

/// The counts of several segments added up, into the largest of them.
fn merge_counts(mut fruits: Vec<Counts>) -> Counts {
    let Some(largest) = (0..fruits.len()).max_by_key(|&k| fruits[k].len()) else {
        return Counts::default();
    };
    let mut out = fruits.swap_remove(largest);
    for fruit in fruits {
        for (k, v) in fruit {
            *out.entry(k).or_default() += v;
        }
    }
    out
}

/// One segment's counts of one field: by value, or (in a long-lived process) by
/// the values' ids in the field's [`Vocabulary`], named once per search when the
/// segments are added up rather than once per segment.
pub enum SegmentCounts {
    Named(Counts),
    /// `(id, count)` pairs; an id may come more than once (the counts add up).
    Numbered(Vec<(u32, u64)>),
}

/// Every value one field has had in the segments a long-lived process has seen,
/// each with an id that stays the same across segments. Segments never gain
/// values and merges only bring together values already seen, so it grows with
/// the distinct values the archive adds only.
#[derive(Debug, Default)]
struct Vocabulary {
    names: Vec<String>,
    ids: rustc_hash::FxHashMap<String, u32>,
}

/// The counts of several segments of one field added up, by value.
fn merge_segments(
    tables: Option<Arc<FacetTables>>,
    field: FacetField,
    fruits: Vec<SegmentCounts>,
) -> Counts {
    add_segments(tables, field, fruits).into_counts()
}

/// The counts of several segments of one field added up, still by id where the
/// segments counted by id.
fn add_segments(
    tables: Option<Arc<FacetTables>>,
    field: FacetField,
    fruits: Vec<SegmentCounts>,
) -> FacetCounts {
    let mut named = Vec::new();
    let mut numbered = rustc_hash::FxHashMap::<u32, u64>::default();
    for fruit in fruits {
        match fruit {
            SegmentCounts::Named(counts) => named.push(counts),
            SegmentCounts::Numbered(pairs) => {
                numbered.reserve(pairs.len().min(1 << 16));
                for (id, n) in pairs {
                    *numbered.entry(id).or_default() += n;
                }
            }
        }
    }
    let mut counts = FacetCounts {
        field,
        named: merge_counts(named),
        numbered,
        tables,
    };
    counts.settle();
    counts
}

/// One field's counts over a search. A long-lived process counts by vocabulary id
/// and names only the values it lists: a broad search counts tens of thousands of
/// attendees to list thirty.
pub struct FacetCounts {
    field: FacetField,
    /// Values counted by value (a one-shot process, or a segment without ids).
    named: Counts,
    /// Values counted by their id in the field's vocabulary.
    numbered: rustc_hash::FxHashMap<u32, u64>,
    tables: Option<Arc<FacetTables>>,
}

impl FacetCounts {
    /// Counts by value.
    pub fn named(field: FacetField, counts: Counts) -> FacetCounts {
        FacetCounts {
            field,
            named: counts,
            numbered: Default::default(),
            tables: None,
        }
    }

    /// Values counted by value that the vocabulary knows are moved to their ids, so
    /// that no value is counted in both ways.
    fn settle(&mut self) {
        if self.named.is_empty() || self.numbered.is_empty() {
            return;
        }
        let Some(tables) = self.tables.clone() else {
            return;
        };
        let vocabulary = read(tables.vocabulary(self.field));
        self.named.retain(|name, n| match vocabulary.ids.get(name) {
            Some(&id) => {
                *self.numbered.entry(id).or_default() += *n;
                false
            }
            None => true,
        });
    }

    /// Moves the count of value `from` to value `to` (a spelling to the one that
    /// names the person).
    pub fn move_count(&mut self, from: &str, to: &str) {
        let vocabulary = self.tables.clone();
        let vocabulary = vocabulary.as_ref().map(|t| read(t.vocabulary(self.field)));
        let id = |name: &str| vocabulary.as_ref().and_then(|v| v.ids.get(name).copied());
        let moved = self.named.remove(from).unwrap_or(0)
            + id(from).and_then(|i| self.numbered.remove(&i)).unwrap_or(0);
        if moved == 0 {
            return;
        }
        match id(to) {
            Some(i) if !self.numbered.is_empty() => *self.numbered.entry(i).or_default() += moved,
            _ => *self.named.entry(to.to_string()).or_default() += moved,
        }
    }

    /// Every value with its count.
    pub fn into_counts(self) -> Counts {
        let mut out = self.named;
        if let (false, Some(tables)) = (self.numbered.is_empty(), &self.tables) {
            let vocabulary = read(tables.vocabulary(self.field));
            out.reserve(self.numbered.len());
            for (id, n) in self.numbered {
                if let Some(name) = vocabulary.names.get(id as usize) {
                    *out.entry(name.clone()).or_default() += n;
                }
            }
        }
        out
    }

    /// The first `limit` values in the field's order (see [`FacetField::sort`]),
    /// then those after them that `keep` asks for, in the same order.
    pub fn top(&self, limit: usize, keep: impl Fn(&str) -> bool) -> Vec<(String, u64)> {
        let vocabulary = self.tables.as_ref().map(|t| read(t.vocabulary(self.field)));
        let mut values: Vec<(&str, u64)> = self
            .named
            .iter()
            .map(|(k, &n)| (k.as_str(), n))
            .filter(|&(_, n)| n > 0)
            .collect();
        if let Some(vocabulary) = &vocabulary {
            values.extend(self.numbered.iter().filter_map(|(&id, &n)| {
                Some((vocabulary.names.get(id as usize)?.as_str(), n)).filter(|_| n > 0)
            }));
        }
        if limit < values.len() {
            values.select_nth_unstable_by(limit, |a, b| self.field.order(a, b));
        }
        let mut rest = values.split_off(limit.min(values.len()));
        rest.retain(|(v, _)| keep(v));
        self.field.sort(&mut values);
        self.field.sort(&mut rest);
        values
            .into_iter()
            .chain(rest)
            .map(|(v, n)| (v.to_string(), n))
            .collect()
    }
}

/// A lock whose holder panicked still guards sound data here (maps filled one
/// entry at a time), so it is used on.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

/// A cache of something per segment and field.
type BySegmentField<T> = Mutex<HashMap<(SegmentId, FacetField), T>>;

/// Segments held in a cache before it is emptied (mostly segments merged away,
/// for a process that is not told which are live).
const CACHED_SEGMENTS: usize = 4096;

/// What a search needs of each segment of one index, beyond its postings: the
/// per-segment tables of protocol values, read from the tables [`write_tables`]
/// keeps in the index folder or built when the process lives long enough (a
/// server) for them to pay off; and, in a long-lived process, the segment's
/// columns opened once and the ids of their values in each field's
/// [`Vocabulary`]. A one-shot search reads the values of the protocols it matched
/// instead of building tables it would use once.
#[derive(Default)]
pub struct FacetTables {
    dir: Option<PathBuf>,
    long_lived: AtomicBool,
    cache: BySegmentField<Arc<ProtocolValues>>,
    /// String columns by segment and field name (opening one deserializes its
    /// index and dictionary).
    columns: Mutex<HashMap<(SegmentId, &'static str), Option<StrColumn>>>,
    item_ords: Mutex<HashMap<SegmentId, Option<Column<u64>>>>,
    /// The vocabulary id of each ordinal of a field in a segment.
    ids: BySegmentField<Arc<Vec<u32>>>,
    /// By `FacetField as usize`.
    vocabularies: [RwLock<Vocabulary>; FacetField::ALL.len()],
}

impl std::fmt::Debug for FacetTables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FacetTables")
            .field("dir", &self.dir)
            .field("long_lived", &self.is_kept())
            .finish_non_exhaustive()
    }
}

impl FacetTables {
    /// The tables of the index in `index_dir`.
    pub fn in_dir(index_dir: &Path) -> FacetTables {
        FacetTables {
            dir: Some(index_dir.to_path_buf()),
            ..FacetTables::default()
        }
    }

    /// Declares the process long-lived: missing tables are then built and kept.
    pub fn keep(&self) {
        self.long_lived.store(true, AtomicOrdering::Relaxed);
    }

    /// Whether the process was declared long-lived (see [`FacetTables::keep`]).
    pub fn is_kept(&self) -> bool {
        self.long_lived.load(AtomicOrdering::Relaxed)
    }

    /// Forgets what it holds of segments not in `live` (merged away or deleted),
    /// so that a server following its corpus does not keep every segment it ever
    /// saw, nor their files open.
    pub fn retain(&self, live: &std::collections::HashSet<SegmentId>) {
        lock(&self.cache).retain(|(segment, _), _| live.contains(segment));
        lock(&self.columns).retain(|(segment, _), _| live.contains(segment));
        lock(&self.item_ords).retain(|segment, _| live.contains(segment));
        lock(&self.ids).retain(|(segment, _), _| live.contains(segment));
    }

    fn vocabulary(&self, field: FacetField) -> &RwLock<Vocabulary> {
        &self.vocabularies[field as usize]
    }

    /// The string column `name` of `segment`; kept by a long-lived process.
    fn str_column(
        &self,
        segment: &SegmentReader,
        name: &'static str,
    ) -> tantivy::Result<Option<StrColumn>> {
        if !self.is_kept() {
            return segment.fast_fields().str(name);
        }
        let key = (segment.segment_id(), name);
        if let Some(hit) = lock(&self.columns).get(&key) {
            return Ok(hit.clone());
        }
        let column = segment.fast_fields().str(name)?;
        let mut columns = lock(&self.columns);
        if columns.len() > CACHED_SEGMENTS * 4 {
            columns.clear();
        }
        columns.insert(key, column.clone());
        Ok(column)
    }

    /// The `item_ord` column of `segment`; kept by a long-lived process.
    fn item_ords(&self, segment: &SegmentReader) -> Option<Column<u64>> {
        let open = || segment.fast_fields().u64("item_ord").ok();
        if !self.is_kept() {
            return open();
        }
        let key = segment.segment_id();
        if let Some(hit) = lock(&self.item_ords).get(&key) {
            return hit.clone();
        }
        let column = open();
        let mut cache = lock(&self.item_ords);
        if cache.len() > CACHED_SEGMENTS {
            cache.clear();
        }
        cache.insert(key, column.clone());
        column
    }

    /// The vocabulary id of each ordinal of `field` in `segment`, for a
    /// long-lived process: one pass over the segment's dictionary, once.
    fn ids(
        &self,
        segment: &SegmentReader,
        field: FacetField,
        column: &StrColumn,
    ) -> Option<Arc<Vec<u32>>> {
        if !self.is_kept() {
            return None;
        }
        let key = (segment.segment_id(), field);
        if let Some(hit) = lock(&self.ids).get(&key) {
            return Some(hit.clone());
        }
        let dict = column.dictionary();
        let mut stream = dict.stream().ok()?;
        let mut ids = Vec::with_capacity(dict.num_terms());
        {
            let mut vocabulary = self
                .vocabulary(field)
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            while stream.advance() {
                let name = String::from_utf8_lossy(stream.key());
                let id = match vocabulary.ids.get(name.as_ref()) {
                    Some(&id) => id,
                    None => {
                        let id = u32::try_from(vocabulary.names.len()).ok()?;
                        vocabulary.names.push(name.to_string());
                        vocabulary.ids.insert(name.into_owned(), id);
                        id
                    }
                };
                ids.push(id);
            }
        }
        let ids = Arc::new(ids);
        let mut cache = lock(&self.ids);
        if cache.len() > CACHED_SEGMENTS {
            cache.clear();
        }
        cache.insert(key, ids.clone());
        Some(ids)
    }
}

fn table_path(index_dir: &Path, segment: SegmentId, field: FacetField) -> PathBuf {
    index_dir.join("facets").join(format!(
        "{}.{}.bin",
        segment.uuid_string(),
        field.field_name()
    ))
}

impl ProtocolValues {
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 4 * (self.starts.len() + self.values.len()));
        out.extend((self.starts.len() as u32).to_le_bytes());
        out.extend((self.values.len() as u32).to_le_bytes());
        for v in self.starts.iter().chain(&self.values) {
            out.extend(v.to_le_bytes());
        }
        out
    }

    /// Reads a table back, checking it against the segment's columns; `None`
    /// for a file that does not fit (it is then rebuilt or done without).
    fn from_bytes(bytes: &[u8], protocols: usize, terms: usize) -> Option<ProtocolValues> {
        let words: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let (&n_starts, rest) = words.split_first()?;
        let (&n_values, rest) = rest.split_first()?;
        let (n_starts, n_values) = (n_starts as usize, n_values as usize);
        if !bytes.len().is_multiple_of(4)
            || n_starts != protocols + 1
            || rest.len() != n_starts + n_values
        {
            return None;
        }
        let (starts, values) = rest.split_at(n_starts);
        let ordered = starts.windows(2).all(|w| w[0] <= w[1]);
        let in_range = starts.last().is_some_and(|&e| e as usize == n_values)
            && values.iter().all(|&v| (v as usize) < terms);
        (ordered && in_range).then(|| ProtocolValues {
            starts: starts.to_vec(),
            values: values.to_vec(),
        })
    }
}

/// Writes the protocol facet tables of every segment of `index` into
/// `index_dir/facets/`, and removes those of segments merged away, so that a
/// one-shot search reads them instead of visiting each matched protocol.
pub fn write_tables(index: &tantivy::Index, index_dir: &Path) -> std::io::Result<()> {
    let dir = index_dir.join("facets");
    std::fs::create_dir_all(&dir)?;
    let searcher = index
        .reader()
        .map_err(|e| std::io::Error::other(e.to_string()))?
        .searcher();
    let mut keep = std::collections::HashSet::new();
    for seg in searcher.segment_readers() {
        let Ok(Some(protocols)) = seg.fast_fields().str("protocol_id") else {
            continue;
        };
        for field in FacetField::ALL.into_iter().filter(|f| f.per_protocol()) {
            let path = table_path(index_dir, seg.segment_id(), field);
            keep.insert(path.clone());
            if path.exists() {
                continue;
            }
            let Ok(Some(column)) = seg.fast_fields().str(field.field_name()) else {
                continue;
            };
            let table = ProtocolValues::build(&protocols, &column, seg.max_doc());
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, table.to_bytes())?;
            std::fs::rename(&tmp, &path)?;
        }
    }
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if !keep.contains(&path) {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// Segments never change once written, so each one's protocol values are read
/// (from the tables `index` wrote) or built once per index and field. A one-shot
/// process without tables does without.
fn protocol_values(
    tables: &FacetTables,
    segment: &SegmentReader,
    field: FacetField,
    protocols: &StrColumn,
    column: &StrColumn,
) -> Option<Arc<ProtocolValues>> {
    let key = (segment.segment_id(), field);
    if let Some(hit) = lock(&tables.cache).get(&key) {
        return Some(hit.clone());
    }
    let stored = tables.dir.as_ref().and_then(|d| {
        let bytes = std::fs::read(table_path(d, segment.segment_id(), field)).ok()?;
        ProtocolValues::from_bytes(
            &bytes,
            protocols.dictionary().num_terms(),
            column.dictionary().num_terms(),
        )
    });
    let table = match stored {
        Some(t) => t,
        None if tables.long_lived.load(AtomicOrdering::Relaxed) => {
            ProtocolValues::build(protocols, column, segment.max_doc())
        }
        None => return None,
    };
    let table = Arc::new(table);
    let mut cache = lock(&tables.cache);
    if cache.len() > CACHED_SEGMENTS {
        cache.clear(); // mostly old segments, merged away
    }
    cache.insert(key, table.clone());
    Some(table)
}

impl Collector for TermCounts {
    type Fruit = Counts;
    type Child = TermCountsSegment;

    fn for_segment(
        &self,
        _ord: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<TermCountsSegment> {
        let name = self.field.field_name();
        let column = match &self.tables {
            Some(tables) => tables.str_column(segment, name)?,
            None => segment.fast_fields().str(name)?,
        };
        let ids = match (&self.tables, &column) {
            (Some(tables), Some(c)) => tables.ids(segment, self.field, c),
            _ => None,
        };
        let terms = column
            .as_ref()
            .map(|c| c.dictionary().num_terms())
            .unwrap_or(0);
        Ok(TermCountsSegment {
            column,
            ids,
            counts: vec![0; terms],
            sampler: self.sampling.sampler(segment),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentCounts>) -> tantivy::Result<Counts> {
        Ok(merge_segments(self.tables.clone(), self.field, fruits))
    }
}

impl SegmentCollector for TermCountsSegment {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(weight) = self.sampler.next() else {
            return;
        };
        if let Some(col) = &self.column {
            for ord in col.ords().values_for_doc(doc) {
                if let Some(c) = self.counts.get_mut(ord as usize) {
                    *c = c.saturating_add(weight);
                }
            }
        }
    }

    fn harvest(self) -> SegmentCounts {
        match (self.column, self.ids) {
            (_, Some(ids)) => numbered_counts(&ids, &self.counts),
            (Some(col), None) => SegmentCounts::Named(named_counts(&col, &self.counts)),
            (None, None) => SegmentCounts::Named(Counts::default()),
        }
    }
}

/// Several collectors of one kind, fed each match in turn without the dynamic
/// dispatch of tantivy's `MultiCollector` (a broad search feeds hundreds of
/// thousands of matches).
pub struct Several<C>(pub Vec<C>);

pub struct SeveralSegment<S>(Vec<S>);

impl<C: Collector> Collector for Several<C> {
    type Fruit = Vec<C::Fruit>;
    type Child = SeveralSegment<C::Child>;

    fn for_segment(&self, ord: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        self.0
            .iter()
            .map(|c| c.for_segment(ord, segment))
            .collect::<tantivy::Result<_>>()
            .map(SeveralSegment)
    }

    fn requires_scoring(&self) -> bool {
        self.0.iter().any(|c| c.requires_scoring())
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<<C::Child as SegmentCollector>::Fruit>>,
    ) -> tantivy::Result<Vec<C::Fruit>> {
        // By collector, each with its fruit of every segment.
        let mut by: Vec<Vec<_>> = self.0.iter().map(|_| Vec::new()).collect();
        for fruit in fruits {
            for (k, f) in fruit.into_iter().enumerate() {
                if let Some(b) = by.get_mut(k) {
                    b.push(f);
                }
            }
        }
        self.0
            .iter()
            .zip(by)
            .map(|(c, f)| c.merge_fruits(f))
            .collect()
    }
}

impl<S: SegmentCollector> SegmentCollector for SeveralSegment<S> {
    type Fruit = Vec<S::Fruit>;

    fn collect(&mut self, doc: DocId, score: Score) {
        for c in &mut self.0 {
            c.collect(doc, score);
        }
    }

    fn harvest(self) -> Vec<S::Fruit> {
        self.0.into_iter().map(SegmentCollector::harvest).collect()
    }
}

/// Every value of a string column, by ordinal: one pass over its dictionary. Reading
/// values one ordinal at a time opens (and decompresses) a dictionary block each time;
/// whoever reads the values of many documents reads them all once instead.
pub fn column_values(col: &StrColumn) -> std::io::Result<Vec<String>> {
    let dict = col.dictionary();
    let mut out = Vec::with_capacity(dict.num_terms());
    let mut stream = dict.stream()?;
    while stream.advance() {
        out.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok(out)
}

/// The value of ordinal `ord` in values read by [`column_values`].
pub fn value_of(values: &[String], ord: u64) -> Option<&str> {
    values.get(usize::try_from(ord).ok()?).map(String::as_str)
}

/// The counts by value: one sequential pass over the dictionary for the
/// ordinals that occur.
fn named_counts(col: &StrColumn, counts: &[u32]) -> Counts {
    let mut out = Counts::default();
    let ords: Vec<u64> = (0..counts.len())
        .filter(|&o| counts[o] > 0)
        .map(|o| o as u64)
        .collect();
    let mut k = 0;
    let _ = col.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
        if let Ok(term) = std::str::from_utf8(bytes) {
            out.insert(term.to_string(), counts[ords[k] as usize] as u64);
        }
        k += 1;
    });
    out
}

/// The counts by vocabulary id of the ordinals that occur.
fn numbered_counts(ids: &[u32], counts: &[u32]) -> SegmentCounts {
    SegmentCounts::Numbered(
        counts
            .iter()
            .zip(ids)
            .filter(|(c, _)| **c > 0)
            .map(|(c, id)| (*id, u64::from(*c)))
            .collect(),
    )
}

/// Matched protocols between asking for a protocol's values and counting them.
const PREFETCH_AHEAD: usize = 8;

/// Asks the processor to start loading the cache line of `slice[at]` (nothing for
/// an index out of range, or on another architecture).
#[inline(always)]
fn prefetch<T>(slice: &[T], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = slice.get(at) {
        // SAFETY: a prefetch only hints the cache and never faults; `x` is a
        // valid reference into `slice`.
        unsafe {
            core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                (x as *const T).cast::<i8>(),
            )
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, at);
}

/// Counts the values of several fields whose values are the same on every item
/// of a protocol (group, attendees, year, month, kind). A matching item costs one
/// increment, for its protocol; each protocol's count is added to its values once
/// at the end. The counts are those of counting every item's values, without the
/// work per item growing with the number of fields and attendees.
pub struct ProtocolFacets {
    fields: Vec<FacetField>,
    tables: Arc<FacetTables>,
    sampling: Sampling,
}

impl ProtocolFacets {
    pub fn new(fields: Vec<FacetField>, tables: Arc<FacetTables>) -> Self {
        ProtocolFacets {
            fields,
            tables,
            sampling: Sampling::EXACT,
        }
    }

    /// Counts under `sampling` (see [`Sampling`]).
    pub fn sampling(self, sampling: Sampling) -> Self {
        ProtocolFacets { sampling, ..self }
    }
}

pub struct ProtocolFacetsSegment {
    protocols: Option<StrColumn>,
    per_protocol: Vec<u32>,
    /// The first matching item of each protocol, to read its values from when
    /// there is no table.
    first_doc: Vec<DocId>,
    /// The protocols matched, in the order first met.
    matched: Vec<u32>,
    item_ords: Option<tantivy::columnar::Column<u64>>,
    fields: Vec<SegmentField>,
    sampler: Sampler,
}

/// A field a [`ProtocolFacetsSegment`] counts: its column, its protocol table and
/// the vocabulary ids of its ordinals (when the process keeps them).
struct SegmentField {
    field: FacetField,
    column: Option<StrColumn>,
    table: Option<Arc<ProtocolValues>>,
    ids: Option<Arc<Vec<u32>>>,
}

impl Collector for ProtocolFacets {
    /// Counts by field.
    type Fruit = HashMap<FacetField, FacetCounts>;
    type Child = ProtocolFacetsSegment;

    fn for_segment(
        &self,
        _ord: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<ProtocolFacetsSegment> {
        let protocols = self.tables.str_column(segment, "protocol_id")?;
        let mut fields = Vec::new();
        for &field in &self.fields {
            let column = self.tables.str_column(segment, field.field_name())?;
            let table = match (&protocols, &column) {
                (Some(p), Some(c)) => protocol_values(&self.tables, segment, field, p, c),
                _ => None,
            };
            let ids = column
                .as_ref()
                .and_then(|c| self.tables.ids(segment, field, c));
            fields.push(SegmentField {
                field,
                column,
                table,
                ids,
            });
        }
        let n = protocols
            .as_ref()
            .map(|p| p.dictionary().num_terms())
            .unwrap_or(0);
        // Without a table, a field's values are read from the protocol's first item.
        let reads_items = fields
            .iter()
            .any(|f| f.table.is_none() && f.column.is_some());
        Ok(ProtocolFacetsSegment {
            protocols,
            per_protocol: vec![0; n],
            first_doc: if reads_items {
                vec![DocId::MAX; n]
            } else {
                Vec::new()
            },
            matched: Vec::new(),
            item_ords: if reads_items {
                self.tables.item_ords(segment)
            } else {
                None
            },
            fields,
            sampler: self.sampling.sampler(segment),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<(FacetField, SegmentCounts)>>,
    ) -> tantivy::Result<HashMap<FacetField, FacetCounts>> {
        let mut by_field: HashMap<FacetField, Vec<SegmentCounts>> = HashMap::new();
        for fruit in fruits {
            for (field, counts) in fruit {
                by_field.entry(field).or_default().push(counts);
            }
        }
        Ok(by_field
            .into_iter()
            .map(|(field, counts)| {
                let tables = Some(self.tables.clone());
                (field, add_segments(tables, field, counts))
            })
            .collect())
    }
}

impl ProtocolFacetsSegment {
    /// The first item of protocol `p`, from its first matching item: a protocol's
    /// items are written as one batch, so they are consecutive documents of one
    /// segment and the first is `item_ord` documents back.
    fn first_item(&self, p: usize) -> DocId {
        let doc = self.first_doc.get(p).copied().unwrap_or(DocId::MAX);
        let back = self
            .item_ords
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(0) as DocId;
        let first = doc.saturating_sub(back);
        let same_protocol = self
            .protocols
            .as_ref()
            .and_then(|c| c.ords().first(first))
            .is_some_and(|q| q as usize == p);
        if same_protocol {
            first
        } else {
            doc
        }
    }
}

impl ProtocolFacetsSegment {
    /// The matched protocols are far apart in a table: each costs a wait for memory
    /// unless its values are asked for ahead of the `k`th.
    #[inline(always)]
    fn ask_ahead(&self, table: &ProtocolValues, k: usize) {
        if let Some(&q) = self.matched.get(k + 2 * PREFETCH_AHEAD) {
            prefetch(&table.starts, q as usize);
        }
        if let Some(&q) = self.matched.get(k + PREFETCH_AHEAD) {
            prefetch(&self.per_protocol, q as usize);
            if let Some(&start) = table.starts.get(q as usize) {
                prefetch(&table.values, start as usize);
            }
        }
    }
}

impl SegmentCollector for ProtocolFacetsSegment {
    type Fruit = Vec<(FacetField, SegmentCounts)>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(weight) = self.sampler.next() else {
            return;
        };
        if let Some(p) = self.protocols.as_ref().and_then(|c| c.ords().first(doc)) {
            let p = p as usize;
            if let Some(n) = self.per_protocol.get_mut(p) {
                if *n == 0 {
                    if let Some(first) = self.first_doc.get_mut(p) {
                        *first = doc;
                    }
                    self.matched.push(p as u32);
                }
                *n = n.saturating_add(weight);
            }
        }
    }

    fn harvest(mut self) -> Vec<(FacetField, SegmentCounts)> {
        let mut out = Vec::new();
        // In ordinal order, each field's table is read front to back: a broad search
        // matches most protocols of a segment, met in no order by their ordinals.
        self.matched.sort_unstable();
        for SegmentField {
            field,
            column,
            table,
            ids,
        } in std::mem::take(&mut self.fields)
        {
            let Some(column) = column else {
                continue;
            };
            let terms = column.dictionary().num_terms();
            if let (Some(table), Some(ids)) = (&table, &ids) {
                // Few values against the segment's vocabulary (a narrow search):
                // listing them costs less than a pass over every ordinal.
                let listed: usize = self
                    .matched
                    .iter()
                    .map(|&p| table.of(p as usize).len())
                    .sum();
                if listed.saturating_mul(8) < terms {
                    let mut pairs = Vec::with_capacity(listed);
                    for (k, &p) in self.matched.iter().enumerate() {
                        self.ask_ahead(table, k);
                        let n = u64::from(self.per_protocol[p as usize]);
                        pairs.extend(
                            table
                                .of(p as usize)
                                .iter()
                                .filter_map(|&o| Some((*ids.get(o as usize)?, n))),
                        );
                    }
                    out.push((field, SegmentCounts::Numbered(pairs)));
                    continue;
                }
            }
            let mut counts = vec![0u32; terms];
            for (k, &p) in self.matched.iter().enumerate() {
                if let Some(table) = &table {
                    self.ask_ahead(table, k);
                }
                let p = p as usize;
                let n = self.per_protocol[p];
                let mut add = |ord: u64| {
                    if let Some(c) = counts.get_mut(ord as usize) {
                        *c = c.saturating_add(n);
                    }
                };
                match &table {
                    Some(table) => table.of(p).iter().for_each(|&o| add(o as u64)),
                    None => column
                        .ords()
                        .values_for_doc(self.first_item(p))
                        .for_each(add),
                }
            }
            let counts = match ids {
                Some(ids) => numbered_counts(&ids, &counts),
                None => SegmentCounts::Named(named_counts(&column, &counts)),
            };
            out.push((field, counts));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::{AllQuery, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, FAST, STRING};
    use tantivy::{doc, Index, Term};

    /// The attendees of the protocols `q` matches, counted per protocol.
    fn person_counts(
        searcher: &tantivy::Searcher,
        tables: &Arc<FacetTables>,
        q: &dyn tantivy::query::Query,
    ) -> Counts {
        searcher
            .search(
                q,
                &ProtocolFacets::new(vec![FacetField::Person], tables.clone()),
            )
            .unwrap()
            .remove(&FacetField::Person)
            .map(FacetCounts::into_counts)
            .unwrap_or_default()
    }

    /// The weights of the documents a sampler counts add up to the documents it
    /// saw (to within the last stride), and it looks at a few of them only.
    #[test]
    fn a_sample_stands_for_every_matching_document() {
        for asked in [1u64, 7, 1000, 1024] {
            let exact = asked.max(2).next_power_of_two();
            for matches in [
                0u64,
                1,
                exact,
                exact + 1,
                3 * exact + 7,
                100 * exact,
                1000 * exact + 3,
            ] {
                let mut s = Sampler::new(asked);
                let (mut weight, mut looked) = (0u64, 0u64);
                for _ in 0..matches {
                    if let Some(w) = s.next() {
                        weight += u64::from(w);
                        looked += 1;
                    }
                }
                assert!(
                    weight <= matches && matches - weight < s.stride,
                    "exact {exact}, {matches} matches: weight {weight}, stride {}",
                    s.stride
                );
                assert_eq!(
                    s.sampled(),
                    matches > exact,
                    "exact {exact}, {matches} matches"
                );
                let levels = (matches as f64 / exact as f64).log2().max(0.0);
                let bound = exact as f64 * (1.0 + levels / 2.0) + levels + 1.0;
                assert!(
                    (looked as f64) <= bound,
                    "looked at {looked} of {matches} (bound {bound})"
                );
            }
        }
    }

    /// Over many matches, sampled counts are close to the true ones (values spread
    /// through the segment, and values bunched in one stretch of it), are said to be
    /// estimates, and exact counting gives the true counts.
    #[test]
    fn sampled_counts_are_close_and_said_to_be_estimates() {
        let mut b = Schema::builder();
        let topic = b.add_text_field("f_topic", STRING | FAST);
        let index = Index::create_in_ram(b.build());
        let mut w: tantivy::IndexWriter = index.writer(50_000_000).unwrap();
        let n = 60_000u64;
        for k in 0..n {
            let spread = if k % 3 == 0 { "var tredje" } else { "övriga" };
            let mut d = doc!(topic => spread);
            if (20_000..26_000).contains(&k) {
                d.add_text(topic, "en sträcka");
            }
            w.add_document(d).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let truth = [
            ("var tredje", 20_000u64),
            ("övriga", 40_000),
            ("en sträcka", 6_000),
        ];
        let exact = searcher
            .search(
                &AllQuery,
                &(
                    TermCounts::new(FacetField::Topic),
                    Estimated(Sampling::EXACT),
                ),
            )
            .unwrap();
        assert!(!exact.1);
        for (v, c) in truth {
            assert_eq!(exact.0.get(v), Some(&c), "{v}");
        }
        let sampling = Sampling::after(2_000, n);
        let (sampled, estimated) = searcher
            .search(
                &AllQuery,
                &(
                    TermCounts::new(FacetField::Topic).sampling(sampling),
                    Estimated(sampling),
                ),
            )
            .unwrap();
        assert!(estimated);
        for (v, c) in truth {
            let got = sampled.get(v).copied().unwrap_or(0) as f64;
            assert!(
                (got - c as f64).abs() <= c as f64 * 0.05,
                "{v}: {got} for {c}"
            );
        }
        // Few matches: exact all the same, and not said to be estimates.
        let few = searcher
            .search(
                &TermQuery::new(
                    Term::from_field_text(topic, "en sträcka"),
                    IndexRecordOption::Basic,
                ),
                &(
                    TermCounts::new(FacetField::Topic).sampling(Sampling::after(10_000, n)),
                    Estimated(Sampling::after(10_000, n)),
                ),
            )
            .unwrap();
        assert!(!few.1);
        assert_eq!(few.0.get("en sträcka"), Some(&6_000));
    }

    /// Counting per protocol gives the counts of counting every item of the
    /// protocol, attendees being on its first item only; with and without
    /// per-segment tables.
    #[test]
    fn protocol_counts_count_every_matching_item() {
        let mut b = Schema::builder();
        let pid = b.add_text_field("protocol_id", STRING | FAST);
        let ord = b.add_u64_field("item_ord", FAST);
        let person = b.add_text_field("f_person", STRING | FAST);
        let word = b.add_text_field("word", STRING);
        let index = Index::create_in_ram(b.build());
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        let protocols = [
            ("a", &["Anna", "Bo"][..], 3u64),
            ("b", &["Bo", "Cecilia"][..], 2),
            ("c", &["Anna"][..], 4),
        ];
        for (id, people, items) in protocols {
            let mut batch = Vec::new();
            for k in 0..items {
                let parity = if k % 2 == 0 { "jämn" } else { "udda" };
                let mut d = doc!(pid => id, ord => k, word => parity);
                if k == 0 {
                    for p in people {
                        d.add_text(person, p);
                    }
                }
                batch.push(tantivy::indexer::UserOperation::Add(d));
            }
            w.run(batch).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let all: Box<dyn tantivy::query::Query> = Box::new(AllQuery);
        let odd: Box<dyn tantivy::query::Query> = Box::new(TermQuery::new(
            Term::from_field_text(word, "udda"),
            IndexRecordOption::Basic,
        ));
        let want = |pairs: &[(&str, u64)]| -> Counts {
            pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        for with_tables in [false, true] {
            let tables = Arc::new(FacetTables::default());
            if with_tables {
                tables.keep();
            }
            let count = |q: &dyn tantivy::query::Query| person_counts(&searcher, &tables, q);
            // Items 0..3 of a, 0..2 of b, 0..4 of c.
            assert_eq!(
                count(all.as_ref()),
                want(&[("Anna", 7), ("Bo", 5), ("Cecilia", 2)]),
                "tables: {with_tables}"
            );
            // Odd items: a has 1, b has 1, c has 2; none of them carries attendees.
            assert_eq!(
                count(odd.as_ref()),
                want(&[("Anna", 3), ("Bo", 2), ("Cecilia", 1)]),
                "tables: {with_tables}"
            );
        }
    }

    /// A long-lived process counts by vocabulary ids: the same counts as by value,
    /// over segments that share values and add new ones, for narrow and broad
    /// searches, by protocol and by item, and after the segments are merged.
    #[test]
    fn counts_by_id_are_the_counts_by_value_across_segments_and_merges() {
        let mut b = Schema::builder();
        let pid = b.add_text_field("protocol_id", STRING | FAST);
        let ord = b.add_u64_field("item_ord", FAST);
        let person = b.add_text_field("f_person", STRING | FAST);
        let topic = b.add_text_field("f_topic", STRING | FAST);
        let word = b.add_text_field("word", STRING);
        let index = Index::create_in_ram(b.build());
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        // Three commits, three segments. Each protocol has its own attendee, and
        // every protocol of a commit shares one with the other commits' protocols.
        let mut truth_all = Counts::default();
        let mut truth_rare = Counts::default();
        let mut topics = Counts::default();
        for seg in 0..3u64 {
            for p in 0..20u64 {
                let id = format!("{seg}-{p}");
                let people = [format!("Egen {id}"), format!("Delad {}", p % 2)];
                let items = 1 + p % 3;
                let rare = p == 7;
                let mut batch = Vec::new();
                for k in 0..items {
                    let t = format!("ämne {}", (seg + k) % 4);
                    let mut d = doc!(pid => id.as_str(), ord => k, topic => t.as_str());
                    d.add_text(word, if rare { "sällsynt" } else { "vanlig" });
                    d.add_text(word, "alla");
                    if k == 0 {
                        for name in &people {
                            d.add_text(person, name);
                        }
                    }
                    *topics.entry(t).or_default() += 1;
                    batch.push(tantivy::indexer::UserOperation::Add(d));
                }
                for name in people {
                    *truth_all.entry(name.clone()).or_default() += items;
                    if rare {
                        *truth_rare.entry(name).or_default() += items;
                    }
                }
                w.run(batch).unwrap();
            }
            w.commit().unwrap();
        }
        let reader = index.reader().unwrap();
        let term = |t: &str| -> Box<dyn tantivy::query::Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(word, t),
                IndexRecordOption::Basic,
            ))
        };
        let kept = Arc::new(FacetTables::default());
        kept.keep();
        let one_shot = Arc::new(FacetTables::default());
        let check = |searcher: &tantivy::Searcher| {
            for tables in [&kept, &one_shot] {
                let persons = |q: &dyn tantivy::query::Query| person_counts(searcher, tables, q);
                let kept = tables.is_kept();
                assert_eq!(persons(term("alla").as_ref()), truth_all, "kept: {kept}");
                // Listing the first values, keeping a chosen one past them, and
                // moving a spelling's count, by id as by value.
                let mut counts = searcher
                    .search(
                        term("alla").as_ref(),
                        &ProtocolFacets::new(vec![FacetField::Person], tables.clone()),
                    )
                    .unwrap()
                    .remove(&FacetField::Person)
                    .unwrap();
                let mut listed: Vec<(String, u64)> = truth_all.clone().into_iter().collect();
                FacetField::Person.sort(&mut listed);
                let chosen = "Egen 2-19";
                let want: Vec<(String, u64)> = listed[..4]
                    .iter()
                    .chain(listed.iter().filter(|(v, _)| v == chosen))
                    .cloned()
                    .collect();
                assert_eq!(counts.top(4, |v| v == chosen), want, "kept: {kept}");
                assert_eq!(counts.top(usize::MAX, |_| false), listed, "kept: {kept}");
                counts.move_count("Egen 1-7", "Delad 1");
                counts.move_count("Ingen sådan", "Delad 1");
                let moved = counts.into_counts();
                assert_eq!(moved.get("Egen 1-7"), None, "kept: {kept}");
                assert_eq!(
                    moved.get("Delad 1"),
                    Some(&(truth_all["Delad 1"] + truth_all["Egen 1-7"]))
                );
                assert_eq!(moved.len(), truth_all.len() - 1);
                assert_eq!(
                    persons(term("sällsynt").as_ref()),
                    truth_rare,
                    "kept: {kept}"
                );
                let by_item = searcher
                    .search(
                        term("alla").as_ref(),
                        &TermCounts::new(FacetField::Topic).with_tables(tables.clone()),
                    )
                    .unwrap();
                assert_eq!(by_item, topics, "kept: {kept}");
                // Several collectors in one: each its own fruit, as alone.
                let several = searcher
                    .search(
                        term("sällsynt").as_ref(),
                        &Several(vec![
                            TermCounts::new(FacetField::Topic).with_tables(tables.clone()),
                            TermCounts::new(FacetField::Person),
                        ]),
                    )
                    .unwrap();
                let alone = |field| {
                    searcher
                        .search(term("sällsynt").as_ref(), &TermCounts::new(field))
                        .unwrap()
                };
                assert_eq!(
                    several,
                    vec![alone(FacetField::Topic), alone(FacetField::Person)]
                );
                // Attendees are on the first item only: one each, per rare protocol.
                let mut names: Vec<&String> = several[1].keys().collect();
                let mut want: Vec<&String> = truth_rare.keys().collect();
                names.sort();
                want.sort();
                assert_eq!(names, want);
            }
        };
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        check(&searcher);
        let segments = index.searchable_segment_ids().unwrap();
        w.merge(&segments).wait().unwrap();
        w.commit().unwrap();
        reader.reload().unwrap();
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        check(&searcher);
        let live = searcher
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect();
        kept.retain(&live);
        assert_eq!(
            lock(&kept.ids).len(),
            2,
            "the merged segment's person and topic ids"
        );
        check(&searcher);
    }

    #[test]
    fn tables_round_trip_and_damaged_ones_are_refused() {
        let t = ProtocolValues {
            starts: vec![0, 2, 2, 3],
            values: vec![4, 1, 0],
        };
        let bytes = t.to_bytes();
        let back = ProtocolValues::from_bytes(&bytes, 3, 5).expect("round trip");
        assert_eq!(
            (back.starts, back.values),
            (t.starts.clone(), t.values.clone())
        );
        // Another segment's shape, a value out of range, a cut file, noise.
        assert!(ProtocolValues::from_bytes(&bytes, 4, 5).is_none());
        assert!(ProtocolValues::from_bytes(&bytes, 3, 4).is_none());
        assert!(ProtocolValues::from_bytes(&bytes[..bytes.len() - 2], 3, 5).is_none());
        assert!(ProtocolValues::from_bytes(b"not a table", 3, 5).is_none());
        assert!(ProtocolValues::from_bytes(b"", 0, 0).is_none());
    }
}
