//! The query syntax: words AND-ed, `"phrase"`, `OR`, `-word`, `prefix*`, checked
//! against the length limit, into a [`ParsedQuery`] of clauses.

use crate::config::Limits;
use crate::error::{Error, Result};

/// One clause of a parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    Word(String),
    Phrase(Vec<String>),
    Prefix(String),
    /// `§ 12`: the item numbered so.
    Number(String),
}

/// A parsed query: groups AND-ed together, the clauses of a group OR-ed; and
/// clauses that must not match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    pub groups: Vec<Vec<Clause>>,
    pub excluded: Vec<Clause>,
}

impl ParsedQuery {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.excluded.is_empty()
    }
}

/// Parses the query syntax: `IKB finansiering`, `"barn och unga"`, `a OR b`,
/// `-covid`, `suicid*`.
pub fn parse_query(q: &str, max_chars: usize) -> Result<ParsedQuery> {
    if q.chars().count() > max_chars {
        return Err(Error::query(
            q,
            format!("the query is longer than {max_chars} characters"),
        ));
    }
    let mut raw: Vec<(bool, Clause)> = Vec::new(); // (negated, clause)
    let mut ors: Vec<bool> = Vec::new(); // ors[k]: clause k joins the one before with OR
    let mut pending_or = false;
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let negated = c == '-' && chars.get(i + 1).is_some_and(|n| !n.is_whitespace());
        if c == '-' && !negated {
            return Err(Error::query(
                q,
                "a lone '-' must stand right before the word to exclude",
            ));
        }
        let start = if negated { i + 1 } else { i };
        let (clause, next) = if chars.get(start) == Some(&'"') {
            let end = (start + 1..chars.len())
                .find(|&j| chars[j] == '"')
                .ok_or_else(|| Error::query(q, "a quote is not closed"))?;
            let words: Vec<String> = chars[start + 1..end]
                .iter()
                .collect::<String>()
                .split_whitespace()
                .map(str::to_string)
                .collect();
            if words.is_empty() {
                return Err(Error::query(q, "an empty phrase \"\""));
            }
            (
                if words.len() == 1 {
                    Clause::Word(words[0].clone())
                } else {
                    Clause::Phrase(words)
                },
                end + 1,
            )
        } else {
            let end = (start..chars.len())
                .find(|&j| chars[j].is_whitespace())
                .unwrap_or(chars.len());
            let word: String = chars[start..end].iter().collect();
            if word.contains('"') {
                return Err(Error::query(q, "a quote is not closed"));
            }
            if word == "OR" && !negated {
                if raw.is_empty() || pending_or {
                    return Err(Error::query(q, "OR must stand between two words"));
                }
                pending_or = true;
                i = end;
                continue;
            }
            if word == "AND" && !negated {
                i = end;
                continue;
            }
            // `§ 12`, `§12`, `§ 4.2`: an item's number. The `§` may stand apart.
            if let Some(rest) = word.strip_prefix('§') {
                let rest = rest.trim_start_matches('§');
                let (number, after) = if rest.is_empty() {
                    let from = (end..chars.len())
                        .find(|&j| !chars[j].is_whitespace())
                        .unwrap_or(chars.len());
                    let to = (from..chars.len())
                        .find(|&j| chars[j].is_whitespace())
                        .unwrap_or(chars.len());
                    (chars[from..to].iter().collect::<String>(), to)
                } else {
                    (rest.to_string(), end)
                };
                let key = crate::parse::items::item_number_key(&number);
                if !is_item_number(&key) {
                    return Err(Error::query(
                        q,
                        "'§' must stand before an item number, as in § 12",
                    ));
                }
                if pending_or && negated {
                    return Err(Error::query(q, "an excluded word cannot be part of OR"));
                }
                ors.push(pending_or);
                raw.push((negated, Clause::Number(key)));
                pending_or = false;
                i = after;
                continue;
            }
            let clause = if let Some(prefix) = word.strip_suffix('*') {
                if prefix.is_empty() || prefix.contains('*') {
                    return Err(Error::query(
                        q,
                        "'*' must follow the beginning of a word, as in suicid*",
                    ));
                }
                Clause::Prefix(prefix.to_string())
            } else {
                if word.contains('*') {
                    return Err(Error::query(q, "'*' may only end a word"));
                }
                Clause::Word(word)
            };
            (clause, end)
        };
        if pending_or && negated {
            return Err(Error::query(q, "an excluded word cannot be part of OR"));
        }
        ors.push(pending_or);
        raw.push((negated, clause));
        pending_or = false;
        i = next;
    }
    if pending_or {
        return Err(Error::query(q, "OR must stand between two words"));
    }
    let mut parsed = ParsedQuery::default();
    for ((negated, clause), or) in raw.into_iter().zip(ors) {
        if negated {
            parsed.excluded.push(clause);
        } else if or && !parsed.groups.is_empty() {
            parsed.groups.last_mut().expect("non-empty").push(clause);
        } else {
            parsed.groups.push(vec![clause]);
        }
    }
    Ok(parsed)
}

