//! Abbreviations and their long forms, so that a query for either finds both.
//! Learned from the archive itself (`Intensiv kontextuell behandling (IKB)`: a long
//! form whose initials spell the letters in brackets) and read from the editable
//! `data/synonyms.txt`.

use std::collections::{BTreeMap, BTreeSet};

const SYNONYMS_FILE: &str = include_str!("../../data/synonyms.txt");

/// Small words that do not count for initials: `Hem för vård eller boende (HVB)`
/// spells H, V, B.
const SMALL_WORDS: &[&str] = &[
    "och", "för", "i", "av", "på", "med", "till", "om", "eller", "samt", "den", "det", "de", "en",
    "ett",
];

/// Separates an abbreviation from its long form in the index's term.
pub const SEP: char = '\u{1f}';

/// `(ABBR)` pairs defined in `text`: abbreviation (uppercase) and long form (lowercase).
pub fn learn_from_text(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut consumed = 0;
    while let Some(open) = rest.find('(') {
        let after = &rest[open + 1..];
        let close = after.find(')');
        if let Some(close) = close {
            let abbr = &after[..close];
            let letters = abbr.chars().count();
            if (2..=6).contains(&letters) && abbr.chars().all(|c| c.is_uppercase()) {
                let before = &text[..consumed + open];
                if let Some(long) = long_form(before, abbr) {
                    out.push((abbr.to_string(), long));
                }
            }
        }
        consumed += open + 1;
        rest = &rest[open + 1..];
    }
    out.sort();
    out.dedup();
    out
}

/// The words right before `(ABBR)` whose initials, small words aside, spell ABBR.
fn long_form(before: &str, abbr: &str) -> Option<String> {
    let words: Vec<&str> = before
        .split_whitespace()
        .rev()
        .take(abbr.chars().count() + 4)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))
        .collect();
    let want: Vec<char> = abbr.chars().flat_map(char::to_lowercase).collect();
    let mut initials: Vec<char> = Vec::new();
    for (n, w) in words.iter().enumerate() {
        if w.is_empty() {
            return None;
        }
        let lower = w.to_lowercase();
        if !SMALL_WORDS.contains(&lower.as_str()) {
            initials.insert(0, lower.chars().next()?);
        }
        if initials.len() == want.len() {
            if initials == want && !SMALL_WORDS.contains(&lower.as_str()) {
                let mut long: Vec<&str> = words[..=n].to_vec();
                long.reverse();
                return Some(long.join(" ").to_lowercase());
            }
            return None;
        }
    }
    None
}

/// Known abbreviations: from the archive and from `data/synonyms.txt`.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    by_abbr: BTreeMap<String, BTreeSet<String>>,
}

impl Synonyms {
    /// The shipped list plus `learned` pairs.
    pub fn with_learned(learned: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut s = Synonyms::default();
        for line in SYNONYMS_FILE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            if let Some((abbr, long)) = line.split_once('=') {
                s.add(abbr.trim(), long.trim());
            }
        }
        for (abbr, long) in learned {
            s.add(&abbr, &long);
        }
        s
    }

    fn add(&mut self, abbr: &str, long: &str) {
        if !abbr.is_empty() && !long.is_empty() {
            self.by_abbr
                .entry(abbr.to_uppercase())
                .or_default()
                .insert(long.to_lowercase());
        }
    }

    /// Every abbreviation (uppercase) with each of its long forms (lowercase), sorted.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_abbr
            .iter()
            .flat_map(|(abbr, longs)| longs.iter().map(move |l| (abbr.as_str(), l.as_str())))
    }

    /// Long forms of an abbreviation (any case).
    pub fn long_forms(&self, word: &str) -> Vec<String> {
        self.by_abbr
            .get(&word.to_uppercase())
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The abbreviation whose long form is exactly `phrase` (lowercase words).
    pub fn abbreviation_of(&self, phrase: &str) -> Option<String> {
        let phrase = phrase.to_lowercase();
        self.by_abbr
            .iter()
            .find(|(_, longs)| longs.contains(&phrase))
            .map(|(a, _)| a.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_forms_are_learned_from_brackets() {
        let t =
            "Intensiv kontextuell behandling (IKB) och Säker digital kommunikation (SDK) som stöd.";
        assert_eq!(
            learn_from_text(t),
            vec![
                (
                    "IKB".to_string(),
                    "intensiv kontextuell behandling".to_string()
                ),
                ("SDK".to_string(), "säker digital kommunikation".to_string())
            ]
        );
        let t = "om hem för vård eller boende (HVB) i länet";
        assert_eq!(
            learn_from_text(t),
            vec![("HVB".to_string(), "hem för vård eller boende".to_string())]
        );
    }

    #[test]
    fn brackets_that_are_no_abbreviation_are_passed_over() {
        for t in [
            "Anna Ek (S), ordförande",
            "Marie Ek (tf.)",
            "planen (se bilaga)",
            "enligt lagen (LSS)",
            "Region Kronoberg (RGK)",
        ] {
            assert!(learn_from_text(t).is_empty(), "{t}");
        }
    }

    #[test]
    fn either_form_finds_the_other() {
        let s = Synonyms::with_learned([(
            "IKB".to_string(),
            "intensiv kontextuell behandling".to_string(),
        )]);
        assert_eq!(s.long_forms("ikb"), ["intensiv kontextuell behandling"]);
        assert_eq!(
            s.abbreviation_of("Intensiv kontextuell behandling")
                .as_deref(),
            Some("IKB")
        );
        assert!(s
            .long_forms("BUP")
            .contains(&"barn- och ungdomspsykiatri".to_string()));
    }
}
