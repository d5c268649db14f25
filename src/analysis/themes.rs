//! Themes: the topic facet. A theme is a name and the terms (words and phrases) that
//! speak of it, read from an editable TOML file (`data/themes.toml` is shipped).
//! An agenda item is tagged with a theme when its title or its text uses the
//! theme's terms, matched by the same Swedish analysis as search: the stem of every
//! inflection, the words inside compounds, and an abbreviation's long form (and the
//! other way round).
//!
//! An item has one theme, its subject. The title decides: of the themes it names, the
//! one the item speaks of most (title and text), the first named on a tie; a cross-
//! cutting theme (`aspect = true`: money, agreements, staff, governance) yields to a
//! subject it is about (`Finansiering av IKB` is IKB). A title that names none leaves
//! it to the text: its most used theme, if used at least twice — one mention is a
//! passing one. A narrower theme (one whose terms are compounds of another theme's
//! term: `skolfrånvaro` of `skola`) the text uses at least twice takes the place of
//! the broader one. A use is a mention: a phrase counts once. A word one theme names
//! whole counts for no theme that only names a word inside it (`vuxenpsykiatrin` is
//! vuxenpsykiatri, not psykiatri). Words that name rather than speak of a subject do
//! not count: a body (`Kultur- och fritidsnämnden`), a name (`samordnande grupp
//! Äldre`, `Sandvalla Energi AB`), the law a matter is handled under (`enligt LSS`).

use std::path::Path;

use rustc_hash::FxHashMap;
use serde::Deserialize;

use crate::analysis::synonyms::Synonyms;
use crate::analysis::tokenize::{coordinated_keys, words_of};
use crate::config::Config;
use crate::error::{Error, Result};

const SHIPPED: &str = include_str!("../../data/themes.toml");

/// Words before a name that leave it a name of its own (`för Barnahus`), and not an
/// apposition to the noun before it (`grupp Äldre`).
const FUNCTION_WORDS: &[&str] = &[
    "i", "på", "av", "för", "om", "med", "till", "vid", "inom", "och", "eller", "samt", "enligt",
    "mot", "från", "efter", "under", "inför", "kring", "över", "genom", "utan", "hos", "mellan",
    "en", "ett", "den", "det", "de", "som", "att", "är", "ska", "har", "kan", "var", "blev",
];

/// Endings of the words that name a body (`socialnämnden`, `kommunstyrelsen`).
const BODY_ENDINGS: &[&str] = &[
    "nämnd",
    "nämnden",
    "nämnds",
    "nämndens",
    "styrelse",
    "styrelsen",
    "styrelsens",
    "förvaltning",
    "förvaltningen",
    "förvaltningens",
    "utskott",
    "utskottet",
    "utskottets",
];

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
    /// A cross-cutting theme (money, agreements, staff, governance) that yields to the
    /// subject a title names with it.
    #[serde(default)]
    aspect: bool,
}

/// One theme with its terms analysed: each term is the sequence of its words' keys.
#[derive(Debug, Clone)]
struct Theme {
    name: String,
    terms: Vec<Vec<String>>,
    aspect: bool,
    /// The themes narrower than this one (indexes).
    narrower: Vec<usize>,
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
    /// Where the word is in the text (bytes).
    from: usize,
    to: usize,
    /// The word names rather than speaks of a subject: part of a name, a body, or the
    /// law after `enligt`.
    naming: bool,
    /// The word names a body (checked word by word, also inside a phrase).
    body: bool,
}

/// The words of `text` as search analyses them: each word's key, and the keys of the
/// words inside it (its compound parts, and the compound a coordinated member stands
/// for: `hälso-` in `hälso- och sjukvård`).
fn analyse(text: &str) -> Analysed {
    let mut words: Vec<Word> = Vec::new();
    for w in words_of(text).iter() {
        let at = w.position();
        if words.len() <= at {
            words.resize_with(at + 1, Word::default);
        }
        let Some(slot) = words.get_mut(at) else {
            continue;
        };
        let (from, to) = w.offsets();
        let analysis = w.analysis();
        let mut parts = coordinated_keys(text, to, w.lower());
        parts.extend(analysis.parts.iter().cloned());
        *slot = Word {
            key: analysis.key.clone(),
            parts,
            from,
            to,
            ..Word::default()
        };
    }
    mark_naming(text, &mut words);
    Analysed { words }
}

fn capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

fn all_caps(w: &str) -> bool {
    w.chars().count() > 1 && w.chars().all(|c| !c.is_lowercase())
}

