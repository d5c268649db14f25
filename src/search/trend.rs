//! How often a topic comes up over time: matching agenda items per month,
//! quarter or year, the share of all items, and a split by group. Periods with
//! no meetings are present with zeros, so a chart has no holes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tantivy::query::Query;
use tantivy::Searcher;

use crate::config::Limits;
use crate::error::{Error, Result};
use crate::index::facets::{FacetField, TermCounts};
use crate::index::store::Store;
use crate::query::correct::Correction;
use crate::query::filters::{facet_filter, Filters};
use crate::query::plan::plan;

/// The size of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Month,
    #[default]
    Quarter,
    Year,
}

impl Interval {
    /// `month`, `quarter` or `year`.
    pub fn name(self) -> &'static str {
        match self {
            Interval::Month => "month",
            Interval::Quarter => "quarter",
            Interval::Year => "year",
        }
    }
}

impl std::str::FromStr for Interval {
    type Err = Error;
    fn from_str(s: &str) -> Result<Interval> {
        match s {
            "month" => Ok(Interval::Month),
            "quarter" | "" => Ok(Interval::Quarter),
            "year" => Ok(Interval::Year),
            other => Err(Error::InvalidArgument(format!(
                "interval must be month, quarter or year, not {other:?}"
            ))),
        }
    }
}

/// One period of a trend.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrendPoint {
    /// `2025-11`, `2025-Q4` or `2025`.
    pub period: String,
    /// First and last day of the period, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// Agenda items matching the query.
    pub matching: u64,
    /// All agenda items (under the same filters) in the period.
    pub total: u64,
    /// `matching / total`, 0 when there were no items.
    pub share: f64,
    /// Matching items per group.
    pub groups: BTreeMap<String, u64>,
}

/// A topic over time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrendResponse {
    pub query: String,
    pub interval: Interval,
    pub matching: u64,
    pub total: u64,
    pub points: Vec<TrendPoint>,
    /// Query words that matched nothing and were replaced by a close word that does,
    /// as in search.
    pub corrected: Vec<Correction>,
}

/// What to count.
#[derive(Debug, Clone, Default)]
pub struct TrendRequest {
    pub query: String,
    pub interval: Interval,
    pub filters: Filters,
}

/// Counts a query per period under its filters, through the query plan search uses.
pub fn trend(store: &Store, limits: &Limits, req: &TrendRequest) -> Result<TrendResponse> {
    let (query, interval) = (req.query.as_str(), req.interval);
    let searcher = store.reader.searcher();
    let plan = plan(store, &searcher, query, &req.filters, limits)?;
    let matching_q = plan.query();
    let matching = month_counts(store, &searcher, &matching_q)?;
    let totals = month_counts(store, &searcher, &plan.everything_filtered())?;

    let mut by_group: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let group_counts = searcher
        .search(&matching_q, &TermCounts::new(FacetField::Group))
        .map_err(|e| Error::index(&store.dir, e))?;
    for (group, count) in group_counts {
        if count == 0 {
            continue;
        }
        let only = facet_filter(store, &searcher, FacetField::Group, &group)?;
        by_group.insert(group, month_counts(store, &searcher, &plan.narrowed(only))?);
    }

    let months: Vec<&String> = totals.keys().chain(matching.keys()).collect();
    let (Some(first), Some(last)) = (months.iter().min(), months.iter().max()) else {
        return Ok(TrendResponse {
            query: query.to_string(),
            interval,
            matching: 0,
            total: 0,
            points: Vec::new(),
            corrected: plan.corrected,
        });
    };
    let periods = periods_between(first, last, interval);
    let mut points: Vec<TrendPoint> = periods
        .into_iter()
        .map(|(period, from, to)| TrendPoint {
            period,
            from,
            to,
            matching: 0,
            total: 0,
            share: 0.0,
            groups: BTreeMap::new(),
        })
        .collect();
    let index_of = |month: &str| -> Option<usize> {
        let p = period_of(month, interval)?;
        points.iter().position(|pt| pt.period == p)
    };
    let mut slots: Vec<(usize, u64, u64)> = Vec::new();
    for (m, n) in &totals {
        if let Some(i) = index_of(m) {
            slots.push((i, 0, *n));
        }
    }
    for (m, n) in &matching {
        if let Some(i) = index_of(m) {
            slots.push((i, *n, 0));
        }
    }
    let mut group_slots: Vec<(usize, String, u64)> = Vec::new();
    for (g, counts) in &by_group {
        for (m, n) in counts {
            if let Some(i) = index_of(m) {
                group_slots.push((i, g.clone(), *n));
            }
        }
    }
    for (i, m, t) in slots {
        points[i].matching += m;
        points[i].total += t;
    }
    for (i, g, n) in group_slots {
        *points[i].groups.entry(g).or_default() += n;
    }
    for p in points.iter_mut() {
        p.share = if p.total > 0 {
            p.matching as f64 / p.total as f64
        } else {
            0.0
        };
    }
    Ok(TrendResponse {
        query: query.to_string(),
        interval,
        matching: points.iter().map(|p| p.matching).sum(),
        total: points.iter().map(|p| p.total).sum(),
        points,
        corrected: plan.corrected,
    })
}

