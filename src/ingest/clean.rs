//! Removes the noise that PDF text extraction leaves in protocol text.
//! Owns: line endings, odd spaces and ligatures, trailing spaces, double-spaced
//! extraction (a blank line after every line), page furniture (page numbers,
//! `Justerandes sign`, repeated page headers, bare URL footers) and words
//! hyphenated across a line break.
//! Does not own: markdown markup, which carries structure (see `parse`).

/// Cleans extracted text; the result has `\n` line endings, no trailing spaces,
/// no page furniture, and at most one blank line in a row.
pub fn clean_text(text: &str) -> String {
    // A line may come back as several (table cells, side-by-side columns).
    let mut lines: Vec<String> = Vec::new();
    for line in split_lines(text).map(normalise_line) {
        if line.contains('\n') {
            lines.extend(line.split('\n').map(str::to_string));
        } else {
            lines.push(line);
        }
    }
    if is_double_spaced(&lines) {
        lines = drop_one_blank_per_run(lines);
    }
    let first = lines.iter().find(|l| !l.is_empty()).cloned();
    let mut seen_first = false;
    for line in lines.iter_mut() {
        if first.as_deref() == Some(line.as_str()) {
            // A page header repeats the document's first line on every page.
            if seen_first {
                line.clear();
            }
            seen_first = true;
            continue;
        }
        if is_page_furniture(line) {
            line.clear();
        }
    }
    let lines = join_hyphenated_words(lines);
    squeeze_blank_lines(lines).join("\n")
}

fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// Spaces and invisible characters become plain spaces or vanish; tabs separate table
/// cells, which become lines of their own; ligatures are spelled out.
fn normalise_line(line: &str) -> String {
    // Most lines are printable ASCII without a column gap: nothing to change.
    if line.bytes().all(|b| (b' '..=b'~').contains(&b)) && !line.contains(COLUMN_GAP) {
        return line.trim().to_string();
    }
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '\u{00a0}' | '\u{2007}' | '\u{202f}' | '\u{2002}' | '\u{2003}' | '\u{2009}' => {
                out.push(' ')
            }
            '\u{00ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' => {}
            '\u{fb00}' => out.push_str("ff"),
            '\u{fb01}' => out.push_str("fi"),
            '\u{fb02}' => out.push_str("fl"),
            '\u{fb03}' => out.push_str("ffi"),
            '\u{fb04}' => out.push_str("ffl"),
            '\u{0c}' => out.push(' '),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    // Table cells (tabs) and columns set side by side (five or more spaces between
    // text, as PDF extraction lays out two-column lists) become lines of their own.
    let out = out.replace(COLUMN_GAP, "\t");
    if out.contains('\t') {
        let cells: Vec<&str> = out
            .split('\t')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        return cells.join("\n").trim().to_string();
    }
    out.trim().to_string()
}

/// The gap between two columns of text set side by side.
const COLUMN_GAP: &str = "     ";

/// PDF extraction sometimes puts a blank line after every line. Then sentences run
/// on across blank lines (`… till` / blank / `dagens möte`) far more often than
/// across plain line breaks; in ordinary text a blank line never splits a sentence.
fn is_double_spaced(lines: &[String]) -> bool {
    let continues = |l: &String| l.chars().next().is_some_and(char::is_lowercase);
    let mut across_break = 0usize;
    let mut across_blank = 0usize;
    for i in 0..lines.len().saturating_sub(1) {
        if lines[i].is_empty() {
            continue;
        }
        if continues(&lines[i + 1]) {
            across_break += 1;
        } else if lines[i + 1].is_empty() && i + 2 < lines.len() && continues(&lines[i + 2]) {
            across_blank += 1;
        }
    }
    across_blank >= 5 && across_blank > 3 * across_break
}

fn drop_one_blank_per_run(lines: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        if lines[i].is_empty() {
            let start = i;
            while i < lines.len() && lines[i].is_empty() {
                i += 1;
            }
            out.extend(std::iter::repeat_n(String::new(), i - start - 1));
        } else {
            out.push(lines[i].clone());
            i += 1;
        }
    }
    out
}

