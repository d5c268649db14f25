//! People of a meeting: who they are, for which organisation, in what role.
//! Owns: recognising a personal name (a given name from the lexicon or from this
//! protocol's own lists, then surnames), attendance-list lines in their shapes
//! (`Name, Org`, `Name Org`, `Name (S), ordförande`, `Name, title, Org`),
//! presenter lines (`Föredragande: A RGK, B`), and names in running text
//! (`Petra Hornstra, barnläkare`, `Simon Edberg basenhetschef`).
//! Never a person: organisations, headings, labels (`Bildspel`, `Underlag`).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

/// A person named in a protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub organisation: Option<String>,
    pub role: Option<String>,
    /// For a substitute: the member they served for (`tjänstgör för`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    /// The party letters an attendance list prints after the name (`S`, `KD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
}

impl Person {
    pub fn new(name: impl Into<String>) -> Self {
        Person {
            name: name.into(),
            organisation: None,
            role: None,
            replaces: None,
            party: None,
        }
    }
}

const FIRST_NAMES: &str = include_str!("../../data/first_names.txt");

/// Words that begin or make up an organisation, not a name.
const ORG_WORDS: &[&str] = &[
    "region",
    "regionen",
    "kommun",
    "kommunen",
    "kommunförbundet",
    "länsstyrelsen",
    "regeringskansliet",
    "socialstyrelsen",
    "sveriges",
    "skr",
    "försäkringskassan",
    "arbetsförmedlingen",
    "polisen",
    "polismyndigheten",
    "landstinget",
    "inspektionen",
    "folkhälsomyndigheten",
    "kriminalvården",
    "migrationsverket",
    "skolverket",
    "university",
    "college",
    "institute",
    "hospital",
    "specialpedagogiska",
    "kommunal",
    "kommunala",
    "nationella",
    "rådet",
    "förvaltningen",
    "invånarmedverkan",
    "brukarrepresentant",
    "nära",
    "hälso",
    "vård",
];

/// Endings of organisation words: `Regeringskansliet`, `Linneuniversitetet`.
const ORG_SUFFIXES: &[&str] = &[
    "kommun",
    "kommuns",
    "förbundet",
    "förbund",
    "styrelsen",
    "kansliet",
    "verket",
    "myndigheten",
    "universitet",
    "universitetet",
    "högskola",
    "högskolan",
    "medverkan",
    "nämnden",
    "förvaltningen",
    "sjukhus",
    "sjukhuset",
    "institutet",
    "kliniken",
    "centrum",
    "landsting",
    "enheten",
    "län",
];

/// Endings typical of Swedish surnames; used to decide whether a third capitalised
/// word still belongs to a name (`Anna Vilander Hamnert`) or starts a place (`Tingsryd`).
const SURNAME_ENDINGS: &[&str] = &[
    "son", "sen", "berg", "borg", "ström", "strom", "qvist", "kvist", "quist", "gren", "lund",
    "lin", "dahl", "dal", "man", "mann", "ér", "én", "ell", "ing", "holm", "blad", "bäck", "stedt",
    "stad", "ståhl", "stål", "fors", "hed", "mark", "nér", "ek", "ås", "sjö", "löf", "löv",
    "ander", "ius", "vik", "sten", "bom", "hamn", "hamnert", "ert", "gård", "stam", "skog", "ling",
    "feldt", "felt", "strand", "näs", "nes", "rot", "wall", "vall", "kvist", "ssen", "sson", "tz",
    "ck",
];

/// Lowercase words that say what a person is (role after a name without comma).
const ROLE_ENDINGS: &[&str] = &[
    "chef",
    "ledare",
    "direktör",
    "samordnare",
    "läkare",
    "sekreterare",
    "handläggare",
    "strateg",
    "råd",
    "ordförande",
    "ansvarig",
    "utvecklare",
    "utredare",
    "konsult",
    "sköterska",
    "terapeut",
    "psykolog",
    "kurator",
    "rektor",
    "docent",
    "professor",
    "forskare",
    "representant",
    "ledamot",
    "ersättare",
    "controller",
    "ekonom",
    "jurist",
    "kommunikatör",
    "planerare",
    "specialist",
    "ordf.",
    "ordf",
    "samordnare",
    "föreståndare",
    "handläggare",
    "koordinator",
    "projektledare",
];

/// Recognises names: given names from the lexicon and from this protocol's lists,
/// and full names learned from this protocol's attendance lists.
#[derive(Debug, Clone, Default)]
pub struct NameModel {
    first: HashSet<String>,
    known: Vec<Vec<String>>,
}

/// The given-name lexicon, read once per process.
fn lexicon() -> &'static HashSet<String> {
    static LEXICON: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    LEXICON.get_or_init(|| {
        FIRST_NAMES
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    })
}

