//! What members proposed and who dissented: the motions (`yrkar`) and reservations
//! (`reserverar sig`) of an agenda item.
//! Owns: finding the paragraphs whose verb moves or reserves, and the members named
//! before the verb (`2:e vice ordförande Shabnam Zamani (S) och May-Louise Flyrin (S)
//! yrkar bifall till …`): each name is the run of capitalised words before a party mark,
//! or, without party marks, the names the subject gives once its titles are set aside.

use serde::{Deserialize, Serialize};

use super::lines::word_positions;
use super::persons::{is_party_mark, NameModel};

/// A motion (`yrkande`) or a reservation, with who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stance {
    /// The members named as making it; empty when a party or group is the subject
    /// (`Socialdemokraterna reserverar sig`).
    pub by: Vec<String>,
    /// The paragraph as printed, whitespace collapsed.
    pub text: String,
}

/// Verbs of a motion, as the subject's verb.
const MOTION_VERBS: &[&str] = &["yrkar", "yrkade", "föreslår att", "föreslog att"];
/// Verbs of a reservation.
const RESERVATION_VERBS: &[&str] = &[
    "reserverar sig",
    "reserverade sig",
    "vill reservera sig",
    "anmäler reservation",
    "lämnar en skriftlig reservation",
];

/// Titles that stand before a member's name in a sentence.
const TITLES: &[&str] = &[
    "ordförande",
    "ordföranden",
    "vice",
    "1:e",
    "2:e",
    "3:e",
    "förste",
    "andre",
    "ledamot",
    "ledamoten",
    "ersättare",
    "ersättaren",
    "tjänstgörande",
];

/// The motions and the reservations of an item's text.
pub fn motions_and_reservations(text: &str, model: &NameModel) -> (Vec<Stance>, Vec<Stance>) {
    let mut motions = Vec::new();
    let mut reservations = Vec::new();
    // The verbs are written in lower case after their subject: a paragraph without
    // their stems needs no closer look.
    if !["yrka", "reserv", "föresl", "Reserv"]
        .iter()
        .any(|s| text.contains(s))
    {
        return (motions, reservations);
    }
    for paragraph in paragraphs(text) {
        if !["yrka", "reserv", "föresl"]
            .iter()
            .any(|s| paragraph.contains(s))
        {
            continue;
        }
        let lower = paragraph.to_lowercase();
        if let Some(at) = verb_position(&lower, RESERVATION_VERBS) {
            reservations.push(stance(&paragraph, &lower, at, model));
        } else if let Some(at) = verb_position(&lower, MOTION_VERBS) {
            motions.push(stance(&paragraph, &lower, at, model));
        }
    }
    (motions, reservations)
}

/// Paragraphs: lines joined up to a blank line or a section label (`Reservation`,
/// `Beslutsgång`), whitespace collapsed.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        let label = super::items::is_label(line.trim()) && !line.contains(' ');
        if line.trim().is_empty() || label {
            if !current.is_empty() {
                out.push(
                    current
                        .join(" ")
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                );
                current.clear();
            }
        } else {
            current.push(line.trim());
        }
    }
    out
}

/// Where the first of `verbs` stands as words of their own in the first sentence of
/// a paragraph that begins with a capital (its subject); `None` when none does.
fn verb_position(lower: &str, verbs: &[&str]) -> Option<usize> {
    let first_sentence_end = lower.find(". ").unwrap_or(lower.len());
    verbs
        .iter()
        .filter_map(|v| {
            word_positions(lower, v).find(|&p| {
                p > 0 && p < first_sentence_end && lower.get(..p).is_some_and(|b| b.ends_with(' '))
            })
        })
        .min()
}

fn stance(paragraph: &str, lower: &str, at: usize, model: &NameModel) -> Stance {
    // `at` was found in the lowercased text: take the subject by words, not bytes.
    let words_before = lower.get(..at).map_or(0, |s| s.split_whitespace().count());
    let subject: Vec<&str> = paragraph.split_whitespace().take(words_before).collect();
    Stance {
        by: members(&subject, model),
        text: paragraph.to_string(),
    }
}

/// The members a subject names: before each party mark, the capitalised words that run
/// back to a title, `och` or a comma; without party marks, the subject's names once
/// titles are dropped.
fn members(subject: &[&str], model: &NameModel) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let marks: Vec<usize> = (0..subject.len())
        .filter(|&k| is_party_mark(subject[k]))
        .collect();
    if !marks.is_empty() {
        for k in marks {
            let run: Vec<&str> = subject[..k]
                .iter()
                .rev()
                .take_while(|w| {
                    let w = w.trim_end_matches(',');
                    w.starts_with(char::is_uppercase)
                        && !TITLES.contains(&w.to_lowercase().as_str())
                        && !is_party_mark(w)
                })
                .take(4)
                .copied()
                .collect();
            if run.len() >= 2 {
                let name: Vec<&str> = run.into_iter().rev().collect();
                let name = name.join(" ").trim_end_matches(',').to_string();
                if !out.contains(&name) {
                    out.push(name);
                }
            }
        }
        return out;
    }
    let without_titles: Vec<&str> = subject
        .iter()
        .copied()
        .filter(|w| !TITLES.contains(&w.to_lowercase().as_str()))
        .collect();
    super::officers::names_in_cells(&without_titles.join(" "), model)
        .into_iter()
        .filter(|n| n.split_whitespace().any(|w| model.is_first_name(w)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn motions_and_reservations_with_their_members() {
        let text = "Beslutsgång\n\n2:e vice ordförande Shabnam Zamani (S) och May-Louise Flyrin (S) yrkar bifall till\nförvaltningens förslag.\n\nOrdförande Axel Storckenfeldt (M) yrkar bifall till liggande förslag.\n\nOrdföranden ställer proposition och finner att nämnden bifaller förslaget.\n\nReservation\n\nShabnam Zamani (S) och May-Louise Flyrin (S) reserverar sig mot beslutet.\n\nSocialdemokraterna reserverar sig till yrkandet.";
        let (motions, reservations) = motions_and_reservations(text, &NameModel::default());
        assert_eq!(motions.len(), 2);
        assert_eq!(motions[0].by, ["Shabnam Zamani", "May-Louise Flyrin"]);
        assert!(motions[0].text.ends_with("förvaltningens förslag."));
        assert_eq!(motions[1].by, ["Axel Storckenfeldt"]);
        assert_eq!(reservations.len(), 2);
        assert_eq!(reservations[0].by, ["Shabnam Zamani", "May-Louise Flyrin"]);
        assert!(reservations[1].by.is_empty());
    }

    #[test]
    fn a_proposal_in_running_text_is_no_motion() {
        let text = "Förvaltningen redovisar att nämnden tidigare har beslutat. Den som yrkar ska göra det skriftligt.";
        let (motions, reservations) = motions_and_reservations(text, &NameModel::default());
        assert!(motions.is_empty() && reservations.is_empty(), "{motions:?}");
    }

    #[test]
    fn names_without_party_marks() {
        let text = "Anna Karlsson yrkar att styrelsen avslår förslaget.";
        let (motions, _) = motions_and_reservations(text, &NameModel::default());
        assert_eq!(motions[0].by, ["Anna Karlsson"]);
    }
}