/// `12`, `4.2`, `12a`: digits in dotted parts, a letter at most at the end.
fn is_item_number(key: &str) -> bool {
    let body = key
        .strip_suffix(|c: char| c.is_ascii_lowercase())
        .unwrap_or(key);
    !body.is_empty()
        && body.len() <= 16
        && body
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks a query's syntax and length within `limits`, without reading the index.
pub fn check(text: &str, limits: &Limits) -> Result<()> {
    parse_query(text, limits.max_query_chars).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> std::result::Result<ParsedQuery, String> {
        parse_query(q, 1000).map_err(|e| e.to_string())
    }

    #[test]
    fn words_are_anded_and_or_joins() {
        let q = p("IKB finansiering").unwrap();
        assert_eq!(
            q.groups,
            vec![
                vec![Clause::Word("IKB".into())],
                vec![Clause::Word("finansiering".into())]
            ]
        );
        let q = p("IKB OR SDK vård").unwrap();
        assert_eq!(q.groups.len(), 2);
        assert_eq!(q.groups[0].len(), 2);
    }

    #[test]
    fn phrases_negations_and_prefixes() {
        let q = p("\"barn och unga\" -covid suicid*").unwrap();
        assert_eq!(
            q.groups[0],
            vec![Clause::Phrase(vec![
                "barn".into(),
                "och".into(),
                "unga".into()
            ])]
        );
        assert_eq!(q.groups[1], vec![Clause::Prefix("suicid".into())]);
        assert_eq!(q.excluded, vec![Clause::Word("covid".into())]);
    }

    #[test]
    fn a_paragraph_sign_asks_for_an_item_number() {
        let n = |s: &str| Clause::Number(s.to_string());
        assert_eq!(p("§ 12").unwrap().groups, vec![vec![n("12")]]);
        assert_eq!(
            p("§12 IKB").unwrap().groups,
            vec![vec![n("12")], vec![Clause::Word("IKB".into())]]
        );
        assert_eq!(p("§ 4:2").unwrap().groups, vec![vec![n("4.2")]]);
        assert_eq!(p("§ 7 OR § 9").unwrap().groups, vec![vec![n("7"), n("9")]]);
        assert_eq!(p("-§ 3").unwrap().excluded, vec![n("3")]);
        for bad in ["§", "§ budget", "§ 1..2", "IKB §"] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn malformed_queries_are_refused_with_a_reason() {
        for bad in [
            "\"barn och",
            "OR vård",
            "vård OR",
            "a OR OR b",
            "*",
            "- vård",
            "a*b",
            "\"\"",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
        assert!(p(&"a".repeat(1001)).is_err());
    }

    #[test]
    fn empty_query_lists_everything() {
        assert!(p("").unwrap().is_empty());
        assert!(p("   ").unwrap().is_empty());
    }
}
