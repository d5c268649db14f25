//! What is new: for a period (a month, a quarter, a year) against the one before it,
//! the themes and title words whose share of agenda items rose most, with their
//! counts and the items they come from. Counted from fast fields (an item's day, its
//! themes, its title as a key), so a period of any archive answers at once.

use std::collections::{BTreeSet, HashMap};

use tantivy::columnar::StrColumn;

use crate::error::{Error, Result};
use crate::index::facets::{column_values, value_of, FacetField};
use crate::index::matters::{DAY_FIELD, KEY_FIELD};
use crate::index::store::Store;
use crate::parse::{Date, Protocol};
use crate::search::hits::protocol;

/// Fewest items of the period a term must be in to count as new.
const MIN_ITEMS: u64 = 3;
/// Terms in an answer, and items shown per term.
const MAX_TERMS: usize = 15;
const MAX_ITEMS: usize = 5;

/// A calendar period: `2026` (a year), `2026Q1` (a quarter; `2026-Q1` as the trend
/// labels it), `2026-03` (a month).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    year: i32,
    /// 0 for a year, 1–4 for a quarter, 1–12 for a month.
    part: u32,
    kind: PeriodKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeriodKind {
    Year,
    Quarter,
    Month,
}

impl std::str::FromStr for Period {
    type Err = Error;

    fn from_str(s: &str) -> Result<Period> {
        let bad = || {
            Error::InvalidArgument(format!(
                "period must be a year (2026), a quarter (2026Q1) or a month (2026-03), not {s:?}"
            ))
        };
        let s = s.trim();
        let year = |y: &str| -> Result<i32> {
            let y: i32 = y.parse().map_err(|_| bad())?;
            if (1900..=2100).contains(&y) {
                Ok(y)
            } else {
                Err(bad())
            }
        };
        if let Some((y, q)) = s.split_once(['Q', 'q']) {
            let y = y.strip_suffix('-').unwrap_or(y);
            let part: u32 = q.parse().map_err(|_| bad())?;
            if !(1..=4).contains(&part) {
                return Err(bad());
            }
            return Ok(Period {
                year: year(y)?,
                part,
                kind: PeriodKind::Quarter,
            });
        }
        if let Some((y, m)) = s.split_once('-') {
            let part: u32 = m.parse().map_err(|_| bad())?;
            if !(1..=12).contains(&part) {
                return Err(bad());
            }
            return Ok(Period {
                year: year(y)?,
                part,
                kind: PeriodKind::Month,
            });
        }
        Ok(Period {
            year: year(s)?,
            part: 0,
            kind: PeriodKind::Year,
        })
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            PeriodKind::Year => write!(f, "{}", self.year),
            PeriodKind::Quarter => write!(f, "{}Q{}", self.year, self.part),
            PeriodKind::Month => write!(f, "{}-{:02}", self.year, self.part),
        }
    }
}

impl Period {
    /// The period before this one, of the same length.
    pub fn previous(self) -> Period {
        let (last, kind) = match self.kind {
            PeriodKind::Year => {
                return Period {
                    year: self.year - 1,
                    ..self
                }
            }
            PeriodKind::Quarter => (4, self.kind),
            PeriodKind::Month => (12, self.kind),
        };
        if self.part > 1 {
            Period {
                part: self.part - 1,
                ..self
            }
        } else {
            Period {
                year: self.year - 1,
                part: last,
                kind,
            }
        }
    }

    /// Whether the day `YYYY-MM-DD` falls in this period.
    fn holds(self, day: &str) -> bool {
        let Some(d) = Date::parse_iso(day) else {
            return false;
        };
        let (y, m) = (d.year, d.month);
        y == self.year
            && match self.kind {
                PeriodKind::Year => true,
                PeriodKind::Quarter => (m - 1) / 3 + 1 == self.part,
                PeriodKind::Month => m == self.part,
            }
    }
}

/// An item a new term comes from.
#[derive(Debug, Clone)]
pub struct Source {
    pub protocol_id: String,
    pub item_index: u64,
    pub date: String,
    pub group: String,
    pub title: String,
}

/// A theme or a title word whose share of items rose.
#[derive(Debug, Clone)]
pub struct Rising {
    /// The theme, or the word as a title writes it.
    pub term: String,
    /// `theme` or `word`.
    pub kind: &'static str,
    pub items: u64,
    pub items_before: u64,
    pub share: f64,
    pub share_before: f64,
    pub sources: Vec<Source>,
}

/// What rose in a period against the one before.
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub period: String,
    pub previous: String,
    pub items: u64,
    pub items_before: u64,
    pub rising: Vec<Rising>,
}

/// One item as counted: its period (true: the asked one), day, terms.
struct Counted {
    now: bool,
    day: String,
    protocol_id: String,
    item_index: u64,
    terms: BTreeSet<(bool, String)>,
}

