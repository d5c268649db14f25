//! The body that met (`group`), the kind of document (`kind`) and its title.
//! Owns: reading the title line(s), removing document-kind words and dates,
//! letterhead layouts (`Växjö kommun   PROTOKOLL` / `Socialnämnden   Sammanträdesdatum`),
//! and one canonical spelling per body: split and joined compounds
//! (`Läns gemensam ledning` = `Länsgemensam ledning`) and short forms of a known
//! full name (`Länsgemensam ledning` → `Länsgemensam ledning i samverkan`).

use super::date::find_dates;
use super::lines::{collapse_spaces, Line};

/// Document kinds, as the first word(s) of a title name them; the value is the kind.
const KIND_WORDS: &[(&str, &str)] = &[
    ("sammanträdesprotokoll", "protokoll"),
    ("mötesprotokoll", "protokoll"),
    ("justerat protokoll", "protokoll"),
    ("protokollsutdrag", "protokoll"),
    ("protokoll", "protokoll"),
    ("mötesanteckningar", "mötesanteckningar"),
    ("minnesanteckningar", "minnesanteckningar"),
    ("minnesanteckning", "minnesanteckningar"),
    ("anteckningar", "anteckningar"),
    ("dagordning", "dagordning"),
    ("kallelse", "kallelse"),
];

/// Bodies known by their full name. A title that gives a short form or another
/// spelling of one of these is mapped to it. Extend `data/groups.txt` to add more.
const KNOWN_GROUPS: &str = include_str!("../../data/groups.txt");

/// What the title tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub title: String,
    pub group: String,
    pub kind: String,
    /// The organisation a letterhead names (`Växjö kommun`).
    pub organisation: Option<String>,
}

/// Reads title, group and kind from the first lines; `body` is the whole text,
/// used for evidence of the group's full name and joined spellings.
pub fn read_heading(lines: &[Line], raw_lines: &[&str], body: &str) -> Heading {
    let texts: Vec<&Line> = lines.iter().filter(|l| !l.is_blank()).take(6).collect();
    let title = texts.first().map(|l| l.text.clone()).unwrap_or_default();
    let mut kind = String::new();
    let mut group = String::new();
    let mut organisation = None;

    if let Some((body, org)) = letterhead_group(raw_lines) {
        group = body;
        organisation = Some(org);
        kind = "protokoll".into();
    } else {
        for line in &texts {
            let (k, rest) = strip_kind_and_date(&line.text);
            // `Protokoll fört vid styrelsemöte i Brf Lodet`: the body follows the meeting;
            // `Minnesanteckningar från dialogkonferens`: the body is on the next line.
            let rest = if k.is_some() && starts_with_qualifier(&rest) {
                body_after_qualifier(&rest).unwrap_or_default()
            } else {
                rest
            };
            // `Styrelsemöte 6 december, Vretby båtklubb`: the name after the meeting and its
            // date; `Årsmöte 16-03-10` names no body.
            let rest = match meeting_line_body(&rest) {
                Some(named) => named,
                None if starts_with_meeting_noun(&rest) => {
                    if kind.is_empty() {
                        kind = "protokoll".into();
                    }
                    continue;
                }
                None => rest,
            };
            if kind.is_empty() {
                if let Some(k) = &k {
                    kind = k.clone();
                }
            }
            // `HÄLLEBY KOMMUN` on a line of its own: the organisation; the body follows.
            let proper_name = rest
                .split_whitespace()
                .rev()
                .skip(1)
                .all(|w| w.starts_with(char::is_uppercase));
            if k.is_none() && organisation.is_none() && proper_name && is_organisation_name(&rest) {
                organisation = Some(title_case_if_shouting(&rest));
                continue;
            }
            if !rest.is_empty() && looks_like_group_name(&rest) {
                group = rest;
                break;
            }
            if k.is_none() && !kind.is_empty() {
                continue;
            }
            if k.is_none() {
                // The first line names no kind: it is the group itself (or a letterhead).
                group = rest;
                break;
            }
        }
    }
    if title.to_lowercase().contains("presidiekonferens") {
        kind = "presidiekonferens".into();
    }
    if kind.is_empty() {
        kind = "protokoll".into();
    }
    let group = canonical_group(without_column_label(&group), body);
    Heading {
        title,
        group,
        kind,
        organisation,
    }
}

