//! Splits a protocol into agenda items.
//! Owns: numbered headings (`3.`, `3)`, `## 2.`, `§ 57` with the title on the same or
//! the next line), the choice of the one numbering chain that is the agenda (so that
//! numbered decision lists inside an item are not items), un-numbered headings
//! (markdown headings between items, sub-headings of container items such as
//! `Informationspunkter`, and section headings of protocols without numbers),
//! attendance lists (which are not items), and per item its presenters and decisions.

use super::lines::Line;
use super::persons::{
    names_in_presenter_value, person_from_list_line, person_mentions, NameModel, Person,
};

/// Headings of attendance lists, lowercase, without a trailing colon.
pub const ATTENDANCE_HEADINGS: &[(&str, &str)] = &[
    ("närvarande ledamöter", "ledamot"),
    ("närvarande", "närvarande"),
    ("ledamöter", "ledamot"),
    ("beslutande", "ledamot"),
    ("beslutande ledamöter", "ledamot"),
    ("tjänstgörande ersättare", "ersättare"),
    ("närvarande ersättare", "ersättare"),
    ("ej tjänstgörande ersättare", "ersättare"),
    ("ersättare", "ersättare"),
    ("övriga närvarande", "övrig närvarande"),
    ("övriga deltagande", "övrig närvarande"),
    ("övriga medverkande", "övrig närvarande"),
    ("övriga deltagare", "övrig närvarande"),
    ("övriga", "övrig närvarande"),
    ("närvarande tjänstepersoner", "tjänsteperson"),
    ("närvarande tjänstemän", "tjänsteperson"),
    ("tjänstepersoner", "tjänsteperson"),
    ("tjänstemän", "tjänsteperson"),
    ("deltagare", "deltagare"),
    ("deltagarlista", "deltagare"),
    ("närvarolista", "deltagare"),
    ("medverkande", "medverkande"),
    ("inbjudna", "inbjuden"),
    ("gäster", "gäst"),
    ("adjungerade", "adjungerad"),
    ("frånvarande", "frånvarande"),
    ("anmält förhinder", "frånvarande"),
    ("anmäld frånvaro", "frånvarande"),
    ("förhinder", "frånvarande"),
    ("ej närvarande", "frånvarande"),
    ("personalföreträdare", "personalföreträdare"),
    ("tjg ersättare", "ersättare"),
    ("tjg ers", "ersättare"),
    ("närvarande, ej tjg ers", "ersättare"),
    ("närvarande ej tjg ers", "ersättare"),
    ("närvarande, ej tjänstgörande ersättare", "ersättare"),
    ("närvarande ej tjänstgörande ersättare", "ersättare"),
    ("kallade", "kallad"),
    ("kallade men ej närvarande", "kallad"),
    ("personalrepresentanter", "personalföreträdare"),
];

/// Lines that label a part of an item, never an item of their own.
pub(crate) const LABELS: &[&str] = &[
    "information och dialog",
    "information/dialog",
    "information",
    "dialog",
    "beslut",
    "underlag",
    "beslutsunderlag",
    "sammanfattning",
    "sammanfattning av ärendet",
    "beskrivning av ärendet",
    "beslutsgång",
    "beslutet skickas till",
    "förslag till beslut på sammanträdet",
    "omröstningsresultat",
    "bakgrund",
    "ärendebeskrivning",
    "förslag till beslut",
    "yrkanden",
    "yrkande",
    "propositionsordning",
    "expedieras till",
    "expedieras",
    "handlingar",
    "bilaga",
    "bilagor",
    "bildspel",
    "presentation",
    "föredragande",
    "föredragare",
    "protokollsanteckning",
    "reservation",
    "information och beslut",
    "diskussion",
    "beslutsärende",
    "informationsärende",
    "ärendet",
    "beredning",
    "skickas till",
    "för kännedom",
    "omröstning",
    "jäv",
    "paus",
];

/// Words that do not end a heading (a line ending with one continues on the next).
const FUNCTION_WORDS: &[&str] = &[
    "och", "i", "för", "till", "att", "med", "av", "på", "som", "om", "en", "ett", "de", "den",
    "det", "från", "vid", "inom", "samt", "eller", "men", "när", "där", "vi", "är", "har", "kan",
    "ska", "så", "under", "mellan", "efter", "genom", "mot", "utan", "sina", "sin", "sitt", "våra",
    "vår", "vårt", "dess", "deras", "hur", "var", "blir", "bli", "the", "of", "and",
];

/// Item titles that hold un-numbered sub-items: `Informationspunkter`, `Beslutsärenden`.
fn is_container_title(title: &str) -> bool {
    let key: String = title
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    [
        "punkter",
        "ärenden",
        "frågor",
        "information",
        "informationer",
        "meddelanden",
        "rapporter",
        "anmälningar",
        "aktuellt",
    ]
    .iter()
    .any(|s| key.ends_with(s))
        && title.split_whitespace().count() <= 4
}

/// A label line, with or without a value: `Underlag: …`, `Information/dialog: Alla`,
/// `Socialnämndens beslut`.
pub fn is_label(text: &str) -> bool {
    let head = text.split(':').next().unwrap_or("").trim().to_lowercase();
    if LABELS.contains(&head.as_str()) {
        return true;
    }
    is_decision_heading(text)
}

/// `Socialnämndens beslut`, `Arbetsutskottets beslut`, `Beslut`.
pub fn is_decision_heading(text: &str) -> bool {
    let trimmed = text.trim().trim_end_matches(':');
    if trimmed.len() > 60 || !trimmed.to_ascii_lowercase().ends_with("beslut") {
        return false;
    }
    let t = trimmed.to_lowercase();
    let words: Vec<&str> = t.split_whitespace().collect();
    match words.as_slice() {
        ["beslut"] => true,
        [owner, "beslut"] => owner.ends_with('s'),
        _ => false,
    }
}

/// The role an attendance heading gives its list, when `text` is one.
pub fn attendance_role(text: &str) -> Option<&'static str> {
    if text.len() > 90 {
        return None;
    }
    let t = text.trim().trim_end_matches(':').trim();
    // Every heading, and a row of them, begins with a heading's first word.
    let first = t.split_whitespace().next()?;
    if first.len() > 40 || !heading_first_words().contains(first.to_lowercase().as_str()) {
        return None;
    }
    let t = t.to_lowercase();
    ATTENDANCE_HEADINGS
        .iter()
        .find(|(h, _)| *h == t)
        .map(|(_, role)| *role)
        .or_else(|| heading_row(&t))
}

/// `beslutande ledamöter tjänstgörande ersättare`, `övriga närvarande ersättare
/// tjänstepersoner`: a table's column headings set side by side with single spaces. The
/// whole line must be headings, at least two; the row's role is the first heading's.
fn heading_row(lower: &str) -> Option<&'static str> {
    static HEADINGS: std::sync::OnceLock<Vec<(Vec<&str>, &str)>> = std::sync::OnceLock::new();
    let headings = HEADINGS.get_or_init(|| {
        ATTENDANCE_HEADINGS
            .iter()
            .map(|(h, role)| (h.split(' ').collect(), *role))
            .collect()
    });
    let words: Vec<&str> = lower.split_whitespace().collect();
    if !(2..=10).contains(&words.len()) {
        return None;
    }
    let mut i = 0;
    let mut roles = Vec::new();
    while i < words.len() {
        // The longest heading that the words from `i` begin with.
        let (len, role) = headings
            .iter()
            .filter(|(h, _)| words[i..].starts_with(h))
            .max_by_key(|(h, _)| h.len())
            .map(|(h, role)| (h.len(), *role))?;
        roles.push(role);
        i += len;
    }
    (roles.len() >= 2).then(|| roles[0])
}

/// `Beslutande Lennart Fogelqvist (KD), ordförande`: a heading with the list's first
/// entry on the same line (column layouts). Returns the role and the entry.
pub fn attendance_heading_with_entry(text: &str) -> Option<(&'static str, &str)> {
    static LONGEST_FIRST: std::sync::OnceLock<Vec<(&str, &str)>> = std::sync::OnceLock::new();
    let headings = LONGEST_FIRST.get_or_init(|| {
        let mut v = ATTENDANCE_HEADINGS.to_vec();
        v.sort_by_key(|(h, _)| std::cmp::Reverse(h.len()));
        v
    });
    let first_word = text.split([' ', ':']).next().unwrap_or("");
    if first_word.is_empty() || first_word.len() > 40 {
        return None;
    }
    if !heading_first_words().contains(first_word.to_lowercase().as_str()) {
        return None;
    }
    let lower = lowercase_head(text, 40);
    for &(h, role) in headings {
        if let Some(rest) = lower.strip_prefix(h) {
            if rest.starts_with([' ', ':']) {
                let Some(entry) = text.get(h.len()..) else {
                    continue;
                };
                let entry = entry.trim_start_matches([':', ' ']).trim();
                if !entry.is_empty() {
                    return Some((role, entry));
                }
            }
        }
    }
    None
}

