//! Counting facet values fast. Facet fields are raw strings with a fast column
//! (term ordinals per document); counting is one array increment per value, and
//! only the values that occur are turned back into strings, once per segment.
//! Tantivy's own `FacetCollector` walks the facet dictionary for every collect and
//! was the largest cost of a search.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, SegmentReader};

/// Counts the values of one multi-valued string fast field over the matching docs.
pub struct TermCounts {
    field: String,
}

impl TermCounts {
    pub fn new(field: impl Into<String>) -> Self {
        TermCounts {
            field: field.into(),
        }
    }
}

pub struct TermCountsSegment {
    column: Option<StrColumn>,
    counts: Vec<u32>,
}

/// The values of one field for each protocol of a segment, by protocol ordinal:
/// `values[starts[p]..starts[p + 1]]`.
pub struct ProtocolValues {
    starts: Vec<u32>,
    values: Vec<u32>,
}

impl ProtocolValues {
    fn build(protocols: &StrColumn, column: &StrColumn, max_doc: DocId) -> ProtocolValues {
        let n = protocols.dictionary().num_terms();
        let mut per: Vec<Option<Vec<u32>>> = vec![None; n];
        for doc in 0..max_doc {
            let Some(p) = protocols.ords().first(doc) else {
                continue;
            };
            let slot = &mut per[p as usize];
            if slot.is_none() {
                *slot = Some(
                    column
                        .ords()
                        .values_for_doc(doc)
                        .map(|o| o as u32)
                        .collect(),
                );
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

/// Segments never change once written, so each one's protocol values are built
/// once per process and field.
fn protocol_values(
    segment: &SegmentReader,
    field: &str,
    protocols: &StrColumn,
    column: &StrColumn,
) -> Arc<ProtocolValues> {
    type Cache = Mutex<HashMap<(SegmentId, String), Arc<ProtocolValues>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (segment.segment_id(), field.to_string());
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().expect("no panics under the lock").get(&key) {
        return hit.clone();
    }
    let built = Arc::new(ProtocolValues::build(protocols, column, segment.max_doc()));
    let mut cache = cache.lock().expect("no panics under the lock");
    if cache.len() > 256 {
        cache.clear(); // old segments, merged away
    }
    cache.insert(key, built.clone());
    built
}

impl Collector for TermCounts {
    type Fruit = HashMap<String, u64>;
    type Child = TermCountsSegment;

    fn for_segment(
        &self,
        _ord: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<TermCountsSegment> {
        let column = segment.fast_fields().str(&self.field)?;
        let terms = column
            .as_ref()
            .map(|c| c.dictionary().num_terms())
            .unwrap_or(0);
        Ok(TermCountsSegment {
            column,
            counts: vec![0; terms],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<HashMap<String, u64>>,
    ) -> tantivy::Result<HashMap<String, u64>> {
        let mut out: HashMap<String, u64> = HashMap::new();
        for fruit in fruits {
            for (k, v) in fruit {
                *out.entry(k).or_default() += v;
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for TermCountsSegment {
    type Fruit = HashMap<String, u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(col) = &self.column {
            for ord in col.ords().values_for_doc(doc) {
                if let Some(c) = self.counts.get_mut(ord as usize) {
                    *c += 1;
                }
            }
        }
    }

    fn harvest(self) -> HashMap<String, u64> {
        match self.column {
            Some(col) => named_counts(&col, &self.counts),
            None => HashMap::new(),
        }
    }
}

/// The counts by value: one sequential pass over the dictionary for the
/// ordinals that occur.
fn named_counts(col: &StrColumn, counts: &[u32]) -> HashMap<String, u64> {
    let mut out = HashMap::new();
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

/// Counts the values of several fields whose values are the same on every item
/// of a protocol (group, attendees, year, month, kind). A matching item costs one
/// increment, for its protocol; each protocol's count is added to its values once
/// at the end. The counts are those of counting every item's values, without the
/// work per item growing with the number of fields and attendees.
pub struct ProtocolFacets {
    fields: Vec<String>,
}

impl ProtocolFacets {
    pub fn new(fields: Vec<String>) -> Self {
        ProtocolFacets { fields }
    }
}

pub struct ProtocolFacetsSegment {
    protocols: Option<StrColumn>,
    per_protocol: Vec<u32>,
    fields: Vec<(String, Option<StrColumn>, Option<Arc<ProtocolValues>>)>,
}

impl Collector for ProtocolFacets {
    /// Counts by field name, then by value.
    type Fruit = HashMap<String, HashMap<String, u64>>;
    type Child = ProtocolFacetsSegment;

    fn for_segment(
        &self,
        _ord: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<ProtocolFacetsSegment> {
        let protocols = segment.fast_fields().str("protocol_id")?;
        let mut fields = Vec::new();
        for name in &self.fields {
            let column = segment.fast_fields().str(name)?;
            let values = match (&protocols, &column) {
                (Some(p), Some(c)) => Some(protocol_values(segment, name, p, c)),
                _ => None,
            };
            fields.push((name.clone(), column, values));
        }
        let n = protocols
            .as_ref()
            .map(|p| p.dictionary().num_terms())
            .unwrap_or(0);
        Ok(ProtocolFacetsSegment {
            protocols,
            per_protocol: vec![0; n],
            fields,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<HashMap<String, HashMap<String, u64>>>,
    ) -> tantivy::Result<HashMap<String, HashMap<String, u64>>> {
        let mut out: HashMap<String, HashMap<String, u64>> = HashMap::new();
        for fruit in fruits {
            for (field, counts) in fruit {
                let into = out.entry(field).or_default();
                for (k, v) in counts {
                    *into.entry(k).or_default() += v;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for ProtocolFacetsSegment {
    type Fruit = HashMap<String, HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(p) = self.protocols.as_ref().and_then(|c| c.ords().first(doc)) {
            if let Some(n) = self.per_protocol.get_mut(p as usize) {
                *n += 1;
            }
        }
    }

    fn harvest(self) -> HashMap<String, HashMap<String, u64>> {
        let mut out = HashMap::new();
        for (name, column, values) in self.fields {
            let (Some(column), Some(values)) = (column, values) else {
                continue;
            };
            let mut counts = vec![0u32; column.dictionary().num_terms()];
            for (p, &n) in self
                .per_protocol
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
            {
                for &ord in values.of(p) {
                    if let Some(c) = counts.get_mut(ord as usize) {
                        *c += n;
                    }
                }
            }
            out.insert(name, named_counts(&column, &counts));
        }
        out
    }
}