/// A municipal letterhead: the organisation first (`Växjö kommun`, `ÖSTERSUNDS
/// KOMMUN`, `**Tomelilla kommun**`), possibly with `PROTOKOLL` and a page number in
/// further columns, then the body that met on one of the next lines (left column),
/// between labels (`Sammanträdesdatum`) and dates: the body (`Socialnämnden`) and
/// the organisation (`Växjö kommun`).
fn letterhead_group(raw_lines: &[&str]) -> Option<(String, String)> {
    let first_cells: Vec<String> = raw_lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .take(6)
        .map(|l| {
            // A line indented far is a right-hand column only: no left cell.
            if l.len() - l.trim_start().len() >= 12 {
                return String::new();
            }
            let cell = l.trim().split("   ").next().unwrap_or("").trim();
            super::lines::strip_markdown_line(cell).text
        })
        .collect();
    // `VRETSTADS KOMMUN SAMMANTRÄDESPROTOKOLL 1 (6)`: columns set with single spaces.
    let org = first_cells.first()?;
    let org = super::prepare::split_counter(org).map_or(org.as_str(), |(head, _, _)| head);
    let org = match org.rsplit_once(' ') {
        Some((head, last)) if KIND_WORDS.iter().any(|(w, _)| last.to_lowercase() == *w) => head,
        _ => org,
    };
    if !is_organisation_name(org) {
        return None;
    }
    let is_kind = |c: &str| KIND_WORDS.iter().any(|(w, _)| c.to_lowercase() == *w);
    for cell in first_cells.iter().skip(1) {
        let c = cell.trim();
        if c.is_empty() || is_kind(c) || !find_dates(c).is_empty() || c.contains(':') {
            continue;
        }
        let lower = c.to_lowercase();
        if lower.starts_with("sammanträdesdatum") || lower == "datum" || lower.starts_with("sida")
        {
            continue;
        }
        if c.split_whitespace().next().is_some_and(is_date_label) {
            continue;
        }
        let c = without_column_label(c);
        if c.split_whitespace().count() <= 8 && c.chars().next().is_some_and(char::is_uppercase) {
            return Some((
                strip_abbreviation(c).to_string(),
                title_case_if_shouting(org),
            ));
        }
        break;
    }
    None
}

/// `Växjö kommun`, `Region Kronoberg`, `Landstinget i Kalmar län`: a short organisation name.
fn is_organisation_name(s: &str) -> bool {
    let lower = s.to_lowercase();
    let words = s.split_whitespace().count();
    let names_a_kind = KIND_WORDS.iter().any(|(w, _)| lower.starts_with(w));
    !names_a_kind
        && !s.contains([',', '–', ':'])
        && (1..=5).contains(&words)
        && (lower.ends_with(" kommun")
            || lower.starts_with("region ")
            || lower.starts_with("landstinget")
            || lower.ends_with(" stad"))
}

/// `Kommunala pensionärsrådet (KPR)` → `Kommunala pensionärsrådet`.
fn strip_abbreviation(s: &str) -> &str {
    match s.rsplit_once(" (") {
        Some((head, tail))
            if tail.ends_with(')')
                && tail
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .all(char::is_uppercase) =>
        {
            head
        }
        _ => s,
    }
}

/// `ÖSTERSUNDS KOMMUN` → `Östersunds kommun`, `REGION VÄSTERBOTTEN` → `Region
/// Västerbotten`: names capitalised, the common nouns and small words of
/// organisation names not.
fn title_case_if_shouting(s: &str) -> String {
    const LOWER: &[&str] = &[
        "kommun",
        "stad",
        "län",
        "läns",
        "landsting",
        "och",
        "i",
        "för",
        "av",
        "med",
    ];
    if s.chars().any(char::is_lowercase) {
        return s.to_string();
    }
    let words: Vec<String> = s
        .to_lowercase()
        .split(' ')
        .enumerate()
        .map(|(k, w)| {
            if k > 0 && LOWER.contains(&w) {
                w.to_string()
            } else {
                capitalise_first(w)
            }
        })
        .collect();
    words.join(" ")
}