/// The first word of each attendance heading.
fn heading_first_words() -> &'static std::collections::HashSet<&'static str> {
    static FIRST_WORDS: std::sync::OnceLock<std::collections::HashSet<&str>> =
        std::sync::OnceLock::new();
    FIRST_WORDS.get_or_init(|| {
        ATTENDANCE_HEADINGS
            .iter()
            .filter_map(|(h, _)| h.split(' ').next())
            .collect()
    })
}

/// The person part of a line in an attendance list.
pub fn attendance_entry(text: &str) -> &str {
    attendance_heading_with_entry(text)
        .map(|(_, e)| e)
        .unwrap_or(text)
}

/// The first `n` characters of `text`, lowercased: enough to compare a label.
fn lowercase_head(text: &str, n: usize) -> String {
    text.chars().take(n).flat_map(char::to_lowercase).collect()
}

/// An agenda item as found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawItem {
    pub number: Option<String>,
    pub title: String,
    pub parent: Option<String>,
    /// Indexes into the protocol's lines of the item's own text.
    pub body: Vec<usize>,
    pub presenters: Vec<Person>,
    pub decisions: Vec<String>,
    /// The diary number (`KS 2024/123`, `VN-2025-00007`), without its label.
    pub dnr: Option<String>,
}

/// What splitting finds: items, attendance lists and where the header ends.
#[derive(Debug, Default)]
pub struct Split {
    pub items: Vec<RawItem>,
    /// (line index, role) of every attendance-list line.
    pub attendance: Vec<(usize, &'static str)>,
    /// Lines before the first item.
    pub header_end: usize,
}

struct Heading {
    line: usize,
    /// Line after the heading where the body begins (title on the next line: +2).
    body_start: usize,
    number: Option<String>,
    title: String,
    level: u8,
    sub: bool,
    dnr: Option<String>,
}

/// Splits the protocol's lines into items.
pub fn split_items(lines: &[Line], model: &NameModel) -> Split {
    let attendance = find_attendance(lines, model);
    let in_attendance: Vec<bool> = {
        let mut v = vec![false; lines.len()];
        for (i, _) in &attendance {
            v[*i] = true;
        }
        v
    };
    let mut headings = numbered_headings(lines, &in_attendance);
    if headings.is_empty() {
        headings = unnumbered_sections(lines, &in_attendance, model);
    } else {
        headings.extend(markdown_headings_between_items(
            lines,
            &headings,
            &in_attendance,
        ));
        headings.sort_by_key(|h| h.line);
        let subs = container_sub_headings(lines, &headings, &in_attendance, model);
        let nested = nested_sub_headings(lines, &headings, &in_attendance);
        headings.extend(subs);
        headings.extend(nested);
        headings.sort_by_key(|h| h.line);
        headings.dedup_by_key(|h| h.line);
    }
    let header_end = headings.first().map(|h| h.line).unwrap_or(lines.len());
    let mut items = Vec::new();
    let mut parent: Option<String> = None;
    for (k, h) in headings.iter().enumerate() {
        let end = headings.get(k + 1).map(|n| n.line).unwrap_or(lines.len());
        let body: Vec<usize> = (h.body_start..end).filter(|&i| !in_attendance[i]).collect();
        if !h.sub {
            parent = Some(h.title.clone());
        }
        let presenters = presenters_of(lines, &body, model);
        let decisions = decisions_of(lines, &body);
        items.push(RawItem {
            number: h.number.clone(),
            title: h.title.clone(),
            parent: if h.sub { parent.clone() } else { None },
            body,
            presenters,
            decisions,
            dnr: h.dnr.clone(),
        });
    }
    Split {
        items,
        attendance,
        header_end,
    }
}

/// Attendance lists: a heading from `ATTENDANCE_HEADINGS` followed by lines that are
/// people. The list runs until a line that is neither a person, a wrapped
/// organisation, nor another attendance heading.
fn find_attendance(lines: &[Line], model: &NameModel) -> Vec<(usize, &'static str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let inline = attendance_heading_with_entry(&lines[i].text)
            .filter(|(_, entry)| super::persons::is_attendance_entry(entry, model));
        let Some(role) = attendance_role(&lines[i].text).or(inline.map(|(r, _)| r)) else {
            i += 1;
            continue;
        };
        let upcoming: Vec<usize> = (i + 1..lines.len())
            .filter(|&j| !lines[j].is_blank())
            .take(3)
            .collect();
        if inline.is_none()
            && !upcoming
                .iter()
                .any(|&j| super::persons::is_attendance_entry(&lines[j].text, model))
        {
            i += 1;
            continue;
        }
        out.push((i, role));
        let mut j = i + 1;
        let mut role = role;
        let mut misses = 0;
        // `Beslutande   Ledamöter   Tjänstgörande ersättare`: headings in a row are the
        // header of a table; its rows take the first heading's role.
        let mut heading_run = inline.is_none();
        while j < lines.len() {
            let l = &lines[j];
            if l.is_blank() {
                j += 1;
                continue;
            }
            if let Some(r) = attendance_role(&l.text) {
                if !heading_run {
                    role = r;
                }
                heading_run = true;
                out.push((j, role));
                misses = 0;
                j += 1;
                continue;
            } else if let Some((r, _)) = attendance_heading_with_entry(&l.text)
                .filter(|(_, e)| super::persons::is_attendance_entry(e, model))
            {
                role = r;
                out.push((j, role));
                misses = 0;
            } else if super::persons::is_attendance_entry(&l.text, model) {
                out.push((j, role));
                misses = 0;
                heading_run = false;
            } else if previous_text_line_ends_with_comma(lines, j)
                && l.text.split_whitespace().count() <= 6
            {
                out.push((j, role)); // organisation of a wrapped `Name,` line
            } else if is_entry_continuation(&l.text) {
                // A role or `§§` limits wrapped from the entry above
                // (`Sara Johansson, trafikplanerare §§` / `58–59`).
                out.push((j, role));
            } else {
                // One line that is no person (a table's header row, a note) does not end
                // the list when a person follows it.
                misses += 1;
                let person_next = next_text(lines, j)
                    .is_some_and(|k| super::persons::is_attendance_entry(&lines[k].text, model));
                if misses > 1 || !person_next {
                    break;
                }
            }
            j += 1;
        }
        i = j;
    }
    out
}

/// A line that goes on with the list entry above it: it starts in lower case, with
/// `&`, or with `§` limits.
fn is_entry_continuation(text: &str) -> bool {
    let short = text.split_whitespace().count() <= 6;
    // `§§ 93-99`, `58–59`, `§ 96`: paragraph limits only, never `§ 1 Mötets öppnande`.
    let limits = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '§' | '$' | '-' | '–' | ',' | ' ' | '.'))
        && text.chars().any(|c| c.is_ascii_digit());
    // `Lundqvist (M)`, `(C)`: the end of a name that wrapped in a narrow column.
    let words: Vec<&str> = text.split_whitespace().collect();
    let wrapped_name_tail = match words.as_slice() {
        [mark] => super::persons::is_party_mark(mark),
        [word, mark, ..] => {
            super::persons::is_party_mark(mark)
                && word.starts_with(char::is_uppercase)
                && word.chars().all(|c| c.is_alphabetic() || c == '-')
                && words[2..]
                    .iter()
                    .all(|w| w.chars().all(|c| !c.is_alphabetic()))
        }
        [] => false,
    };
    // `§§ 131-136, 138-162, 165, ordförande §§`: limits with the role they go with.
    let double_mark = text.starts_with("§§") || text.starts_with("$$");
    double_mark
        || short
            && (limits
                || wrapped_name_tail
                || text
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_lowercase() || c == '&'))
}

fn previous_text_line_ends_with_comma(lines: &[Line], j: usize) -> bool {
    (0..j)
        .rev()
        .find(|&k| !lines[k].is_blank())
        .is_some_and(|k| lines[k].text.ends_with(','))
}