impl NameModel {
    /// Remembers a full name found in a reliable place (an attendance list).
    pub fn learn(&mut self, name: &str) {
        let tokens: Vec<String> = name.split_whitespace().map(str::to_string).collect();
        if tokens.len() >= 2 && !self.known.contains(&tokens) {
            if let Some(first) = tokens.first() {
                self.first.insert(first.clone());
            }
            self.known.push(tokens);
            self.known.sort_by_key(|t| std::cmp::Reverse(t.len()));
        }
    }

    pub fn is_first_name(&self, token: &str) -> bool {
        let known = |t: &str| lexicon().contains(t) || self.first.contains(t);
        if known(token) {
            return true;
        }
        // `Anne-Lie`, `Mats-Peter`: every part a given name.
        token.contains('-') && token.split('-').all(|p| !p.is_empty() && known(p))
    }

    /// The name that starts at `tokens[i]`, and how many tokens it spans.
    /// `comma_bounded` says the name runs to a comma or line end (a list cell),
    /// where every capitalised word belongs to it.
    pub fn name_at(
        &self,
        tokens: &[&str],
        i: usize,
        comma_bounded: bool,
    ) -> Option<(String, usize)> {
        // Names begin with a capital letter; most words do not (this runs at every token).
        if !tokens
            .get(i)?
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .starts_with(char::is_uppercase)
        {
            return None;
        }
        // A name is at most six words: look no further.
        let end = tokens.len().min(i + 6);
        let words: Vec<&str> = tokens[i..end].iter().map(|t| clean_token(t)).collect();
        for known in &self.known {
            if known.len() <= words.len() && known.iter().zip(&words).all(|(k, w)| k == w) {
                return Some((known.join(" "), known.len()));
            }
        }
        let first = *words.first()?;
        if !self.is_first_name(first) {
            return None;
        }
        let mut parts = vec![first];
        let mut j = 1;
        while j < words.len() && parts.len() < 5 {
            let w = words[j];
            let ends_cell = tokens[i + j - 1].ends_with([',', ';', ':', ')'])
                || tokens[i + j - 1].ends_with('.') && j > 1;
            if ends_cell {
                break;
            }
            if is_particle(w) && j + 1 < words.len() && is_name_word(words[j + 1]) {
                parts.push(w);
                j += 1;
                continue;
            }
            if !is_name_word(w) || is_org_word(w) {
                break;
            }
            // A second given name (`Anna Maria Ek`) or surnames.
            let third_or_later = parts.len() >= 2;
            let ends_with_comma = tokens[i + j].ends_with(',');
            if third_or_later
                && !comma_bounded
                && !ends_with_comma
                && !looks_like_surname(w)
                && !self.is_first_name(w)
            {
                break;
            }
            parts.push(w);
            j += 1;
        }
        let surnames = parts.len() - 1;
        if surnames == 0 {
            return None;
        }
        Some((parts.join(" "), j))
    }
}

