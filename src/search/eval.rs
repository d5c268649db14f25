//! Relevance judgments: runs a `queries.tsv` file (query, filters, expected hits, k)
//! against the index and measures recall@k and MRR, so that a change to parsing or
//! ranking is judged by numbers, not by eye.
//!
//! Format, one judgment per line, tab-separated: `query <TAB> filters <TAB> expected <TAB> k`.
//! `filters` is `-` or `;`-separated `key=value` (`from`, `to`, `decisions` or a
//! facet: `group`, `person`, `topic`, …). `expected` is `;`-separated entries `DATE` or `DATE|TITLE` (a
//! case-insensitive part of the item title); an entry starting with `!` must not
//! appear at all. Lines starting with `#` are comments.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::config::Limits;
use crate::error::{Error, Result};
use crate::index::store::Store;
use crate::query::filters::Filters;
use crate::search::hits::{self, Hit, SearchRequest, Sort};

/// How deep the engine is asked for hits when looking for an expected one.
const DEPTH: usize = 50;

/// One expected (or forbidden) hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expected {
    pub date: String,
    pub title: Option<String>,
    pub forbidden: bool,
}

/// One line of a judgments file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judgment {
    pub line: usize,
    pub query: String,
    pub filters: Vec<(String, String)>,
    pub expected: Vec<Expected>,
    pub k: usize,
}

/// Reads a judgments file.
pub fn read_judgments(text: &str) -> Result<Vec<Judgment>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let bad = |msg: &str| Error::InvalidArgument(format!("line {lineno}: {msg}"));
        if cols.len() != 4 {
            return Err(bad(
                "expected 4 tab-separated columns: query, filters, expected, k",
            ));
        }
        let k: usize = cols[3]
            .trim()
            .parse()
            .map_err(|_| bad("k must be a whole number"))?;
        let mut filters = Vec::new();
        if cols[1].trim() != "-" {
            for kv in cols[1].split(';') {
                let (key, value) = kv
                    .split_once('=')
                    .ok_or_else(|| bad("a filter is key=value"))?;
                filters.push((key.trim().to_string(), value.trim().to_string()));
            }
        }
        let mut expected = Vec::new();
        for entry in cols[2].split(';').filter(|e| !e.trim().is_empty()) {
            let (forbidden, entry) = match entry.strip_prefix('!') {
                Some(e) => (true, e),
                None => (false, entry),
            };
            let (date, title) = match entry.split_once('|') {
                Some((d, t)) => (d.trim().to_string(), Some(t.trim().to_string())),
                None => (entry.trim().to_string(), None),
            };
            expected.push(Expected {
                date,
                title,
                forbidden,
            });
        }
        out.push(Judgment {
            line: lineno,
            query: cols[0].to_string(),
            filters,
            expected,
            k,
        });
    }
    Ok(out)
}

/// The outcome of one expected entry.
#[derive(Debug, Clone, Serialize)]
pub struct EntryResult {
    pub entry: Expected,
    /// 1-based rank of the first matching hit within the first 50, if any.
    pub rank: Option<usize>,
    pub ok: bool,
}

/// The outcome of one judgment.
#[derive(Debug, Clone, Serialize)]
pub struct JudgmentResult {
    pub line: usize,
    pub query: String,
    pub passed: bool,
    pub entries: Vec<EntryResult>,
    /// The first k hits, as `DATE | TITLE`, for failing judgments.
    pub top: Vec<String>,
}

/// The whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub judgments: usize,
    pub passed: usize,
    pub failed: usize,
    /// Share of expected entries found within their judgment's k.
    pub recall_at_k: f64,
    /// Mean reciprocal rank of expected entries (0 for one not in the first 50).
    pub mrr: f64,
    pub results: Vec<JudgmentResult>,
}

fn norm(s: &str) -> String {
    s.nfc().collect::<String>().to_lowercase()
}

fn matches(hit: &Hit, e: &Expected) -> bool {
    hit.date.as_deref() == Some(e.date.as_str())
        && e.title
            .as_ref()
            .is_none_or(|t| norm(&hit.item_title).contains(&norm(t)))
}

/// Runs every judgment.
pub fn evaluate(store: &Store, limits: &Limits, judgments: &[Judgment]) -> Result<EvalReport> {
    let mut results = Vec::new();
    let (mut found, mut total, mut rr) = (0usize, 0usize, 0.0f64);
    for j in judgments {
        let at_line = |e: Error| Error::InvalidArgument(format!("line {}: {e}", j.line));
        if let Some((key, _)) = j
            .filters
            .iter()
            .find(|(k, _)| !Filters::keys().contains(&k.as_str()))
        {
            return Err(Error::InvalidArgument(format!(
                "line {}: unknown filter {key:?}; one of: {}",
                j.line,
                Filters::keys().join(", ")
            )));
        }
        let filters = Filters::from_pairs(j.filters.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(at_line)?;
        let req = SearchRequest {
            query: j.query.clone(),
            filters,
            limit: DEPTH,
            offset: 0,
            facet_limit: 0,
            sort: Sort::Relevance,
        };
        let hits = match hits::search(store, limits, &req) {
            Ok(r) => r.hits,
            Err(e) if e.is_user_error() => Vec::new(),
            Err(e) => return Err(e),
        };
        let mut entries = Vec::new();
        for e in &j.expected {
            let rank = hits.iter().position(|h| matches(h, e)).map(|p| p + 1);
            let ok = if e.forbidden {
                rank.is_none()
            } else {
                rank.is_some_and(|r| r <= j.k)
            };
            if !e.forbidden {
                total += 1;
                found += usize::from(ok);
                rr += rank.map(|r| 1.0 / r as f64).unwrap_or(0.0);
            }
            entries.push(EntryResult {
                entry: e.clone(),
                rank,
                ok,
            });
        }
        let passed = entries.iter().all(|e| e.ok);
        let top = if passed {
            Vec::new()
        } else {
            hits.iter()
                .take(j.k.max(3))
                .map(|h| format!("{} | {}", h.date.as_deref().unwrap_or("?"), h.item_title))
                .collect()
        };
        results.push(JudgmentResult {
            line: j.line,
            query: j.query.clone(),
            passed,
            entries,
            top,
        });
    }
    let passed = results.iter().filter(|r| r.passed).count();
    Ok(EvalReport {
        judgments: results.len(),
        passed,
        failed: results.len() - passed,
        recall_at_k: if total > 0 {
            found as f64 / total as f64
        } else {
            1.0
        },
        mrr: if total > 0 { rr / total as f64 } else { 1.0 },
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judgments_are_read_with_filters_and_negations() {
        let text = "# comment\nIKB finansiering\t-\t2025-12-12|Intensiv kontextuell\t1\nbarn\tgroup=Ledningsgrupp;from=2026-01-01\t2026-04-10;!2026-03-12\t10\n";
        let j = read_judgments(text).unwrap();
        assert_eq!(j.len(), 2);
        assert_eq!(
            j[0].expected[0].title.as_deref(),
            Some("Intensiv kontextuell")
        );
        assert_eq!(
            j[1].filters,
            vec![
                ("group".into(), "Ledningsgrupp".into()),
                ("from".into(), "2026-01-01".into())
            ]
        );
        assert!(j[1].expected[1].forbidden);
        assert_eq!(j[1].line, 3);
    }

    #[test]
    fn malformed_lines_say_where() {
        let err = read_judgments("a\tb\n").unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        assert!(read_judgments("q\t-\t2025-01-01\tx\n").is_err());
    }
}
