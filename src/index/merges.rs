//! Which segments the index writer merges: tantivy's log-structured policy, with no
//! merge whose result would hold more than a cap of items.
//!
//! A merge reads every segment it merges through memory-mapped files, so the pages of
//! its inputs count in the process's resident memory while it runs. Uncapped, the
//! last merges of a big archive read most of the index at once (5 GB of mapped pages
//! at a million protocols). With a cap, what one merge maps is bounded by the cap,
//! whatever the archive's size; the price is more segments for a search to visit.

use tantivy::index::SegmentMeta;
use tantivy::merge_policy::{LogMergePolicy, MergeCandidate, MergePolicy};

/// Items a merged segment may hold: about 1 GB of index at the generated archive's
/// 0.9 KB per item.
pub const MAX_SEGMENT_ITEMS: u32 = 1_000_000;

/// [`LogMergePolicy`] whose merges are split into groups of at most `max_items`
/// live documents.
#[derive(Debug)]
pub struct CappedMerges {
    inner: LogMergePolicy,
    max_items: u32,
}

impl CappedMerges {
    pub fn new(max_items: u32) -> CappedMerges {
        let mut inner = LogMergePolicy::default();
        // A segment of half the cap or more has no partner of its own size under
        // the cap: it is left as it is.
        inner.set_max_docs_before_merge((max_items / 2).max(1) as usize);
        CappedMerges { inner, max_items }
    }
}

impl MergePolicy for CappedMerges {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let mut out = Vec::new();
        for candidate in self.inner.compute_merge_candidates(segments) {
            let mut metas: Vec<&SegmentMeta> = candidate
                .0
                .iter()
                .filter_map(|id| segments.iter().find(|m| m.id() == *id))
                .collect();
            metas.sort_by_key(|m| std::cmp::Reverse(m.num_docs()));
            out.extend(capped_groups(&metas, self.max_items));
        }
        out
    }
}

/// The segments of one proposed merge packed into groups (the largest first, each
/// into the first group it fits) whose live documents add up to at most `max_items`.
/// A group of one segment is kept only when merging it purges deleted documents.
fn capped_groups(metas: &[&SegmentMeta], max_items: u32) -> Vec<MergeCandidate> {
    let mut groups: Vec<(u64, Vec<&SegmentMeta>)> = Vec::new();
    for &meta in metas {
        let docs = u64::from(meta.num_docs());
        match groups
            .iter_mut()
            .find(|(sum, _)| sum + docs <= u64::from(max_items))
        {
            Some((sum, group)) => {
                *sum += docs;
                group.push(meta);
            }
            None => groups.push((docs, vec![meta])),
        }
    }
    groups
        .into_iter()
        .filter(|(_, group)| group.len() > 1 || group.iter().any(|m| m.has_deletes()))
        .map(|(_, group)| MergeCandidate(group.iter().map(|m| m.id()).collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::index::SegmentId;
    use tantivy::schema::Schema;
    use tantivy::Index;

    fn index() -> Index {
        Index::create_in_ram(Schema::builder().build())
    }

    fn metas(index: &Index, sizes: &[u32]) -> Vec<SegmentMeta> {
        sizes
            .iter()
            .map(|&n| index.new_segment_meta(SegmentId::generate_random(), n))
            .collect()
    }

    fn docs_of(candidate: &MergeCandidate, segments: &[SegmentMeta]) -> u64 {
        candidate
            .0
            .iter()
            .filter_map(|id| segments.iter().find(|m| m.id() == *id))
            .map(|m| u64::from(m.num_docs()))
            .sum()
    }

    /// Segments of every size the writer makes: no proposed merge holds more than
    /// the cap, none merges a segment with nothing, and small segments are still
    /// merged.
    #[test]
    fn no_merge_exceeds_the_cap() {
        let index = index();
        for sizes in [
            vec![90_000; 12],
            vec![240_000; 9],
            vec![20_000; 40],
            vec![
                1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000,
            ],
        ] {
            let segments = metas(&index, &sizes);
            let cap = 500_000;
            let candidates = CappedMerges::new(cap).compute_merge_candidates(&segments);
            assert!(!candidates.is_empty(), "{sizes:?}: small segments merge");
            for c in &candidates {
                assert!(c.0.len() > 1, "{sizes:?}: a merge of one segment");
                let docs = docs_of(c, &segments);
                assert!(docs <= u64::from(cap), "{sizes:?}: a merge of {docs} items");
            }
            // Each segment is in one merge at most.
            let mut ids: Vec<SegmentId> = candidates.iter().flat_map(|c| c.0.clone()).collect();
            let n = ids.len();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), n, "{sizes:?}: a segment in two merges");
        }
    }

    /// Without the cap the same segments are merged into one, over it: the cap is
    /// what bounds them.
    #[test]
    fn the_log_policy_alone_merges_past_the_cap() {
        let index = index();
        let segments = metas(&index, &[90_000; 12]);
        let plain = LogMergePolicy::default().compute_merge_candidates(&segments);
        assert!(plain.iter().any(|c| docs_of(c, &segments) > 500_000));
    }

    /// Segments at half the cap or more are left alone.
    #[test]
    fn large_segments_are_left_alone() {
        let index = index();
        let segments = metas(&index, &[600_000; 10]);
        assert!(CappedMerges::new(1_000_000)
            .compute_merge_candidates(&segments)
            .is_empty());
    }
}