/// A token without surrounding punctuation: `Hartz,` → `Hartz`.
fn clean_token(t: &str) -> &str {
    t.trim_matches(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
}

fn is_particle(w: &str) -> bool {
    matches!(
        w,
        "af" | "von"
            | "van"
            | "de"
            | "der"
            | "den"
            | "la"
            | "di"
            | "da"
            | "el"
            | "al"
            | "bin"
            | "ibn"
    )
}

/// A capitalised word of letters (with `-` or `'`), not all capitals; or an initial.
fn is_name_word(w: &str) -> bool {
    let mut chars = w.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !first.is_uppercase() {
        return false;
    }
    if w.chars().count() == 1 {
        return true; // initial: `Lennart O Werner`
    }
    if w.ends_with('-') {
        return false; // `Vård-` of `Vård- och omsorgsnämnden`
    }
    let rest: Vec<char> = chars.collect();
    rest.iter()
        .all(|c| c.is_alphabetic() || *c == '-' || *c == '\'')
        && rest.iter().any(|c| c.is_lowercase())
        && !rest
            .iter()
            .skip(1)
            .any(|c| c.is_uppercase() && !w.contains('-'))
}

fn is_org_word(w: &str) -> bool {
    let lower = w.to_lowercase();
    ORG_WORDS.contains(&lower.as_str())
        || ORG_SUFFIXES
            .iter()
            .any(|s| lower.ends_with(s) && lower.len() > s.len() + 2)
}

fn looks_like_surname(w: &str) -> bool {
    let lower = w.to_lowercase();
    SURNAME_ENDINGS.iter().any(|e| lower.ends_with(e)) || w.contains('-')
}

fn is_role_word(w: &str) -> bool {
    let lower = w.to_lowercase();
    let lower = lower.trim_end_matches([',', '.']);
    ROLE_ENDINGS
        .iter()
        .any(|e| lower.ends_with(e.trim_end_matches('.')))
        || lower == "mas"
        || lower == "mar"
}

/// True when the text looks like an organisation (`Region Kalmar län`, `Kalmar kommun`).
pub fn looks_like_organisation(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    words.iter().any(|w| is_org_word(clean_token(w)))
        || words
            .first()
            .is_some_and(|w| is_abbreviation(clean_token(w)))
}

fn is_abbreviation(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().filter(|c| c.is_uppercase()).count() >= 2
}

/// One line of an attendance list, in any of its shapes:
/// `Rune Jansson, Brukarrepresentant`, `Anna Ek, socialchef, Kalmar kommun`,
/// `Johan Qvist Karlstad universitet`, `Susanne Johansson (S), ordförande`,
/// `Lennart O Werner Högsby kommun`, `Margit Lindholm Johansson,` (org on the next line).
pub fn person_from_list_line(line: &str, model: &NameModel) -> Option<Person> {
    list_line(line, model, false)
}

/// Like [`person_from_list_line`], for a line inside an attendance list, where a
/// name need not start with a known given name: its shape (capitalised words
/// before a comma or an organisation) is enough.
pub fn person_from_attendance_line(line: &str, model: &NameModel) -> Option<Person> {
    list_line(line, model, true)
}

fn list_line(line: &str, model: &NameModel, in_list: bool) -> Option<Person> {
    let line = line.trim().trim_start_matches(['-', '*', '•']).trim();
    let line = strip_parenthetical_suffix(line);
    if line.is_empty() || line.len() > 160 {
        return None;
    }
    let line = comma_after_party_mark(&line);
    let (name_part, rest) = match line.split_once(',') {
        Some((a, b)) => (a.trim(), Some(b.trim())),
        None => (line.as_str(), None),
    };
    let (name_part, party) = split_party(name_part);
    let tokens: Vec<&str> = name_part.split_whitespace().collect();
    if tokens.is_empty() {
        return None;
    }
    let comma_cell_is_name = tokens.iter().all(|t| is_name_word(t) || is_particle(t));
    if (rest.is_some() || party.is_some()) && comma_cell_is_name {
        // `Name, ...`: the whole cell before the comma is the name.
        if !(2..=5).contains(&tokens.len())
            || !tokens.iter().all(|t| is_name_word(t) || is_particle(t))
        {
            return None;
        }
        if !model.is_first_name(tokens[0]) && !in_list {
            return None;
        }
        if is_org_word(tokens[0]) || tokens.iter().any(|t| is_org_word(t)) {
            return None;
        }
        let (organisation, role) = split_org_and_role(rest.unwrap_or(""));
        return Some(Person {
            name: tokens.join(" "),
            organisation,
            role,
            replaces: None,
            party: party.map(str::to_string),
        });
    }
    // `Name Org` or `Name role[, Org]`: the name ends where an organisation or a role begins.
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let org_start = (2..tokens.len()).find(|&j| starts_organisation(&tokens[j..]));
    let (name, used) = match org_start {
        Some(j)
            if j <= 5
                && tokens[..j]
                    .iter()
                    .all(|t| is_name_word(t) || is_particle(t))
                && (in_list || model.is_first_name(tokens[0])) =>
        {
            (tokens[..j].join(" "), j)
        }
        _ => model.name_at(&tokens, 0, false)?,
    };
    let rest = tokens[used..].join(" ");
    let rest = rest.trim_start_matches([',', ' ']);
    if rest
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() && c.is_uppercase())
        && !starts_organisation(&tokens[used..])
        && rest.split_whitespace().count() > 4
    {
        // `Anna Ek Leder mötet och …`: prose, not a list line.
        return None;
    }
    // `Patrik Löfgren (S) har begärt att bli entledigad …`: a sentence about the person.
    let after_party = rest
        .strip_prefix(|c: char| c == '(')
        .filter(|_| tokens.get(used).is_some_and(|t| is_party_mark(t)))
        .and_then(|r| r.split_once(')'))
        .map_or(rest, |(_, r)| r.trim_start_matches([',', ' ']));
    let sentence = after_party.starts_with(char::is_lowercase)
        && after_party.split_whitespace().count() > 6
        && !after_party.contains(|c: char| c.is_ascii_digit() || matches!(c, '§' | ','));
    if sentence {
        return None;
    }
    // `Anna Ek (ordförande)`: a role in brackets.
    let bracketed_role = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .filter(|r| r.starts_with(char::is_lowercase) && !r.contains(['(', ')']));
    let (organisation, role) = if let Some(r) = bracketed_role {
        (None, Some(r.to_string()))
    } else if rest.is_empty() {
        (None, None)
    } else if rest.chars().next().is_some_and(char::is_lowercase) {
        split_org_and_role(rest)
    } else {
        (Some(rest.to_string()), None)
    };
    Some(Person {
        name,
        organisation,
        role,
        replaces: None,
        party: None,
    })
}