/// Marks the words that name rather than speak of a subject (see `Word::naming`).
fn mark_naming(text: &str, words: &mut [Word]) {
    let slice = |from: usize, to: usize| text.get(from..to).unwrap_or("");
    let raw: Vec<&str> = words.iter().map(|w| slice(w.from, w.to)).collect();
    // The text between word i - 1 and word i.
    let gap = |i: usize| -> &str {
        match (i.checked_sub(1).and_then(|p| words.get(p)), words.get(i)) {
            (Some(p), Some(w)) if p.to <= w.from => slice(p.to, w.from),
            _ => "",
        }
    };
    let mut naming = vec![false; words.len()];
    let mut body = vec![false; words.len()];
    for (i, w) in raw.iter().enumerate() {
        let lower = w.to_lowercase();
        // A body: `socialnämnden`, and `kultur` in `Kultur- och fritidsnämnden`.
        let is_body =
            |l: &str| l.chars().count() > 6 && BODY_ENDINGS.iter().any(|e| l.ends_with(e));
        let coordinated = gap(i + 1)
            .strip_prefix('-')
            .is_some_and(|g| !g.is_empty() && g.chars().all(char::is_whitespace))
            && raw
                .get(i + 1)
                .is_some_and(|c| matches!(c.to_lowercase().as_str(), "och" | "eller"))
            && gap(i + 2).chars().all(char::is_whitespace)
            && raw.get(i + 2).is_some_and(|b| is_body(&b.to_lowercase()));
        body[i] = is_body(&lower) || coordinated;
        // A name: a capitalised word (not an abbreviation) next to another capitalised
        // word (`Sandvalla Energi AB`), or after a noun (`grupp Äldre`).
        if capitalised(w) && !all_caps(w) {
            let next = (gap(i + 1).chars().all(|c| c == ' ') && !gap(i + 1).is_empty())
                .then(|| raw.get(i + 1))
                .flatten();
            let prev = (gap(i) == " ")
                .then(|| i.checked_sub(1).and_then(|p| raw.get(p)))
                .flatten();
            let prev_not_initial = i >= 1 && {
                let before = slice(0, words[i - 1].from).trim_end();
                before
                    .chars()
                    .next_back()
                    .is_some_and(|c| !".:!?–-".contains(c))
            };
            naming[i] = next.is_some_and(|n| capitalised(n))
                || prev.is_some_and(|p| capitalised(p) && (prev_not_initial || all_caps(p)))
                || prev.is_some_and(|p| {
                    !capitalised(p) && !FUNCTION_WORDS.contains(&p.to_lowercase().as_str())
                });
        }
        // The law a matter is handled under: up to six words after `enligt`, with no
        // punctuation between.
        for back in 1..=6 {
            let Some(j) = i.checked_sub(back) else { break };
            if !gap(j + 1).chars().all(|c| c.is_whitespace() || c == '-') {
                break;
            }
            if raw[j].eq_ignore_ascii_case("enligt") {
                naming[i] = true;
                break;
            }
        }
    }
    for (w, (n, b)) in words.iter_mut().zip(naming.into_iter().zip(body)) {
        w.naming = n;
        w.body = b;
    }
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
    /// The mentions of each theme, in order: the first word of each, where a phrase is
    /// one mention. A word counts only for the themes that match it most specifically
    /// (`vuxenpsykiatrin` is vuxenpsykiatri, not psykiatri; `digital ungdomsmottagning`
    /// is the phrase, not digital), and not at all where it names rather than speaks of
    /// a subject (see `Word::naming`).
    fn mentions(&self, themes: &Themes) -> Vec<Vec<usize>> {
        self.counted(themes)
            .into_iter()
            .map(|at| {
                at.into_iter()
                    .filter(|&(i, starts)| starts && !self.words[i].naming && !self.words[i].body)
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect()
    }

    /// The words each theme is counted at, in order, and whether each starts a mention
    /// (see `mentions`). A one-word term matches a word as its key or a key inside it, a
    /// phrase consecutive words; terms are found through their first key.
    fn counted(&self, themes: &Themes) -> Vec<Vec<(usize, bool)>> {
        let mut fits: Vec<Vec<(usize, Fit, bool)>> = vec![Vec::new(); themes.themes.len()];
        for (i, w) in self.words.iter().enumerate() {
            for &(t, k) in themes.by_first_key.get(&w.key).into_iter().flatten() {
                let term = &themes.themes[t].terms[k];
                let rest_fits = term
                    .iter()
                    .enumerate()
                    .skip(1)
                    .all(|(j, p)| self.words.get(i + j).is_some_and(|w| w.key == *p));
                match term.len() {
                    1 => fits[t].push((i, Fit::Whole, true)),
                    n if rest_fits => {
                        fits[t].extend((i..i + n).map(|j| (j, Fit::Phrase, j == i)));
                    }
                    _ => {}
                }
            }
            for part in w.parts.iter().filter(|p| **p != w.key) {
                for &(t, k) in themes.by_first_key.get(part).into_iter().flatten() {
                    if themes.themes[t].terms[k].len() == 1 {
                        fits[t].push((i, Fit::Part, true));
                    }
                }
            }
        }
        let mut best = vec![None::<Fit>; self.words.len()];
        for m in &mut fits {
            // The most specific fit at each word.
            m.sort_by_key(|&(i, fit, starts)| {
                (i, std::cmp::Reverse(fit), std::cmp::Reverse(starts))
            });
            m.dedup_by_key(|(i, _, _)| *i);
            for &(i, fit, _) in m.iter() {
                if let Some(b) = best.get_mut(i) {
                    *b = (*b).max(Some(fit));
                }
            }
        }
        fits.iter()
            .map(|m| {
                m.iter()
                    .filter(|&&(i, fit, _)| best.get(i).copied().flatten() == Some(fit))
                    .map(|&(i, _, starts)| (i, starts))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// The text of a themes file.
fn text_of(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })
}

/// The digest of a themes file's text.
fn digest(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex().to_string()
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

    /// The [`Themes::fingerprint`] of the themes `config` names, without parsing
    /// them: what a look at whether the index is current needs (a file whose
    /// digest is the recorded one was read without error when it was recorded).
    pub fn fingerprint_of(config: &Config) -> Result<String> {
        match &config.themes_file {
            Some(path) => Ok(digest(&text_of(path)?)),
            None => Ok(digest(SHIPPED)),
        }
    }

    /// Reads a themes file.
    pub fn read(path: &Path) -> Result<Themes> {
        let text = text_of(path)?;
        Themes::parse(&text).map_err(|e| Error::InvalidArgument(format!("{}: {e}", path.display())))
    }

    /// Parses the TOML text of a themes file: `[[theme]]` tables with a `name` and
    /// `terms`. A theme without terms, or a name given twice, is an error.
    pub fn parse(text: &str) -> std::result::Result<Themes, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let synonyms = Synonyms::with_learned(Vec::new());
        let mut themes: Vec<Theme> = Vec::new();
        // The compound parts of each theme's one-word terms.
        let mut term_parts: Vec<Vec<String>> = Vec::new();
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
            let mut parts: Vec<String> = Vec::new();
            for w in written {
                let words = analyse(&w).words;
                if let [word] = words.as_slice() {
                    parts.extend(word.parts.iter().cloned());
                }
                let keys: Vec<String> = words.into_iter().map(|w| w.key).collect();
                if !keys.is_empty() && !terms.contains(&keys) {
                    terms.push(keys);
                }
            }
            if terms.is_empty() {
                return Err(format!("the theme {name:?} has no terms"));
            }
            themes.push(Theme {
                name,
                terms,
                aspect: entry.aspect,
                narrower: Vec::new(),
            });
            term_parts.push(parts);
        }
        // A theme is narrower than another when a word inside one of its terms is one of
        // the other's (`skolfrånvaro`: `skola`), and not one of its own.
        let words: Vec<Vec<String>> = themes
            .iter()
            .map(|t| {
                t.terms
                    .iter()
                    .filter(|k| k.len() == 1)
                    .flatten()
                    .cloned()
                    .collect()
            })
            .collect();
        for a in 0..themes.len() {
            for b in 0..themes.len() {
                let inside = term_parts[a]
                    .iter()
                    .any(|p| words[b].contains(p) && !words[a].contains(p));
                if a != b && inside {
                    themes[b].narrower.push(a);
                }
            }
        }
        Ok(Themes {
            by_first_key: index_terms(&themes),
            themes,
            fingerprint: digest(text),
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

    /// The theme of an agenda item with `title` and `text` (none or one, see the
    /// module's doc): the theme its title names, else the text's main theme.
    pub fn tag(&self, title: &str, text: &str) -> Vec<String> {
        let named = analyse(title).mentions(self);
        let used = analyse(text).mentions(self);
        let first = |m: &[Vec<usize>], t: usize| m[t].first().copied().unwrap_or(usize::MAX);
        let mut in_title: Vec<usize> = (0..self.themes.len())
            .filter(|&t| !named[t].is_empty())
            .collect();
        if in_title.iter().any(|&t| !self.themes[t].aspect) {
            in_title.retain(|&t| !self.themes[t].aspect);
        }
        // The most spoken of (title and text), the first named on a tie.
        let chosen = if in_title.is_empty() {
            (0..self.themes.len())
                .filter(|&t| used[t].len() >= 2)
                .min_by_key(|&t| (std::cmp::Reverse(used[t].len()), first(&used, t), t))
        } else {
            in_title.iter().copied().min_by_key(|&t| {
                (
                    std::cmp::Reverse(named[t].len() + used[t].len()),
                    first(&named, t),
                    t,
                )
            })
        };
        // A narrower theme the text speaks of takes the broader one's place.
        let chosen = chosen.map(|b| {
            self.themes[b]
                .narrower
                .iter()
                .copied()
                .filter(|&a| used[a].len() >= 2)
                .min_by_key(|&a| (std::cmp::Reverse(used[a].len()), a))
                .unwrap_or(b)
        });
        chosen
            .map(|t| self.themes[t].name.clone())
            .into_iter()
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
        // One mention is a passing one, even when no other theme is mentioned.
        assert!(t.tag("Lägesrapport", "Budget för nästa år.").is_empty());
        // One theme: of two used equally often, the first used.
        let both = "Kostnad för placering. Placering i HVB har en hög kostnad.";
        assert_eq!(t.tag("Rapport", both), ["Placeringar"]);
        // A phrase is one mention.
        assert!(t.tag("Rapport", "Omställningen till nära vård.").is_empty());
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
    fn one_subject_an_aspect_yields_and_a_narrower_theme_takes_over() {
        let t = Themes::parse(
            r#"
            [[theme]]
            name = "Ekonomi"
            aspect = true
            terms = ["finansiering", "kostnad"]

            [[theme]]
            name = "IKB"
            terms = ["IKB"]

            [[theme]]
            name = "Skola"
            terms = ["skola", "elever"]

            [[theme]]
            name = "Skolfrånvaro"
            terms = ["skolfrånvaro", "frånvaro"]

            [[theme]]
            name = "Äldre"
            terms = ["äldre", "äldreomsorg"]

            [[theme]]
            name = "Läkemedel"
            terms = ["läkemedel"]

            [[theme]]
            name = "Funktionsnedsättning"
            terms = ["LSS"]
            "#,
        )
        .expect("parses");
        assert_eq!(t.tag("Finansiering av IKB", ""), ["IKB"]);
        assert_eq!(
            t.tag("Budgetuppföljning", "Kostnad och kostnad."),
            ["Ekonomi"]
        );
        // Of two subjects, the one the item speaks of most, else the first named.
        assert_eq!(t.tag("Läkemedel i äldreomsorgen", ""), ["Läkemedel"]);
        assert_eq!(
            t.tag("Läkemedel för äldre", "Äldre och äldreomsorg."),
            ["Äldre"]
        );
        // `skolfrånvaro` is a compound of `skola`: the narrower theme.
        let text = "Frånvaro bland elever. Skolfrånvaro ökar.";
        assert_eq!(t.tag("Trygg skola", text), ["Skolfrånvaro"]);
        assert_eq!(t.tag("Trygg skola", "Frånvaro bland elever."), ["Skola"]);
        // Names, bodies and the law a matter is handled under name no subject.
        assert!(t
            .tag("Byte av deltagare i samordnande grupp Äldre", "")
            .is_empty());
        assert!(t.tag("Ägardirektiv för Sandvalla Äldre AB", "").is_empty());
        assert!(t
            .tag("Delegationsordning för äldreomsorgsnämnden", "")
            .is_empty());
        assert!(t.tag("Yttrande om vård enligt LSS", "").is_empty());
        assert_eq!(t.tag("Samverkan kring äldre", ""), ["Äldre"]);
    }

    /// The digest a look at the index compares is the one the parsed themes carry,
    /// for the shipped themes and for a file; a missing file is an error.
    #[test]
    fn the_fingerprint_without_parsing_is_the_parsed_one() {
        let tmp = tempfile::tempdir().unwrap();
        let mut config = Config::new(tmp.path().join("c"), tmp.path().join("i"));
        let shipped = Themes::fingerprint_of(&config).unwrap();
        assert_eq!(shipped, Themes::of(&config).unwrap().fingerprint());
        let file = tmp.path().join("teman.toml");
        std::fs::write(
            &file,
            "[[theme]]\nname = \"Vatten\"\nterms = [\"vattenledning\"]\n",
        )
        .unwrap();
        config.themes_file = Some(file.clone());
        let own = Themes::fingerprint_of(&config).unwrap();
        assert_eq!(own, Themes::of(&config).unwrap().fingerprint());
        assert_ne!(own, shipped);
        config.themes_file = Some(tmp.path().join("saknas.toml"));
        assert!(Themes::fingerprint_of(&config).is_err());
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
