//! The Swedish lexicon: which word forms exist, what their lemma is, and which
//! of them may begin, sit inside or end a compound.
//! Owns: lookups in `data/lexicon` (built from the hunspell `sv_SE` dictionary
//! by `scripts/build_lexicon.py`; LGPL-3, see `data/lexicon/README.md`) and
//! compound splitting with its precision guards.
//!
//! A form is analysed the way hunspell does it: the form itself as a stem, or a
//! stem plus one suffix rule whose condition the stem meets. The stems file is
//! sorted, so a lookup is a binary search; nothing is expanded up front.

use std::collections::HashMap;
use std::sync::OnceLock;

static DIC: &str = include_str!("../../data/lexicon/sv.dic");
static AFF: &str = include_str!("../../data/lexicon/sv.aff");
/// Lexicalised words that look like compounds but are not read as their parts
/// (`kombination` is not `kombi` + `nation`). One word a line; `#` comments.
static NO_SPLIT: &str = include_str!("../../data/lexicon/no_split.txt");

/// The files that must travel with the lexicon wherever it is copied (its origin
/// and its license, LGPL-3 on GPL-3), by name.
pub const LICENSE_FILES: [(&str, &str); 3] = [
    ("README.md", include_str!("../../data/lexicon/README.md")),
    ("LGPL-3.txt", include_str!("../../data/lexicon/LGPL-3.txt")),
    ("GPL-3.txt", include_str!("../../data/lexicon/GPL-3.txt")),
];

/// The compound flags of the files, as hunspell's `sv_SE` has them: a stem (or a
/// suffixed form) that may begin, sit inside or end a compound, or that occurs only
/// inside compounds.
pub const COMPOUND_BEGIN: char = 'X';
pub const COMPOUND_MIDDLE: char = 'U';
pub const COMPOUND_END: char = 'Y';
pub const ONLY_IN_COMPOUND: char = 'Z';
/// The flag of a stem that is no word without a suffix.
pub const NEEDS_SUFFIX: char = '¤';

/// A suffix rule as `sv.aff` states it, one a line:
/// `flag<TAB>strip<TAB>add<TAB>cont<TAB>cond` (`0` for an empty strip or add, `-` for
/// no compound flags), as `scripts/build_lexicon.py` writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuffixRule {
    pub flag: char,
    /// Taken off the stem (empty: nothing).
    pub strip: &'static str,
    /// Put on instead (empty: nothing).
    pub add: &'static str,
    /// The compound flags the suffixed form gets (empty: none).
    pub cont: &'static str,
    /// How the stem must end: hunspell's condition syntax (`.`, `[^ae]`, `[^m]el`).
    pub cond: &'static str,
}

/// Every suffix rule of the lexicon, in the order of the file.
pub fn suffix_rules() -> impl Iterator<Item = SuffixRule> {
    AFF.lines().filter_map(|line| {
        let f: Vec<&'static str> = line.split('\t').collect();
        let [flag, strip, add, cont, cond] = f[..] else {
            return None;
        };
        let zero = |s: &'static str| if s == "0" { "" } else { s };
        Some(SuffixRule {
            flag: flag.chars().next()?,
            strip: zero(strip),
            add: zero(add),
            cont: if cont == "-" { "" } else { cont },
            cond,
        })
    })
}

/// Every stem of the lexicon with its flags (`protokoll`, `ADHXY`), sorted by bytes.
pub fn stems() -> impl Iterator<Item = (&'static str, &'static str)> {
    DIC.lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split_once('/').unwrap_or((l, "")))
}

/// The words `no_split.txt` keeps whole.
pub fn no_split_words() -> impl Iterator<Item = &'static str> {
    NO_SPLIT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The ways a form may be used, as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Roles(u8);

impl Roles {
    /// A word on its own.
    pub const WORD: Roles = Roles(1);
    /// The first part of a compound.
    pub const BEGIN: Roles = Roles(2);
    /// A part inside a compound.
    pub const MIDDLE: Roles = Roles(4);
    /// The last part of a compound.
    pub const END: Roles = Roles(8);

    pub fn has(self, r: Roles) -> bool {
        self.0 & r.0 != 0
    }