/// `Anna Ek (S) ordförande` → `Anna Ek (S), ordförande`: a party mark ends the name, and
/// what follows it is the entry's role, as if a comma stood there.
fn comma_after_party_mark(line: &str) -> String {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    // A role is a few words (`1:e vice ordförande`, `deltar ej i § 22 p.g.a. jäv`); more
    // is prose: `Patrik Löfgren (S) har begärt att bli entledigad från sitt uppdrag.`
    match tokens
        .iter()
        .position(|t| is_party_mark(t) && t.ends_with(')'))
    {
        // `Charlotte Wallenstein (M) (S)`: a party mark wrapped from the next column.
        Some(k) if tokens[k + 1..].iter().all(|t| is_party_mark(t)) => tokens[..=k].join(" "),
        Some(k) if k > 0 && k + 1 < tokens.len() && tokens.len() - k - 1 <= 6 => {
            format!("{}, {}", tokens[..=k].join(" "), tokens[k + 1..].join(" "))
        }
        _ => line.to_string(),
    }
}

/// A party mark as lists print it: `(S)`, `(KD)`, `(SD),`, and `(KD` where the
/// extraction lost the bracket.
pub fn is_party_mark(t: &str) -> bool {
    let Some(inner) = t.strip_prefix('(') else {
        return false;
    };
    let inner = inner.trim_end_matches(',').trim_end_matches(')');
    (1..=4).contains(&inner.chars().count()) && inner.chars().all(char::is_uppercase)
}

/// The entries of one attendance line whose columns are set with single spaces
/// (`Tommy Rydfeldt (L), Ordförande Lars Sundbom (M) tjänstgör för`): a new entry
/// starts at every name that carries a party mark, after the first. The name runs
/// back from the mark over capitalised words, to a given name where there is one.
pub fn attendance_chunks(line: &str, model: &NameModel) -> Vec<String> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let mut starts = vec![0];
    for k in 1..tokens.len() {
        // `Karin Ek (EY) Somayeh Jamshidi ärende 5`, `Maria Ek (EY) ärende 4-5 Anette
        // Kristensson ärende 6`: after a party mark or a number that ends an entry, a
        // given name and a capitalised word begin the next one.
        let ends_entry = |t: &str| {
            is_party_mark(t)
                || t.trim_end_matches(',')
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '-' | '–'))
        };
        // Right after a party mark, two capitalised words suffice: `(EY) Somayeh Jamshidi`;
        // after limits, `Kasra Hassirian, förvaltningsjurist` (a name, a comma, a role).
        let name_comma_role = tokens[k + 1..].len() >= 2
            && tokens[k + 1].ends_with(',')
            && tokens[k + 2].starts_with(char::is_lowercase);
        let given = model.is_first_name(clean_token(tokens[k]))
            || ((is_party_mark(tokens[k - 1]) || name_comma_role)
                && !is_org_word(clean_token(tokens[k]))
                && !is_role_word(clean_token(tokens[k]))
                && tokens
                    .get(k + 1)
                    .is_some_and(|t| !is_org_word(clean_token(t))));
        if k + 1 < tokens.len()
            && ends_entry(tokens[k - 1])
            && is_name_word(clean_token(tokens[k]))
            && given
            && is_name_word(clean_token(tokens[k + 1]))
            && !is_party_mark(tokens[k + 1])
            && k > *starts.last().unwrap_or(&0)
            && !ends_replacement_verb(&tokens[..k])
        {
            starts.push(k);
            continue;
        }
        if !is_party_mark(tokens[k]) {
            continue;
        }
        let run = (0..k)
            .rev()
            .take_while(|&j| is_name_word(tokens[j]) && !tokens[j].ends_with(','))
            .count()
            .min(4);
        if run == 0 {
            continue;
        }
        let first = k - run;
        let given = (first..k).find(|&p| model.is_first_name(clean_token(tokens[p])));
        let start = given.unwrap_or(first);
        // Without a given name, the name must be set off from what comes before it
        // (`vice Eriksson (S)`), not run on from a particle (`Ebba von Essen (M)`).
        let bounded = start > 0 && !is_particle(tokens[start - 1]);
        // `X (M) tjänstgör för Y (M)`: the member served for is part of X's entry.
        let replaced = start > 0 && ends_replacement_verb(&tokens[..start]);
        if (given.is_some() || bounded) && !replaced && start > *starts.last().unwrap_or(&0) {
            starts.push(start);
        }
    }
    let mut out = Vec::new();
    for (n, &s) in starts.iter().enumerate() {
        let e = starts.get(n + 1).copied().unwrap_or(tokens.len());
        if s < e {
            out.push(tokens[s..e].join(" "));
        }
    }
    out
}

