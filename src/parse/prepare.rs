//! Prepares a decoded document for cleaning and parsing: what is metadata or page
//! furniture is taken out of the text, and what it says is kept as hints.
//! Owns: front matter (YAML `---`, TOML `+++`, org-mode `#+KEY:`, a block of
//! `Title:`-style keys), page boundaries (`<!-- sida N -->`, form feeds, or page
//! counters `N (M)` that run through the document), and the page header and footer
//! that repeat across pages, found by repetition at the top and bottom of pages —
//! never by a list of words. The running header names the organisation, the body
//! and the date of the meeting.
//! Does not own: character-level noise (see `clean`) or the reading of the
//! protocol itself (see `parse`).

use super::date::{find_dates, Date};

/// A prepared document: its text without front matter and page furniture, and what
/// those said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    pub text: String,
    pub hints: Hints,
}

/// What the metadata and the running page header say about the meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hints {
    /// The body that met, as the running header prints it.
    pub body: Option<String>,
    /// The municipality, region or other organisation, as the header prints it
    /// (`Kungsbacka kommun`).
    pub organisation: Option<String>,
    /// The date in the running header (the meeting date in the municipal layout).
    pub header_date: Option<Date>,
    /// Front matter values, where they are plain.
    pub front_date: Option<Date>,
    pub front_title: Option<String>,
    pub front_body: Option<String>,
    pub front_organisation: Option<String>,
    /// Replacements read off the cover's attendance columns.
    pub replacements: Vec<Replacement>,
}

/// `X (M) tjänstgör för Y (S)`: a substitute and the member replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub substitute: String,
    pub replaced: String,
    /// The replacement holds for some `§§` only.
    pub limited: bool,
}

