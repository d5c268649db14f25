//! Calendar dates as protocols write them, and the choice of the meeting date.
//! Owns: `2026-02-06`, `10 april 2026`, `10 apr. 2026`, `tisdagen den 8 april 2014`,
//! and the rule that a labelled header date (`Datum:`, `Sammanträdesdatum`, `Tid`)
//! or the title's date wins over dates in the body (deadlines, next meeting).

use super::lines::Line;

/// A calendar date (proleptic Gregorian), valid by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1900..=2200).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        (day <= days_in_month(year, month)).then_some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD` exactly.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            part.chars()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        Date::new(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = if self.month <= 2 {
            self.year - 1
        } else {
            self.year
        } as i64;
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// Quarter of the year, 1 to 4.
    pub fn quarter(&self) -> u32 {
        (self.month - 1) / 3 + 1
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Whether a word names a month (`maj`, `december`, `dec.`).
pub fn is_month_name(word: &str) -> bool {
    month_number(word.trim_end_matches(',')).is_some()
}

/// Swedish month names and their usual abbreviations.
fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    let m = match w.as_str() {
        "januari" | "jan" => 1,
        "februari" | "feb" | "febr" => 2,
        "mars" | "mar" => 3,
        "april" | "apr" => 4,
        "maj" => 5,
        "juni" | "jun" => 6,
        "juli" | "jul" => 7,
        "augusti" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "oktober" | "okt" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

/// A day of a month whose year is not written: `6 december`, `Styrelsemöte 8 maj,`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DayMonth {
    day: u32,
    month: u32,
}

/// One date as written, before the year is known for certain.
enum Written {
    Full(Date),
    Yearless(DayMonth),
}

/// A day number, or the first day of a range (`1–2`, `22-23`), as written before a month name.
fn day_number(core: &str) -> Option<u32> {
    let core = core.trim_end_matches(":e").trim_end_matches(":a");
    let first = match core.split_once(['-', '–']) {
        Some((a, b)) => {
            let (from, to) = (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?);
            (b.len() <= 2 && to > from).then_some(a)?
        }
        None => core,
    };
    if !(1..=2).contains(&first.len()) || !first.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    first.parse().ok().filter(|d| (1..=31).contains(d))
}

/// `YY-MM-DD`, the short form of an ISO date (`24-10-21`), read in this century or the last.
fn parse_short_iso(core: &str) -> Option<Date> {
    let b = core.as_bytes();
    if b.len() != 8 || b[2] != b'-' || b[5] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = core.get(r)?;
        part.chars()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let yy = num(0..2)? as i32;
    let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
    Date::new(year, num(3..5)?, num(6..8)?)
}

/// Every date written in `s`, in order, with its byte offset; a day and month without a
/// year is `Yearless`.
fn written_dates(s: &str) -> Vec<(usize, Written)> {
    let tokens: Vec<(usize, &str)> = s
        .split_whitespace()
        .map(|t| (t.as_ptr() as usize - s.as_ptr() as usize, t))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (pos, tok) = tokens[i];
        let core = tok.trim_matches(|c: char| !c.is_alphanumeric());
        // ISO date, possibly glued to punctuation or a time: `2026-02-06,` `(2026-02-06)`.
        if let Some(d) = core.get(..10).and_then(Date::parse_iso) {
            let offset = core.get(..10).and_then(|head| tok.find(head)).unwrap_or(0);
            out.push((pos + offset, Written::Full(d)));
            i += 1;
            continue;
        }
        if let Some(d) = parse_short_iso(core) {
            out.push((pos, Written::Full(d)));
            i += 1;
            continue;
        }
        // `8 april 2014`, `8:e april 2014`, `8 apr. 2014`, `8 april, 2014`, `1–2 oktober 2015`;
        // without a year token, `8 april` is yearless.
        if let (Some(day), Some(&(_, month_tok))) = (day_number(core), tokens.get(i + 1)) {
            if let Some(month) = month_number(month_tok.trim_end_matches([',', ':', ';'])) {
                let year = tokens
                    .get(i + 2)
                    .map(|(_, t)| t.trim_matches(|c: char| !c.is_ascii_digit()))
                    .filter(|y| y.len() == 4)
                    .and_then(|y| y.parse::<i32>().ok());
                // `6 december: 2022 års budget` is no date of 2022.
                let month_ends_clause = month_tok.ends_with([':', ';']);
                match year.filter(|_| !month_ends_clause) {
                    Some(y) => {
                        if let Some(date) = Date::new(y, month, day) {
                            out.push((pos, Written::Full(date)));
                            i += 3;
                            continue;
                        }
                    }
                    None if Date::new(2000, month, day).is_some() => {
                        out.push((pos, Written::Yearless(DayMonth { day, month })));
                        i += 2;
                        continue;
                    }
                    None => {}
                }
            }
        }
        i += 1;
    }
    out
}

