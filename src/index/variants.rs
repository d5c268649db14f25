//! One person, one name: spellings of the same name across the archive are merged
//! for facets and person filters, never different people.
//! Rules, each cautious: the same name parts in another order (`Anna Trofast
//! Hasselbom` = `Anna Hasselbom Trofast`); the same letters but for diacritics
//! (`Mathina Mølstad` = `Mathina Mölstad`, `Katrín` = `Katrin`); the same given
//! name and one letter of difference, not the first, in a surname of six letters or
//! more (`Marie Stjärnström` = `Marie Stjernström`; `Johan Jansson` and `Johan
//! Hansson` are two surnames).
//! The most frequent spelling names the person.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use tantivy::Searcher;
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

/// Why two spellings were merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Reordered,
    Diacritics,
    OneLetter,
}

impl Reason {
    /// `reordered`, `diacritics` or `one_letter`.
    pub fn name(self) -> &'static str {
        match self {
            Reason::Reordered => "reordered",
            Reason::Diacritics => "diacritics",
            Reason::OneLetter => "one_letter",
        }
    }
}

/// Where a spelling appears: the lists that name it (a meeting's id and the role the
/// list gives, `ledamot`, `övrig närvarande`, …) and the bodies that met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Presence {
    pub lists: BTreeSet<(String, String)>,
    pub groups: BTreeSet<String>,
}

/// What besides the name speaks for two spellings being one person.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Evidence {
    /// Lists (one meeting, one role) that name both spellings: then they are two
    /// people. One person written twice in one protocol, on two lists, is not.
    pub together: usize,
    /// Bodies both spellings met in.
    pub shared_groups: Vec<String>,
}

impl Evidence {
    fn between(a: Option<&Presence>, b: Option<&Presence>) -> Evidence {
        match (a, b) {
            (Some(a), Some(b)) => Evidence {
                together: a.lists.intersection(&b.lists).count(),
                shared_groups: a.groups.intersection(&b.groups).cloned().collect(),
            },
            _ => Evidence::default(),
        }
    }

    /// Enough for a merge the name alone does not make: never together, and a body
    /// both met in.
    fn supports(&self) -> bool {
        self.together == 0 && !self.shared_groups.is_empty()
    }
}

/// A merged spelling.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Variant {
    pub name: String,
    pub items: u64,
    pub reason: Reason,
    /// Measured against the spelling that names the person.
    pub evidence: Evidence,
}

/// A person with more than one spelling.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Merged {
    pub name: String,
    pub items: u64,
    pub variants: Vec<Variant>,
}

/// The merges over one index.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Variants {
    canonical: HashMap<String, String>,
    members: HashMap<String, Vec<String>>,
    merged: Vec<Merged>,
}

impl Variants {
    /// Reads every person name of the attendee facet `field` with the number
    /// of agenda items of the meetings they attended (`dir`: the index folder, for
    /// an error).
    pub fn from_index(
        searcher: &Searcher,
        field: crate::index::facets::FacetField,
        tables: std::sync::Arc<crate::index::facets::FacetTables>,
        dir: &std::path::Path,
    ) -> Result<Variants> {
        let mut fruit = searcher
            .search(
                &tantivy::query::AllQuery,
                &crate::index::facets::ProtocolFacets::new(vec![field], tables),
            )
            .map_err(|e| Error::index(dir, e))?;
        let counts: BTreeMap<String, u64> = fruit
            .remove(&field)
            .map(|c| c.into_counts())
            .unwrap_or_default()
            .into_iter()
            .collect();
        let names: Vec<&String> = counts.keys().collect();
        let presence = presence(searcher, dir, &needing_presence(&names))?;
        Ok(Variants::from_counts(&counts, &presence))
    }