/// `§ 57 Title`, `§ 57` (title on the next line), `## § 12 Title (Dnr …)`, `§57`, and
/// OCR's `$ 57`.
fn paragraph_heading(text: &str) -> Option<(u32, Option<String>)> {
    let (rest, ocr) = match text.strip_prefix('§') {
        Some(rest) => (rest, false),
        // OCR reads `§` as `$`.
        None => (text.strip_prefix('$')?, true),
    };
    if rest.starts_with('§') {
        return None; // `§§ 25-35`
    }
    let rest = rest.trim_start();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    let after = &rest[digits.len()..];
    // `§ 161-180`, `§ 137, 163`: a range or list of paragraphs, not a heading.
    let mut chars = after.trim_start().chars();
    if matches!(chars.next(), Some('-' | '–' | ',' | '&'))
        && chars.next().is_some_and(|c| c.is_ascii_digit() || c == ' ')
    {
        return None;
    }
    let title = strip_dnr(after.trim());
    // `$ 80` as a price would be followed by a word in lower case.
    if ocr && !(title.is_empty() || title.starts_with(char::is_uppercase)) {
        return None;
    }
    let title = title
        .trim_start_matches(['.', ':', '–', '-'])
        .trim()
        .to_string();
    Some((digits.parse().ok()?, (!title.is_empty()).then_some(title)))
}

/// The item's title after its `§` line: on that line, or on the next lines that are
/// not only a diary number. A title wraps over up to three lines: a line continues
/// the title while the table of contents' title for the number goes on with it, or,
/// without one, while the line before was long (set to the full column) and ends no
/// sentence. Returns the title, the line where the body begins and a diary number
/// found between heading and title.
fn paragraph_title(
    lines: &[Line],
    i: usize,
    inline: Option<String>,
    toc_title: Option<&String>,
) -> Option<(String, usize, Option<String>)> {
    let mut dnr = None;
    let (mut title, mut last) = match inline {
        Some(t) => (t, i),
        None => {
            let mut j = i + 1;
            loop {
                let l = lines.get(j)?;
                if j > i + 4 || l.text.starts_with('§') {
                    return None;
                }
                if !l.is_blank() {
                    if leader_title(&l.text).is_some() {
                        return None; // an entry of the table of contents
                    }
                    if let Some(d) = dnr_of(&l.text) {
                        dnr.get_or_insert(d);
                    }
                    let rest = strip_dnr(&l.text);
                    if !rest.is_empty() {
                        break (rest, j);
                    }
                }
                j += 1;
            }
        }
    };
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let mut taken = 0;
    while taken < 3 {
        let Some(next) = lines.get(last + 1) else {
            break;
        };
        if next.is_blank()
            || next.heading > 0
            || next.bullet
            || is_label(&next.text)
            || paragraph_heading(&next.text).is_some()
        {
            break;
        }
        if let Some(d) = dnr_of(&next.text) {
            if strip_dnr(&next.text).is_empty() {
                dnr.get_or_insert(d);
                last += 1;
                continue;
            }
        }
        let joined = format!("{title} {}", next.text);
        let continues = match toc_title {
            Some(t) => {
                let (t, j) = (norm(t), norm(&joined));
                t.starts_with(&j) && t.len() > norm(&title).len()
            }
            None => {
                title.chars().count() >= 45
                    && !title.ends_with(['.', ':', '!', '?'])
                    && next.text.chars().count() <= 120
            }
        };
        if !continues {
            break;
        }
        title = joined;
        last += 1;
        taken += 1;
    }
    // `§ 67 Fördelning av bidrag` / (blank) / `    Dnr. KUF.2023.416`: the diary number may
    // stand apart from the title, as the first line of the item.
    if dnr.is_none() {
        if let Some(next) = lines.iter().skip(last + 1).take(3).find(|l| !l.is_blank()) {
            if strip_dnr(&next.text).is_empty() {
                dnr = dnr_of(&next.text);
            }
        }
    }
    Some((title, last + 1, dnr))
}

/// The diary number a line gives: `Dnr VN-2025-00007`, `(Dnr SN 2014/0322)`,
/// `Dnr: KS 2024-00123`, `Diarienummer 2024/17`.
pub fn dnr_of(text: &str) -> Option<String> {
    let (p, label) = dnr_label(text)?;
    let rest = text.get(p + label..)?;
    let value = rest.trim_start_matches(['.', ':', ' ']);
    let value = value
        .split(')')
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches([',', '.']);
    let value: String = value
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    (value.chars().any(|c| c.is_ascii_digit()) && value.len() <= 40).then_some(value)
}

/// The labels of a diary number, longest first.
const DNR_LABELS: &[&str] = &["diarienummer", "diarienr", "dnr"];

/// A word that is a diary number's label (`Dnr`, `Dnr.`, `Diarienummer:`).
pub fn is_dnr_label_word(word: &str) -> bool {
    DNR_LABELS.contains(&word.trim_end_matches([':', '.']).to_lowercase().as_str())
}

/// Where a diary number's label stands in `text` (a word of its own: `Dnr`, `Dnr.`, `dnr:`,
/// `Diarienr`, `Diarienummer`) and its length. The labels are ASCII, so offsets found in the
/// ASCII-lowercased text index the text itself.
fn dnr_label(text: &str) -> Option<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    DNR_LABELS
        .iter()
        .flat_map(|m| lower.match_indices(m).map(|(p, _)| (p, m.len())))
        .filter(|&(p, len)| {
            let before = lower.get(..p).and_then(|b| b.chars().next_back());
            let after = lower.get(p + len..).and_then(|a| a.chars().next());
            before.is_none_or(|c| !c.is_alphanumeric())
                && after.is_none_or(|c| matches!(c, '.' | ':' | ' ' | '\u{a0}'))
        })
        .min()
}

/// A table of contents: which lines belong to it, and each `§`'s title there.
pub struct Contents {
    pub lines: Vec<bool>,
    pub titles: std::collections::HashMap<u32, String>,
}

/// Finds table-of-contents entries by their shape: a line that ends in a leader
/// (dots, or the garbled run OCR makes of them) and a page number, with the entry's
/// lines above it back to a blank line or the entry before (its `§` and diary
/// number, a title wrapped over lines); and a short heading line right above the
/// first entry (`Innehåll`, `Ärendelista`, …).
pub fn table_of_contents(lines: &[Line]) -> Contents {
    let mut out = Contents {
        lines: vec![false; lines.len()],
        titles: std::collections::HashMap::new(),
    };
    let mut first_entry: Option<usize> = None;
    for e in 0..lines.len() {
        let Some(tail) = leader_title(&lines[e].text) else {
            continue;
        };
        let mut start = e;
        while start > 0 {
            let above = &lines[start - 1];
            if above.is_blank() {
                // `§ 12 Dnr …`, a blank line, then the title with its leader.
                let heading_above = start >= 2
                    && !out.lines[start - 2]
                    && paragraph_heading(&lines[start - 2].text).is_some()
                    || start >= 3
                        && !out.lines[start - 3]
                        && dnr_of(&lines[start - 2].text).is_some()
                        && paragraph_heading(&lines[start - 3].text).is_some();
                if heading_above && start == e {
                    start -= 1;
                    continue;
                }
                break;
            }
            if out.lines[start - 1] || leader_title(&above.text).is_some() {
                break;
            }
            start -= 1;
        }
        if e - start > 4 {
            start = e; // too long for one entry: only the leader line
        }
        let mut number = None;
        let mut parts: Vec<String> = Vec::new();
        for (k, line) in lines.iter().enumerate().take(e + 1).skip(start) {
            out.lines[k] = true;
            let text = if k == e {
                tail.clone()
            } else {
                line.text.clone()
            };
            if let Some((n, t)) = paragraph_heading(&text) {
                number = Some(n);
                if let Some(t) = t {
                    parts.push(t);
                }
                continue;
            }
            let t = strip_dnr(&text);
            if !t.is_empty() {
                parts.push(t);
            }
        }
        if let Some(n) = number {
            out.titles.entry(n).or_insert_with(|| parts.join(" "));
        }
        first_entry.get_or_insert(start);
    }
    // The heading above the first entry.
    if let Some(first) = first_entry {
        if let Some(h) = (0..first).rev().find(|&k| !lines[k].is_blank()) {
            let t = &lines[h].text;
            if first - h <= 3 && t.split_whitespace().count() <= 3 && !t.ends_with('.') {
                out.lines[h] = true;
            }
        }
    }
    out
}