/// Prepares one decoded document.
pub fn prepare(text: &str) -> Prepared {
    let unflattened = unflatten(text);
    let text = unflattened.as_deref().unwrap_or(text);
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let (front, body_start) = front_matter(&lines);
    let mut hints = Hints::default();
    apply_front_matter(&front, &mut hints);
    let body = lines.get(body_start..).unwrap_or(&[]);
    let pages = split_pages(body);
    let furniture = find_furniture(&pages);
    if let Some(header) = &furniture.first_header {
        read_running_header(header, &mut hints);
    }
    if let Some(first) = pages.first() {
        let cover: Vec<&str> = first
            .iter()
            .enumerate()
            .filter(|(i, _)| !furniture.removed.contains(&(0, *i)))
            .map(|(_, l)| *l)
            .take(120)
            .collect();
        hints.replacements = replacements(&cover);
    }
    let mut out = String::with_capacity(text.len());
    for (p, page) in pages.iter().enumerate() {
        if p > 0 {
            out.push('\n');
        }
        for (i, line) in page.iter().enumerate() {
            if furniture.removed.contains(&(p, i)) || is_comment_line(line) {
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    Prepared { text: out, hints }
}

// ---------------------------------------------------------------- flattened text

/// A line this long in a document of such lines is a page (or a whole document) whose
/// line breaks the text extraction lost.
const FLAT_LINE: usize = 400;

/// Text where each page became one line (some PDF extractors write it so) is split again
/// where the structure of a protocol begins a line: before `§ N Title`, before `N. Title`
/// after a sentence, and around a section label (`Beslut`, `Beslutsunderlag`, …) that
/// follows a sentence. `None` when the document keeps its line breaks: its lines are
/// short on average, or none is long.
fn unflatten(text: &str) -> Option<String> {
    let non_blank: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let chars: usize = non_blank.iter().map(|l| l.len()).sum();
    if non_blank.is_empty() || chars / non_blank.len() < FLAT_LINE || chars < 2000 {
        return None;
    }
    let long: Vec<&str> = non_blank
        .iter()
        .copied()
        .filter(|l| l.len() >= FLAT_LINE)
        .collect();
    let header = running_prefix(&long);
    let mut out = String::with_capacity(text.len() + text.len() / 50);
    for line in text.split('\n') {
        if line.len() < FLAT_LINE {
            out.push_str(line);
        } else {
            // Each long line is a page: a form feed keeps the boundary for the furniture.
            if !out.is_empty() && !line.contains('\u{0c}') {
                out.push('\u{0c}');
            }
            split_flat_line(line, header.as_deref(), &mut out);
        }
        out.push('\n');
    }
    out.pop();
    Some(out)
}

/// A token of a page counter: `2`, `(25)`, `2(25)`, `Sida`, `av`.
fn is_counter_token(t: &str) -> bool {
    let inner = t.trim_matches(['(', ')']);
    (!inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '(' | ')' | '/')))
        || matches!(t.to_lowercase().as_str(), "sida" | "av")
}

/// The words that begin most flattened pages (the running header, counters aside):
/// the longest run of two to sixteen words that at least 40 % of the long lines, and
/// two or more, begin with.
fn running_prefix(long: &[&str]) -> Option<Vec<String>> {
    if long.len() < 2 {
        return None;
    }
    // A heading (`§ 12`) never belongs to the running header.
    let heads: Vec<Vec<&str>> = long
        .iter()
        .map(|l| {
            l.split_whitespace()
                .take(24)
                .take_while(|t| !t.starts_with('§'))
                .filter(|t| !is_counter_token(t))
                .take(16)
                .collect()
        })
        .collect();
    let need = (long.len() * 2).div_ceil(5).max(2);
    (2..=16).rev().find_map(|n| {
        let mut counts: std::collections::HashMap<&[&str], usize> = Default::default();
        for h in heads.iter().filter(|h| h.len() >= n) {
            *counts.entry(&h[..n]).or_default() += 1;
        }
        counts
            .into_iter()
            .filter(|&(_, c)| c >= need)
            .max_by_key(|&(_, c)| c)
            .map(|(p, _)| p.iter().map(|t| t.to_string()).collect())
    })
}

/// Whether a header word is a column of its own: a document kind, a date label, a date
/// or a counter.
fn header_cell(t: &str) -> bool {
    let lower = t.to_lowercase();
    is_counter_token(t)
        || matches!(lower.as_str(), "datum" | "sammanträdesdatum")
        || (lower.ends_with("protokoll") && t.chars().all(|c| !c.is_lowercase()))
        || !find_dates(t).is_empty()
}

/// Whether a header word ends a column: a cell of its own, or the kind word that ends
/// an organisation's name (`KUNGSBACKA KOMMUN`).
fn header_cell_end(t: &str) -> bool {
    header_cell(t)
        || matches!(
            t.to_lowercase().as_str(),
            "kommun" | "stad" | "landsting" | "län"
        )
}

fn split_flat_line(line: &str, header: Option<&[String]>, out: &mut String) {
    let all: Vec<&str> = line.split_whitespace().collect();
    // The running header goes on a line of its own, its columns set apart as a layout
    // would set them, so that the page furniture is found and read as on any page.
    let mut start = 0;
    if let Some(header) = header {
        let mut matched = 0;
        let mut k = 0;
        while k < all.len() && matched < header.len() {
            if is_counter_token(all[k]) {
                k += 1;
                continue;
            }
            if all[k] != header[matched] {
                break;
            }
            matched += 1;
            k += 1;
        }
        while k < all.len() && is_counter_token(all[k]) {
            k += 1;
        }
        if matched == header.len() {
            for (i, t) in all[..k].iter().enumerate() {
                if i > 0 {
                    let wide = header_cell(t) || header_cell_end(all[i - 1]);
                    out.push_str(if wide { "   " } else { " " });
                }
                out.push_str(t);
            }
            out.push('\n');
            start = k;
        }
    }
    let tokens = &all[start..];
    let capital = |k: usize| {
        tokens
            .get(k)
            .is_some_and(|t| t.starts_with(|c: char| c.is_uppercase()))
    };
    let number = |t: &str| !t.is_empty() && t.len() <= 3 && t.chars().all(|c| c.is_ascii_digit());
    let sentence_end = |k: usize| {
        k == 0
            || tokens[k - 1].ends_with(['.', ':', '!', '?'])
            || number(tokens[k - 1])
            || tokens[k - 1].ends_with(')')
    };
    let mut k = 0;
    while k < tokens.len() {
        let t = tokens[k];
        // `§ 45 Reviderat …`, `§45 Reviderat …`.
        let paragraph = sentence_end(k)
            && ((t == "§" && tokens.get(k + 1).is_some_and(|n| number(n)) && capital(k + 2))
                || (t.strip_prefix('§').is_some_and(number) && capital(k + 1)));
        // `… avslutat. 3. Val av justerare`.
        let numbered = t
            .strip_suffix('.')
            .is_some_and(|n| number(n) && n.len() <= 2)
            && capital(k + 1)
            && k > 0
            && tokens[k - 1].ends_with(['.', ':', '!', '?']);
        let label_len = if sentence_end(k) {
            label_at(&tokens[k..])
        } else {
            0
        };
        // `… sammanträde Beslutande Ledamöter Tjänstgörande ersättare Niclas Nilsson (M), …`,
        // `… Paragrafer §§ 120-135 Ordförande Niclas Nilsson (M)`: the cover's blocks.
        let block = k > 0 && !tokens[k - 1].ends_with(',') && block_label_at(&tokens[k..]);
        if (paragraph || numbered || block || label_len > 0)
            && !out.is_empty()
            && !out.ends_with('\n')
        {
            out.push('\n');
        }
        if label_len > 0 {
            out.push_str(&tokens[k..k + label_len].join(" "));
            out.push('\n');
            k += label_len;
            continue;
        }
        // `§ 44 Dnr IF-2023-00055 Förändring av …`: the title starts after the diary
        // number, on a line of its own.
        if paragraph {
            let n = if t == "§" { 2 } else { 1 };
            let dnr_at = k + n;
            if tokens
                .get(dnr_at)
                .is_some_and(|x| super::items::is_dnr_label_word(x))
            {
                let value_len = match tokens.get(dnr_at + 1) {
                    Some(v) if v.chars().all(char::is_alphabetic) => 2,
                    Some(_) => 1,
                    None => 0,
                };
                let end = (dnr_at + 1 + value_len).min(tokens.len());
                out.push_str(&tokens[k..end].join(" "));
                out.push('\n');
                k = end;
                continue;
            }
        }
        if !out.is_empty() && !out.ends_with('\n') {
            out.push(' ');
        }
        out.push_str(t);
        k += 1;
    }
}

/// Whether `tokens` begin with an attendance heading or an officer label, capitalised as
/// a heading is, followed by a capitalised word.
fn block_label_at(tokens: &[&str]) -> bool {
    if !tokens
        .first()
        .is_some_and(|t| t.starts_with(char::is_uppercase))
    {
        return false;
    }
    (1..=3.min(tokens.len().saturating_sub(1))).any(|n| {
        let candidate = tokens[..n].join(" ").to_lowercase();
        let candidate = candidate.trim_end_matches(':');
        let known = super::items::ATTENDANCE_HEADINGS
            .iter()
            .any(|(h, _)| *h == candidate)
            || super::officers::LABELS.iter().any(|(l, _)| *l == candidate)
            || candidate == "paragrafer";
        known
            && tokens
                .get(n)
                .is_some_and(|t| t.starts_with(|c: char| c.is_uppercase() || c == '§'))
    })
}

/// How many tokens at the start of `tokens` form an item section label followed by a
/// capitalised word (`Beslut Nämnden beslutar …`, `Beslutsunderlag Tjänsteskrivelse …`);
/// 0 when none does.
fn label_at(tokens: &[&str]) -> usize {
    (1..=4.min(tokens.len().saturating_sub(1)))
        .rev()
        .find(|&n| {
            let candidate = tokens[..n].join(" ").to_lowercase();
            let candidate = candidate.trim_end_matches(':');
            super::items::LABELS.contains(&candidate)
                && tokens[0].starts_with(char::is_uppercase)
                && tokens
                    .get(n)
                    .is_some_and(|t| t.starts_with(|c: char| c.is_uppercase()))
        })
        .unwrap_or(0)
}

// ---------------------------------------------------------------- front matter

/// The front matter's key-value pairs (keys lowercased) and the index of the first
/// line after it.
fn front_matter(lines: &[&str]) -> (Vec<(String, String)>, usize) {
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let Some(first) = first else {
        return (Vec::new(), 0);
    };
    let opener = lines[first].trim().trim_start_matches('\u{feff}');
    // YAML `---` … `---` (or `...`), TOML `+++` … `+++`.
    for (open, closers, sep) in [
        ("---", &["---", "..."][..], ':'),
        ("+++", &["+++"][..], '='),
    ] {
        if opener != open {
            continue;
        }
        let end =
            (first + 1..lines.len().min(first + 400)).find(|&j| closers.contains(&lines[j].trim()));
        let Some(end) = end else {
            break;
        };
        let pairs = lines[first + 1..end]
            .iter()
            .filter(|l| !l.starts_with([' ', '\t', '-']))
            .filter_map(|l| key_value(l, sep))
            .collect::<Vec<_>>();
        // A YAML block that holds no key is a rule, not front matter.
        if !pairs.is_empty() {
            return (pairs, end + 1);
        }
    }
    // Org-mode `#+TITLE: …` lines.
    let org: Vec<usize> = (first..lines.len())
        .take_while(|&j| lines[j].trim_start().starts_with("#+"))
        .collect();
    if !org.is_empty() {
        let pairs = org
            .iter()
            .filter_map(|&j| key_value(lines[j].trim_start().trim_start_matches("#+"), ':'))
            .collect();
        return (pairs, first + org.len());
    }
    // A MultiMarkdown/Pandoc block: `Title: …`, `Date: …` lines up to a blank line, with
    // at least one of the keys such blocks use (Swedish labels are protocol text).
    let block: Vec<usize> = (first..lines.len())
        .take_while(|&j| !lines[j].trim().is_empty())
        .collect();
    let pairs: Vec<(String, String)> = block
        .iter()
        .map_while(|&j| key_value(lines[j], ':'))
        .collect();
    let metadata_keys = [
        "title", "author", "date", "tags", "lang", "slug", "category",
    ];
    if pairs.len() == block.len()
        && pairs.iter().all(|(k, _)| k.is_ascii())
        && pairs
            .iter()
            .any(|(k, _)| metadata_keys.contains(&k.as_str()))
    {
        return (pairs, first + block.len());
    }
    (Vec::new(), 0)
}

/// `key: value` / `key = "value"` with a key of one word.
fn key_value(line: &str, sep: char) -> Option<(String, String)> {
    let (k, v) = line.split_once(sep)?;
    let k = k.trim();
    if k.is_empty()
        || k.chars().count() > 30
        || !k
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    let v = v.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    Some((k.to_lowercase(), v.to_string()))
}

fn apply_front_matter(pairs: &[(String, String)], hints: &mut Hints) {
    for (k, v) in pairs {
        if v.is_empty() || v == "null" || v == "~" {
            continue;
        }
        match k.as_str() {
            "datum" | "date" | "mötesdatum" | "sammanträdesdatum" => {
                hints.front_date = hints
                    .front_date
                    .or_else(|| find_dates(v).first().map(|(_, d)| *d));
            }
            "title" | "titel" | "rubrik" => hints.front_title = Some(v.clone()),
            "organ" | "nämnd" | "namnd" | "body" | "group" | "grupp" if is_plain_name(v) => {
                hints.front_body = Some(v.clone())
            }
            "organisation" | "organization" | "municipality" | "förening" if is_plain_name(v) => {
                hints.front_organisation = Some(v.clone())
            }
            // `kommun: kungsbacka`, `region: halland`: the organisation by its place name.
            "kommun" | "region" if v.chars().all(|c| c.is_alphabetic() || c == ' ') => {
                let mut c = v.chars();
                let place: String = c
                    .next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default();
                hints.front_organisation.get_or_insert(if k == "kommun" {
                    format!("{place} kommun")
                } else {
                    format!("Region {place}")
                });
            }
            _ => {}
        }
    }
}

/// A value written as a name (`Socialnämnden`), not a code (`soc-au`, `val`).
fn is_plain_name(v: &str) -> bool {
    v.chars().next().is_some_and(char::is_uppercase)
        && v.chars().filter(|c| c.is_alphabetic()).count() >= 5
        && !v.contains(['_', '/'])
}

// ---------------------------------------------------------------- pages

/// An HTML comment on a line of its own (`<!-- sida 3 -->`).
fn is_comment_line(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("<!--") && t.ends_with("-->")
}

/// A page marker comment: `<!-- sida 3 -->`, `<!-- page 3 -->`.
fn is_page_marker(line: &str) -> bool {
    if !is_comment_line(line) {
        return false;
    }
    let inner = line
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->")
        .to_lowercase();
    let mut words = inner.split_whitespace();
    matches!(words.next(), Some("sida" | "page" | "sid" | "p."))
        && words
            .next()
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
}

/// Splits the document into pages: at page markers and form feeds, or else at page
/// counters (`3 (9)`, `Sida 3 av 9`) that count up through the document.
fn split_pages<'a>(lines: &[&'a str]) -> Vec<Vec<&'a str>> {
    let mut pages: Vec<Vec<&str>> = vec![Vec::new()];
    let explicit = lines
        .iter()
        .any(|l| is_page_marker(l) || l.contains('\u{0c}'));
    if explicit {
        for line in lines {
            if is_page_marker(line) {
                pages.push(Vec::new());
                continue;
            }
            let mut parts = line.split('\u{0c}');
            if let Some(first) = parts.next() {
                push_line(&mut pages, first);
            }
            for part in parts {
                pages.push(Vec::new());
                push_line(&mut pages, part);
            }
        }
        pages.retain(|p| p.iter().any(|l| !l.trim().is_empty()));
        return pages;
    }
    let counters = page_counters(lines);
    if counters.len() < 2 {
        return vec![lines.to_vec()];
    }
    // A counter in the footer closes its page; one in the header opens it.
    let last_text = lines.iter().rposition(|l| !l.trim().is_empty());
    let in_footer = counters.last().zip(last_text).is_some_and(|(&c, last)| {
        lines[c..=last]
            .iter()
            .filter(|l| !l.trim().is_empty())
            .count()
            <= 3
    });
    let mut pages = Vec::new();
    let mut start = 0;
    for &c in &counters {
        let cut = if in_footer { c + 1 } else { c };
        if cut > start {
            pages.push(lines[start..cut].to_vec());
        }
        start = cut;
    }
    if start < lines.len() {
        pages.push(lines[start..].to_vec());
    }
    pages
}