    /// Merges names given with their counts and where each appears.
    pub fn from_counts(
        counts: &BTreeMap<String, u64>,
        presence: &HashMap<String, Presence>,
    ) -> Variants {
        let names: Vec<&String> = counts.keys().collect();
        let mut parent: Vec<usize> = (0..names.len()).collect();
        let mut reason: HashMap<usize, Reason> = HashMap::new();
        fn find(p: &mut [usize], i: usize) -> usize {
            let mut r = i;
            while p[r] != r {
                r = p[r];
            }
            let mut k = i;
            while p[k] != r {
                let next = p[k];
                p[k] = r;
                k = next;
            }
            r
        }
        let mut union = |a: usize, b: usize, why: Reason, parent: &mut [usize]| {
            let (ra, rb) = (find(parent, a), find(parent, b));
            if ra != rb {
                parent[rb] = ra;
                reason.entry(a).or_insert(why);
                reason.entry(b).or_insert(why);
            }
        };
        // Same parts in any order, and the same letters but for diacritics.
        let mut by_key: HashMap<(String, Reason), usize> = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            for (key, why) in [
                (sorted_parts(n), Reason::Reordered),
                (fold(n), Reason::Diacritics),
            ] {
                match by_key.get(&(key.clone(), why)) {
                    Some(&j) => union(j, i, why, &mut parent),
                    None => {
                        by_key.insert((key, why), i);
                    }
                }
            }
        }
        // One letter in a long surname, the given name the same.
        for (a, b) in one_letter_pairs(&names) {
            if Evidence::between(presence.get(names[a]), presence.get(names[b])).supports() {
                union(a, b, Reason::OneLetter, &mut parent);
            }
        }
        let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
        for i in 0..names.len() {
            let r = find(&mut parent, i);
            groups.entry(r).or_default().push(i);
        }
        let mut v = Variants::default();
        for members in groups.values() {
            let best = *members
                .iter()
                .max_by(|&&a, &&b| {
                    counts[names[a]]
                        .cmp(&counts[names[b]])
                        .then(names[b].cmp(names[a]))
                })
                .expect("non-empty");
            let canonical = names[best].clone();
            let all: Vec<String> = members.iter().map(|&i| names[i].clone()).collect();
            for m in &all {
                v.canonical.insert(m.clone(), canonical.clone());
            }
            if members.len() > 1 {
                let variants = members
                    .iter()
                    .filter(|&&i| i != best)
                    .map(|&i| Variant {
                        name: names[i].clone(),
                        items: counts[names[i]],
                        reason: reason.get(&i).copied().unwrap_or(Reason::OneLetter),
                        evidence: Evidence::between(
                            presence.get(names[i]),
                            presence.get(&canonical),
                        ),
                    })
                    .collect();
                v.merged.push(Merged {
                    name: canonical.clone(),
                    items: counts[&canonical],
                    variants,
                });
            }
            v.members.insert(canonical, all);
        }
        v.merged.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// The name that stands for `name`'s person.
    pub fn canonical<'a>(&'a self, name: &'a str) -> &'a str {
        self.canonical.get(name).map(String::as_str).unwrap_or(name)
    }

    /// Each spelling that is not the one a person is named by, with that one.
    pub fn respellings(&self) -> impl Iterator<Item = (&str, &str)> {
        self.merged.iter().flat_map(|m| {
            m.variants
                .iter()
                .map(move |v| (v.name.as_str(), m.name.as_str()))
        })
    }

    /// Every spelling of `name`'s person.
    pub fn spellings(&self, name: &str) -> Vec<String> {
        self.members
            .get(self.canonical(name))
            .cloned()
            .unwrap_or_else(|| vec![name.to_string()])
    }

    /// People with more than one spelling, for review.
    pub fn merged(&self) -> &[Merged] {
        &self.merged
    }
}

/// The pairs of names one letter apart in a long surname, the given name the same
/// (by their places in `names`).
fn one_letter_pairs(names: &[&String]) -> Vec<(usize, usize)> {
    let mut by_first: HashMap<(String, usize), Vec<usize>> = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        let parts: Vec<&str> = n.split_whitespace().collect();
        if let (Some(first), true) = (parts.first(), parts.len() >= 2) {
            by_first
                .entry((first.to_string(), parts.len()))
                .or_default()
                .push(i);
        }
    }
    let mut pairs = Vec::new();
    for block in by_first.values() {
        for (x, &a) in block.iter().enumerate() {
            for &b in block.get(x + 1..).unwrap_or(&[]) {
                if one_letter_apart(names[a], names[b]) {
                    pairs.push((a, b));
                }
            }
        }
    }
    pairs
}

/// The names whose presence [`Variants::from_counts`] weighs: those one letter
/// apart from another, and those another spelling may merge with by its name
/// alone (the evidence of a merge is reported). Over a million protocols, where
/// every other name of the archive was read, these are a few.
fn needing_presence(names: &[&String]) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    for (a, b) in one_letter_pairs(names) {
        out.insert(names[a].clone());
        out.insert(names[b].clone());
    }
    let mut by_key: HashMap<(String, Reason), Vec<usize>> = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        by_key
            .entry((sorted_parts(n), Reason::Reordered))
            .or_default()
            .push(i);
        by_key
            .entry((fold(n), Reason::Diacritics))
            .or_default()
            .push(i);
    }
    for alike in by_key.values().filter(|alike| alike.len() > 1) {
        out.extend(alike.iter().map(|&i| names[i].clone()));
    }
    out
}