/// Every complete date written in `s`, in order, with its byte offset.
pub fn find_dates(s: &str) -> Vec<(usize, Date)> {
    written_dates(s)
        .into_iter()
        .filter_map(|(pos, w)| match w {
            Written::Full(d) => Some((pos, d)),
            Written::Yearless(_) => None,
        })
        .collect()
}

/// The first day and month written without a year in `s`.
fn find_yearless(s: &str) -> Option<DayMonth> {
    written_dates(s).into_iter().find_map(|(_, w)| match w {
        Written::Yearless(dm) => Some(dm),
        Written::Full(_) => None,
    })
}

/// Labels after which the meeting date stands (on the same line or the next).
const DATE_LABELS: &[&str] = &[
    "datum",
    "sammanträdesdatum",
    "mötesdatum",
    "sammanträdesdag",
    "tid och plats",
    "plats och tid",
    "tid",
    "dag",
    "när",
];

/// Words that mark a line's date as something other than the meeting date.
const NOT_MEETING_DATE: &[&str] = &[
    "justering",
    "justeras",
    "nästa möte",
    "nästa sammanträde",
    "tjänsteskrivelse",
    "dnr",
    "senast",
    "sista svarsdag",
    "anslag",
    "inkom",
    "daterad",
    "avtalsperiod",
];

/// Narrative phrases that introduce the meeting date: `ägde rum 7 november 2025`.
const MEETING_VERBS: &[&str] = &[
    "ägde rum",
    "hölls",
    "genomfördes",
    "sammanträdde",
    "möttes",
    "sammanträde",
];

/// How many non-blank lines count as the header when looking for the date.
const HEADER_LINES: usize = 40;

/// The meeting date: a labelled header date, else a date in the title, else a
/// date after `ägde rum`/`hölls`, else the first date of the header that is not
/// a deadline or a next-meeting date, else the first such date anywhere.
pub fn meeting_date(lines: &[Line]) -> Option<Date> {
    let header: Vec<&Line> = lines
        .iter()
        .filter(|l| !l.is_blank())
        .take(HEADER_LINES)
        .collect();
    labelled_date(&header)
        .or_else(|| title_date(&header))
        .or_else(|| yearless_title_date(&header, lines))
        .or_else(|| narrative_date(&header))
        .or_else(|| first_plain_date(header.iter().copied()))
        .or_else(|| first_plain_date(lines.iter()))
}

fn labelled_date(header: &[&Line]) -> Option<Date> {
    for (i, line) in header.iter().enumerate() {
        let lower = line.text.to_lowercase();
        if !starts_with_label(&lower) && !lower.contains("sammanträdesdatum") {
            continue;
        }
        if let Some((_, d)) = find_dates(&line.text).first() {
            return Some(*d);
        }
        // `Sammanträdesdatum` alone, the date on one of the next lines.
        for next in header.iter().skip(i + 1).take(2) {
            if let Some((_, d)) = find_dates(&next.text).first() {
                return Some(*d);
            }
        }
    }
    None
}

