//! Counting facet values fast. Facet fields are raw strings with a fast column
//! (term ordinals per document); counting is one array increment per value, and
//! only the values that occur are turned back into strings, once per segment.
//! Tantivy's own `FacetCollector` walks the facet dictionary for every collect and
//! was the largest cost of a search.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
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
        let mut out = HashMap::new();
        let Some(col) = self.column else { return out };
        // One sequential pass over the dictionary for the ords that occur.
        let ords: Vec<u64> = (0..self.counts.len())
            .filter(|&o| self.counts[o] > 0)
            .map(|o| o as u64)
            .collect();
        let mut k = 0;
        let _ = col.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            if let Ok(term) = std::str::from_utf8(bytes) {
                out.insert(term.to_string(), self.counts[ords[k] as usize] as u64);
            }
            k += 1;
        });
        out
    }
}