/// The title part of a table-of-contents line: `Årsredovisning 2024 ........ 5`,
/// `Budget … 12`, OCR's `Uppföljning per april..sssrrsrr er nn 8`.
fn leader_title(text: &str) -> Option<String> {
    let t = text.trim_end();
    let digits = t.chars().rev().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let before = t[..t.len() - digits].trim_end();
    let is_leader = |c: char| matches!(c, '.' | '…' | '_' | '·');
    let title = before.trim_end_matches(|c: char| is_leader(c) || c == ' ');
    let leader: String = before[title.len()..]
        .chars()
        .filter(|&c| is_leader(c))
        .collect();
    if leader.chars().count() >= 4 || leader.contains('…') {
        let title = title.trim();
        return (!title.is_empty()).then(|| title.to_string());
    }
    // OCR: a leader read as a long run of a few letters, starting with dots.
    let p = before.find("..")?;
    let run: String = before[p..].chars().filter(|c| !c.is_whitespace()).collect();
    let distinct: std::collections::HashSet<char> = run.chars().collect();
    if run.chars().count() >= 12 && distinct.len() <= 8 {
        let title = before[..p].trim();
        return (!title.is_empty()).then(|| title.to_string());
    }
    None
}

/// Removes a diary number: `Titel (Dnr SN 2014/0322)`, `Dnr SN 2014/0322`.
fn strip_dnr(s: &str) -> String {
    match dnr_label(s) {
        Some((p, _)) => s
            .get(..p)
            .unwrap_or("")
            .trim_end_matches(['(', ' '])
            .trim()
            .to_string(),
        None => s.trim().to_string(),
    }
}

/// `3. Title`, `3) Title`, `Punkt 3: Title`, `Ärende 3. Title`.
fn numbered_heading(text: &str) -> Option<(u32, String)> {
    let lower = text.to_lowercase();
    let mut rest = text;
    for prefix in ["punkt ", "ärende "] {
        if lower.starts_with(prefix) {
            rest = text.get(prefix.len()..).unwrap_or(text);
        }
    }
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() > 3 {
        return None;
    }
    let after = &rest[digits.len()..];
    // `3 Budget 2025`: a number and a space only, in a list of such lines; a day and
    // month (`6 maj`) or an amount (`3 000 kr`) are no such heading.
    let bare = after.starts_with(' ') && digits.len() <= 2;
    let after = match after.strip_prefix(['.', ')', ':']) {
        Some(a) => a,
        None if bare => after,
        None => return None,
    };
    if !after.starts_with(' ') {
        return None;
    }
    let title = after.trim();
    if bare
        && title
            .split_whitespace()
            .next()
            .is_some_and(super::date::is_month_name)
    {
        return None;
    }
    let first = title.chars().next()?;
    if !(first.is_alphabetic() || first == '"' || first == '”' || first == '«')
        || first.is_lowercase()
    {
        return None;
    }
    let words = title.split_whitespace().count();
    if title.chars().count() > 150
        || (title.ends_with('.') && words > 6)
        || contains_sentence_break(title)
    {
        return None;
    }
    // A line that is only a diary number is no title.
    let title = strip_dnr(title);
    if title.is_empty() {
        return None;
    }
    Some((digits.parse().ok()?, title))
}

/// The number a line holds alone (`3`, `3.`), 0 for any other line.
fn n_of(text: &str) -> u32 {
    text.trim_end_matches('.').parse().unwrap_or(0)
}

/// `3` (or `3.`) alone on a line, after a blank line, with the title on one of the next
/// lines (wrapped as a `§` title wraps): the number, the title, where the body begins and
/// a diary number found on the way.
fn number_line_heading(
    lines: &[Line],
    i: usize,
    toc_title: Option<&String>,
) -> Option<(u32, String, usize, Option<String>)> {
    let t = lines[i].text.trim_end_matches('.');
    if t.is_empty() || t.len() > 2 || !t.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if i > 0 && !lines[i - 1].is_blank() {
        return None;
    }
    let (title, body_start, dnr) = paragraph_title(lines, i, None, toc_title)?;
    let words = title.split_whitespace().count();
    let titled = title.starts_with(char::is_uppercase)
        && title.chars().count() <= 200
        && !title.ends_with(['.', ':', ','])
        && words <= 24
        && !is_label(&title)
        && n_of(&title) == 0;
    if !titled {
        return None;
    }
    Some((t.parse().ok()?, title, body_start, dnr))
}

/// `3.1 Driftbudget` inside item 3: sub-items numbered under their item.
fn nested_sub_headings(lines: &[Line], items: &[Heading], in_attendance: &[bool]) -> Vec<Heading> {
    let mut out = Vec::new();
    for (k, h) in items.iter().enumerate() {
        let Some(number) = h.number.as_deref() else {
            continue;
        };
        let end = items.get(k + 1).map(|n| n.line).unwrap_or(lines.len());
        let prefix = format!("{number}.");
        for i in h.body_start..end {
            if in_attendance[i] {
                continue;
            }
            let text = lines[i].text.as_str();
            let Some(rest) = text.strip_prefix(&prefix) else {
                continue;
            };
            let sub: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            let title = rest[sub.len()..].trim_start_matches(['.', ')']);
            if sub.is_empty() || sub.len() > 2 || !title.starts_with(' ') {
                continue;
            }
            let title = title.trim();
            if !title.starts_with(char::is_uppercase)
                || title.chars().count() > 150
                || strip_dnr(title).is_empty()
            {
                continue;
            }
            out.push(Heading {
                line: i,
                body_start: i + 1,
                number: Some(format!("{number}.{sub}")),
                title: strip_dnr(title),
                level: lines[i].heading,
                sub: true,
                dnr: dnr_of(text),
            });
        }
    }
    out
}

fn contains_sentence_break(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars
        .windows(3)
        .any(|w| w[0] == '.' && w[1] == ' ' && w[2].is_uppercase())
        && !s.contains("bl. a")
}

/// Numbered headings of the agenda: `§` headings when there are two or more, else
/// `N.` headings; of those, the longest chain that counts up by one (a numbered
/// list inside an item breaks no chain of its own).
fn numbered_headings(lines: &[Line], in_attendance: &[bool]) -> Vec<Heading> {
    let toc = table_of_contents(lines);
    let mut para = Vec::new();
    let mut numbered = Vec::new();
    let mut bare_numbers = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if in_attendance[i] || l.bullet || toc.lines[i] {
            continue;
        }
        if let Some((n, title)) = paragraph_heading(&l.text) {
            let Some((title, body_start, dnr)) =
                paragraph_title(lines, i, title, toc.titles.get(&n))
            else {
                continue;
            };
            para.push((
                n,
                Heading {
                    line: i,
                    body_start,
                    number: Some(n.to_string()),
                    title,
                    level: l.heading,
                    sub: false,
                    dnr: dnr.or_else(|| dnr_of(&l.text)),
                },
                false,
            ));
        } else if let Some((n, title, body_start, dnr)) =
            number_line_heading(lines, i, toc.titles.get(&n_of(&l.text)))
        {
            bare_numbers.push((
                n,
                Heading {
                    line: i,
                    body_start,
                    number: Some(n.to_string()),
                    title,
                    level: l.heading,
                    sub: false,
                    dnr,
                },
                false,
            ));
        } else if let Some((n, title)) = numbered_heading(&l.text) {
            let listed = l.heading == 0 && in_numbered_list(lines, i);
            numbered.push((
                n,
                Heading {
                    line: i,
                    body_start: i + 1,
                    number: Some(n.to_string()),
                    title,
                    level: l.heading,
                    sub: false,
                    dnr: None,
                },
                listed,
            ));
        }
    }
    if para.len() >= 2 {
        return longest_chain(para, true);
    }
    // `Sn 49 Title`, `SON 108 Title`, `KS § 12 Title`: the body's short name before each
    // paragraph number, the same on two or more headings.
    // They win only over a shorter agenda of `N.` headings.
    let prefixed = prefixed_headings(lines, in_attendance);
    let prefixed = if prefixed.len() >= 2 {
        longest_chain(prefixed, true)
    } else {
        Vec::new()
    };
    if numbered.iter().filter(|(_, h, _)| h.level > 0).count() >= 2 {
        numbered.retain(|(_, h, _)| h.level > 0);
    }
    let mut numbered = longest_chain(numbered, false);
    // A number on a line of its own with the title under it, when nothing else numbers
    // the agenda.
    if numbered.len() < 2 && bare_numbers.len() >= 2 {
        let bare = longest_chain(bare_numbers, false);
        // Page numbers alone on a line are followed by the running header, the same line
        // each time; an agenda's titles differ.
        let mut titles: Vec<&str> = bare.iter().map(|h| h.title.as_str()).collect();
        titles.sort_unstable();
        let repeats = titles.windows(2).any(|w| w[0] == w[1]);
        if bare.len() >= 2 && !repeats {
            numbered = bare;
        }
    }
    if prefixed.len() >= 2 && prefixed.len() > numbered.len() {
        prefixed
    } else {
        numbered
    }
}