/// Where each person of `wanted` appears: the lists (protocol id, role) that name
/// them, read from [`Fields::f_listed`](crate::index::schema::Fields), and the
/// bodies of those protocols.
fn presence(
    searcher: &Searcher,
    dir: &std::path::Path,
    wanted: &std::collections::HashSet<String>,
) -> Result<HashMap<String, Presence>> {
    let err = |e: std::io::Error| Error::index(dir, e);
    let group = crate::index::facets::FacetField::Group.field_name();
    let mut out: HashMap<String, Presence> = HashMap::new();
    for seg in searcher.segment_readers() {
        let fast = seg.fast_fields();
        let (Some(listed), Some(ids), Some(groups)) = (
            fast.str("f_listed").map_err(|e| Error::index(dir, e))?,
            fast.str("protocol_id").map_err(|e| Error::index(dir, e))?,
            fast.str(group).map_err(|e| Error::index(dir, e))?,
        ) else {
            continue;
        };
        let (listed_values, id_values, group_values) = (
            crate::index::facets::column_values(&listed).map_err(err)?,
            crate::index::facets::column_values(&ids).map_err(err)?,
            crate::index::facets::column_values(&groups).map_err(err)?,
        );
        let value_of = crate::index::facets::value_of;
        for doc in seg.doc_ids_alive() {
            let mut ords = listed.term_ords(doc).peekable();
            if ords.peek().is_none() {
                continue;
            }
            let id = ids
                .term_ords(doc)
                .next()
                .and_then(|o| value_of(&id_values, o))
                .unwrap_or("");
            let body = groups
                .term_ords(doc)
                .next()
                .and_then(|o| value_of(&group_values, o))
                .unwrap_or("");
            for ord in ords {
                let Some(entry) = value_of(&listed_values, ord) else {
                    continue;
                };
                let Some((role, name)) = entry.split_once(crate::index::schema::LISTED_SEP) else {
                    continue;
                };
                if !wanted.contains(name) {
                    continue;
                }
                let p = out.entry(name.to_string()).or_default();
                p.lists.insert((id.to_string(), role.to_string()));
                if !body.is_empty() {
                    p.groups.insert(body.to_string());
                }
            }
        }
    }
    Ok(out)
}

fn sorted_parts(name: &str) -> String {
    let mut parts: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
    parts.sort();
    parts.join(" ")
}

/// Lowercase, with diacritics taken off (`é` → `e`, `í` → `i`) but å, ä and ö kept
/// as the letters they are; the Danish and Norwegian `ø` and `æ` count as `ö` and `ä`.
fn fold(name: &str) -> String {
    name.to_lowercase()
        .replace('ø', "ö")
        .replace('æ', "ä")
        .chars()
        .flat_map(|c| match c {
            'å' | 'ä' | 'ö' => vec![c],
            c => c
                .to_string()
                .nfd()
                .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
                .collect::<Vec<char>>(),
        })
        .collect()
}

/// Same given name, same number of parts, and one part differs by one letter, in a
/// surname of at least six letters.
fn one_letter_apart(a: &str, b: &str) -> bool {
    let pa: Vec<&str> = a.split_whitespace().collect();
    let pb: Vec<&str> = b.split_whitespace().collect();
    if pa.len() != pb.len() || pa[0] != pb[0] {
        return false;
    }
    let diffs: Vec<(&&str, &&str)> = pa.iter().zip(&pb).filter(|(x, y)| x != y).collect();
    // `Jansson` and `Hansson` are two surnames: a variant keeps the first letter.
    match diffs.as_slice() {
        [(x, y)] => {
            x.chars().count() >= 6
                && x.chars().next().map(|c| c.to_lowercase().to_string())
                    == y.chars().next().map(|c| c.to_lowercase().to_string())
                && edit_distance(&x.to_lowercase(), &y.to_lowercase()) == 1
        }
        _ => false,
    }
}

