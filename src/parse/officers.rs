//! Who chaired the meeting, who kept the minutes and who adjusted them.
//! Owns: officer labels with their names (`Sekreterare   Mia Vik`, `Ordförande: X`,
//! `Protokolljusterare A (S) och B (L)`), signature blocks (a label, a line to sign on,
//! the name under it; `Justeras` with the names of all who sign), elections in the items
//! (`utser X (S) till justerare`, `välja X till ordförande för mötet`), and, failing
//! those, the roles of the attendance list (`X (M), ordförande`).
//!
//! The rules are about structure: a label word of its own at the start of a line, names
//! after it or on the lines under it, and sentences whose verb elects someone to an office.

use super::lines::{word_positions, Line};
use super::persons::{names_in_presenter_value, NameModel, Person};

/// The meeting's officers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Officers {
    pub chairs: Vec<String>,
    pub secretary: Option<String>,
    pub adjusters: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Office {
    Chair,
    Secretary,
    Adjuster,
    /// `Justeras`: the names of all who sign (the chair and the adjusters).
    Signatures,
}

/// Officer labels as protocols print them, longest first within each office.
pub(crate) const LABELS: &[(&str, Office)] = &[
    ("ordförande för mötet", Office::Chair),
    ("mötesordförande", Office::Chair),
    ("ordförande", Office::Chair),
    ("ordf.", Office::Chair),
    ("ordf", Office::Chair),
    ("mötessekreterare", Office::Secretary),
    ("protokollförare", Office::Secretary),
    ("vid protokollet", Office::Secretary),
    ("sekreterare", Office::Secretary),
    ("sekr.", Office::Secretary),
    ("utses att justera", Office::Adjuster),
    ("protokolljusterare", Office::Adjuster),
    ("justeringspersoner", Office::Adjuster),
    ("justeringsperson", Office::Adjuster),
    ("justeras av", Office::Adjuster),
    ("justerande", Office::Adjuster),
    ("justerare", Office::Adjuster),
    ("justeras", Office::Signatures),
    ("justerat", Office::Signatures),
];

/// Reads the officers from the protocol's lines, its items' decisions and the persons
/// of its attendance list.
pub fn find_officers(
    lines: &[Line],
    decisions: &[&str],
    persons: &[Person],
    model: &NameModel,
) -> Officers {
    let mut labelled = Officers::default();
    let mut signatures: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((office, value)) = office_label(&line.text) else {
            continue;
        };
        let names = match names_in_value(value, model) {
            Some(names) => names,
            None if value.trim().is_empty() => names_below(lines, i, office, model),
            None => continue,
        };
        match office {
            Office::Chair => push_new(&mut labelled.chairs, names),
            Office::Secretary => {
                if labelled.secretary.is_none() {
                    labelled.secretary = names.into_iter().next();
                }
            }
            Office::Adjuster => push_new(&mut labelled.adjusters, names),
            Office::Signatures => push_new(&mut signatures, names),
        }
    }
    let elected = elections(decisions, model);
    let mut out = Officers {
        chairs: first_non_empty([labelled.chairs, elected.chairs, roles(persons, is_chair)]),
        secretary: labelled
            .secretary
            .or(elected.secretary)
            .or_else(|| roles(persons, is_secretary).into_iter().next()),
        adjusters: Vec::new(),
    };
    let mut adjusters = labelled.adjusters;
    push_new(&mut adjusters, elected.adjusters);
    // The chair signs beside the adjusters under `Justeras`; only the others adjust.
    let others: Vec<String> = signatures
        .into_iter()
        .filter(|n| !out.chairs.contains(n) && out.secretary.as_ref() != Some(n))
        .collect();
    push_new(&mut adjusters, others);
    if out.chairs.is_empty() {
        out.chairs = roles(persons, is_chair);
    }
    out.adjusters = adjusters;
    out
}

fn push_new(into: &mut Vec<String>, names: Vec<String>) {
    for n in names {
        if !into.contains(&n) {
            into.push(n);
        }
    }
}