/// An entry that the line's structure set apart (a chunk after another entry's party
/// mark) read by its shape alone: two or three capitalised words that are neither an
/// organisation nor a role, then a role or limits in lower case (`Somayeh Jamshidi
/// ärende 5`).
pub fn entry_by_shape(entry: &str) -> Option<Person> {
    let tokens: Vec<&str> = entry.split_whitespace().collect();
    let (name, used) = name_by_shape(&tokens)?;
    if name.split_whitespace().count() < 2
        || tokens
            .iter()
            .take(used)
            .any(|t| is_role_word(clean_token(t)) || is_org_word(clean_token(t)))
    {
        return None;
    }
    let rest = tokens[used..].join(" ");
    let (rest, party) = match tokens.get(used) {
        Some(t) if is_party_mark(t) => (
            tokens[used + 1..].join(" "),
            Some(t.trim_matches(['(', ')', ',']).to_string()),
        ),
        _ => (rest, None),
    };
    let rest = rest.trim_start_matches([',', ' ']);
    if rest.starts_with(char::is_uppercase) {
        return None;
    }
    let mut p = Person::new(name);
    p.role = (!rest.is_empty()).then(|| rest.to_string());
    p.party = party;
    Some(p)
}

/// True when a line of an attendance list holds at least one entry: the line whole, or
/// one of the entries set side by side in it (see [`attendance_chunks`]).
pub fn is_attendance_entry(line: &str, model: &NameModel) -> bool {
    if person_from_attendance_line(line, model).is_some() {
        return true;
    }
    let chunks = attendance_chunks(line, model);
    chunks.len() > 1
        && chunks.iter().any(|c| {
            let entry = split_replacement(c).map_or(c.clone(), |(sub, _)| sub);
            person_from_attendance_line(&entry, model).is_some()
        })
}

/// Words that tie a substitute to the member they replace: `X (M) tjänstgör för Y`,
/// longest first.
const REPLACES: &[&str] = &[
    "tjänstgörande ersättare för",
    "ersättare för",
    "ers. för",
    "ers för",
    "tjg ersättare för",
    "tjg ers för",
    "tjg ers. för",
    "tjänstgörande för",
    "tjänstgör för",
    "tjg för",
    "ersätter",
    "i stället för",
    "för",
];

/// True when `tokens` end with a replacement verb (`… tjänstgör för`, `… ersätter`).
fn ends_replacement_verb(tokens: &[&str]) -> bool {
    REPLACES.iter().any(|verb| {
        let words: Vec<&str> = verb.split(' ').collect();
        tokens.len() >= words.len()
            && tokens[tokens.len() - words.len()..]
                .iter()
                .zip(&words)
                .all(|(a, b)| a.to_lowercase() == *b)
    })
}

/// Splits an entry at its replacement verb: `Bo Ek (M) ersätter Lars` →
/// (`Bo Ek (M)`, `Lars`). The verb counts only after the substitute's party mark or
/// `§` limits, so `Nämnden för Teknik` is no replacement.
pub fn split_replacement(entry: &str) -> Option<(String, String)> {
    let tokens: Vec<&str> = entry.split_whitespace().collect();
    for i in 1..tokens.len() {
        if i == 0
            || !(is_party_mark(tokens[i - 1]) || tokens[i - 1].chars().any(|c| c.is_ascii_digit()))
        {
            continue;
        }
        for verb in REPLACES {
            let words: Vec<&str> = verb.split(' ').collect();
            let n = words.len();
            if tokens.len() >= i + n
                && tokens[i..i + n]
                    .iter()
                    .zip(&words)
                    .all(|(a, b)| a.to_lowercase() == *b)
            {
                return Some((tokens[..i].join(" "), tokens[i + n..].join(" ")));
            }
        }
    }
    None
}

/// The name in what follows a replacement verb: capitalised words up to a party
/// mark, a `§` or the end (`Lars`, `Marianne Pleijel (M)`, `Eriksson (S) §§ 98-114`).
/// Returns the name and whether `§` limits follow it (replaced for part of the
/// meeting only).
pub fn replaced_name(rest: &str) -> (String, bool) {
    let tokens: Vec<&str> = rest.split_whitespace().collect();
    let name: Vec<&str> = tokens
        .iter()
        .take_while(|t| is_name_word(t) && !is_party_mark(t))
        .copied()
        .collect();
    let limited = rest.contains('§') || rest.contains("$$");
    (name.join(" "), limited)
}