fn starts_with_qualifier(rest: &str) -> bool {
    let first = rest.split_whitespace().next().unwrap_or("");
    matches!(first, "från" | "vid" | "fört" | "förda" | "över" | "med")
}

/// A noun that names a meeting rather than a body: `styrelsemöte`, `årsmöte`, `sammanträde`,
/// `föreningsstämma`, `extra årsmöte`.
fn is_meeting_noun(word: &str) -> bool {
    let w = word
        .trim_matches(|c: char| !c.is_alphabetic())
        .to_lowercase();
    [
        "möte",
        "möten",
        "sammanträde",
        "sammanträdet",
        "stämma",
        "stämman",
        "mötet",
    ]
    .iter()
    .any(|end| w.ends_with(end))
}

fn starts_with_meeting_noun(s: &str) -> bool {
    let mut words = s.split_whitespace();
    let first = words.next().unwrap_or("");
    is_meeting_noun(first)
        || (matches!(
            first.to_lowercase().as_str(),
            "extra" | "ordinarie" | "konstituerande"
        ) && words.next().is_some_and(is_meeting_noun))
}

/// After `fört vid` / `från`: the body named after the meeting noun and a preposition
/// (`styrelsemöte i Brf Lodet`, `sammanträde med kommunstyrelsen`), or a name that follows
/// directly (`från Socialnämnden`); none when only the meeting is named.
fn body_after_qualifier(rest: &str) -> Option<String> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let mut i = 0;
    while words
        .get(i)
        .is_some_and(|w| matches!(*w, "från" | "vid" | "fört" | "förda" | "över"))
    {
        i += 1;
    }
    let first = words.get(i)?;
    if first.starts_with(char::is_uppercase) {
        return Some(words.get(i..)?.join(" "));
    }
    let meeting_end = words
        .iter()
        .skip(i)
        .position(|w| is_meeting_noun(w))
        .map(|p| i + p + 1)?;
    let prep = words.get(meeting_end)?;
    if !matches!(*prep, "i" | "med" | "för" | "hos" | "inom") {
        return None;
    }
    let name = words.get(meeting_end + 1..)?.join(" ");
    (!name.is_empty()).then(|| capitalise_first(&name))
}

/// `Styrelsemöte 6 december, Vretby båtklubb` → `Vretby båtklubb`: a meeting noun, maybe
/// its date, then the body after a comma.
fn meeting_line_body(s: &str) -> Option<String> {
    if !starts_with_meeting_noun(s) {
        return None;
    }
    let (_, after) = s.split_once(", ")?;
    let name = after.trim();
    let looks_like_name = name.starts_with(char::is_uppercase)
        && find_dates(name).is_empty()
        && !name.to_lowercase().starts_with("protokoll")
        && !name.to_lowercase().starts_with("kl");
    looks_like_name.then(|| name.to_string())
}

/// `Överförmyndarnämnden Datum`, `Socialnämnden Sammanträdesdatum`: a column label that a
/// text extractor set after the body with one space is not part of the name.
pub fn without_column_label(s: &str) -> &str {
    match s.trim_end().rsplit_once(' ') {
        Some((head, last)) if is_date_label(last) && !head.trim().is_empty() => head.trim_end(),
        _ => s,
    }
}

/// `Datum`, `Sammanträdesdatum`, `Mötesdatum`: the label of a date column.
pub fn is_date_label(word: &str) -> bool {
    let w = word.trim_end_matches(':').to_lowercase();
    w == "datum" || (w.ends_with("datum") && w.chars().count() <= 20 && w.chars().count() > 5)
}