fn first_non_empty<const N: usize>(lists: [Vec<String>; N]) -> Vec<String> {
    lists
        .into_iter()
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}

/// A line that is an officer's label alone (`Vid protokollet`, `Justeras`): the start of a
/// signature block, never a heading of the agenda.
pub fn is_officer_label(text: &str) -> bool {
    office_label(text).is_some_and(|(_, rest)| rest.trim().is_empty())
}

/// The office a line's label names, and the rest of the line. The label is a word (or
/// words) of its own at the start of the line, followed by a colon, spaces or nothing.
fn office_label(text: &str) -> Option<(Office, &str)> {
    let t = text.trim_start_matches(['*', '#', '-', ' ']);
    let lower_head: String = t.chars().take(24).flat_map(char::to_lowercase).collect();
    for &(label, office) in LABELS {
        let Some(after) = lower_head.strip_prefix(label) else {
            continue;
        };
        if !after.is_empty() && !after.starts_with([':', ' ', '*', '\t']) {
            continue;
        }
        // The label is ASCII-free of case changes that alter byte length only in rare
        // letters; find its end by counting characters in the original.
        let end = t
            .char_indices()
            .nth(label.chars().count())
            .map_or(t.len(), |(p, _)| p);
        let rest = t.get(end..).unwrap_or("");
        return Some((office, rest.trim_start_matches([':', '*', ' ', '\t'])));
    }
    None
}

/// Names in a label's value: `Mia Vik`, `Jan Byvik (S) och Hanna Schölander (L)`,
/// `Frida Byrsten, verksamhetschef Paragrafer § 70–71`. `None` when the value is prose
/// (`Ordförande Jan Byvik (S) prövar om …`) or holds no name.
fn names_in_value(value: &str, model: &NameModel) -> Option<Vec<String>> {
    let value = cut_at_paragraphs(value).trim();
    if value.is_empty() {
        return None;
    }
    // Before the first comma only names, party marks and the words that join them.
    let head = value.split(',').next().unwrap_or("");
    let prose = head.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        !w.is_empty()
            && w.starts_with(char::is_lowercase)
            && !matches!(
                w,
                "och" | "samt" | "von" | "af" | "de" | "van" | "der" | "mfl"
            )
    });
    if prose || head.split_whitespace().count() > 9 {
        return None;
    }
    let names = names_in_cells(value, model);
    (!names.is_empty()).then_some(names)
}

/// The names of a value split at commas and `och`: a cell of two to four capitalised
/// words (and a party mark) is a name as it stands, in an officer's place; other cells
/// are read as presenter values are (a role after a name is no name).
pub fn names_in_cells(value: &str, model: &NameModel) -> Vec<String> {
    let normalised = value.replace(" och ", ", ").replace(" samt ", ", ");
    let mut out = Vec::new();
    for cell in normalised.split([',', ';']) {
        let words: Vec<&str> = cell
            .split_whitespace()
            .filter(|w| !(w.starts_with('(') && w.ends_with(')')))
            .collect();
        let whole = (2..=4).contains(&words.len())
            && words.iter().all(|w| {
                w.starts_with(char::is_uppercase)
                    && w.chars().all(|c| c.is_alphabetic() || c == '-')
            });
        if whole {
            push_new(&mut out, vec![words.join(" ")]);
            continue;
        }
        let found = names_in_presenter_value(cell, model)
            .into_iter()
            .map(|p| p.name)
            .filter(|n| n.split_whitespace().count() >= 2)
            .collect();
        push_new(&mut out, found);
    }
    out
}

/// `Mia Vik   Paragrafer §§ 20–22`: the paragraph range set beside a name is not part of it.
fn cut_at_paragraphs(value: &str) -> &str {
    let lower = value.to_ascii_lowercase();
    let cut = [" paragrafer", "paragrafer ", "§", "$$", "...", "___"]
        .iter()
        .filter_map(|m| lower.find(m))
        .min();
    match cut {
        Some(p) => value.get(..p).unwrap_or(value),
        None => value,
    }
}