/// `(tf.)`, `(S)` at the end of a cell stays with the role; other trailing notes go.
fn strip_parenthetical_suffix(line: &str) -> String {
    let t = line.trim_end();
    if t.ends_with("(tf.)") || t.ends_with("(tf)") {
        return t
            .rsplit_once('(')
            .map(|(a, _)| a.trim_end().to_string())
            .unwrap_or_default();
    }
    t.to_string()
}

/// `Susanne Johansson (S)` → (`Susanne Johansson`, `S`).
fn split_party(s: &str) -> (&str, Option<&str>) {
    if let Some((name, rest)) = s.split_once('(') {
        if let Some(party) = rest.strip_suffix(')') {
            if (1..=4).contains(&party.len()) && party.chars().all(|c| c.is_uppercase()) {
                return (name.trim(), Some(party));
            }
        }
    }
    (s, None)
}

/// `socialchef, Kalmar kommun` → (Kalmar kommun, socialchef); `Brukarrepresentant` → role.
fn split_org_and_role(rest: &str) -> (Option<String>, Option<String>) {
    let parts: Vec<&str> = rest
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut org = None;
    let mut roles = Vec::new();
    for (k, p) in parts.iter().enumerate() {
        let capital = p.chars().next().is_some_and(char::is_uppercase);
        let is_last = k + 1 == parts.len();
        if org.is_none() && capital && (looks_like_organisation(p) || (is_last && !is_role_word(p)))
        {
            org = Some(p.to_string());
        } else {
            roles.push(*p);
        }
    }
    let role = (!roles.is_empty()).then(|| roles.join(", "));
    (org, role)
}

/// True when `tokens` begin an organisation: `Region …`, `Kalmar kommun`,
/// `Karlstad universitet`, `Kommunförbundet …`, an abbreviation (`RGK`, `FoU`).
fn starts_organisation(tokens: &[&str]) -> bool {
    let first = clean_token(tokens[0]);
    if is_org_word(first) || is_abbreviation(first) {
        return true;
    }
    tokens.get(1).is_some_and(|next| {
        let n = clean_token(next).to_lowercase();
        matches!(
            n.as_str(),
            "kommun"
                | "kommuns"
                | "län"
                | "universitet"
                | "högskola"
                | "stad"
                | "sjukhus"
                | "gymnasieförbund"
        )
    })
}

/// Names in a presenter line's value: `Carina Elmqvist FoU, Hanna Lunding RGK`,
/// `Anna Ek och Bo Ek`, `Anna Ek, socialchef, Kalmar kommun, Bo Ek, MAS`.
pub fn names_in_presenter_value(value: &str, model: &NameModel) -> Vec<Person> {
    let normalised = value
        .replace(" och ", ", ")
        .replace(" samt ", ", ")
        .replace(" & ", ", ");
    let mut out: Vec<Person> = Vec::new();
    for cell in normalised.split([',', ';']) {
        let cell = cell.trim();
        let tokens: Vec<&str> = cell.split_whitespace().collect();
        if tokens.is_empty() {
            continue;
        }
        match model
            .name_at(&tokens, 0, false)
            .or_else(|| name_by_shape(&tokens))
        {
            Some((name, used)) => {
                let rest = tokens[used..].join(" ");
                let mut p = Person::new(name);
                // `Anna Ek (ordförande)`, `Anna Ek (S)`: a role or a party in brackets.
                let bracketed = rest
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .filter(|r| !r.contains(['(', ')']));
                if let Some(inner) = bracketed {
                    if is_party_mark(&rest) {
                        p.party = Some(inner.to_string());
                    } else {
                        p.role = Some(inner.trim().to_string());
                    }
                } else if !rest.is_empty() {
                    if rest.chars().next().is_some_and(char::is_lowercase) {
                        p.role = Some(rest);
                    } else {
                        p.organisation = Some(rest);
                    }
                }
                out.push(p);
            }
            None => {
                // A cell after a name is its title or organisation.
                if let Some(last) = out.last_mut() {
                    if looks_like_organisation(cell)
                        || cell.chars().next().is_some_and(char::is_uppercase)
                    {
                        last.organisation.get_or_insert_with(|| cell.to_string());
                    } else {
                        last.role.get_or_insert_with(|| cell.to_string());
                    }
                }
            }
        }
    }
    out
}