/// `Sn 49 Title`, `SON 108 Title`, `KS § 12 Title`: a short name (two to four letters,
/// capitalised), maybe `§`, a paragraph number and a capitalised title. Returns the
/// number and title, with the short name.
fn prefixed_heading(text: &str) -> Option<(String, u32, String)> {
    let mut words = text.split_whitespace();
    let prefix = words.next()?;
    let letters = prefix.chars().count();
    if !(2..=4).contains(&letters)
        || !prefix.chars().all(char::is_alphabetic)
        || !prefix.starts_with(char::is_uppercase)
        || matches!(
            prefix.to_lowercase().as_str(),
            "dnr" | "nr" | "kl" | "tel" | "sid" | "sida" | "bil"
        )
    {
        return None;
    }
    let mut number = words.next()?;
    if number == "§" {
        number = words.next()?;
    }
    let number = number.trim_end_matches(['.', ':']);
    if number.is_empty() || number.len() > 4 || !number.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let title: Vec<&str> = words.collect();
    let title = strip_dnr(&title.join(" "));
    if !title.starts_with(char::is_uppercase) || title.chars().count() > 150 {
        return None;
    }
    Some((prefix.to_string(), number.parse().ok()?, title))
}

/// The headings of [`prefixed_heading`] shape whose short name is the commonest among
/// them, when two or more share it.
fn prefixed_headings(lines: &[Line], in_attendance: &[bool]) -> Vec<(u32, Heading, bool)> {
    let found: Vec<(usize, String, u32, String)> = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| !in_attendance[*i] && !l.bullet && leader_title(&l.text).is_none())
        .filter_map(|(i, l)| prefixed_heading(&l.text).map(|(p, n, t)| (i, p, n, t)))
        .collect();
    let mut counts: std::collections::HashMap<&str, usize> = Default::default();
    for (_, p, _, _) in &found {
        *counts.entry(p.as_str()).or_default() += 1;
    }
    let Some((prefix, n)) = counts
        .into_iter()
        .max_by_key(|&(p, n)| (n, std::cmp::Reverse(p)))
    else {
        return Vec::new();
    };
    if n < 2 {
        return Vec::new();
    }
    let prefix = prefix.to_string();
    found
        .into_iter()
        .filter(|(_, p, _, _)| *p == prefix)
        .map(|(i, _, n, title)| {
            // The diary number may stand on the line after the heading.
            let next = (i + 1..lines.len().min(i + 4)).find(|&j| !lines[j].is_blank());
            let dnr_line = next.filter(|&j| {
                strip_dnr(&lines[j].text).is_empty() && dnr_of(&lines[j].text).is_some()
            });
            (
                n,
                Heading {
                    line: i,
                    body_start: dnr_line.map_or(i + 1, |j| j + 1),
                    number: Some(n.to_string()),
                    title,
                    level: lines[i].heading,
                    sub: false,
                    dnr: dnr_of(&lines[i].text)
                        .or_else(|| dnr_line.and_then(|j| dnr_of(&lines[j].text))),
                },
                false,
            )
        })
        .collect()
}

/// The best run of candidates whose numbers count up, in text order: each step
/// adds one number (a gap of one, an item struck from the agenda, costs a little),
/// and a candidate set off by blank lines weighs more than one in a run of
/// adjacent numbered lines (a list inside an item).
fn longest_chain(cands: Vec<(u32, Heading, bool)>, gaps: bool) -> Vec<Heading> {
    if cands.is_empty() {
        return Vec::new();
    }
    let n = cands.len();
    let weight = |k: usize| if cands[k].2 { 0.5 } else { 1.0 };
    let mut best: Vec<f64> = (0..n).map(weight).collect();
    let mut prev: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        for j in 0..i {
            let step = cands[i].0 as i64 - cands[j].0 as i64;
            let cost = match step {
                1 => 0.0,
                2 => 0.4,
                // Extracts of a protocol skip `§`s (`§ 137`, `§ 163`).
                s if s > 2 && gaps => 0.9,
                _ => continue,
            };
            let score = best[j] + weight(i) - cost;
            if score > best[i] + 1e-9 {
                best[i] = score;
                prev[i] = Some(j);
            }
        }
    }
    // The best chain; of equal ones, the one that starts lowest (an agenda starts at 1).
    let start_of = |mut k: usize| {
        while let Some(p) = prev[k] {
            k = p;
        }
        k
    };
    let end = (0..n)
        .max_by(|&a, &b| {
            best[a]
                .partial_cmp(&best[b])
                .expect("finite")
                .then_with(|| cands[start_of(b)].0.cmp(&cands[start_of(a)].0))
        })
        .expect("non-empty");
    let mut chain = vec![end];
    while let Some(p) = prev[*chain.last().expect("non-empty")] {
        chain.push(p);
    }
    let keep: std::collections::HashSet<usize> = chain.into_iter().collect();
    cands
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, (_, h, _))| h)
        .collect()
}

/// A numbered line with another numbered line right above or below it, and no
/// blank line around it: an item of a numbered list.
fn in_numbered_list(lines: &[Line], i: usize) -> bool {
    let numbered = |k: usize| lines[k].text.starts_with(|c: char| c.is_ascii_digit());
    let above = i > 0 && !lines[i - 1].is_blank() && numbered(i - 1);
    let below = i + 1 < lines.len() && !lines[i + 1].is_blank() && numbered(i + 1);
    above || below
}

fn next_text(lines: &[Line], i: usize) -> Option<usize> {
    (i + 1..lines.len()).find(|&j| !lines[j].is_blank())
}

fn prev_text(lines: &[Line], i: usize) -> Option<usize> {
    (0..i).rev().find(|&j| !lines[j].is_blank())
}

/// Un-numbered markdown headings at the level of the items around them:
/// `## Reflektion efter planeringsdagarna` between `## 6.` and `## 7.`.
fn markdown_headings_between_items(
    lines: &[Line],
    items: &[Heading],
    in_attendance: &[bool],
) -> Vec<Heading> {
    let mut out = Vec::new();
    let first = items.first().map(|h| h.line).unwrap_or(0);
    for (i, l) in lines.iter().enumerate().skip(first + 1) {
        if l.heading == 0
            || in_attendance[i]
            || items
                .iter()
                .any(|h| h.line == i || h.body_start > i && h.line < i)
        {
            continue;
        }
        let Some(owner) = items.iter().rev().find(|h| h.line < i) else {
            continue;
        };
        if owner.level == 0 || l.heading > owner.level || is_label(&l.text) || l.text.ends_with(':')
        {
            continue;
        }
        // A heading right under an item heading is its subtitle.
        if prev_text(lines, i) == Some(owner.line) {
            continue;
        }
        if attendance_role(&l.text).is_some() || l.text.len() > 150 {
            continue;
        }
        out.push(Heading {
            line: i,
            body_start: i + 1,
            number: None,
            title: l.text.clone(),
            level: l.heading,
            sub: false,
            dnr: None,
        });
    }
    out
}

/// Sub-headings inside container items (`Informationspunkter`, `Beslutspunkter`):
/// deeper markdown headings, or heading-like lines of plain text.
fn container_sub_headings(
    lines: &[Line],
    items: &[Heading],
    in_attendance: &[bool],
    model: &NameModel,
) -> Vec<Heading> {
    let mut out = Vec::new();
    for (k, h) in items.iter().enumerate() {
        if !is_container_title(&h.title) {
            continue;
        }
        let end = items.get(k + 1).map(|n| n.line).unwrap_or(lines.len());
        for i in h.body_start..end {
            if in_attendance[i] {
                continue;
            }
            let l = &lines[i];
            let md_sub = l.heading > 0 && (h.level == 0 || l.heading > h.level);
            let plain_sub = l.heading == 0 && heading_like(lines, i, model, true);
            if (md_sub || plain_sub)
                && !is_label(&l.text)
                && !l.text.ends_with(':')
                && attendance_role(&l.text).is_none()
            {
                out.push(Heading {
                    line: i,
                    body_start: i + 1,
                    number: None,
                    title: l.text.clone(),
                    level: l.heading,
                    sub: true,
                    dnr: None,
                });
            }
        }
    }
    out
}