/// Page numbers (`2 (15)`, `Sida 3 av 7`, `PROTOKOLL 2(6)`), signature footers and
/// bare URL lines.
pub fn is_page_furniture(line: &str) -> bool {
    let l = line.trim();
    if l.is_empty() {
        return false;
    }
    if is_bare_url(l) {
        return true;
    }
    if l.len() > 120 {
        return false;
    }
    // A page number has digits; the signature lines below name these words.
    if !l.bytes().any(|b| b.is_ascii_digit())
        && !contains_ascii_caseless(l, "justera")
        && !contains_ascii_caseless(l, "utdragsbestyrkande")
    {
        return false;
    }
    let lower = l.to_lowercase();
    if lower.starts_with("justerandes sign")
        || lower.starts_with("justerare sign")
        || lower.starts_with("justerandes signatur")
        || lower == "utdragsbestyrkande"
        || (lower.contains("justerandes") && lower.contains("utdragsbestyrkande"))
    {
        return true;
    }
    is_page_number(&lower)
}

/// Whether `text` contains `needle` (ASCII) in any ASCII case.
fn contains_ascii_caseless(text: &str, needle: &str) -> bool {
    text.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn is_bare_url(l: &str) -> bool {
    (l.starts_with("http://") || l.starts_with("https://") || l.starts_with("www."))
        && !l.contains(' ')
}

/// `2 (15)`, `2(15)`, `Sida 2 av 15`, `sida 2`, `2/15`, `- 2 -`, `PROTOKOLL 2(6)`,
/// `Sammanträdesprotokoll 3 (12)`: an optional word, then page number and count.
fn is_page_number(lower: &str) -> bool {
    let tokens: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '/' || c == '-')
        .filter(|t| !t.is_empty())
        .collect();
    let is_num = |t: &str| t.len() <= 4 && t.chars().all(|c| c.is_ascii_digit());
    // `3 (9)` and `3/9` count pages; `2025-2026` and `Lokalbehov 2027-2031` do not.
    let counts = |n: &str, m: &str| {
        (lower.contains('(') || lower.contains('/'))
            && n.parse::<u32>().ok() <= m.parse::<u32>().ok()
            && m.len() <= 3
    };
    match tokens.as_slice() {
        [n] => is_num(n) && lower.starts_with('-'),
        [n, m] if is_num(n) && is_num(m) => counts(n, m),
        [w, n] if is_num(n) => matches!(*w, "sida" | "page" | "s."),
        [w, n, m] if is_num(n) && is_num(m) => {
            w.chars().all(char::is_alphabetic) && w.len() <= 25 && counts(n, m)
        }
        [w, n, "av", m] if is_num(n) && is_num(m) => matches!(*w, "sida" | "page"),
        [n, "av", m] if is_num(n) && is_num(m) => true,
        _ => false,
    }
}

/// Words that follow a suspended compound (`barn- och ungdomskliniken`): a line
/// ending in `-` followed by one of these keeps its hyphen and its break.
const SUSPENDED_COMPOUND_FOLLOWERS: &[&str] = &[
    "och",
    "eller",
    "samt",
    "respektive",
    "resp.",
    "som",
    "till",
    "&",
];

/// `tillgäng-` + `lighet` becomes `tillgänglighet`; `IKB-` + `projektet` becomes
/// `IKB-projektet`; `barn-` + `och ungdomskliniken` stays as it is.
fn join_hyphenated_words(mut lines: Vec<String>) -> Vec<String> {
    let mut i = 0;
    while i < lines.len() {
        let Some(next) = next_text_line(&lines, i) else {
            i += 1;
            continue;
        };
        if let Some(keep_hyphen) = hyphen_join_kind(&lines[i], &lines[next]) {
            let tail = std::mem::replace(&mut lines[next], REMOVED.to_string());
            let line = &mut lines[i];
            if !keep_hyphen {
                line.pop();
            }
            line.push_str(&tail);
            for gap in lines.iter_mut().take(next).skip(i + 1) {
                *gap = REMOVED.to_string();
            }
            // The joined line may itself end with a hyphen: look again.
            continue;
        }
        i += 1;
    }
    lines.retain(|l| l != REMOVED);
    lines
}

/// Marks a line that was joined onto the one before it (control characters never
/// survive `normalise_line`, so no real line looks like this).
const REMOVED: &str = "\u{0}";

/// The next non-empty line after `i`, across at most one blank line.
fn next_text_line(lines: &[String], i: usize) -> Option<usize> {
    (i + 1..lines.len().min(i + 3)).find(|&j| !lines[j].is_empty() && lines[j] != REMOVED)
}