/// In a labelled place (`Föredragande:`), two or three capitalised words are a
/// name even when the given name is not in the lexicon: `Sandor Eriksson RGK`.
fn name_by_shape(tokens: &[&str]) -> Option<(String, usize)> {
    let words: Vec<&str> = tokens.iter().map(|t| clean_token(t)).collect();
    let mut parts = Vec::new();
    for (j, w) in words.iter().enumerate() {
        if j >= 3 || !is_name_word(w) || is_org_word(w) || w.chars().count() < 2 {
            break;
        }
        if j == 2 && !looks_like_surname(w) {
            break;
        }
        parts.push(*w);
        if tokens[j].ends_with([',', ';']) {
            break;
        }
    }
    (parts.len() >= 2).then(|| (parts.join(" "), parts.len()))
}

/// Names in running text: a given name and surname(s) followed by a comma and a
/// lowercase title, by a role word, or known from this protocol's lists.
pub fn person_mentions(text: &str, model: &NameModel) -> Vec<Person> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let Some((name, used)) = model.name_at(&tokens, i, false) else {
            i += 1;
            continue;
        };
        let last = tokens[i + used - 1];
        let next = tokens.get(i + used).copied().unwrap_or("");
        let comma_then_lower =
            last.ends_with(',') && next.chars().next().is_some_and(char::is_lowercase);
        let role_after = !last.ends_with(',') && is_role_word(next);
        let known = model.known.iter().any(|k| k.join(" ") == name);
        let genitive_place = !last.ends_with([',', '.'])
            && clean_token(last).ends_with('s')
            && !clean_token(last).ends_with("son")
            && next.chars().next().is_some_and(char::is_lowercase)
            && !role_after;
        if !genitive_place && (comma_then_lower || role_after || known || used >= 2) {
            let mut p = Person::new(name);
            if comma_then_lower || role_after {
                let role: Vec<&str> = tokens[i + used..]
                    .iter()
                    .take(6)
                    .take_while(|t| {
                        t.chars().next().is_some_and(char::is_lowercase)
                            || t.chars().all(|c| !c.is_alphabetic())
                    })
                    .copied()
                    .collect();
                let role = role.join(" ");
                let role = role.split(',').next().unwrap_or("").trim();
                let role = trim_trailing_small_words(role);
                if !role.is_empty() {
                    p.role = Some(role);
                }
            }
            out.push(p);
            i += used;
        } else {
            i += 1;
        }
    }
    out
}

/// `ordförande för` → `ordförande`: a role does not end in a preposition.
fn trim_trailing_small_words(role: &str) -> String {
    let mut words: Vec<&str> = role.split_whitespace().collect();
    while words.last().is_some_and(|w| {
        matches!(
            *w,
            "för" | "i" | "vid" | "på" | "och" | "inom" | "av" | "till" | "med" | "samt" | "som"
        )
    }) {
        words.pop();
    }
    words.join(" ")
}