/// Sections of a protocol without numbered items: every heading-like line that
/// does not recur.
fn unnumbered_sections(lines: &[Line], in_attendance: &[bool], model: &NameModel) -> Vec<Heading> {
    let first_text = lines.iter().position(|l| !l.is_blank()).unwrap_or(0);
    let mut cands: Vec<usize> = (0..lines.len())
        .filter(|&i| i > first_text && !in_attendance[i])
        .filter(|&i| {
            let l = &lines[i];
            (l.heading > 0 && !is_label(&l.text) && !l.text.ends_with(':'))
                || (l.heading == 0 && is_heading_like(lines, i, model))
        })
        .filter(|&i| attendance_role(&lines[i].text).is_none())
        .collect();
    // The lines right under the title (slogan, date line) are the header.
    cands.retain(|&i| lines[i].heading > 0 || i > first_text + 2);
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for &i in &cands {
        *counts.entry(lines[i].text.to_lowercase()).or_default() += 1;
    }
    // A heading that recurs under every section (`Gemensam dialog`) labels a part of
    // the section; its text stays with the section. Those are the headings that
    // recur most; a theme that happens to come twice recurs less.
    let most = counts.values().copied().max().unwrap_or(0);
    let is_label_heading = |i: usize| {
        let n = counts[&lines[i].text.to_lowercase()];
        n >= 2 && n == most
    };
    cands
        .into_iter()
        .filter(|&i| !is_label_heading(i))
        .map(|i| Heading {
            line: i,
            body_start: i + 1,
            number: None,
            title: lines[i].text.clone(),
            level: lines[i].heading,
            sub: false,
            dnr: None,
        })
        .collect()
}

/// A plain-text line that reads as a heading: short, capitalised, no closing
/// punctuation, not ending in a function word, after a blank line, not followed by
/// a lowercase continuation, and neither a label nor a person.
pub fn is_heading_like(lines: &[Line], i: usize, model: &NameModel) -> bool {
    heading_like(lines, i, model, false)
}

/// In a container item, a compact layout puts sub-headings right after the item
/// heading or after a finished sentence, with no blank line.
fn heading_like(lines: &[Line], i: usize, model: &NameModel, compact: bool) -> bool {
    let l = &lines[i];
    let t = l.text.as_str();
    if l.bullet || t.is_empty() {
        return false;
    }
    if i > 0 && !lines[i - 1].is_blank() && lines[i - 1].heading == 0 {
        let prev = lines[i - 1].text.as_str();
        let after_sentence = prev.ends_with(['.', '!', '?']) || numbered_heading(prev).is_some();
        if !(compact && after_sentence) {
            return false;
        }
    }
    let chars = t.chars().count();
    let words: Vec<&str> = t.split_whitespace().collect();
    if !(2..=100).contains(&chars) || words.len() > 14 {
        return false;
    }
    let first = t.chars().next().expect("non-empty");
    if !first.is_uppercase() || t.ends_with(['.', ',', ';', ':']) || contains_sentence_break(t) {
        return false;
    }
    let last = words.last().expect("non-empty").to_lowercase();
    if FUNCTION_WORDS.contains(&last.as_str()) {
        return false;
    }
    if lines
        .get(i + 1)
        .is_some_and(|n| n.text.chars().next().is_some_and(char::is_lowercase))
    {
        return false;
    }
    if is_label(t)
        || super::officers::is_officer_label(t)
        || t.starts_with("http")
        || t.contains('@')
        || is_question(t)
    {
        return false;
    }
    // A sentence broken by the line wrap: a decision, or a list of clauses.
    let padded = format!(" {}", t.to_lowercase());
    if t.matches(", ").count() >= 2 || DECISION_PHRASES.iter().any(|p| padded.contains(p)) {
        return false;
    }
    person_from_list_line(t, model).is_none()
}

/// `Hur kan vi samverka bättre?`: a question put to the meeting, not a heading. A
/// short one (`Vad säger invånarna?`, four words or fewer) can be a heading.
fn is_question(t: &str) -> bool {
    let first = t.split_whitespace().next().unwrap_or("").to_lowercase();
    t.ends_with('?')
        && t.split_whitespace().count() > 4
        && matches!(
            first.as_str(),
            "hur"
                | "vad"
                | "varför"
                | "vilka"
                | "vilken"
                | "vilket"
                | "vem"
                | "vems"
                | "när"
                | "var"
                | "kan"
                | "ska"
                | "finns"
                | "är"
                | "har"
                | "bör"
        )
}

/// Presenters: `Föredragande:` lines anywhere in the item, and the people listed
/// at its top (name lines under the heading, or a first sentence that opens with
/// `Name, title`).
fn presenters_of(lines: &[Line], body: &[usize], model: &NameModel) -> Vec<Person> {
    let mut out = Vec::new();
    for &i in body {
        if let Some(value) = presenter_label_value(&lines[i].text) {
            out.extend(names_in_presenter_value(value, model));
        }
    }
    let mut skipped_subtitle = false;
    for &i in body {
        let l = &lines[i];
        if l.is_blank() || is_label(&l.text) || presenter_label_value(&l.text).is_some() {
            continue;
        }
        if is_list_like(&l.text) {
            if let Some(p) = person_from_list_line(&l.text, model) {
                out.push(p);
                continue;
            }
        }
        if out.is_empty() {
            let mentions = person_mentions(&l.text, model);
            if let Some(m) = mentions.first() {
                if l.text.starts_with(&m.name) {
                    out.push(m.clone());
                    break;
                }
            }
            if !skipped_subtitle && l.text.chars().count() <= 90 && !l.text.ends_with('.') {
                skipped_subtitle = true;
                continue;
            }
        }
        break;
    }
    super::persons::merge_persons(out)
}

/// A line short enough, and not running on into a sentence, to be a list entry.
fn is_list_like(text: &str) -> bool {
    let last = text.split_whitespace().last().unwrap_or("").to_lowercase();
    text.chars().count() <= 110 && !FUNCTION_WORDS.contains(&last.as_str())
}

/// The value of a presenter line: `Föredragande: X`, `Föredragare X`, `Presenteras av X`.
pub fn presenter_label_value(text: &str) -> Option<&str> {
    if !text.starts_with(['F', 'f', 'P', 'p', 'M', 'm', 'A', 'a']) {
        return None;
    }
    let lower = lowercase_head(text, 20);
    for label in [
        "föredragande",
        "föredragare",
        "presenteras av",
        "presentatör",
        "presentatörer",
        "medverkande",
        "ansvarig",
    ] {
        if lower.starts_with(label) {
            let Some(rest) = text.get(label.len()..) else {
                continue;
            };
            if rest.is_empty() || rest.starts_with(|c: char| c.is_alphabetic()) {
                continue;
            }
            return Some(rest.trim_start_matches([':', ' ']).trim());
        }
    }
    None
}

/// Phrases that state a decision in running text.
const DECISION_PHRASES: &[&str] = &[
    " beslutar att",
    " beslutar om",
    " beslutar enligt",
    " beslutar i enlighet",
    " beslutade att",
    " beslutade om",
    " beslöt att",
    " beslöt om",
    " fattade beslut",
    " enades om att",
    " ger bifall",
    " gav bifall",
    " fastställer ",
    " fastställde ",
    " godkänner ",
    " godkände ",
    " lades till handlingarna",
    " godkändes",
    " fastställdes",
    " antogs",
    " beslutades",
    " bifölls",
    " avslogs",
];