fn push_line<'a>(pages: &mut [Vec<&'a str>], line: &'a str) {
    if let Some(last) = pages.last_mut() {
        last.push(line);
    }
}

/// Lines whose page counter counts up with one total: the most common total wins.
fn page_counters(lines: &[&str]) -> Vec<usize> {
    let found: Vec<(usize, u32, u32)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| page_counter(l).map(|(n, m)| (i, n, m)))
        .collect();
    let mut totals: Vec<u32> = found.iter().map(|&(_, _, m)| m).collect();
    totals.sort_unstable();
    let Some(total) = mode(&totals) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut last = 0;
    for (i, n, m) in found {
        if m == total && n > last && n <= m {
            out.push(i);
            last = n;
        }
    }
    out
}

fn mode(sorted: &[u32]) -> Option<u32> {
    let mut best: Option<(u32, usize)> = None;
    let mut i = 0;
    while i < sorted.len() {
        let j = sorted[i..].iter().take_while(|&&v| v == sorted[i]).count();
        if best.is_none_or(|(_, n)| j > n) {
            best = Some((sorted[i], j));
        }
        i += j;
    }
    best.map(|(v, _)| v)
}

/// The page counter a line ends with: `3 (9)`, `3(9)`, `Sida 3 av 9`, `sid 3/9`.
pub fn page_counter(line: &str) -> Option<(u32, u32)> {
    let (_, n, m) = split_counter(line)?;
    Some((n, m))
}