/// Merges people by name (case-insensitive), keeping the first organisation and role.
pub fn merge_persons(persons: Vec<Person>) -> Vec<Person> {
    let mut order: Vec<String> = Vec::new();
    let mut by: BTreeMap<String, Person> = BTreeMap::new();
    for p in persons {
        // `Anna Trofast Hasselbom` and `Anna Hasselbom Trofast` in one protocol are one
        // person: the given name, then the surnames in any order.
        let lower = p.name.to_lowercase();
        let mut words: Vec<&str> = lower.split_whitespace().collect();
        if words.len() >= 3 {
            words[1..].sort_unstable();
        }
        let key = words.join(" ");
        match by.get_mut(&key) {
            Some(existing) => {
                if existing.organisation.is_none() {
                    existing.organisation = p.organisation;
                }
                if existing.role.is_none() {
                    existing.role = p.role;
                }
                if existing.party.is_none() {
                    existing.party = p.party;
                }
                if existing.replaces.is_none() {
                    existing.replaces = p.replaces;
                }
            }
            None => {
                order.push(key.clone());
                by.insert(key, p);
            }
        }
    }
    order.into_iter().filter_map(|k| by.remove(&k)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> NameModel {
        NameModel::default()
    }

    fn list(line: &str) -> Option<(String, Option<String>, Option<String>)> {
        person_from_list_line(line, &model()).map(|p| (p.name, p.organisation, p.role))
    }

    #[test]
    fn list_line_shapes() {
        assert_eq!(
            list("Rune Jansson, Brukarrepresentant").unwrap().0,
            "Rune Jansson"
        );
        let (n, o, r) = list("Anna Hasselbom Trofast, socialchef, Kalmar kommun").unwrap();
        assert_eq!(
            (n.as_str(), o.as_deref(), r.as_deref()),
            (
                "Anna Hasselbom Trofast",
                Some("Kalmar kommun"),
                Some("socialchef")
            )
        );
        let (n, o, _) = list("Johan Qvist Karlstad universitet").unwrap();
        assert_eq!(
            (n.as_str(), o.as_deref()),
            ("Johan Qvist", Some("Karlstad universitet"))
        );
        let (n, o, _) = list("Emma Åhlander Hansson Emmaboda kommun").unwrap();
        assert_eq!(
            (n.as_str(), o.as_deref()),
            ("Emma Åhlander Hansson", Some("Emmaboda kommun"))
        );
        let (n, o, _) = list("Maria Minich Karlsson Region Kalmar län").unwrap();
        assert_eq!(
            (n.as_str(), o.as_deref()),
            ("Maria Minich Karlsson", Some("Region Kalmar län"))
        );
        for line in [
            "Susanne Johansson (S), ordförande",
            "Susanne Johansson (S) ordförande",
        ] {
            let p = person_from_attendance_line(line, &NameModel::default()).unwrap();
            assert_eq!(
                (p.name.as_str(), p.role.as_deref(), p.party.as_deref()),
                ("Susanne Johansson", Some("ordförande"), Some("S")),
                "{line}"
            );
        }
        assert_eq!(
            list("Lennart O Werner Högsby kommun").unwrap().0,
            "Lennart O Werner"
        );
        assert_eq!(
            list("Karin Schulz Regeringskansliet").unwrap().0,
            "Karin Schulz"
        );
        assert_eq!(
            list("Karin Lindholm Johansson,").unwrap().0,
            "Karin Lindholm Johansson"
        );
        assert_eq!(
            list("Marie Johansen, Högsby kommun (tf.)")
                .unwrap()
                .1
                .as_deref(),
            Some("Högsby kommun")
        );
    }

    #[test]
    fn attendance_lists_accept_names_outside_the_lexicon() {
        let m = model();
        assert!(person_from_list_line("Janita Kirschberg Torsås kommun", &m).is_none());
        let p = person_from_attendance_line("Janita Kirschberg Torsås kommun", &m).unwrap();
        assert_eq!(
            (p.name.as_str(), p.organisation.as_deref()),
            ("Janita Kirschberg", Some("Torsås kommun"))
        );
        let p = person_from_attendance_line("Zlatan Qwerty, Region Kronoberg", &m).unwrap();
        assert_eq!(p.name, "Zlatan Qwerty");
        assert!(person_from_attendance_line("Region Kalmar län", &m).is_none());
    }

    #[test]
    fn organisations_and_labels_are_not_people() {
        for l in [
            "Region Kalmar län",
            "Kalmar kommun",
            "Kommunförbundet",
            "Bildspel",
            "Panel samtal",
            "Beslut",
            "Uppdragsägare",
            "Information och dialog",
            "Underlag",
            "Gemensam dialog",
            "Länsgemensamt arbete",
            "Invånarmedverkan",
            "Regionhuset, Nygatan 20, sal: Örken",
            "Övriga närvarande",
        ] {
            assert!(list(l).is_none(), "{l}");
        }
    }

    #[test]
    fn presenter_values() {
        let names = |v: &str| {
            names_in_presenter_value(v, &model())
                .into_iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names("Carina Elmqvist FoU, Hanna Lunding RGK"),
            ["Carina Elmqvist", "Hanna Lunding"]
        );
        assert_eq!(
            names("Martin Hansson Tingsryd, Magnus Frithiof RGK"),
            ["Martin Hansson", "Magnus Frithiof"]
        );
        assert_eq!(
            names("Mathina Mölstad, Kommunikation RGK"),
            ["Mathina Mölstad"]
        );
        assert_eq!(
            names("Anders Fransson, Erika Ehrnström, Jenny Bild RGK"),
            ["Anders Fransson", "Erika Ehrnström", "Jenny Bild"]
        );
        assert_eq!(
            names("Lisa Jakobsson och Ingrid Nyström"),
            ["Lisa Jakobsson", "Ingrid Nyström"]
        );
    }

    #[test]
    fn names_in_running_text() {
        let names = |t: &str| {
            person_mentions(t, &model())
                .into_iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names("beslutar att Petra Hornstra, barnläkare på kliniken, ersätter Charlotte Ohlsén, barn- och"), ["Petra Hornstra", "Charlotte Ohlsén"]);
        assert_eq!(
            names("beslutar att Simon Edberg basenhetschef Habiliteringen"),
            ["Simon Edberg"]
        );
        assert!(names("Dagarna äger rum på Astrid Lindgrens värld.").is_empty());
        assert!(names("Region Kalmar län och Kalmar kommun").is_empty());
    }

    #[test]
    fn learned_names_win() {
        let mut m = model();
        m.learn("Anna Hasselbom Trofast");
        let got = person_mentions("vice ordförande Anna Hasselbom Trofast hälsade", &m);
        assert_eq!(got[0].name, "Anna Hasselbom Trofast");
    }
}