fn starts_with_label(lower: &str) -> bool {
    DATE_LABELS.iter().any(|label| {
        lower
            .strip_prefix(label)
            .is_some_and(|rest| rest.starts_with(':') || rest.starts_with(' ') || rest.is_empty())
    })
}

fn title_date(header: &[&Line]) -> Option<Date> {
    header
        .iter()
        .take(2)
        .filter(|l| {
            let lower = l.text.to_lowercase();
            !NOT_MEETING_DATE.iter().any(|w| lower.contains(w))
        })
        .find_map(|l| find_dates(&l.text).first().map(|(_, d)| *d))
}

/// A title or labelled date without its year (`Styrelsemöte 6 december`), completed with the
/// year the header writes on its own (`Protokoll nr 6/2022`), else the year most of the
/// document's complete dates fall in.
fn yearless_title_date(header: &[&Line], lines: &[Line]) -> Option<Date> {
    let dm = header
        .iter()
        .take(3)
        .chain(
            header
                .iter()
                .filter(|l| starts_with_label(&l.text.to_lowercase())),
        )
        .filter(|l| {
            let lower = l.text.to_lowercase();
            !NOT_MEETING_DATE.iter().any(|w| lower.contains(w))
        })
        .find_map(|l| find_yearless(&l.text))?;
    let year = header
        .iter()
        .take(3)
        .find_map(|l| standalone_year(&l.text))
        .or_else(|| commonest_year(lines))?;
    Date::new(year, dm.month, dm.day)
}

/// A year written as a number of its own in a heading: `nr 6/2022`, `2022`, `(2022)`.
fn standalone_year(s: &str) -> Option<i32> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 4)
        .filter_map(|t| t.parse::<i32>().ok())
        .find(|y| (1950..=2100).contains(y))
}

fn commonest_year(lines: &[Line]) -> Option<i32> {
    let mut counts: Vec<(i32, usize)> = Vec::new();
    for (_, d) in lines.iter().flat_map(|l| find_dates(&l.text)) {
        match counts.iter_mut().find(|(y, _)| *y == d.year) {
            Some((_, n)) => *n += 1,
            None => counts.push((d.year, 1)),
        }
    }
    // The earliest of the most frequent years: a document cites the coming year less often
    // than a protocol's own.
    counts
        .into_iter()
        .max_by_key(|&(y, n)| (n, std::cmp::Reverse(y)))
        .map(|(y, _)| y)
}

fn narrative_date(header: &[&Line]) -> Option<Date> {
    // Join the header so that `ägde rum` and the date may sit on two lines.
    let text = header
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let lower = text.to_lowercase();
    for verb in MEETING_VERBS {
        let mut from = 0;
        while let Some(p) = lower[from..].find(verb) {
            // Offsets found in the lowercased text index that text only (`İ` is
            // longer in lower case).
            let start = from + p + verb.len();
            let window_end = floor_char_boundary(&lower, (start + 40).min(lower.len()));
            if let Some((_, d)) = lower
                .get(start..window_end)
                .and_then(|w| find_dates(w).first().copied())
            {
                return Some(d);
            }
            from = start;
        }
    }
    None
}

fn first_plain_date<'a>(lines: impl Iterator<Item = &'a Line>) -> Option<Date> {
    for line in lines {
        let lower = line.text.to_lowercase();
        if NOT_MEETING_DATE.iter().any(|w| lower.contains(w)) {
            continue;
        }
        if let Some((_, d)) = find_dates(&line.text).first() {
            return Some(*d);
        }
    }
    None
}