/// Removes a leading kind word (`Protokoll`, `Mötesanteckningar`), the word
/// `presidiekonferens`, dates and separators; returns the kind found and the rest.
fn strip_kind_and_date(text: &str) -> (Option<String>, String) {
    let mut s = text.trim().to_string();
    let mut kind = None;
    let lower = s.to_lowercase();
    // `Styrelseprotokoll`, `Årsmötesprotokoll`: a compound of the kind word.
    let first_word_len = s.find(char::is_whitespace).unwrap_or(s.len());
    if s.get(..first_word_len).is_some_and(|w| {
        w.to_lowercase().ends_with("protokoll") && w.chars().all(char::is_alphabetic)
    }) {
        s = s.get(first_word_len..).unwrap_or("").to_string();
        kind = Some("protokoll".to_string());
    }
    let lower = if kind.is_some() {
        s.to_lowercase()
    } else {
        lower
    };
    for (word, k) in KIND_WORDS.iter().filter(|_| kind.is_none()) {
        let after = lower.get(word.len()..).unwrap_or("x");
        if lower.starts_with(word) && after.chars().next().is_none_or(|c| !c.is_alphabetic()) {
            let Some(rest) = s.get(word.len()..) else {
                continue;
            };
            s = rest.to_string();
            kind = Some(k.to_string());
            break;
        }
    }
    // `presidiekonferens` names the meeting, not the body.
    let words: Vec<&str> = s
        .split_whitespace()
        .filter(|w| !w.to_lowercase().starts_with("presidiekonferens"))
        .collect();
    if words.len() != s.split_whitespace().count() {
        kind = Some("presidiekonferens".into());
    }
    s = words.join(" ");
    for (pos, _) in find_dates(&s).into_iter().rev() {
        s.truncate(pos);
    }
    s = without_protocol_number(&s);
    let s = s.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '–' | '-' | ':' | ',' | '—' | '|')
    });
    (kind, org_suffix_joined(&collapse_spaces(s)))
}

/// `nr 6/2022`, `Nr 4`, `, protokoll nr 9`: the protocol's number is not part of a name.
fn without_protocol_number(s: &str) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i].trim_end_matches([',', '.', ':']).to_lowercase();
        let number_follows = words
            .get(i + 1)
            .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()));
        if matches!(w.as_str(), "nr" | "nummer" | "nr.") && number_follows {
            // `, protokoll nr 9`: the kind word before the number goes too.
            if out
                .last()
                .is_some_and(|p| p.to_lowercase().trim_end_matches(',') == "protokoll")
            {
                out.pop();
            }
            i += 2;
            continue;
        }
        out.push(words[i]);
        i += 1;
    }
    out.join(" ")
        .trim_end_matches([',', ' '])
        .trim_start_matches([',', ' '])
        .to_string()
}

/// `Socialnämnden, Växjö kommun` → `Socialnämnden Växjö kommun`.
fn org_suffix_joined(s: &str) -> String {
    if let Some((body, org)) = s.rsplit_once(", ") {
        let o = org.to_lowercase();
        if o.contains("kommun")
            || o.starts_with("region")
            || o.ends_with(" län")
            || o.contains("landsting")
        {
            return format!("{body} {org}");
        }
    }
    s.to_string()
}

fn looks_like_group_name(s: &str) -> bool {
    let words = s.split_whitespace().count();
    (1..=16).contains(&words) && s.chars().any(char::is_alphabetic)
}

/// More words than the longest body's name (`Samordnande grupp för vård, skola och
/// omsorg av barn och unga med behov av särskilt stöd i Hallands län` has 20).
const MAX_NAME_WORDS: usize = 24;

/// One spelling per body: a known full name when the title gives a short form or
/// a split/joined spelling of it, else a full name the text itself uses
/// (`X i samverkan`), else the title's own words with a capital first letter.
pub fn canonical_group(name: &str, body: &str) -> String {
    // A body's name is a heading: a "name" of more words than any name has is running
    // text (a file without line breaks), and names no body.
    if name.split_whitespace().nth(MAX_NAME_WORDS).is_some() {
        return String::new();
    }
    let name = collapse_spaces(name.trim_end_matches(['.', ':', ',']));
    if name.is_empty() {
        return name;
    }
    let key = squash(&name);
    let known = known_groups();
    if let Some(full) = known.iter().find(|k| squash(k) == key) {
        return full.clone();
    }
    if let Some(full) = known.iter().find(|k| word_prefix_key_match(k, &key)) {
        return full.clone();
    }
    let name = extend_from_text(&name, body).unwrap_or(name);
    let name = join_split_compounds(&name, body);
    capitalise_first(&name)
}

