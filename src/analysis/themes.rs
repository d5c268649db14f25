//! Themes: the topic facet. A theme is a name and the terms (words and phrases) that
//! speak of it, read from an editable TOML file (`data/themes.toml` is shipped).
//! An agenda item is tagged with a theme when its title or its text uses the
//! theme's terms, matched by the same Swedish analysis as search: the stem of every
//! inflection, the words inside compounds, and an abbreviation's long form (and the
//! other way round).
//!
//! The title decides: the themes an item's title names are its themes. A title that
//! names none leaves it to the text, whose main themes are the item's: each used at
//! least twice (or the only one used), and not far less (under a third as often) than
//! the most used — less is a passing mention. A word one theme names whole counts for
//! no theme that only names a word inside it (`vuxenpsykiatrin` is vuxenpsykiatri, not
//! psykiatri).

use std::cell::RefCell;
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::synonyms::Synonyms;
use crate::analysis::tokenize::{parts_analyzer, stemmed_analyzer};
use crate::config::Config;
use crate::error::{Error, Result};

const SHIPPED: &str = include_str!("../../data/themes.toml");

/// A passing mention: a theme the text uses less than this share of its main theme's
/// uses is left out.
const MENTION_SHARE: f32 = 1.0 / 3.0;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    theme: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    terms: Vec<String>,
}

/// One theme with its terms analysed: each term is the sequence of its words' keys.
#[derive(Debug, Clone)]
struct Theme {
    name: String,
    terms: Vec<Vec<String>>,
}

/// The themes of an archive, in the order of their file.
#[derive(Debug, Clone)]
pub struct Themes {
    themes: Vec<Theme>,
    /// Where each term begins (see [`index_terms`]).
    by_first_key: FxHashMap<String, Vec<(usize, usize)>>,
    fingerprint: String,
}

/// An analysed text, word by word: each word's key, and the keys of the words inside
/// it (its compound parts, the compounds inside it).
struct Analysed {
    words: Vec<Word>,
}

#[derive(Default)]
struct Word {
    key: String,
    parts: Vec<String>,
}

thread_local! {
    static ANALYZERS: RefCell<(TextAnalyzer, TextAnalyzer)> =
        RefCell::new((stemmed_analyzer(), parts_analyzer()));
}

fn analyse(text: &str) -> Analysed {
    ANALYZERS.with(|a| {
        let (stem, parts) = &mut *a.borrow_mut();
        let mut words: Vec<Word> = Vec::new();
        let mut stream = stem.token_stream(text);
        while let Some(t) = stream.next() {
            if words.len() <= t.position {
                words.resize_with(t.position + 1, Word::default);
            }
            if let Some(w) = words.get_mut(t.position) {
                w.key = t.text.clone();
            }
        }
        let mut stream = parts.token_stream(text);
        while let Some(t) = stream.next() {
            if let Some(w) = words.get_mut(t.position) {
                w.parts.push(t.text.clone());
            }
        }
        Analysed { words }
    })
}

/// How a term matched at a word, from the least specific: a word inside it, the whole
/// word, a phrase over it and its neighbours.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    Part,
    Whole,
    Phrase,
}

impl Analysed {
    /// How often each theme is used: the words its terms match (a one-word term as the
    /// word's key or a key inside it, a phrase as consecutive words), where a word
    /// counts only for the themes that match it most specifically: `vuxenpsykiatrin`
    /// is vuxenpsykiatri, not psykiatri; `digital ungdomsmottagning` is the phrase,
    /// not digital.
    fn uses(&self, themes: &Themes) -> Vec<usize> {
        let mut fits: Vec<Vec<(usize, Fit)>> = vec![Vec::new(); themes.themes.len()];
        for (i, w) in self.words.iter().enumerate() {
            for &(t, k) in themes.by_first_key.get(&w.key).into_iter().flatten() {
                let term = &themes.themes[t].terms[k];
                let rest_fits = term
                    .iter()
                    .enumerate()
                    .skip(1)
                    .all(|(j, p)| self.words.get(i + j).is_some_and(|w| w.key == *p));
                match term.len() {
                    1 => fits[t].push((i, Fit::Whole)),
                    n if rest_fits => fits[t].extend((i..i + n).map(|j| (j, Fit::Phrase))),
                    _ => {}
                }
            }
            for part in w.parts.iter().filter(|p| **p != w.key) {
                for &(t, k) in themes.by_first_key.get(part).into_iter().flatten() {
                    if themes.themes[t].terms[k].len() == 1 {
                        fits[t].push((i, Fit::Part));
                    }
                }
            }
        }
        let mut best = vec![None::<Fit>; self.words.len()];
        for m in &mut fits {
            // The most specific fit at each word.
            m.sort_by_key(|&(i, fit)| (i, std::cmp::Reverse(fit)));
            m.dedup_by_key(|(i, _)| *i);
            for &(i, fit) in m.iter() {
                if let Some(b) = best.get_mut(i) {
                    *b = (*b).max(Some(fit));
                }
            }
        }
        fits.iter()
            .map(|m| {
                m.iter()
                    .filter(|&&(i, fit)| best.get(i).copied().flatten() == Some(fit))
                    .count()
            })
            .collect()
    }
}