/// The terms whose share of items rose most in `period` against the period before.
pub fn new_in(store: &Store, period: Period) -> Result<NewResponse> {
    let before = period.previous();
    let searcher = store.reader.searcher();
    let dir = &store.dir;
    let err = |e: std::io::Error| Error::index(dir, e);
    let mut counted: Vec<Counted> = Vec::new();
    for seg in searcher.segment_readers() {
        let fast = seg.fast_fields();
        let col = |name: &str| fast.str(name).map_err(|e| Error::index(dir, e));
        let (Some(days), Some(ids)) = (col(DAY_FIELD)?, col("protocol_id")?) else {
            continue;
        };
        let (keys, themes) = (col(KEY_FIELD)?, col(FacetField::Topic.field_name())?);
        let ords = fast.u64("item_ord").map_err(|e| Error::index(dir, e))?;
        let values = |c: &StrColumn| column_values(c).map_err(err);
        let (day_values, id_values) = (values(&days)?, values(&ids)?);
        let theme_values = themes.as_ref().map(values).transpose()?;
        let key_values = keys.as_ref().map(values).transpose()?;
        for doc in seg.doc_ids_alive() {
            let Some(text) = days
                .term_ords(doc)
                .next()
                .and_then(|o| value_of(&day_values, o))
            else {
                continue;
            };
            let now = period.holds(text);
            if !now && !before.holds(text) {
                continue;
            }
            let mut c = Counted {
                now,
                day: text.to_string(),
                protocol_id: ids
                    .term_ords(doc)
                    .next()
                    .and_then(|o| value_of(&id_values, o))
                    .unwrap_or_default()
                    .to_string(),
                item_index: ords.first(doc).unwrap_or(0),
                terms: BTreeSet::new(),
            };
            if let (Some(themes), Some(vals)) = (&themes, &theme_values) {
                for t in themes.term_ords(doc).filter_map(|o| value_of(vals, o)) {
                    c.terms.insert((true, t.to_string()));
                }
            }
            if let (Some(keys), Some(vals)) = (&keys, &key_values) {
                for k in keys.term_ords(doc).filter_map(|o| value_of(vals, o)) {
                    for w in k.split(' ').filter(|w| w.chars().count() >= 4) {
                        c.terms.insert((false, w.to_string()));
                    }
                }
            }
            counted.push(c);
        }
    }
    let items = counted.iter().filter(|c| c.now).count() as u64;
    let items_before = counted.len() as u64 - items;
    let mut counts: HashMap<&(bool, String), (u64, u64)> = HashMap::new();
    for c in &counted {
        for t in &c.terms {
            let e = counts.entry(t).or_default();
            if c.now {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    }
    let share = |n: u64, of: u64| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    // (term, items now, items before, share now, share before)
    type Row<'a> = (&'a (bool, String), u64, u64, f64, f64);
    let mut rising: Vec<Row> = counts
        .iter()
        .filter(|(_, &(now, _))| now >= MIN_ITEMS)
        .map(|(t, &(now, was))| (*t, now, was, share(now, items), share(was, items_before)))
        .filter(|&(_, _, _, s, b)| s > b)
        .collect();
    rising.sort_by(|a, b| {
        (b.3 - b.4)
            .total_cmp(&(a.3 - a.4))
            .then(b.1.cmp(&a.1))
            // A theme before a word that rose as much: it says more.
            .then(b.0 .0.cmp(&a.0 .0))
            .then(a.0.cmp(b.0))
    });
    rising.truncate(MAX_TERMS);
    let mut protocols: HashMap<String, Protocol> = HashMap::new();
    let mut out = Vec::new();
    for (term, now, was, s, b) in rising {
        let mut from: Vec<&Counted> = counted
            .iter()
            .filter(|c| c.now && c.terms.contains(term))
            .collect();
        from.sort_by(|x, y| y.day.cmp(&x.day).then(x.protocol_id.cmp(&y.protocol_id)));
        let mut sources = Vec::new();
        for c in from.into_iter().take(MAX_ITEMS) {
            if !protocols.contains_key(&c.protocol_id) {
                protocols.insert(c.protocol_id.clone(), protocol(store, &c.protocol_id)?);
            }
            let p = &protocols[&c.protocol_id];
            let title = usize::try_from(c.item_index)
                .ok()
                .and_then(|i| p.items.get(i))
                .map(|i| i.title.clone())
                .unwrap_or_default();
            sources.push(Source {
                protocol_id: c.protocol_id.clone(),
                item_index: c.item_index,
                date: c.day.clone(),
                group: p.group.clone(),
                title,
            });
        }
        let (is_theme, key) = term;
        let written = if *is_theme {
            key.clone()
        } else {
            written_form(key, &sources).unwrap_or_else(|| key.clone())
        };
        out.push(Rising {
            term: written,
            kind: if *is_theme { "theme" } else { "word" },
            items: now,
            items_before: was,
            share: s,
            share_before: b,
            sources,
        });
    }
    Ok(NewResponse {
        period: period.to_string(),
        previous: before.to_string(),
        items,
        items_before,
        rising: out,
    })
}

/// The word as the titles write it: the first title word whose key is `key`.
fn written_form(key: &str, sources: &[Source]) -> Option<String> {
    sources.iter().find_map(|s| {
        s.title
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_lowercase)
            .find(|w| crate::analysis::tokenize::analyse_word(w).key == key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_step_back() {
        let q: Period = "2026Q1".parse().unwrap();
        assert_eq!("2026-Q1".parse::<Period>().unwrap(), q, "the trend's label");
        assert_eq!(q.previous().to_string(), "2025Q4");
        let m: Period = "2026-03".parse().unwrap();
        assert_eq!(m.previous().to_string(), "2026-02");
        assert_eq!(
            "2026-01".parse::<Period>().unwrap().previous().to_string(),
            "2025-12"
        );
        assert_eq!(
            "2021".parse::<Period>().unwrap().previous().to_string(),
            "2020"
        );
        assert!(q.holds("2026-02-06") && !q.holds("2026-04-01"));
        for bad in ["2026Q5", "2026-13", "år", "", "99999"] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }
}