/// A line to sign on, or only dots, dashes and underscores.
fn is_signature_line(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.chars().all(|c| matches!(c, '.' | '_' | '-' | '…' | ' '))
}

/// The names under a label that stands alone: past the lines to sign on, the first
/// line of names; for `Justeras`, every line of names up to the next label or prose.
fn names_below(lines: &[Line], i: usize, office: Office, model: &NameModel) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = 0;
    for line in lines.iter().skip(i + 1) {
        if line.is_blank() || is_signature_line(&line.text) {
            continue;
        }
        let lower = line.text.trim().to_lowercase();
        if lower.starts_with("paragrafer") || lower.starts_with('§') {
            continue;
        }
        seen += 1;
        if seen > 4 || office_label(&line.text).is_some() {
            break;
        }
        match names_in_value(&line.text, model) {
            Some(names) => {
                push_new(&mut out, names);
                if office != Office::Signatures {
                    break;
                }
            }
            None => break,
        }
    }
    out
}

/// Elections in the items: `utser Albin Sjölund (S) till justerare`, `utser X att jämte
/// ordföranden justera`, `beslutade att välja Y till ordförande för mötet`, `Z valdes till
/// sekreterare`.
fn elections(decisions: &[&str], model: &NameModel) -> Officers {
    let mut out = Officers::default();
    for text in decisions {
        if !text.contains("utse") && !text.contains("välj") && !text.contains("vald") {
            continue;
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for sentence in text.split_inclusive(['.', ';']) {
            let lower = sentence.to_lowercase();
            let Some(verb_end) = [
                "utser", "utses", "utse", "välja", "väljer", "väljs", "valdes",
            ]
            .iter()
            .filter_map(|v| word_positions(&lower, v).next().map(|p| (p, v.len())))
            .min()
            .map(|(p, len)| p + len) else {
                continue;
            };
            let tail = sentence.get(verb_end..).unwrap_or("");
            let tail_lower = tail.to_lowercase();
            let (office, names_end) = if let Some(p) = tail_lower.find(" till justerare") {
                (Office::Adjuster, p)
            } else if let Some(p) = tail_lower
                .find(" att jämte")
                .or(tail_lower.find(" att justera"))
            {
                (Office::Adjuster, p)
            } else if let Some(p) = tail_lower
                .find(" till ordförande")
                .or(tail_lower.find(" till mötesordförande"))
            {
                (Office::Chair, p)
            } else if let Some(p) = tail_lower
                .find(" till sekreterare")
                .or(tail_lower.find(" till protokollförare"))
                .or(tail_lower.find(" till mötessekreterare"))
            {
                (Office::Secretary, p)
            } else {
                continue;
            };
            let Some(segment) = tail.get(..names_end) else {
                continue;
            };
            // `valdes` comes after the name: `Anna Ek valdes till sekreterare`.
            let segment = if segment.trim().is_empty() {
                sentence.get(..verb_end).unwrap_or("")
            } else {
                segment
            };
            let names = names_in_cells(segment, model);
            match office {
                Office::Chair => push_new(&mut out.chairs, names),
                Office::Secretary => {
                    if out.secretary.is_none() {
                        out.secretary = names.into_iter().next();
                    }
                }
                _ => push_new(&mut out.adjusters, names),
            }
        }
    }
    out
}

fn roles(persons: &[Person], pick: fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for p in persons {
        if p.role.as_deref().is_some_and(pick) && !out.contains(&p.name) {
            out.push(p.name.clone());
        }
    }
    out
}

/// `Ordförande`, `ordförande (M)`, `ordförande, Region Halland`; never `vice ordförande`.
fn is_chair(role: &str) -> bool {
    let r = role.trim().trim_matches(['(', ')']).to_lowercase();
    let head = r.split([',', '(']).next().unwrap_or("").trim();
    matches!(head, "ordförande" | "ordf" | "ordf." | "mötesordförande")
}

/// `sekreterare`, `nämndsekreterare`, `sekr.`, `protokollförare`.
fn is_secretary(role: &str) -> bool {
    let r = role.trim().trim_matches(['(', ')']).to_lowercase();
    let head = r.split([',', '(']).next().unwrap_or("").trim();
    head.ends_with("sekreterare") || matches!(head, "sekr" | "sekr." | "protokollförare")
}

#[cfg(test)]
mod tests {
    use super::super::lines::to_lines;
    use super::*;

    fn officers(text: &str, decisions: &[&str], persons: &[Person]) -> Officers {
        find_officers(&to_lines(text), decisions, persons, &NameModel::default())
    }

    #[test]
    fn labels_with_names_on_the_same_line() {
        let t = "Sekreterare   Amanda Toresson               Paragrafer §§ 137, 163-164\n\nOrdförande    Heinrich Kaufmann (C)\n\nProtokolljusterare Jan Byvik (S) och Hanna Schölander (L)\n\nOrdförande Jan Byvik (S) prövar om nämnden kan godkänna ärendelistan.";
        let o = officers(t, &[], &[]);
        assert_eq!(o.chairs, ["Heinrich Kaufmann"]);
        assert_eq!(o.secretary.as_deref(), Some("Amanda Toresson"));
        assert_eq!(o.adjusters, ["Jan Byvik", "Hanna Schölander"]);
    }

    #[test]
    fn a_signature_block_with_names_under_the_lines() {
        let t = "Sekreterare\n..............................\nParagrafer §§ 20–22\nMia Vik\n\nOrdförande\n..............................\nIda Mosén-Forsell (M)\n\nJusterande\n..............................\nAlbin Sjölund (S)\n";
        let o = officers(t, &[], &[]);
        assert_eq!(o.chairs, ["Ida Mosén-Forsell"]);
        assert_eq!(o.secretary.as_deref(), Some("Mia Vik"));
        assert_eq!(o.adjusters, ["Albin Sjölund"]);
    }

    #[test]
    fn justeras_lists_the_chair_beside_the_adjusters() {
        let t = "Vid protokollet\n\n__________________________\nÅsa Hedström\n\nJusteras\n\n__________________________\nTure Ljung Brandt\nUlf Åkerman\n\n__________________________\nEva-Lena Berglund\n";
        let mut chair = Person::new("Ture Ljung Brandt");
        chair.role = Some("ordförande".into());
        let o = officers(t, &[], &[chair]);
        assert_eq!(o.secretary.as_deref(), Some("Åsa Hedström"));
        assert_eq!(o.chairs, ["Ture Ljung Brandt"]);
        assert_eq!(o.adjusters, ["Ulf Åkerman", "Eva-Lena Berglund"]);
    }

    #[test]
    fn elections_in_the_items() {
        let d = [
            "Socialnämndens arbetsutskott godkänner dagordningen och utser Albin Sjölund (S) till justerare.",
            "Årsmötet beslutade att välja Nils Jönsson till ordförande för mötet. Årsmötet beslutade att välja Karin Ek till sekreterare för mötet.",
        ];
        let o = officers("", &d, &[]);
        assert_eq!(o.adjusters, ["Albin Sjölund"]);
        assert_eq!(o.chairs, ["Nils Jönsson"]);
        assert_eq!(o.secretary.as_deref(), Some("Karin Ek"));
        let o = officers(
            "",
            &["Nämnden utser Per Gunnarsson (S) att jämte ordföranden justera protokollet."],
            &[],
        );
        assert_eq!(o.adjusters, ["Per Gunnarsson"]);
    }

    #[test]
    fn attendance_roles_when_nothing_else_says() {
        let mut a = Person::new("Anna Ek");
        a.role = Some("Ordförande".into());
        let mut b = Person::new("Bo Ek");
        b.role = Some("vice ordförande".into());
        let mut c = Person::new("Cia Ek");
        c.role = Some("nämndsekreterare".into());
        let o = officers("Beslutande\nAnna Ek (S), Ordförande", &[], &[a, b, c]);
        assert_eq!(o.chairs, ["Anna Ek"]);
        assert_eq!(o.secretary.as_deref(), Some("Cia Ek"));
        assert!(o.adjusters.is_empty());
    }
}