/// The line without its trailing page counter, and the counter.
pub fn split_counter(line: &str) -> Option<(&str, u32, u32)> {
    let t = line.trim_end();
    if !t.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    // `N (M)` / `N(M)`.
    if let Some(inner) = t.strip_suffix(')') {
        if let Some(open) = inner.rfind('(') {
            let m = num(&inner[open + 1..])?;
            let before = inner[..open].trim_end();
            let n_start = before
                .char_indices()
                .rev()
                .find(|(_, c)| !c.is_ascii_digit())
                .map_or(0, |(p, c)| p + c.len_utf8());
            let n = num(&before[n_start..])?;
            let head = &before[..n_start];
            if head.is_empty() || head.ends_with(char::is_whitespace) {
                return Some((head.trim_end(), n, m));
            }
        }
        return None;
    }
    // `Sida N av M`, `Sida N/M`.
    let lower = t.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let (n, m, drop) = match words.as_slice() {
        [.., w, n, "av", m] if matches!(*w, "sida" | "sid" | "page") => (num(n)?, num(m)?, 4),
        [.., w, nm] if matches!(*w, "sida" | "sid" | "page") => {
            let (n, m) = nm.split_once('/')?;
            (num(n)?, num(m)?, 2)
        }
        _ => return None,
    };
    // Cut the original at the start of the `drop`-th word from the end.
    let mut cut = t.len();
    let mut seen = 0;
    for (i, _) in t.match_indices(|c: char| !c.is_whitespace()).rev() {
        let at_word_start = i == 0 || t[..i].ends_with(char::is_whitespace);
        if at_word_start {
            seen += 1;
            if seen == drop {
                cut = i;
                break;
            }
        }
    }
    Some((t[..cut].trim_end(), n, m))
}