pub(crate) fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::super::lines::to_lines;
    use super::*;

    fn date(s: &str) -> Option<String> {
        meeting_date(&to_lines(s)).map(|d| d.to_string())
    }

    #[test]
    fn a_narrative_date_after_a_letter_that_grows_in_lower_case() {
        let lines = crate::parse::lines::to_lines("İİİİ İİİİ mötet hölls 6 maj 2024 i İzmir");
        assert_eq!(meeting_date(&lines), Date::parse_iso("2024-05-06"));
    }

    #[test]
    fn every_written_form_is_found() {
        let cases = [
            ("Protokoll Läns gemensam ledning 2026-02-06", "2026-02-06"),
            ("**Datum:** 10 april 2026", "2026-04-10"),
            (
                "Presidiekonferensen ägde rum 7 november 2025 och genomfördes",
                "2025-11-07",
            ),
            ("Tid Tisdagen den 8 april 2014, kl 09.00", "2014-04-08"),
            ("Datum: 3 feb. 2022", "2022-02-03"),
            ("Mötet den 1:a mars 2021", "2021-03-01"),
        ];
        for (text, want) in cases {
            assert_eq!(date(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn label_on_one_line_date_on_the_next() {
        let t = "Växjö kommun      PROTOKOLL\nSocialnämnden     Sammanträdesdatum\n              2014-12-02\n";
        assert_eq!(date(t).as_deref(), Some("2014-12-02"));
    }

    #[test]
    fn a_labelled_date_beats_an_earlier_body_date() {
        let t = "Minnesanteckningar\nSista svarsdag 2024-01-15 för remissen\nDatum: 2024-02-01\n";
        assert_eq!(date(t).as_deref(), Some("2024-02-01"));
    }

    #[test]
    fn deadlines_and_next_meetings_do_not_win() {
        let t = "Protokoll Samverkansrådet\n\n1. Nästa möte\nNästa möte 2024-06-11.\nRemissen ska vara inne senast 2024-05-30.\nMötet hölls 14 maj 2024.";
        assert_eq!(date(t).as_deref(), Some("2024-05-14"));
    }

    #[test]
    fn short_iso_dates_day_ranges_and_yearless_titles() {
        let cases = [
            ("Föreningen Lindåsen Ridklubb\nÅrsmöte 16-03-10\nJärnetrummet", "2016-03-10"),
            ("Protokoll fört vid planeringsmöte\nDatum: 20–21 februari 2018\n", "2018-02-20"),
            ("Styrelseprotokoll\nDag: 22-23 sep 2015\n", "2015-09-22"),
            ("Kommunfullmäktige 3–4 mars 2012\n", "2012-03-03"),
            (
                "## Protokoll nr 6/2022\nStyrelsemöte 6 december, Vretby båtklubb\nNästa möte hålls 17 januari 2023.",
                "2022-12-06",
            ),
            (
                "Styrelsemöte 8 maj, BRF Eken\n§ 1 Budget\nBudgeten för 2014 antogs 2014-04-30.\nÅrsmöte 2014-05-15.",
                "2014-05-08",
            ),
            ("Minnesanteckningar\nDatum: 2024-05-06 (justerat 24-05-10)", "2024-05-06"),
            ("Protokoll\nVi träffades den 3 feb. 2022 i Växjö", "2022-02-03"),
        ];
        for (text, want) in cases {
            assert_eq!(date(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn numbers_that_only_look_like_dates() {
        assert!(find_dates("tel 08-12-34 och 24-13-01, 5–3 maj 2020").is_empty());
        assert_eq!(
            find_yearless("efter 3 maj"),
            Some(DayMonth { day: 3, month: 5 })
        );
        assert_eq!(find_yearless("7 timmar"), None);
    }

    #[test]
    fn impossible_dates_are_not_dates() {
        assert!(find_dates("2026-02-30 och 31 april 2020").is_empty());
    }

    #[test]
    fn days_since_epoch_is_right() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().days_since_epoch(), 11017);
        assert_eq!(Date::new(2026, 2, 6).unwrap().days_since_epoch(), 20490);
    }
}