/// Decisions: `Beslut: …` lines, the paragraph under a decision heading
/// (`Socialnämndens beslut`), and sentences that state a decision.
fn decisions_of(lines: &[Line], body: &[usize]) -> Vec<String> {
    let paragraphs = paragraphs(lines, body);
    let mut out: Vec<String> = Vec::new();
    let mut k = 0;
    while k < paragraphs.len() {
        let first = lines[paragraphs[k][0]].text.as_str();
        if let Some(rest) = first
            .strip_prefix("Beslut:")
            .or_else(|| first.strip_prefix("Beslut –"))
        {
            let mut text = vec![rest.trim().to_string()];
            text.extend(paragraphs[k][1..].iter().map(|&i| lines[i].text.clone()));
            push_unique(&mut out, format!("Beslut: {}", text.join(" ").trim()));
            k += 1;
            continue;
        }
        if is_decision_heading(first) {
            let mut text: Vec<String> = paragraphs[k][1..]
                .iter()
                .map(|&i| lines[i].text.clone())
                .collect();
            if text.is_empty() {
                if let Some(next) = paragraphs.get(k + 1) {
                    text = next.iter().map(|&i| lines[i].text.clone()).collect();
                    k += 1;
                }
            }
            if !text.is_empty() {
                push_unique(&mut out, text.join(" "));
            }
            k += 1;
            continue;
        }
        let joined = paragraphs[k]
            .iter()
            .map(|&i| lines[i].text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        for sentence in decision_sentences(&joined) {
            let mut sentence = sentence;
            if sentence.ends_with(':') {
                if let Some(next) = paragraphs.get(k + 1) {
                    if lines[next[0]].bullet {
                        let items: Vec<&str> =
                            next.iter().map(|&i| lines[i].text.as_str()).collect();
                        sentence = format!("{sentence} {}", items.join("; "));
                    }
                }
            }
            push_unique(&mut out, sentence);
        }
        k += 1;
    }
    out
}

fn push_unique(out: &mut Vec<String>, s: String) {
    if !s.is_empty() && !out.iter().any(|o| o.contains(&s) || s.contains(o.as_str())) {
        out.push(s);
    }
}

/// Runs of non-blank lines; a bullet line after a non-bullet line starts a new run.
fn paragraphs(lines: &[Line], body: &[usize]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    for &i in body {
        let l = &lines[i];
        if l.is_blank() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let starts_list = l.bullet && cur.last().is_some_and(|&p| !lines[p].bullet);
        let is_label_line = is_decision_heading(&l.text) || l.text.starts_with("Beslut:");
        if (starts_list || is_label_line) && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(i);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The sentences of `text` that state a decision.
fn decision_sentences(text: &str) -> Vec<String> {
    let padded = format!(" {text}");
    let lower = padded.to_lowercase();
    if !DECISION_PHRASES.iter().any(|p| lower.contains(p)) {
        return Vec::new();
    }
    split_sentences(text)
        .into_iter()
        .filter(|s| {
            let l = format!(" {}", s.to_lowercase());
            DECISION_PHRASES.iter().any(|p| l.contains(p))
        })
        .collect()
}

/// Splits at `. `, `! `, `? ` followed by a capital letter or digit.
fn split_sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 2 < chars.len() {
        if matches!(chars[i], '.' | '!' | '?')
            && chars[i + 1] == ' '
            && (chars[i + 2].is_uppercase() || chars[i + 2].is_ascii_digit())
        {
            // `bl.a. `, `t.ex. `, `ca. `: an abbreviation, not a sentence end.
            let word: String = chars[start..=i]
                .iter()
                .rev()
                .take_while(|c| !c.is_whitespace())
                .collect();
            if word.chars().filter(|&c| c == '.').count() < 2 {
                out.push(
                    chars[start..=i]
                        .iter()
                        .collect::<String>()
                        .trim()
                        .to_string(),
                );
                start = i + 2;
            }
        }
        i += 1;
    }
    let last: String = chars[start..].iter().collect::<String>().trim().to_string();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// An item number as the index keeps it: lower case, without a closing `.` or `:`,
/// `4:2` as `4.2`.
pub fn item_number_key(number: &str) -> String {
    number
        .trim()
        .trim_start_matches('§')
        .trim()
        .trim_end_matches(['.', ':', ')'])
        .replace(':', ".")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::super::lines::to_lines;
    use super::*;

    fn titles(text: &str) -> Vec<(Option<String>, String, Option<String>)> {
        let lines = to_lines(text);
        split_items(&lines, &NameModel::default())
            .items
            .into_iter()
            .map(|i| (i.number, i.title, i.parent))
            .collect()
    }

    fn just_titles(text: &str) -> Vec<String> {
        titles(text).into_iter().map(|t| t.1).collect()
    }

    #[test]
    fn numbered_items_and_a_numbered_decision_list_inside_one() {
        let t = "Protokoll\n\n1. Välkomna\n\nText.\n\n2. Budget 2025\n\nNämnden beslutar:\n1. Nämnden beslutar att anta budgeten för 2025 enligt förslag.\n2. Nämnden beslutar att ge förvaltningen i uppdrag att återkomma.\n\n3. Övriga frågor\n\nInga.";
        assert_eq!(just_titles(t), ["Välkomna", "Budget 2025", "Övriga frågor"]);
    }

    #[test]
    fn paragraph_numbers_with_title_on_the_next_line_and_dnr() {
        let t = "Socialnämnden\n\n§ 60 Val av justerare\n\nText.\n\n§ 61                      Dnr SN 2014/0322\nMissbruk och beroende\n\nSammanfattning\nText om missbruk.\n\n§ 62 Placeringar (Dnr SN 2014/0043)\n\nText.";
        assert_eq!(
            titles(t),
            [
                (Some("60".into()), "Val av justerare".into(), None),
                (Some("61".into()), "Missbruk och beroende".into(), None),
                (Some("62".into()), "Placeringar".into(), None)
            ]
        );
        let t = "Kommunstyrelsen\n\n§67 Fördelning av bidrag 2023\n\n            Dnr. KUF.2023.416\n\nÄrendebeskrivning\nText.\n\n§ 68 Övrigt\n\nText med Dnr 2023-5 i löptext.";
        let dnrs: Vec<Option<String>> = split_items(&to_lines(t), &NameModel::default())
            .items
            .into_iter()
            .map(|i| i.dnr)
            .collect();
        assert_eq!(dnrs, [Some("KUF.2023.416".to_string()), None]);
    }

    #[test]
    fn diary_numbers_in_their_written_forms() {
        let cases = [
            ("Dnr. KUF.2023.116", Some("KUF.2023.116")),
            ("Dnr: KS 2024-00123", Some("KS 2024-00123")),
            ("Placeringar (Dnr SN 2014/0043)", Some("SN 2014/0043")),
            ("Diarienummer 2024/17", Some("2024/17")),
            ("Diarienr: BUN 2019.112", Some("BUN 2019.112")),
            ("İİ Dnr 2024-5", Some("2024-5")),
            ("Ingen dnr-uppgift", None),
            ("Kondnr 2024", None),
        ];
        for (text, want) in cases {
            assert_eq!(dnr_of(text).as_deref(), want, "{text}");
        }
        assert_eq!(strip_dnr("Placeringar (Dnr SN 2014/0043)"), "Placeringar");
        assert_eq!(strip_dnr("Dnr. KUF.2023.116"), "");
        assert_eq!(strip_dnr("İstanbul-resan Dnr 2024-5"), "İstanbul-resan");
    }

    #[test]
    fn numbers_alone_on_a_line_and_numbers_without_a_dot() {
        let t = "Protokoll styrelsen\n\nDatum: 2025-02-03\n\n1\n\nMötets öppnande\n\nOrdföranden öppnade.\n\n2\nVal av justerare\n\nAnna Ek valdes.\n\n3\nGrundläggande granskningar av gemensamma nämnder i\nRegion Halland\n\nBeslut\nNoteras.";
        assert_eq!(
            just_titles(t),
            [
                "Mötets öppnande",
                "Val av justerare",
                "Grundläggande granskningar av gemensamma nämnder i Region Halland"
            ]
        );
        let t = "Protokoll\n\n1 Mötets öppnande\nText.\n\n2 Budget 2025\nSe 6 maj och 3 000 kr.\n\n3 Övrigt\nInget.";
        assert_eq!(just_titles(t), ["Mötets öppnande", "Budget 2025", "Övrigt"]);
        // A day and month is no heading: `6 maj`.
        assert_eq!(numbered_heading("6 maj beslutade nämnden"), None);
        // Page numbers alone on a line, each above the running header, are no agenda.
        let t = "Minnesanteckningar\n\nSamverkan i länet\n\nText om samverkan.\n\n2\nSocialnämnden\n\nMer text om arbetet.\n\n3\nSocialnämnden\n\nÄnnu mer text.";
        assert!(
            !just_titles(t).contains(&"Socialnämnden".to_string()),
            "{:?}",
            just_titles(t)
        );
    }

    #[test]
    fn nested_numbers_are_sub_items_of_their_item() {
        let t = "Protokoll\n\n1. Öppnande\n\nText.\n\n2. Budget\n\n2.1 Driftbudget\nText.\n\n2.2 Investeringar\nText.\n\n3. Övrigt\n\nInget.";
        assert_eq!(
            titles(t),
            [
                (Some("1".into()), "Öppnande".into(), None),
                (Some("2".into()), "Budget".into(), None),
                (
                    Some("2.1".into()),
                    "Driftbudget".into(),
                    Some("Budget".into())
                ),
                (
                    Some("2.2".into()),
                    "Investeringar".into(),
                    Some("Budget".into())
                ),
                (Some("3".into()), "Övrigt".into(), None),
            ]
        );
    }

    #[test]
    fn paragraph_numbers_after_the_bodys_short_name() {
        let t = "Socialnämnden\n\nSn 49 Val av justerare\n\nNämnden utser Anna Ek.\n\nSn 50 Budget 2025\nDnr SN 2024/12\n\nText om budget, se KS 2024-00123 Bilaga.\n\nSn 51 Övrigt\n\nInget.";
        assert_eq!(
            just_titles(t),
            ["Val av justerare", "Budget 2025", "Övrigt"]
        );
        let t = "Protokoll\n\nSON 108 Anmälan av delegationsbeslut\n\nText.\n\nSON 109 Meddelanden\n\nText.";
        assert_eq!(
            just_titles(t),
            ["Anmälan av delegationsbeslut", "Meddelanden"]
        );
        // One such line alone is no agenda: `Kl 13 Lunch`.
        assert_eq!(prefixed_heading("Kl 13 Lunch"), None);
    }

    #[test]
    fn markdown_numbered_headings_ignore_numbered_lists() {
        let t = "# Anteckningar\n\n## 1. Mötets öppnande\n\n1. Godkännande av dagordning\n2. Val av sekreterare\n\n## 2. Budget\n\nText.\n\n## 3. Övrigt\n\nText.";
        assert_eq!(just_titles(t), ["Mötets öppnande", "Budget", "Övrigt"]);
    }

    #[test]
    fn sub_items_of_a_container_item() {
        let t = "Protokoll\n\n6. Informationspunkter\n\nDigital ungdomsmottagning\n\nRegionen tar över ansvaret.\n\nGemensam plan för samverkan\nPågående arbete inom ledningen.\nPlanen är färdigställd.\n\n7. Beslutspunkter\n\nByte av deltagare i gruppen\n\nNämnden beslutar att Anna Ek ersätter Bo Ek.";
        let got = titles(t);
        let want: Vec<(Option<String>, String, Option<String>)> = vec![
            (Some("6".into()), "Informationspunkter".into(), None),
            (
                None,
                "Digital ungdomsmottagning".into(),
                Some("Informationspunkter".into()),
            ),
            (
                None,
                "Gemensam plan för samverkan".into(),
                Some("Informationspunkter".into()),
            ),
            (Some("7".into()), "Beslutspunkter".into(), None),
            (
                None,
                "Byte av deltagare i gruppen".into(),
                Some("Beslutspunkter".into()),
            ),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn compact_container_without_blank_lines() {
        let t = "Protokoll\n\n5. Anmälningsärenden\nProtokoll från politisk samrådsgrupp\nProtokollet anmäldes.\nÅrsrapport Hjälpmedel 2023/2024\nRapporten anmäldes.\n\n6. Nästa möte\nText.";
        assert_eq!(
            just_titles(t),
            [
                "Anmälningsärenden",
                "Protokoll från politisk samrådsgrupp",
                "Årsrapport Hjälpmedel 2023/2024",
                "Nästa möte"
            ]
        );
    }

    #[test]
    fn a_wrapped_decision_is_not_a_sub_item() {
        let t = "Protokoll\n\n7. Beslutspunkter\n\nByte av deltagare i beredningsgruppen\n\nLedningen beslutar att Kjell Lundgren, ledamot i regionstyrelsen, Region\nKronoberg, ersätter Marcus Nordén som representant.\n\n8. Nästa möte\n\nText.";
        assert_eq!(
            just_titles(t),
            [
                "Beslutspunkter",
                "Byte av deltagare i beredningsgruppen",
                "Nästa möte"
            ]
        );
    }

    #[test]
    fn markdown_labels_are_not_items_but_an_unnumbered_section_is() {
        let t = "# Mötesanteckningar\n\n## 5. Förslag\n\n### Information/dialog\n\nFöredragande: Anna Ek\n\nText.\n\n### Skolcheferna med på nedanstående punkter:\n\n## Reflektion efter dagarna (Punkt utanför agenda)\n\nText.\n\n## 7. Nästa punkt\n\nText.";
        assert_eq!(
            just_titles(t),
            [
                "Förslag",
                "Reflektion efter dagarna (Punkt utanför agenda)",
                "Nästa punkt"
            ]
        );
    }

    #[test]
    fn protocols_without_numbers_split_at_headings() {
        let t = "Protokoll konferens\n\nTillsammans för hälsan\n\nKonferensen ägde rum 7 november 2025.\n\nInledning\n\nAnna Ek, regionråd, hälsade välkomna.\n\nPsykisk hälsa\n\nKarin Schulz, samordnare, informerade.\n\nGemensam dialog\n\nHur kan vi samverka bättre?\n\nÄldres hälsa\n\nSanna Julin, handläggare, berättade.\n\nGemensam dialog\n\nVad behöver vi sluta göra?\n\nDeltagarlista\n\nAnna Ek Region Kalmar län\nKarin Schulz Regeringskansliet\n";
        let got = titles(t);
        let names: Vec<&str> = got.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(names, ["Inledning", "Psykisk hälsa", "Äldres hälsa"]);
    }

    #[test]
    fn attendance_lists_end_the_last_item() {
        let t = "Protokoll\n\n1. Välkomna\n\nText.\n\nNärvarande ledamöter:\n\nAnna Ek, Kalmar kommun\nBo Ek, Region Kalmar län\n\nÖvriga\n\nCecilia Wahlström, Kommunförbundet\n";
        let lines = to_lines(t);
        let split = split_items(&lines, &NameModel::default());
        assert_eq!(split.items.len(), 1);
        let body: String = split.items[0]
            .body
            .iter()
            .map(|&i| lines[i].text.clone())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(!body.contains("Anna Ek"), "{body}");
        assert_eq!(split.attendance.len(), 5);
    }

    #[test]
    fn presenters_from_labels_and_name_lines() {
        let t = "Protokoll\n\n3. Välfärdsbrott\n\nBildspel\n\nChristina Kiernan, samordnare, SKR\n\nLedningen fick information om brott.\n\nAnna Flink, säkerhetschef\n\n4. Sänkt åldersgräns\n\nFöredragande: Sandor Eriksson RGK\n\nText.";
        let lines = to_lines(t);
        let split = split_items(&lines, &NameModel::default());
        let p: Vec<Vec<String>> = split
            .items
            .iter()
            .map(|i| i.presenters.iter().map(|p| p.name.clone()).collect())
            .collect();
        assert_eq!(
            p,
            vec![
                vec!["Christina Kiernan".to_string()],
                vec!["Sandor Eriksson".to_string()]
            ]
        );
    }

    #[test]
    fn decisions_in_their_shapes() {
        let t = "Protokoll\n\n2. Föregående protokoll\n\nBeslut: Protokollet lades till handlingarna.\n\n3. Placerade barn\n\nLedningen fick information. Ledningen beslutar att godkänna reviderade dokument:\n\n- Överenskommelse Placerade barn\n- Praktiska anvisningar\n\n4. Budget\n\nSocialnämndens beslut\nSocialnämnden beslutar att fastställa budgeten.\n\n5. Info\n\nIngen åtgärd.";
        let lines = to_lines(t);
        let split = split_items(&lines, &NameModel::default());
        let d: Vec<Vec<String>> = split.items.iter().map(|i| i.decisions.clone()).collect();
        assert_eq!(d[0], ["Beslut: Protokollet lades till handlingarna."]);
        assert_eq!(d[1], ["Ledningen beslutar att godkänna reviderade dokument: Överenskommelse Placerade barn; Praktiska anvisningar"]);
        assert_eq!(d[2], ["Socialnämnden beslutar att fastställa budgeten."]);
        assert!(d[3].is_empty());
    }
}