/// Where each term begins: the key of its first word → (theme, term) indexes.
fn index_terms(themes: &[Theme]) -> FxHashMap<String, Vec<(usize, usize)>> {
    let mut by_first: FxHashMap<String, Vec<(usize, usize)>> = FxHashMap::default();
    for (t, theme) in themes.iter().enumerate() {
        for (k, term) in theme.terms.iter().enumerate() {
            if let Some(first) = term.first() {
                by_first.entry(first.clone()).or_default().push((t, k));
            }
        }
    }
    by_first
}

impl Themes {
    /// The themes shipped with the program (`data/themes.toml`).
    pub fn shipped() -> Themes {
        Themes::parse(SHIPPED).unwrap_or_else(|_| Themes {
            themes: Vec::new(),
            by_first_key: FxHashMap::default(),
            fingerprint: String::new(),
        })
    }

    /// The themes `config` names: its themes file, else the shipped ones.
    pub fn of(config: &Config) -> Result<Themes> {
        match &config.themes_file {
            Some(path) => Themes::read(path),
            None => Ok(Themes::shipped()),
        }
    }

    /// Reads a themes file.
    pub fn read(path: &Path) -> Result<Themes> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Themes::parse(&text).map_err(|e| Error::InvalidArgument(format!("{}: {e}", path.display())))
    }

    /// Parses the TOML text of a themes file: `[[theme]]` tables with a `name` and
    /// `terms`. A theme without terms, or a name given twice, is an error.
    pub fn parse(text: &str) -> std::result::Result<Themes, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let synonyms = Synonyms::with_learned(Vec::new());
        let mut themes: Vec<Theme> = Vec::new();
        for entry in file.theme {
            let name = entry.name.trim().to_string();
            if name.is_empty() {
                return Err("a theme without a name".into());
            }
            if themes.iter().any(|t| t.name.eq_ignore_ascii_case(&name)) {
                return Err(format!("the theme {name:?} is given twice"));
            }
            let mut written: Vec<String> = Vec::new();
            for term in &entry.terms {
                let term = term.trim();
                if term.is_empty() {
                    continue;
                }
                written.push(term.to_string());
                if !term.contains(char::is_whitespace) {
                    written.extend(synonyms.long_forms(term));
                } else if let Some(abbr) = synonyms.abbreviation_of(&term.to_lowercase()) {
                    written.push(abbr);
                }
            }
            let mut terms: Vec<Vec<String>> = Vec::new();
            for w in written {
                let keys: Vec<String> = analyse(&w).words.into_iter().map(|w| w.key).collect();
                if !keys.is_empty() && !terms.contains(&keys) {
                    terms.push(keys);
                }
            }
            if terms.is_empty() {
                return Err(format!("the theme {name:?} has no terms"));
            }
            themes.push(Theme { name, terms });
        }
        Ok(Themes {
            by_first_key: index_terms(&themes),
            themes,
            fingerprint: blake3::hash(text.as_bytes()).to_hex().to_string(),
        })
    }

    /// A digest of the file the themes were read from: an index tagged with other
    /// themes is re-tagged.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The themes' names, in the file's order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.themes.iter().map(|t| t.name.as_str())
    }

    /// The themes of an agenda item with `title` and `text`, in the file's order: the
    /// themes its title names; else the text's main themes, each used at least twice
    /// (or the only theme used) and at least a third as often as the most used.
    pub fn tag(&self, title: &str, text: &str) -> Vec<String> {
        let named = analyse(title).uses(self);
        let chosen: Vec<bool> = if named.iter().any(|&n| n > 0) {
            named.iter().map(|&n| n > 0).collect()
        } else {
            let used = analyse(text).uses(self);
            let main = used.iter().copied().max().unwrap_or(0);
            let used_themes = used.iter().filter(|&&n| n > 0).count();
            used.iter()
                .map(|&n| {
                    n > 0 && (n >= 2 || used_themes == 1) && n as f32 >= main as f32 * MENTION_SHARE
                })
                .collect()
        };
        self.themes
            .iter()
            .zip(chosen)
            .filter(|(_, keep)| *keep)
            .map(|(t, _)| t.name.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn themes() -> Themes {
        Themes::parse(
            r#"
            [[theme]]
            name = "Suicidprevention"
            terms = ["suicid", "självmord"]

            [[theme]]
            name = "Placeringar"
            terms = ["placering", "HVB"]

            [[theme]]
            name = "Ekonomi"
            terms = ["budget", "kostnad"]

            [[theme]]
            name = "Nära vård"
            terms = ["nära vård"]
            "#,
        )
        .expect("parses")
    }

    #[test]
    fn the_shipped_themes_parse() {
        let shipped = Themes::parse(SHIPPED).expect("data/themes.toml parses");
        assert!(shipped.names().count() >= 17);
        assert!(shipped.names().any(|n| n == "Suicidprevention"));
    }

    #[test]
    fn inflections_compounds_and_abbreviations_match() {
        let t = themes();
        // An inflection, and a word inside a compound, named in the title.
        assert_eq!(t.tag("Placeringarna under året", ""), ["Placeringar"]);
        assert_eq!(t.tag("Suicidpreventiva insatser", ""), ["Suicidprevention"]);
        // HVB stands for its long form (data/synonyms.txt) and the other way round.
        assert_eq!(t.tag("Hem för vård eller boende", ""), ["Placeringar"]);
        // A phrase matches as consecutive words only.
        assert_eq!(t.tag("Vård nära hemmet", ""), Vec::<String>::new());
        assert_eq!(t.tag("Omställningen till nära vård", ""), ["Nära vård"]);
    }

    #[test]
    fn a_passing_mention_is_not_a_theme() {
        let t = themes();
        let text = "Antalet suicid har ökat. Arbetet mot självmord fortsätter och suicid \
                    förebyggs i skolan. Insatserna ryms i budget.";
        assert_eq!(t.tag("Lägesrapport", text), ["Suicidprevention"]);
        // One use in a text of one theme is that text's theme.
        assert_eq!(t.tag("Lägesrapport", "Budget för nästa år."), ["Ekonomi"]);
        // Two themes used equally often are both the item's.
        let both = "Kostnad för placering. Placering i HVB har en hög kostnad.";
        assert_eq!(t.tag("Rapport", both), ["Placeringar", "Ekonomi"]);
        // Procedure has no theme.
        assert!(t
            .tag("Mötets öppnande", "Ordföranden öppnade mötet.")
            .is_empty());
    }

    #[test]
    fn the_title_decides_and_a_whole_word_beats_a_word_inside_it() {
        let t = Themes::parse(
            r#"
            [[theme]]
            name = "Psykisk hälsa"
            terms = ["psykiatri", "psykisk hälsa"]

            [[theme]]
            name = "Vuxenpsykiatri"
            terms = ["vuxenpsykiatri"]

            [[theme]]
            name = "Kompetensförsörjning"
            terms = ["rekrytering", "kompetens"]
            "#,
        )
        .expect("parses");
        assert_eq!(
            t.tag("Vuxenpsykiatrin – lägesrapport", ""),
            ["Vuxenpsykiatri"]
        );
        assert_eq!(
            t.tag("Barn- och ungdomspsykiatrin", ""),
            ["Psykisk hälsa"],
            "no theme names the word whole, so the word inside it counts"
        );
        // The text speaks of staff, but the title names the theme.
        let text = "Rekrytering är svår. Rekrytering av läkare och kompetens inom psykiatrin.";
        assert_eq!(t.tag("Psykisk hälsa bland unga", text), ["Psykisk hälsa"]);
        assert_eq!(t.tag("Lägesrapport", text), ["Kompetensförsörjning"]);
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        assert!(Themes::parse("[[theme]]\nname = \"A\"\nterms = []\n")
            .unwrap_err()
            .contains("no terms"));
        let twice =
            "[[theme]]\nname = \"A\"\nterms = [\"x\"]\n[[theme]]\nname = \"a\"\nterms = [\"y\"]\n";
        assert!(Themes::parse(twice).unwrap_err().contains("twice"));
        assert!(Themes::parse("[[theme]]\nnamn = \"A\"\n").is_err());
        assert!(Themes::parse("not toml [").is_err());
        assert_ne!(
            themes().fingerprint(),
            Themes::parse("").expect("empty is no themes").fingerprint()
        );
    }
}