// ---------------------------------------------------------------- furniture

/// The lines to remove, by (page, line), and the first page's running header.
struct Furniture {
    removed: std::collections::HashSet<(usize, usize)>,
    first_header: Option<Vec<String>>,
}

/// How many non-blank lines at a page's top and bottom may be furniture.
const ZONE: usize = 8;

/// A line as compared across pages: without its page counter, spaces collapsed.
fn furniture_key(line: &str) -> String {
    let t = line.trim();
    let t = split_counter(t).map_or(t, |(head, _, _)| head);
    // A counter may also stand between the header's columns: `PROTOKOLL   2 (20)   Nämnd`.
    let tokens: Vec<&str> = t.split_whitespace().collect();
    let bracketed = |s: &str| {
        s.strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let mut kept = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let glued = tokens[i]
            .split_once('(')
            .is_some_and(|(n, rest)| digits(n) && bracketed(&format!("({rest}")));
        if glued {
            i += 1;
        } else if digits(tokens[i]) && tokens.get(i + 1).is_some_and(|n| bracketed(n)) {
            i += 2;
        } else {
            kept.push(tokens[i]);
            i += 1;
        }
    }
    kept.join(" ")
}

/// A line that only holds a page counter, or nothing.
fn is_bare_counter(line: &str) -> bool {
    split_counter(line.trim()).is_some_and(|(head, _, _)| head.trim().is_empty())
}

