//! A time budget for a search. A server answers many users: one search that would
//! run for seconds (a query matching everything of a huge archive, on a busy
//! machine) is stopped when its budget is spent, and the user is told to narrow it,
//! instead of holding a worker for as long as it takes.
//!
//! [`Budgeted`] wraps a collector: it walks each segment's matches itself and looks
//! at the clock every few thousand of them, so stopping costs nothing measurable.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{DocSet, SegmentReader, TERMINATED};

/// Matches walked between two looks at the clock.
const CHECK_EVERY: u32 = 4096;

/// The deadline of one search, shared by every collection it runs.
#[derive(Debug, Clone)]
pub struct Budget {
    deadline: Option<Instant>,
    budget: Duration,
    spent: Arc<AtomicBool>,
}

impl Budget {
    /// A search that may take `budget` from now (`None`: as long as it takes).
    pub fn starting_now(budget: Option<Duration>) -> Budget {
        Budget {
            deadline: budget.map(|b| Instant::now() + b),
            budget: budget.unwrap_or(Duration::MAX),
            spent: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether a collection stopped because the budget was spent: what it found
    /// is then not the whole answer.
    pub fn spent(&self) -> bool {
        self.spent.load(Ordering::Relaxed)
    }

    /// How long the search was given.
    pub fn budget(&self) -> Duration {
        self.budget
    }

    fn over(&self) -> bool {
        let over = self.spent() || self.deadline.is_some_and(|d| Instant::now() >= d);
        if over {
            self.spent.store(true, Ordering::Relaxed);
        }
        over
    }

    /// `collector`, stopped when the budget is spent.
    pub fn apply<C: Collector>(&self, collector: C) -> Budgeted<C> {
        Budgeted {
            inner: collector,
            budget: self.clone(),
        }
    }
}

/// A collector that stops walking matches when its [`Budget`] is spent.
pub struct Budgeted<C> {
    inner: C,
    budget: Budget,
}

impl<C: Collector> Collector for Budgeted<C> {
    type Fruit = C::Fruit;
    type Child = C::Child;

    fn for_segment(&self, ord: u32, segment: &SegmentReader) -> tantivy::Result<C::Child> {
        self.inner.for_segment(ord, segment)
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<C::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<C::Fruit> {
        self.inner.merge_fruits(fruits)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        ord: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<<C::Child as SegmentCollector>::Fruit> {
        if self.budget.deadline.is_none() {
            // No budget: the collector's own walk (in blocks, or skipping what
            // cannot score).
            return self.inner.collect_segment(weight, ord, reader);
        }
        let mut child = self.inner.for_segment(ord, reader)?;
        if self.budget.over() {
            return Ok(child.harvest());
        }
        let scoring = self.inner.requires_scoring();
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        let mut walked = 0u32;
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                let score = if scoring { scorer.score() } else { 0.0 };
                child.collect(doc, score);
            }
            walked += 1;
            if walked.is_multiple_of(CHECK_EVERY) && self.budget.over() {
                break;
            }
            doc = scorer.advance();
        }
        Ok(child.harvest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::Count;
    use tantivy::query::AllQuery;
    use tantivy::schema::{Schema, STRING};
    use tantivy::{doc, Index};

    fn index(docs: u32) -> Index {
        let mut b = Schema::builder();
        let f = b.add_text_field("f", STRING);
        let index = Index::create_in_ram(b.build());
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for _ in 0..docs {
            w.add_document(doc!(f => "x")).unwrap();
        }
        w.commit().unwrap();
        index
    }

    /// Within its budget a collection sees every match; past it, it stops early and
    /// says so; without a budget it never stops.
    #[test]
    fn a_spent_budget_stops_the_walk_and_says_so() {
        let index = index(20_000);
        let searcher = index.reader().unwrap().searcher();
        let ample = Budget::starting_now(Some(Duration::from_secs(60)));
        assert_eq!(
            searcher.search(&AllQuery, &ample.apply(Count)).unwrap(),
            20_000
        );
        assert!(!ample.spent());

        let none = Budget::starting_now(None);
        assert_eq!(
            searcher.search(&AllQuery, &none.apply(Count)).unwrap(),
            20_000
        );
        assert!(!none.spent());

        let spent = Budget::starting_now(Some(Duration::ZERO));
        let counted = searcher.search(&AllQuery, &spent.apply(Count)).unwrap();
        assert!(counted < 20_000, "stopped early: {counted}");
        assert!(spent.spent());
    }
}