    fn with(self, r: Roles) -> Roles {
        Roles(self.0 | r.0)
    }

    /// The roles hunspell's compound flags give: X begin, U middle, Y end; Z
    /// (only inside compounds) takes away the word on its own.
    fn from_flags(flags: &str, standalone: bool) -> Roles {
        let mut r = Roles::default();
        if standalone && !flags.contains(ONLY_IN_COMPOUND) {
            r = r.with(Roles::WORD);
        }
        for (c, role) in [
            (COMPOUND_BEGIN, Roles::BEGIN),
            (COMPOUND_MIDDLE, Roles::MIDDLE),
            (COMPOUND_END, Roles::END),
        ] {
            if flags.contains(c) {
                r = r.with(role);
            }
        }
        r
    }
}

/// One reading of a form: its lemma (the dictionary stem) and its roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    pub lemma: String,
    pub roles: Roles,
}

/// One part of a split compound: the letters as written, and the lemma.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub text: String,
    pub lemma: String,
}

/// A suffix rule: the stem loses `strip`, gains the rule's `add`, if it ends as
/// `cond` says and carries `flag`. `cont` is the compound flags the form gets.
struct Rule {
    flag: char,
    strip: &'static str,
    cont: &'static str,
    cond: Vec<CondChar>,
}

enum CondChar {
    Any,
    Is(char),
    OneOf(Vec<char>),
    NoneOf(Vec<char>),
}

impl CondChar {
    fn matches(&self, c: char) -> bool {
        match self {
            CondChar::Any => true,
            CondChar::Is(x) => *x == c,
            CondChar::OneOf(set) => set.contains(&c),
            CondChar::NoneOf(set) => !set.contains(&c),
        }
    }
}

fn parse_cond(s: &str) -> Vec<CondChar> {
    let mut out = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' => out.push(CondChar::Any),
            '[' => {
                let mut set: Vec<char> = chars.by_ref().take_while(|&c| c != ']').collect();
                if set.first() == Some(&'^') {
                    set.remove(0);
                    out.push(CondChar::NoneOf(set));
                } else {
                    out.push(CondChar::OneOf(set));
                }
            }
            c => out.push(CondChar::Is(c)),
        }
    }
    out
}

/// Whether `word` ends as the condition says.
fn meets(word: &str, cond: &[CondChar]) -> bool {
    let mut tail = word.chars().rev();
    cond.iter()
        .rev()
        .all(|cc| tail.next().is_some_and(|c| cc.matches(c)))
}

/// The lexicon, loaded once per process. The stems are searched in the embedded
/// sorted file itself, so loading costs only the suffix rules.
pub struct Lexicon {
    rules: HashMap<&'static str, Vec<Rule>>,
    longest_suffix: usize,
    no_split: Vec<&'static str>,
}

/// Words shorter than this are never split.
pub const MIN_SPLIT_WORD: usize = 6;
/// The shortest part a compound is split into.
const MIN_PART: usize = 3;
/// The shortest last part.
const MIN_LAST: usize = 4;
/// Words the lexicon knows whole are split only into longer parts: a short
/// first part of a known word is too often a prefix (`ord|förande`, `ung|domar`).
const MIN_FIRST_KNOWN: usize = 4;
const MIN_LAST_KNOWN: usize = 5;
/// Particles and prefixes: a known word beginning with one is a derivation
/// (`efterfrågan`, `genomförande`, `mottagare`), not a compound to split.
const PARTICLES: &[&str] = &[
    "av", "bak", "bort", "efter", "fort", "fram", "för", "genom", "hem", "in", "kring", "med",
    "mot", "ned", "ner", "om", "på", "sam", "till", "under", "upp", "ut", "vid", "åter", "över",
];

impl Lexicon {
    fn load() -> Lexicon {
        let mut rules: HashMap<&'static str, Vec<Rule>> = HashMap::new();
        for rule in suffix_rules() {
            rules.entry(rule.add).or_default().push(Rule {
                flag: rule.flag,
                strip: rule.strip,
                cont: rule.cont,
                cond: parse_cond(rule.cond),
            });
        }
        let longest_suffix = rules.keys().map(|k| k.len()).max().unwrap_or(0);
        let no_split = no_split_words().collect();
        Lexicon {
            rules,
            longest_suffix,
            no_split,
        }
    }