/// Tables and their links may follow a page's footer (pdfplumber puts them last).
fn is_table_line(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') || (t.starts_with('[') && t.contains("]("))
}

/// Finds the running header and footer: lines that stand in the top (or bottom)
/// zone of enough pages. Only an unbroken run from the page's edge is removed, so a
/// label that many items repeat (`Beslut`) stays where it is text.
fn find_furniture(pages: &[Vec<&str>]) -> Furniture {
    use std::collections::{HashMap, HashSet};
    let mut out = Furniture {
        removed: HashSet::new(),
        first_header: None,
    };
    let filled = pages
        .iter()
        .filter(|p| p.iter().any(|l| !l.trim().is_empty()))
        .count();
    if filled < 2 {
        return out;
    }
    let need = if filled == 2 {
        2
    } else {
        2.max((filled * 2).div_ceil(5))
    };
    let top_zone = |page: &[&str]| -> Vec<usize> {
        (0..page.len())
            .filter(|&i| !page[i].trim().is_empty())
            .take(ZONE)
            .collect()
    };
    let bottom_zone = |page: &[&str]| -> Vec<usize> {
        let mut z: Vec<usize> = (0..page.len())
            .rev()
            .filter(|&i| !page[i].trim().is_empty() && !is_table_line(page[i]))
            .take(ZONE)
            .collect();
        z.reverse();
        z
    };
    // A line of the running header stands at the same place on every page: it is
    // counted with its rank from the page's edge, so that a `§` heading listed at the
    // top of the contents page and again at the top of its own page is not furniture.
    let mut top_count: HashMap<(usize, String), usize> = HashMap::new();
    let mut bottom_count: HashMap<(usize, String), usize> = HashMap::new();
    for page in pages {
        let keys: HashSet<(usize, String)> = top_zone(page)
            .into_iter()
            .enumerate()
            .map(|(rank, i)| (rank, furniture_key(page[i])))
            .collect();
        for k in keys {
            *top_count.entry(k).or_default() += 1;
        }
        let zone = bottom_zone(page);
        let keys: HashSet<(usize, String)> = zone
            .iter()
            .rev()
            .enumerate()
            .map(|(rank, &i)| (rank, furniture_key(page[i])))
            .collect();
        for k in keys {
            *bottom_count.entry(k).or_default() += 1;
        }
    }
    let repeated = |counts: &HashMap<(usize, String), usize>, rank: usize, k: String| {
        !k.is_empty() && counts.get(&(rank, k)).is_some_and(|&n| n >= need)
    };
    for (p, page) in pages.iter().enumerate() {
        let mut header = Vec::new();
        for (rank, i) in top_zone(page).into_iter().enumerate() {
            let key = furniture_key(page[i]);
            if is_bare_counter(page[i]) || repeated(&top_count, rank, key) {
                out.removed.insert((p, i));
                header.push(page[i].to_string());
            } else {
                break;
            }
        }
        if out.first_header.is_none() && !header.is_empty() {
            out.first_header = Some(header);
        }
        let zone = bottom_zone(page);
        for (rank, &i) in zone.iter().rev().enumerate() {
            if out.removed.contains(&(p, i)) {
                break;
            }
            let key = furniture_key(page[i]);
            if is_bare_counter(page[i]) || repeated(&bottom_count, rank, key) {
                out.removed.insert((p, i));
            } else {
                break;
            }
        }
    }
    out
}

// ---------------------------------------------------------------- replacements

/// Reads `X (M) tjänstgör för Y` off the cover. Columns may be set with runs of
/// spaces or with single spaces, and the replaced member's name often wraps into
/// the next row: there it stands at the same place in the row's order of entries
/// (`… ersätter Lars` / `Heinrich Kaufmann (C), 1:e vice Eriksson (S) §§ 98-114`).
fn replacements(lines: &[&str]) -> Vec<Replacement> {
    use super::persons::{attendance_chunks, replaced_name, split_replacement, NameModel};
    let model = NameModel::default();
    // Only rows with a replacement verb, and the two after them (where a wrapped name
    // goes on), are read into entries.
    let has_verb: Vec<bool> = lines
        .iter()
        .map(|l| {
            let lower = l.to_lowercase();
            lower.contains(" för") || lower.contains("ersätter")
        })
        .collect();
    let rows: Vec<Vec<String>> = lines
        .iter()
        .enumerate()
        .map(|(r, l)| {
            let near_verb = (r.saturating_sub(2)..=r).any(|k| has_verb[k]);
            if !near_verb {
                return Vec::new();
            }
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .flat_map(|c| attendance_chunks(c, &model))
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (k, chunk) in row.iter().enumerate() {
            let Some((substitute, rest)) = split_replacement(chunk) else {
                continue;
            };
            let (mut name, mut limited) = replaced_name(&rest);
            if name.split_whitespace().count() < 2 {
                // The name goes on in the next row that has an entry at this place.
                let next = rows
                    .iter()
                    .skip(r + 1)
                    .take(2)
                    .find_map(|row| row.get(k).filter(|c| split_replacement(c).is_none()));
                if let Some(next) = next {
                    let (more, lim) = replaced_name(next);
                    if !more.is_empty() && more.split_whitespace().count() <= 3 {
                        name = format!("{name} {more}").trim().to_string();
                        limited |= lim;
                    }
                }
            }
            if name.split_whitespace().count() >= 2 {
                out.push(Replacement {
                    substitute: super::lines::collapse_spaces(&substitute),
                    replaced: name,
                    limited,
                });
            }
        }
    }
    out
}

// ---------------------------------------------------------------- the running header

/// The cells of a laid-out line: text separated by three or more spaces or tabs.
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in line.split('\t') {
        let mut cell = String::new();
        let mut spaces = 0;
        for c in part.chars() {
            if c == ' ' {
                spaces += 1;
                continue;
            }
            if spaces >= 3 && !cell.is_empty() {
                out.push(std::mem::take(&mut cell));
            } else if spaces > 0 && !cell.is_empty() {
                cell.push(' ');
            }
            spaces = 0;
            cell.push(c);
        }
        if !cell.is_empty() {
            out.push(cell);
        }
    }
    out
}

/// Reads the organisation, the body and the date out of the running header's cells:
/// the organisation is a name ending in `kommun`/`stad`/`landsting`/`län` or starting
/// with `Region`; the body is the first other cell that is a short name, not a label,
/// a document kind, a date or a page counter.
fn read_running_header(header: &[String], hints: &mut Hints) {
    for line in header {
        for cell in cells(line) {
            let cell = split_counter(&cell)
                .map_or(cell.as_str(), |(h, _, _)| h)
                .trim();
            let cell = super::lines::strip_markdown_line(cell).text;
            if cell.is_empty() {
                continue;
            }
            if let Some((_, d)) = find_dates(&cell).first() {
                hints.header_date = hints.header_date.or(Some(*d));
                continue;
            }
            if let Some(org) = organisation_name(&cell) {
                hints.organisation.get_or_insert(org);
                continue;
            }
            let cell = super::group::without_column_label(&cell);
            if hints.body.is_none() && is_body_name(cell) {
                hints.body = Some(cell.to_string());
            }
        }
    }
}

/// `KUNGSBACKA KOMMUN` → `Kungsbacka kommun`; `Region Halland`; `Göteborgs Stad`.
pub fn organisation_name(cell: &str) -> Option<String> {
    let words: Vec<&str> = cell.split_whitespace().collect();
    if words.is_empty() || words.len() > 5 {
        return None;
    }
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let last = lower.last()?.as_str();
    let first = lower.first()?.as_str();
    let org = matches!(
        last,
        "kommun" | "stad" | "landsting" | "län" | "kommunförbund"
    ) || (first == "region" && words.len() <= 3);
    if !org || words.len() < 2 {
        return None;
    }
    if !words
        .iter()
        .all(|w| w.chars().next().is_some_and(char::is_alphabetic))
    {
        return None;
    }
    let shouting = cell
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase);
    if !shouting {
        return Some(words.join(" "));
    }
    // Title case the name, lower case the kind word: `KUNGSBACKA KOMMUN`.
    let mut out = Vec::new();
    for (i, w) in lower.iter().enumerate() {
        let generic = matches!(
            w.as_str(),
            "kommun" | "stad" | "landsting" | "län" | "i" | "och"
        );
        if generic && i > 0 {
            out.push(w.clone());
        } else {
            let mut c = w.chars();
            let head: String = c
                .next()
                .map(|f| f.to_uppercase().collect())
                .unwrap_or_default();
            out.push(head + c.as_str());
        }
    }
    Some(out.join(" "))
}