/// `Some(false)`: join and drop the hyphen; `Some(true)`: join and keep it.
fn hyphen_join_kind(line: &str, next: &str) -> Option<bool> {
    let stem = line.strip_suffix('-')?;
    let before = stem.chars().last()?;
    if !before.is_alphanumeric() {
        return None;
    }
    // A lone `-` bullet or a dash between words is not a broken word.
    let last_word = stem.rsplit(' ').next().unwrap_or("");
    if last_word.chars().count() < 2 {
        return None;
    }
    let first_word = next.split_whitespace().next()?;
    if SUSPENDED_COMPOUND_FOLLOWERS.contains(&first_word.to_lowercase().as_str()) {
        return None;
    }
    let first_char = first_word.chars().next()?;
    if !first_char.is_lowercase() {
        return None;
    }
    let keep = before.is_uppercase() || before.is_ascii_digit();
    Some(keep)
}

fn squeeze_blank_lines(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_spaces_and_crlf_go() {
        assert_eq!(clean_text("Rad ett  \r\nRad två \r\n"), "Rad ett\nRad två");
    }

    #[test]
    fn page_numbers_are_furniture() {
        for l in [
            "2 (15)",
            "2(15)",
            "Sida 2 av 15",
            "PROTOKOLL 2(6)",
            "Sida 3(4)",
            "- 4 -",
            "3/12",
        ] {
            assert!(is_page_furniture(l), "{l}");
        }
        for l in [
            "3. Ekonomi",
            "2025",
            "12 mars",
            "Sida vid sida med regionen",
            "§ 12",
            "Lokalbehov 2027-2031",
            "2025-2026",
            "Budget 2024/2025",
        ] {
            assert!(!is_page_furniture(l), "{l}");
        }
    }

    #[test]
    fn signature_footers_and_bare_urls_are_furniture() {
        assert!(is_page_furniture(
            "Justerandes sign            Utdragsbestyrkande"
        ));
        assert!(is_page_furniture(
            "https://vardgivare.regionkalmar.se/samverkan/"
        ));
        assert!(!is_page_furniture("Läs mer på https://example.se om detta"));
    }

    #[test]
    fn words_broken_across_lines_are_joined() {
        let t = clean_text("ökad tillgäng-\nlighet för alla");
        assert_eq!(t, "ökad tillgänglighet för alla");
    }

    #[test]
    fn suspended_compounds_keep_their_hyphen() {
        let t = clean_text("på barn-\noch ungdomskliniken");
        assert_eq!(t, "på barn-\noch ungdomskliniken");
    }

    #[test]
    fn abbreviation_compounds_keep_the_hyphen() {
        assert_eq!(
            clean_text("kring IKB-\nprojektets mål"),
            "kring IKB-projektets mål"
        );
    }

    #[test]
    fn a_word_broken_across_a_page_break_is_joined() {
        let t = clean_text("det gäller tillgäng-\nSida 2 av 3\nlighet i vården");
        assert_eq!(t, "det gäller tillgänglighet i vården");
    }

    #[test]
    fn double_spaced_extraction_is_undone() {
        let mut src = String::new();
        for i in 0..10 {
            src.push_str(&format!("rad {i} i\n\nstycket\n\n"));
        }
        src.push_str(" \n\nNästa stycke\n\n");
        let t = clean_text(&src);
        assert!(t.starts_with("rad 0 i\nstycket\nrad 1 i\nstycket\n"), "{t}");
        assert!(t.ends_with("rad 9 i\nstycket\n\nNästa stycke"), "{t}");
    }

    #[test]
    fn one_line_paragraphs_are_not_double_spacing() {
        let src: String = (0..12).map(|i| format!("Stycke {i}.\n\n")).collect();
        assert!(clean_text(&src).contains("Stycke 0.\n\nStycke 1."));
    }

    #[test]
    fn repeated_first_line_is_a_page_header() {
        let t = clean_text("Protokoll Nämnden\n\nText ett\n\nProtokoll Nämnden\nText två");
        assert_eq!(t, "Protokoll Nämnden\n\nText ett\n\nText två");
    }

    #[test]
    fn side_by_side_columns_become_lines() {
        let t = clean_text("Lars Ek (S), ordförande            Åsa Öhrn, DHR Kalix\n                                         Halvar Nyman, HRF Kalix");
        assert_eq!(
            t,
            "Lars Ek (S), ordförande\nÅsa Öhrn, DHR Kalix\nHalvar Nyman, HRF Kalix"
        );
        assert_eq!(
            clean_text("två  mellanslag stannar"),
            "två  mellanslag stannar"
        );
    }

    #[test]
    fn tab_separated_cells_become_lines() {
        assert_eq!(
            clean_text("Anna Ek, RKL\tProcessledare"),
            "Anna Ek, RKL\nProcessledare"
        );
    }
}