    /// The flags of a dictionary stem, if the stem exists: a binary search over
    /// the lines of the sorted stems file, each probe backing up to its line start.
    fn stem_flags(&self, stem: &str) -> Option<&'static str> {
        let bytes = DIC.as_bytes();
        // `lo` is always a line start; `hi` a line start or the end.
        let (mut lo, mut hi) = (0usize, bytes.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let start = bytes[lo..mid]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(lo, |i| lo + i + 1);
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| start + i);
            let line = &bytes[start..end];
            let word_end = line.iter().position(|&b| b == b'/').unwrap_or(line.len());
            match line[..word_end].cmp(stem.as_bytes()) {
                std::cmp::Ordering::Equal => {
                    let flags = (start + word_end + 1).min(end);
                    return DIC.get(flags..end);
                }
                std::cmp::Ordering::Less => lo = end + 1,
                std::cmp::Ordering::Greater => hi = start,
            }
        }
        None
    }

    /// Every reading of a lowercase form.
    pub fn readings(&self, form: &str) -> Vec<Reading> {
        let mut out: Vec<Reading> = Vec::new();
        let mut push = |lemma: &str, roles: Roles| {
            if roles == Roles::default() {
                return;
            }
            match out.iter_mut().find(|r| r.lemma == lemma) {
                Some(r) => r.roles = r.roles.with(roles),
                None => out.push(Reading {
                    lemma: lemma.to_string(),
                    roles,
                }),
            }
        };
        if let Some(flags) = self.stem_flags(form) {
            push(
                form,
                Roles::from_flags(flags, !flags.contains(NEEDS_SUFFIX)),
            );
        }
        for len in 0..=self.longest_suffix.min(form.len()) {
            let cut = form.len() - len;
            if !form.is_char_boundary(cut) {
                continue;
            }
            let Some(rules) = self.rules.get(&form[cut..]) else {
                continue;
            };
            for rule in rules {
                let stem = format!("{}{}", &form[..cut], rule.strip);
                if stem.is_empty() || !meets(&stem, &rule.cond) {
                    continue;
                }
                let Some(flags) = self.stem_flags(&stem) else {
                    continue;
                };
                if !flags.contains(rule.flag) {
                    continue;
                }
                let roles = if rule.cont.is_empty() {
                    // An inflected form: a word, and a last part if the stem may be one.
                    let mut r = Roles::WORD;
                    if flags.contains(COMPOUND_END) {
                        r = r.with(Roles::END);
                    }
                    if flags.contains(ONLY_IN_COMPOUND) {
                        r = Roles(r.0 & !Roles::WORD.0);
                    }
                    r
                } else {
                    Roles::from_flags(rule.cont, false)
                };
                push(&stem, roles);
            }
        }
        out
    }

    /// The lemmas of a form used as a word on its own.
    pub fn lemmas(&self, form: &str) -> Vec<String> {
        self.readings(form)
            .into_iter()
            .filter(|r| r.roles.has(Roles::WORD))
            .map(|r| r.lemma)
            .collect()
    }

    /// The one lemma of a word used on its own, or `None` when the lexicon does
    /// not know the word or reads it as several lemmas. Adjective forms the
    /// dictionary lists as stems of their own (`gemensamma`, `gemensamt`) lead
    /// back to their base form (`gemensam`).
    pub fn lemma(&self, word: &str) -> Option<String> {
        let lemmas = self.lemmas(word);
        let [lemma] = &lemmas[..] else {
            return None;
        };
        if lemma == word {
            if let Some(base) = self.adjective_base(word) {
                return Some(base);
            }
        }
        Some(lemma.clone())
    }

    /// `gemensamt` → `gemensam`, `gemensamma` → `gemensam` (a doubled last
    /// consonant undone): the form less its `-t` or `-a`, when that is a word of
    /// five letters or more.
    fn adjective_base(&self, word: &str) -> Option<String> {
        if word.chars().count() < 6 {
            return None;
        }
        let base = word.strip_suffix('t').or_else(|| word.strip_suffix('a'))?;
        let mut candidates = vec![base.to_string()];
        let mut tail = base.chars().rev();
        if let (Some(a), Some(b)) = (tail.next(), tail.next()) {
            if a == b && "mnlt".contains(a) {
                candidates.push(base[..base.len() - a.len_utf8()].to_string());
            }
        }
        candidates.into_iter().find(|c| {
            c.chars().count() >= 5
                && self
                    .readings(c)
                    .iter()
                    .any(|r| r.lemma == *c && r.roles.has(Roles::WORD))
        })
    }

    /// Splits a lowercase word into compound parts, or `None` when it is not a
    /// compound the lexicon can account for. A word the lexicon knows whole is
    /// split through its lemma (`ungdomsmottagningar` as `ungdomsmottagning`),
    /// under stricter guards, and never when it is listed in `no_split.txt`.
    pub fn split(&self, word: &str) -> Option<Vec<Part>> {
        if word.chars().count() < MIN_SPLIT_WORD || !word.chars().all(char::is_alphabetic) {
            return None;
        }
        let lemmas = self.lemmas(word);
        if lemmas.is_empty() {
            return self.split_from(word, 0, true, MIN_PART, MIN_LAST, &mut HashMap::new());
        }
        let [lemma] = &lemmas[..] else {
            return None;
        };
        if self.no_split.contains(&lemma.as_str()) || self.no_split.contains(&word) {
            return None;
        }
        let mut parts = self.split_from(
            lemma,
            0,
            true,
            MIN_FIRST_KNOWN,
            MIN_LAST_KNOWN,
            &mut HashMap::new(),
        )?;
        if PARTICLES.contains(&parts[0].lemma.as_str()) {
            return None;
        }
        // The last part is written as the word has it (`mottagningar`), its lemma kept.
        let written_tail_start: usize = parts[..parts.len() - 1].iter().map(|p| p.text.len()).sum();
        let last = parts.last_mut().expect("a split has parts");
        if word.len() > written_tail_start && word.starts_with(&lemma[..written_tail_start]) {
            last.text = word[written_tail_start..].to_string();
        }
        Some(parts)
    }

    /// The split of `word[pos..]` with the fewest parts (on a tie, the longest
    /// first part), the first part at `pos` being a compound's beginning when
    /// `first` holds and a middle part otherwise. `memo` keeps the splits of the
    /// rests already tried, so that a long word costs at most a lookup per pair
    /// of positions.
    fn split_from(
        &self,
        word: &str,
        pos: usize,
        first: bool,
        min_head: usize,
        min_last: usize,
        memo: &mut HashMap<usize, Option<Vec<Part>>>,
    ) -> Option<Vec<Part>> {
        if !first {
            if let Some(known) = memo.get(&pos) {
                return known.clone();
            }
        }
        let rest = &word[pos..];
        let mut best: Option<Vec<Part>> = None;
        let cuts: Vec<usize> = rest.char_indices().map(|(i, _)| i).skip(1).collect();
        for &cut in cuts.iter().rev() {
            let head = &rest[..cut];
            let tail = &rest[cut..];
            if head.chars().count() < min_head.max(MIN_PART) || tail.chars().count() < MIN_PART {
                continue;
            }
            let role = if first { Roles::BEGIN } else { Roles::MIDDLE };
            let Some(head_reading) = self.readings(head).into_iter().find(|r| r.roles.has(role))
            else {
                continue;
            };
            let head_part = Part {
                text: head.to_string(),
                lemma: head_reading.lemma,
            };
            let candidate = if tail.chars().count() >= min_last {
                self.readings(tail)
                    .into_iter()
                    .find(|r| r.roles.has(Roles::END) && r.roles.has(Roles::WORD))
                    .map(|r| {
                        vec![
                            head_part.clone(),
                            Part {
                                text: tail.to_string(),
                                lemma: r.lemma,
                            },
                        ]
                    })
            } else {
                None
            };
            let candidate = candidate.or_else(|| {
                let mut more = self.split_from(word, pos + cut, false, MIN_PART, min_last, memo)?;
                more.insert(0, head_part.clone());
                Some(more)
            });
            if let Some(c) = candidate {
                if best.as_ref().is_none_or(|b| c.len() < b.len()) {
                    best = Some(c);
                }
            }
        }
        if !first {
            memo.insert(pos, best.clone());
        }
        best
    }
}