/// Optimal string alignment distance (Levenshtein with adjacent transpositions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names with counts, each met in `Nämnden` at meetings of its own.
    fn variants(names: &[(&str, u64)]) -> Variants {
        let presence = names
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (n.to_string(), at(&[&format!("m{i}")], &["Nämnden"])))
            .collect();
        with_presence(names, &presence)
    }

    fn with_presence(names: &[(&str, u64)], presence: &HashMap<String, Presence>) -> Variants {
        Variants::from_counts(
            &names.iter().map(|(n, c)| (n.to_string(), *c)).collect(),
            presence,
        )
    }

    /// Listed as `ledamot` at `meetings`, which `groups` held.
    fn at(meetings: &[&str], groups: &[&str]) -> Presence {
        Presence {
            lists: meetings
                .iter()
                .map(|m| (m.to_string(), "ledamot".to_string()))
                .collect(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    fn together_at_b() -> HashMap<String, Presence> {
        [
            ("Marie Stjärnström".to_string(), at(&["a", "b"], &["Rådet"])),
            ("Marie Stjernström".to_string(), at(&["b"], &["Rådet"])),
        ]
        .into()
    }

    /// A one-letter surname variant merges only with evidence beyond the name: never on
    /// one list, and a body both met in. The evidence is reported.
    #[test]
    fn one_letter_merges_need_evidence() {
        let names = [("Marie Stjärnström", 3), ("Marie Stjernström", 1)];
        let shared: HashMap<String, Presence> = [
            (
                "Marie Stjärnström".to_string(),
                at(&["a", "b", "c"], &["Nämnden", "Rådet"]),
            ),
            ("Marie Stjernström".to_string(), at(&["d"], &["Rådet"])),
        ]
        .into();
        let v = with_presence(&names, &shared);
        assert_eq!(v.canonical("Marie Stjernström"), "Marie Stjärnström");
        let evidence = &v.merged()[0].variants[0].evidence;
        assert_eq!(evidence.together, 0);
        assert_eq!(evidence.shared_groups, ["Rådet"]);

        // One meeting, but on two lists (a panel and the attendance): one person.
        let mut two_lists = together_at_b();
        two_lists
            .get_mut("Marie Stjernström")
            .expect("listed")
            .lists = [("b".to_string(), "panel".to_string())].into();
        assert_eq!(
            with_presence(&names, &two_lists).canonical("Marie Stjernström"),
            "Marie Stjärnström"
        );
        // Both on one meeting's list: two people.
        let together = together_at_b();
        assert_eq!(
            with_presence(&names, &together).canonical("Marie Stjernström"),
            "Marie Stjernström"
        );
        // Never in the same body: no evidence, two people.
        let apart: HashMap<String, Presence> = [
            ("Marie Stjärnström".to_string(), at(&["a"], &["Nämnden"])),
            ("Marie Stjernström".to_string(), at(&["b"], &["Rådet"])),
        ]
        .into();
        assert!(with_presence(&names, &apart).merged().is_empty());
        // Spellings the name alone explains merge without it, evidence reported.
        let reordered = with_presence(
            &[("Anna Hasselbom Trofast", 2), ("Anna Trofast Hasselbom", 1)],
            &HashMap::new(),
        );
        assert_eq!(reordered.merged().len(), 1);
    }

    #[test]
    fn spellings_of_one_person_merge() {
        let v = variants(&[
            ("Anna Hasselbom Trofast", 9),
            ("Anna Trofast Hasselbom", 1),
            ("Mathina Mölstad", 4),
            ("Mathina Mølstad", 1),
            ("Marie Stjärnström", 3),
            ("Marie Stjernström", 1),
            ("Katrin Karlsson", 2),
            ("Katrín Karlsson", 1),
        ]);
        assert_eq!(
            v.canonical("Anna Trofast Hasselbom"),
            "Anna Hasselbom Trofast"
        );
        assert_eq!(v.canonical("Mathina Mølstad"), "Mathina Mölstad");
        assert_eq!(v.canonical("Marie Stjernström"), "Marie Stjärnström");
        assert_eq!(v.canonical("Katrín Karlsson"), "Katrin Karlsson");
        assert_eq!(v.merged().len(), 4);
        assert_eq!(v.spellings("Marie Stjärnström").len(), 2);
    }

    #[test]
    fn different_people_stay_apart() {
        let v = variants(&[
            ("Lars Persson", 5),
            ("Lars Pettersson", 5),
            ("Eva Ek", 2),
            ("Eva Eke", 2),
            ("Anna Svensson", 3),
            ("Maria Svensson", 3),
            ("Jan Olsson", 2),
            ("Jan Olsson Berg", 2),
            ("Mats Göransson", 1),
            ("Mats Gransson", 1),
            ("Johan Jansson", 1),
            ("Johan Hansson", 4),
        ]);
        // Only the last pair is one letter apart in a long surname.
        assert_eq!(v.merged().len(), 1, "{:?}", v.merged());
        assert_eq!(v.canonical("Lars Pettersson"), "Lars Pettersson");
        assert_eq!(v.canonical("Eva Eke"), "Eva Eke");
        assert_eq!(v.canonical("Maria Svensson"), "Maria Svensson");
        assert_eq!(v.canonical("Johan Jansson"), "Johan Jansson");
    }
}
