//! A time budget for a search. A server answers many users: one search that would
//! run for seconds (a query matching everything of a huge archive, on a busy
//! machine) is stopped when its budget is spent, and the user is told to narrow it,
//! instead of holding a worker for as long as it takes.
//!
//! [`Budgeted`] wraps a collector: it walks each segment's matches itself and looks
//! at the clock every few thousand of them, so stopping costs nothing measurable.
//! [`Within`] walks the same way, feeding one collector every match and another
//! only those a filter lets through.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

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

    /// Walks the live matches of `weight` in `reader`, handing each to `each` with
    /// the scorer standing on it, until the matches end or the budget is spent.
    fn walk(
        &self,
        weight: &dyn Weight,
        reader: &SegmentReader,
        mut each: impl FnMut(DocId, &mut dyn Scorer),
    ) -> tantivy::Result<()> {
        if self.over() {
            return Ok(());
        }
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        let mut walked = 0u32;
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                each(doc, scorer.as_mut());
            }
            walked += 1;
            if walked.is_multiple_of(CHECK_EVERY) && self.over() {
                break;
            }
            doc = scorer.advance();
        }
        Ok(())
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
        let scoring = self.inner.requires_scoring();
        self.budget.walk(weight, reader, |doc, scorer| {
            child.collect(doc, if scoring { scorer.score() } else { 0.0 });
        })?;
        Ok(child.harvest())
    }
}

/// One walk of a query's matches for two collectors: `all` gets every match
/// (unscored), `inside` only those `filter` matches too, scored. The hits under a
/// facet's filter and the facet's counts without it come from one walk instead of
/// two; only the matches inside the filter are scored. Stops when `budget` is
/// spent, as [`Budgeted`] does.
pub struct Within<I, A> {
    filter: Box<dyn Weight>,
    inside: I,
    all: A,
    budget: Budget,
}

impl<I: Collector, A: Collector> Within<I, A> {
    pub fn new(
        searcher: &Searcher,
        filter: &dyn Query,
        inside: I,
        all: A,
        budget: &Budget,
    ) -> tantivy::Result<Within<I, A>> {
        let filter = filter.weight(EnableScoring::disabled_from_searcher(searcher))?;
        Ok(Within {
            filter,
            inside,
            all,
            budget: budget.clone(),
        })
    }
}

pub struct WithinSegment<I, A> {
    filter: Box<dyn Scorer>,
    inside: I,
    all: A,
}

impl<I: SegmentCollector, A: SegmentCollector> WithinSegment<I, A> {
    /// Whether the filter matches `doc`; documents come in order, so the filter's
    /// walk only moves forward.
    fn lets_through(&mut self, doc: DocId) -> bool {
        let mut at = self.filter.doc();
        if at < doc {
            at = self.filter.seek(doc);
        }
        at == doc
    }
}

impl<I: Collector, A: Collector> Collector for Within<I, A> {
    type Fruit = (I::Fruit, A::Fruit);
    type Child = WithinSegment<I::Child, A::Child>;

    fn for_segment(&self, ord: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(WithinSegment {
            filter: self.filter.scorer(segment, 1.0)?,
            inside: self.inside.for_segment(ord, segment)?,
            all: self.all.for_segment(ord, segment)?,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inside.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        let (inside, all): (Vec<_>, Vec<_>) = fruits.into_iter().unzip();
        Ok((
            self.inside.merge_fruits(inside)?,
            self.all.merge_fruits(all)?,
        ))
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        ord: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<<Self::Child as SegmentCollector>::Fruit> {
        let mut child = self.for_segment(ord, reader)?;
        let scoring = self.requires_scoring();
        self.budget.walk(weight, reader, |doc, scorer| {
            child.all.collect(doc, 0.0);
            if child.lets_through(doc) {
                child
                    .inside
                    .collect(doc, if scoring { scorer.score() } else { 0.0 });
            }
        })?;
        Ok(child.harvest())
    }
}

impl<I: SegmentCollector, A: SegmentCollector> SegmentCollector for WithinSegment<I, A> {
    type Fruit = (I::Fruit, A::Fruit);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.all.collect(doc, 0.0);
        if self.lets_through(doc) {
            self.inside.collect(doc, score);
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.inside.harvest(), self.all.harvest())
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

    /// A walk within a filter gives what the filtered search gives (the same hits
    /// with the same scores, the same count) and, beside it, what the unfiltered one
    /// counts; over several segments, with deleted documents, and stopped by a spent
    /// budget.
    #[test]
    fn a_walk_within_a_filter_is_the_filtered_search_beside_the_wider_one() {
        use tantivy::collector::TopDocs;
        use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, TermQuery};
        use tantivy::schema::{IndexRecordOption, TEXT};
        use tantivy::Term;
        let mut b = Schema::builder();
        let text = b.add_text_field("text", TEXT);
        let group = b.add_text_field("group", STRING);
        let index = Index::create_in_ram(b.build());
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for k in 0..3_000u32 {
            let words = match k % 5 {
                0 => "samverkan samverkan vård",
                1 => "samverkan skola",
                2 => "vård",
                _ => "samverkan",
            };
            let g = if k % 3 == 0 { "nämnd" } else { "styrelse" };
            w.add_document(doc!(text => words, group => g)).unwrap();
            if k % 1_000 == 999 {
                w.commit().unwrap();
            }
        }
        w.delete_term(Term::from_field_text(text, "skola"));
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        let words: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(text, "samverkan"),
            IndexRecordOption::WithFreqs,
        ));
        let filter = TermQuery::new(
            Term::from_field_text(group, "nämnd"),
            IndexRecordOption::Basic,
        );
        let filtered = BooleanQuery::new(vec![
            (Occur::Must, words.box_clone()),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(filter.clone()), 0.0)),
            ),
        ]);
        let top = || TopDocs::with_limit(25).order_by_score();
        let want = searcher.search(&filtered, &(top(), Count)).unwrap();
        let wider = searcher.search(words.as_ref(), &Count).unwrap();
        assert!(want.1 > 0 && wider > want.1);
        for budget in [None, Some(Duration::from_secs(60))] {
            let budget = Budget::starting_now(budget);
            let within = Within::new(&searcher, &filter, (top(), Count), Count, &budget).unwrap();
            let (inside, all) = searcher.search(words.as_ref(), &within).unwrap();
            assert_eq!(inside, want);
            assert_eq!(all, wider);
            assert!(!budget.spent());
        }
        let spent = Budget::starting_now(Some(Duration::ZERO));
        let within = Within::new(&searcher, &filter, Count, Count, &spent).unwrap();
        assert_eq!(searcher.search(words.as_ref(), &within).unwrap(), (0, 0));
        assert!(spent.spent());
    }
}