/// A header cell that names a body: short, starting with a capital, not a label
/// (`Datum`, `Sida`), not a document kind (`SAMMANTRÄDESPROTOKOLL`, `Protokoll`), not
/// a number.
fn is_body_name(cell: &str) -> bool {
    let words = cell.split_whitespace().count();
    if words == 0 || words > 9 || cell.ends_with(':') || cell.contains("  ") {
        return false;
    }
    if !cell.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    let lower = cell.to_lowercase();
    let one_word = words == 1;
    let kind_word = lower.ends_with("protokoll")
        || lower.ends_with("protokollsutdrag")
        || lower.ends_with("anteckningar")
        || lower.starts_with("protokoll")
        || lower.starts_with("utdrag")
        || lower == "kallelse"
        || lower == "dagordning";
    let label = (one_word && matches!(lower.as_str(), "sida" | "dnr"))
        || cell
            .split_whitespace()
            .next()
            .is_some_and(super::group::is_date_label)
        || super::items::is_label(cell);
    let letters = cell.chars().filter(|c| c.is_alphabetic()).count();
    !kind_word && !label && letters >= 4 && !lower.starts_with("sida ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn municipal(pages: usize, marker: bool) -> String {
        let mut s = String::from("---\nkommun: ekeryd\norgan: soc\ndatum: 2024-05-06\n---\n\n");
        for p in 1..=pages {
            if marker {
                s.push_str(&format!("<!-- sida {p} -->\n\n"));
            }
            let counter = if p == 1 {
                String::new()
            } else {
                format!("           {p} ({pages})")
            };
            s.push_str(&format!(
                "EKERYDS KOMMUN                  SAMMANTRÄDESPROTOKOLL{counter}\nSocialnämnden\nDatum\n2024-05-06\n\n"
            ));
            s.push_str(&format!(
                "§ {p}    Dnr SN-2024-0000{p}\nÄrende {p}\n\nBeslut\nNämnden beslutar {p}.\n\n"
            ));
            s.push_str("Justerandes signatur          Utdragsbestyrkande\n\n");
        }
        s
    }

    #[test]
    fn yaml_front_matter_is_metadata_not_text() {
        let p = prepare(&municipal(3, true));
        assert!(!p.text.contains("kommun: ekeryd"), "{}", p.text);
        assert_eq!(p.hints.front_date, Date::parse_iso("2024-05-06"));
        // `organ: soc` is a code, not a name.
        assert_eq!(p.hints.front_body, None);
    }

    #[test]
    fn the_running_header_names_organisation_body_and_date_and_goes() {
        for marker in [true, false] {
            let p = prepare(&municipal(4, marker));
            assert_eq!(
                p.hints.organisation.as_deref(),
                Some("Ekeryds kommun"),
                "{marker}"
            );
            assert_eq!(p.hints.body.as_deref(), Some("Socialnämnden"), "{marker}");
            assert_eq!(p.hints.header_date, Date::parse_iso("2024-05-06"));
            assert!(!p.text.contains("SAMMANTRÄDESPROTOKOLL"), "{}", p.text);
            assert!(!p.text.contains("Utdragsbestyrkande"), "{}", p.text);
            assert!(!p.text.contains("sida"), "{}", p.text);
            // Labels that every item repeats stay.
            assert_eq!(p.text.matches("\nBeslut\n").count(), 4, "{}", p.text);
            assert!(p.text.contains("Ärende 3"));
        }
    }

    #[test]
    fn a_heading_listed_atop_the_contents_page_and_its_own_page_stays() {
        let header = "EKERYDS KOMMUN      PROTOKOLL\nSocialnämnden\n\n";
        let text = format!(
            "{header}Innehåll\n§ 7 Dnr SN-1\nBudget ........ 2\n<!-- sida 2 -->\n{header}§ 7 Dnr SN-1\nBudget\n\nText.\n"
        );
        let p = prepare(&text);
        assert_eq!(p.text.matches("§ 7 Dnr SN-1").count(), 2, "{}", p.text);
        assert!(!p.text.contains("EKERYDS"));
    }

    #[test]
    fn pages_that_became_one_line_are_split_again() {
        let page1 = "SOCIALNÄMNDEN Protokoll 2024-05-06 Plats och tid Stadshuset. Närvarande enligt lista. ".repeat(6);
        let page2 = "§ 12 Budget 2025 Förvaltningen redovisar förslaget till budget för nästa år. Beslut Socialnämnden beslutar att anta budgeten. § 13 Val av ombud Nämnden väljer ombud. 3. Övrigt Inget. Kommunen ska enligt § 4 lagen lämna uppgifter. ";
        let text = format!("{page1}\n{}", page2.repeat(8));
        let p = prepare(&text);
        let lines: Vec<&str> = p.text.lines().collect();
        assert!(lines.contains(&"Beslut"), "{lines:?}");
        assert!(lines
            .iter()
            .any(|l| l.starts_with("§ 12 Budget 2025 Förvaltningen")));
        assert!(lines.iter().any(|l| l.starts_with("§ 13 Val av ombud")));
        assert!(lines.iter().any(|l| l.starts_with("3. Övrigt")));
        // A reference to a section of a law is no heading: `enligt § 4 lagen`.
        assert!(!lines.iter().any(|l| l.starts_with("§ 4 lagen")));
        // A document with its line breaks is left as it is.
        let normal = "Protokoll\n\n§ 1 Öppnande\nText. Beslut Nämnden beslutar.\n".repeat(50);
        assert!(unflatten(&normal).is_none());
        assert!(!prepare(&normal).text.lines().any(|l| l == "Beslut"));
    }

    #[test]
    fn form_feeds_are_page_breaks() {
        let page = |n: usize| {
            format!("Region Halland      PROTOKOLL      {n} (3)\nHälso- och sjukvårdsnämnden      2025-01-02\n\n{n}. Punkt {n}\nText om punkt {n}.\n")
        };
        let text = format!("{}\u{0c}{}\u{0c}{}", page(1), page(2), page(3));
        let p = prepare(&text);
        assert_eq!(p.hints.organisation.as_deref(), Some("Region Halland"));
        assert_eq!(p.hints.body.as_deref(), Some("Hälso- och sjukvårdsnämnden"));
        assert!(!p.text.contains("PROTOKOLL"));
        assert!(p.text.contains("Text om punkt 2."));
    }

    #[test]
    fn a_single_page_keeps_every_line() {
        let text = "Protokoll Styrelsen\n\n§ 1 Öppnande\n";
        assert_eq!(prepare(text).text, format!("{text}\n"));
    }

    #[test]
    fn toml_and_org_front_matter() {
        let p = prepare("+++\ntitle = \"Styrelsemöte\"\ndate = \"2023-03-04\"\n+++\nText\n");
        assert_eq!(p.hints.front_title.as_deref(), Some("Styrelsemöte"));
        assert!(!p.text.contains("+++"));
        let p = prepare("#+TITLE: Protokoll\n#+DATE: 2023-03-04\nText\n");
        assert_eq!(p.hints.front_date, Date::parse_iso("2023-03-04"));
        assert_eq!(p.text.trim(), "Text");
        let p = prepare("Title: Årsmöte\nDate: 2023-03-04\n\nText\n");
        assert_eq!(p.text.trim(), "Text");
        // Swedish labels are protocol text.
        let p = prepare("Datum: 2023-03-04\nPlats: Rådhuset\n\nText\n");
        assert!(p.text.contains("Plats: Rådhuset"));
    }

    #[test]
    fn page_counters_are_read() {
        assert_eq!(page_counter("KOMMUN   PROTOKOLL   3 (9)"), Some((3, 9)));
        assert_eq!(page_counter("2(6)"), Some((2, 6)));
        assert_eq!(page_counter("Sida 2 av 7"), Some((2, 7)));
        assert_eq!(page_counter("Anna Ek (S)"), None);
        assert_eq!(page_counter("Lag (2019:1)"), None);
    }

    #[test]
    fn replacements_across_wrapped_columns() {
        let cover = [
            "Beslutande    Ledamöter                     Tjänstgörande ersättare",
            "Tommy Rydfeldt (L), Ordförande Lars Sundbom (M) tjänstgör för",
            "Maj-Britt Rane-Andersson (S), 2:e vice Marianne Pleijel (M)",
            "ordförande                    Conny Loftander (S) tjänstgör för",
            "Lars Blom (M)                 Åsa Andersson (S)",
            "Thure Sandén (M), Ordförande  Bo Johansson (MP) ersätter Lars",
            "Heinrich Kaufmann (C), 1:e vice Eriksson (S) §§ 98-114",
            "Annika Hedman (C), Ordförande Bo Barknertz (M) för Annika",
            "Maria Gathendahl (M), 1:e vice ordförande Hamberg (M)",
        ];
        let got: Vec<(String, String, bool)> = replacements(&cover)
            .into_iter()
            .map(|r| (r.substitute, r.replaced, r.limited))
            .collect();
        let want = [
            ("Lars Sundbom (M)", "Marianne Pleijel", false),
            ("Conny Loftander (S)", "Åsa Andersson", false),
            ("Bo Johansson (MP)", "Lars Eriksson", true),
            ("Bo Barknertz (M)", "Annika Hamberg", false),
        ];
        let want: Vec<(String, String, bool)> = want
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn organisation_names() {
        assert_eq!(
            organisation_name("KUNGSBACKA KOMMUN").as_deref(),
            Some("Kungsbacka kommun")
        );
        assert_eq!(
            organisation_name("Region Kronoberg").as_deref(),
            Some("Region Kronoberg")
        );
        assert_eq!(
            organisation_name("Göteborgs Stad").as_deref(),
            Some("Göteborgs Stad")
        );
        assert_eq!(organisation_name("Valnämnd"), None);
        assert_eq!(organisation_name("Kommun"), None);
    }
}