/// Item counts per `YYYY-MM` for a query.
fn month_counts(
    store: &Store,
    searcher: &Searcher,
    query: &dyn Query,
) -> Result<BTreeMap<String, u64>> {
    let counts = searcher
        .search(query, &TermCounts::new(FacetField::Month))
        .map_err(|e| Error::index(&store.dir, e))?;
    Ok(counts.into_iter().collect())
}

/// The period a `YYYY-MM` month belongs to.
pub fn period_of(month: &str, interval: Interval) -> Option<String> {
    let (y, m) = month.split_once('-')?;
    let m: u32 = m.parse().ok()?;
    Some(match interval {
        Interval::Month => format!("{y}-{m:02}"),
        Interval::Quarter => format!("{y}-Q{}", (m - 1) / 3 + 1),
        Interval::Year => y.to_string(),
    })
}

/// Every period from the one holding `first` to the one holding `last`, with its
/// first and last day.
fn periods_between(first: &str, last: &str, interval: Interval) -> Vec<(String, String, String)> {
    let parse = |s: &str| -> Option<(i32, u32)> {
        let (y, m) = s.split_once('-')?;
        Some((y.parse().ok()?, m.parse().ok()?))
    };
    let (Some((y0, m0)), Some((y1, m1))) = (parse(first), parse(last)) else {
        return Vec::new();
    };
    let step = match interval {
        Interval::Month => 1,
        Interval::Quarter => 3,
        Interval::Year => 12,
    };
    // Align the start to the period's first month.
    let start_month = match interval {
        Interval::Month => m0,
        Interval::Quarter => (m0 - 1) / 3 * 3 + 1,
        Interval::Year => 1,
    };
    let mut out = Vec::new();
    let (mut y, mut m) = (y0, start_month);
    while (y, m) <= (y1, m1) && out.len() < 10_000 {
        let end_month = m + step - 1;
        let last_day = crate::parse::Date::new(y, end_month, 31)
            .or_else(|| crate::parse::Date::new(y, end_month, 30))
            .or_else(|| crate::parse::Date::new(y, end_month, 29))
            .or_else(|| crate::parse::Date::new(y, end_month, 28))
            .map(|d| d.to_string())
            .unwrap_or_default();
        let label = period_of(&format!("{y}-{m:02}"), interval).unwrap_or_default();
        out.push((label, format!("{y:04}-{m:02}-01"), last_day));
        m += step;
        if m > 12 {
            m -= 12;
            y += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_have_no_holes() {
        let q = periods_between("2025-11", "2026-04", Interval::Quarter);
        let labels: Vec<&str> = q.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(labels, ["2025-Q4", "2026-Q1", "2026-Q2"]);
        assert_eq!(
            (q[0].1.as_str(), q[0].2.as_str()),
            ("2025-10-01", "2025-12-31")
        );
        let m = periods_between("2025-11", "2026-02", Interval::Month);
        assert_eq!(
            m.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
        assert_eq!(m[3].2, "2026-02-28");
        let y = periods_between("2014-03", "2016-01", Interval::Year);
        assert_eq!(
            y.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(),
            ["2014", "2015", "2016"]
        );
    }

    #[test]
    fn months_fall_in_their_period() {
        assert_eq!(
            period_of("2025-12", Interval::Quarter).as_deref(),
            Some("2025-Q4")
        );
        assert_eq!(
            period_of("2026-01", Interval::Year).as_deref(),
            Some("2026")
        );
    }
}