/// The process's lexicon.
pub fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(Lexicon::load)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(w: &str) -> Option<Vec<String>> {
        lexicon()
            .split(w)
            .map(|p| p.into_iter().map(|p| p.text).collect())
    }

    #[test]
    fn forms_find_their_lemma() {
        let lex = lexicon();
        for (form, lemma) in [
            ("protokollet", "protokoll"),
            ("protokollen", "protokoll"),
            ("modellen", "modell"),
            ("ungdomar", "ungdom"),
            ("kommunerna", "kommun"),
        ] {
            assert!(
                lex.lemmas(form).contains(&lemma.to_string()),
                "{form}: {:?}",
                lex.readings(form)
            );
        }
        assert!(lex.lemmas("xyzzyq").is_empty());
        for (form, lemma) in [
            ("gemensamma", "gemensam"),
            ("gemensamt", "gemensam"),
            ("protokollet", "protokoll"),
            ("viktigt", "viktig"),
        ] {
            assert_eq!(lex.lemma(form).as_deref(), Some(lemma), "{form}");
        }
    }

    #[test]
    fn compounds_split_at_their_parts() {
        assert_eq!(
            split("välfärdsbrottslighet").unwrap(),
            ["välfärds", "brottslighet"]
        );
        assert_eq!(split("länsgemensamma").unwrap(), ["läns", "gemensamma"]);
        assert_eq!(
            split("samverkansmodellen").unwrap(),
            ["samverkans", "modellen"]
        );
        assert_eq!(
            split("ungdomsmottagningar").unwrap(),
            ["ungdoms", "mottagningar"]
        );
        let parts = lexicon().split("välfärdsbrottslighet").unwrap();
        assert_eq!(parts[0].lemma, "välfärd");
    }

    #[test]
    fn words_that_only_look_like_compounds_stay_whole() {
        for w in [
            "barnen",
            "ordförande",
            "fortfarande",
            "ungdomar",
            "sjukdomar",
            "efterfrågan",
            "genomförande",
            "mottagare",
            "kombination",
            "deltagare",
        ] {
            assert_eq!(split(w), None, "{w}");
        }
    }

    #[test]
    fn long_and_odd_words_are_handled() {
        // Sixty letters of repeated parts: the memo keeps this to a few hundred
        // lookups, whatever the answer.
        for long in ["barn".repeat(15), "samverkans".repeat(6)] {
            if let Some(parts) = lexicon().split(&long) {
                let joined: String = parts.iter().map(|p| p.text.as_str()).collect();
                assert_eq!(joined, long);
            }
        }
        let parts = lexicon().split("samverkansområdesgrupper").unwrap();
        assert_eq!(parts.len(), 3);
        for w in [
            "",
            "qqzx",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "2024",
        ] {
            assert_eq!(lexicon().split(w), None, "{w:?}");
            assert!(lexicon().lemma(w).is_none(), "{w:?}");
        }
    }

    #[test]
    fn every_stem_of_the_file_is_found() {
        let lex = lexicon();
        let probes = DIC.lines().step_by(97).chain(DIC.lines().take(3));
        for line in probes.chain(DIC.lines().last()) {
            let (word, flags) = line.split_once('/').unwrap_or((line, ""));
            assert_eq!(lex.stem_flags(word), Some(flags), "{word}");
        }
        for absent in ["", "aaaaaa", "zzzzzz", "öööö", "protokol"] {
            assert_eq!(lex.stem_flags(absent), None, "{absent}");
        }
    }

    #[test]
    fn conditions_match_the_end_of_the_stem() {
        assert!(meets("katt", &parse_cond("[^ae]")));
        assert!(!meets("timme", &parse_cond("[^ae]")));
        assert!(meets("cykel", &parse_cond("[^m]el")));
        assert!(!meets("himmel", &parse_cond("[^m]el")));
        assert!(meets("a", &parse_cond(".")));
        assert!(!meets("", &parse_cond(".")));
    }
}