fn known_groups() -> Vec<String> {
    KNOWN_GROUPS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Lowercase letters and digits only: `Läns gemensam ledning` and `Länsgemensam
/// ledning` have the same key.
pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// True when `key` equals the squashed first words of `full` (ending at a word end).
fn word_prefix_key_match(full: &str, key: &str) -> bool {
    let words: Vec<&str> = full.split_whitespace().collect();
    let mut acc = String::new();
    for w in words.iter().take(words.len().saturating_sub(1)) {
        acc.push_str(&squash(w));
        if acc == key {
            return true;
        }
        if acc.len() >= key.len() {
            return false;
        }
    }
    false
}

/// `Länsgemensam ledning` in a text that says `Länsgemensam ledning i samverkan`
/// (twice or more, spaces and line breaks aside) becomes the longer name.
fn extend_from_text(name: &str, body: &str) -> Option<String> {
    let key = squash(name);
    if key.len() < 6 {
        return None;
    }
    // The longer name is `<name> i <word>`, twice: without two occurrences of the
    // name's last letters before ` i ` (as written, joined or split), nothing to find.
    let tail: String = {
        let chars: Vec<char> = name.chars().collect();
        chars[chars.len().saturating_sub(3)..].iter().collect()
    };
    body.matches(&format!("{tail} i ")).nth(1)?;
    // The body squashed into one string, with where each word starts in it.
    let words: Vec<&str> = body.split_whitespace().collect();
    let mut squashed = String::with_capacity(body.len());
    let mut starts = Vec::with_capacity(words.len() + 1);
    for w in &words {
        starts.push(squashed.len());
        squashed.extend(
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase),
        );
    }
    starts.push(squashed.len());
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for (pos, _) in squashed.match_indices(key.as_str()) {
        // The match must begin and end at word boundaries.
        let (Ok(start), Ok(end)) = (
            starts.binary_search(&pos),
            starts.binary_search(&(pos + key.len())),
        ) else {
            continue;
        };
        // Several empty words may share an offset: take the last word that starts there.
        let end = (end..words.len())
            .take_while(|&k| starts[k] == pos + key.len())
            .last()
            .unwrap_or(end);
        if start >= end || end + 1 >= words.len() || words[end] != "i" {
            continue;
        }
        // `ge kommunstyrelsen i uppdrag att`: a body's name in running text, in lower case,
        // is followed by ordinary words; only a name written as a name is extended.
        if !words[start]
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .starts_with(char::is_uppercase)
        {
            continue;
        }
        let next = words[end + 1].trim_end_matches(|c: char| !c.is_alphabetic());
        if next.chars().count() >= 5 && next.chars().all(|c| c.is_lowercase()) {
            let next = next
                .strip_suffix('s')
                .filter(|n| body.contains(&format!(" i {n} ")))
                .unwrap_or(next);
            *counts.entry(next.to_string()).or_default() += 1;
        }
    }
    let (word, n) = counts.into_iter().max_by_key(|(_, n)| *n)?;
    (n >= 2).then(|| format!("{name} i {word}"))
}

/// `Läns gemensam ledning` becomes `Länsgemensam ledning` when the text also writes
/// the joined word.
fn join_split_compounds(name: &str, body: &str) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    let lower_body = std::cell::OnceCell::new();
    let lower_body = || lower_body.get_or_init(|| body.to_lowercase());
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if i + 1 < words.len() && words[i + 1].chars().next().is_some_and(char::is_lowercase) {
            let joined = format!("{}{}", words[i], words[i + 1]);
            let needle = joined.to_lowercase();
            if joined.chars().count() >= 8 && contains_word(lower_body(), &needle) {
                out.push(joined);
                i += 2;
                continue;
            }
        }
        out.push(words[i].to_string());
        i += 1;
    }
    out.join(" ")
}

fn contains_word(haystack: &str, word: &str) -> bool {
    haystack.match_indices(word).any(|(p, _)| {
        let before = haystack[..p].chars().next_back();
        before.is_none_or(|c| !c.is_alphabetic())
    })
}

fn capitalise_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::lines::to_lines;
    use super::*;

    fn heading(text: &str) -> Heading {
        let raw: Vec<&str> = text.lines().collect();
        read_heading(&to_lines(text), &raw, text)
    }

    #[test]
    fn shouted_organisation_names_are_title_cased() {
        assert_eq!(
            title_case_if_shouting("ÖSTERSUNDS KOMMUN"),
            "Östersunds kommun"
        );
        assert_eq!(
            title_case_if_shouting("REGION VÄSTERBOTTEN"),
            "Region Västerbotten"
        );
        assert_eq!(title_case_if_shouting("GÖTEBORGS STAD"), "Göteborgs stad");
        assert_eq!(
            title_case_if_shouting("Region Kalmar län"),
            "Region Kalmar län"
        );
    }

    #[test]
    fn split_and_joined_spellings_give_one_name() {
        assert_eq!(
            heading("Protokoll Läns gemensam ledning 2026-02-06").group,
            "Länsgemensam ledning i samverkan"
        );
        assert_eq!(
            heading("Protokoll Länsgemensam ledning 2025-12-12").group,
            "Länsgemensam ledning i samverkan"
        );
    }

    #[test]
    fn kind_words_are_not_part_of_the_group() {
        let h = heading("# Mötesanteckningar – Ledningsgrupp för äldrefrågor\n\nDatum: 2024-01-01");
        assert_eq!(h.group, "Ledningsgrupp för äldrefrågor");
        assert_eq!(h.kind, "mötesanteckningar");
        let h = heading("Minnesanteckningar samordnande grupp Barn och unga 2023-05-24");
        assert_eq!(h.group, "Samordnande grupp Barn och unga");
        assert_eq!(h.kind, "minnesanteckningar");
    }

    #[test]
    fn a_presidiekonferens_is_a_kind_of_meeting_of_its_body() {
        let h = heading(" Protokoll presidiekonferens Länsgemensam ledning i samverkan  ");
        assert_eq!(h.group, "Länsgemensam ledning i samverkan");
        assert_eq!(h.kind, "presidiekonferens");
    }

    #[test]
    fn letterhead_columns_give_body_and_organisation() {
        let h = heading("Växjö kommun                     PROTOKOLL \nSocialnämnden                        Sammanträdesdatum \n                          2014-12-02 \n");
        assert_eq!(h.group, "Socialnämnden");
        assert_eq!(h.organisation.as_deref(), Some("Växjö kommun"));
    }

    #[test]
    fn letterheads_in_their_shapes() {
        let h = heading("Vetlanda kommun                  PROTOKOLL        1(3)\n                                                    Sammanträdesdatum\nKommunstyrelsens arbetsutskott                      2024-03-19\n");
        assert_eq!(h.group, "Kommunstyrelsens arbetsutskott");
        assert_eq!(h.organisation.as_deref(), Some("Vetlanda kommun"));
        let h = heading("ÖSTERSUNDS KOMMUN                PROTOKOLL 1(4)\nSocialnämnden\n\nTid: Tisdagen den 10 december 2024");
        assert_eq!(h.group, "Socialnämnden");
        assert_eq!(h.organisation.as_deref(), Some("Östersunds kommun"));
        let h = heading(
            "**Tomelilla kommun**\n\n# Kommunala pensionärsrådet (KPR)\n\n**Datum:** 14 maj 2025",
        );
        assert_eq!(h.group, "Kommunala pensionärsrådet");
        assert_eq!(h.organisation.as_deref(), Some("Tomelilla kommun"));
    }

    #[test]
    fn a_qualifier_after_the_kind_word_is_not_the_group() {
        let h = heading(
            "Minnesanteckningar från dialogkonferens\nPolitiskt samråd för vård och omsorg\n",
        );
        assert_eq!(h.group, "Politiskt samråd för vård och omsorg");
    }

    #[test]
    fn markdown_title_on_two_headings() {
        let h = heading(
            "# Minnesanteckningar\n\n## Beredningsgrupp för psykisk hälsa\n\nDatum: 2016-10-27",
        );
        assert_eq!(h.group, "Beredningsgrupp för psykisk hälsa");
        let h = heading("# Protokoll – Regionstyrelsen, Region Jönköpings län\n");
        assert_eq!(h.group, "Regionstyrelsen Region Jönköpings län");
    }

    #[test]
    fn association_titles_in_their_shapes() {
        let cases = [
            ("**Protokoll nr 1/2014**\nStyrelsemöte 9 januari, Bostadsrättsföreningen Eken 8\nNärvarande ledamöter:", "Bostadsrättsföreningen Eken 8"),
            ("## Styrelseprotokoll\nFöreningen Lindåsen Ridklubb\n2015-06-11, 17.30–18.15", "Föreningen Lindåsen Ridklubb"),
            ("Protokoll fört vid styrelsemöte i Strandvägens vägförening\nDatum: tisdagen den 14 november 2017", "Strandvägens vägförening"),
            ("**Protokoll fört vid årsmöte med Brf Furbygården**\nDatum: 15 mars 2016", "Brf Furbygården"),
            ("BÅTSÄLLSKAPET GARVAREN\nStyrelsemöte 23-12-12, protokoll nr 8\nHos Ylva Åkerman, kl. 18.30", "BÅTSÄLLSKAPET GARVAREN"),
            ("Föreningen Lindåsen Ridklubb\nÅrsmöte 16-03-10\nJärnetrummet, kl. 18.30", "Föreningen Lindåsen Ridklubb"),
            ("Årsmötesprotokoll\nIK Kullbacken\ntorsdagen den 14 mars 2019, 18.00–21.00", "IK Kullbacken"),
            ("Protokoll fört vid sammanträde med kommunstyrelsen\n2024-01-01", "Kommunstyrelsen"),
            ("Protokoll från Socialnämnden 2024-01-01", "Socialnämnden"),
        ];
        for (text, want) in cases {
            assert_eq!(heading(text).group, want, "{text}");
        }
    }

    #[test]
    fn a_date_column_label_is_not_part_of_the_body() {
        let h = heading("VRETSTADS KOMMUN SAMMANTRÄDESPROTOKOLL 1 (6)\nÖverförmyndarnämnden Datum\n2014-06-04\n");
        assert_eq!(h.group, "Överförmyndarnämnden");
        let h = heading("BROFJÄRDS KOMMUN              PROTOKOLL              1 (11)\nSammanträdesdatum 22 februari\nBarn- och ungdomsnämnden\n");
        assert_eq!(h.group, "Barn- och ungdomsnämnden");
        assert_eq!(h.organisation.as_deref(), Some("Brofjärds kommun"));
    }

    #[test]
    fn a_body_named_in_lower_case_in_running_text_is_not_extended() {
        let body = "Kommunstyrelsen Datum\n§ 1 Motion\natt ge kommunstyrelsen i uppdrag att utreda. Vi ger kommunstyrelsen i uppdrag.";
        assert_eq!(heading(body).group, "Kommunstyrelsen");
    }

    #[test]
    fn the_text_can_give_the_full_name() {
        let body = "Protokoll Närvårdsråd 2024-01-01\nNärvårdsråd i samverkan möttes. Närvårds råd i samverkan beslutar.";
        assert_eq!(heading(body).group, "Närvårdsråd i samverkan");
    }

    #[test]
    fn a_joined_spelling_in_the_text_joins_the_title() {
        let body =
            "Protokoll Närvårds samverkan Kronoberg 2024-01-01\nInom närvårdssamverkan finns";
        assert_eq!(heading(body).group, "Närvårdssamverkan Kronoberg");
    }
}
