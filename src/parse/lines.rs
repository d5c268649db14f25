//! One cleaned text line with its markdown markup taken off and remembered:
//! heading level, bullet, bold. The rest of the parser reads only `Line`s.

/// A line of a protocol after markdown stripping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The text without markup, whitespace collapsed.
    pub text: String,
    /// Markdown heading level (`## x` is 2); 0 when the line is no heading.
    pub heading: u8,
    /// The line is a list item (`- x`, `* x`, `• x`).
    pub bullet: bool,
}

impl Line {
    pub fn is_blank(&self) -> bool {
        self.text.is_empty()
    }
}

/// Splits cleaned text into lines and strips each one's markup: Markdown; HTML tags
/// (`<h2>` is a heading, `<li>` a list item, `<br>` and `<p>` break lines, other tags
/// go); org-mode headings (`* Title`, `** Title`) in a text that has org structure.
pub fn to_lines(text: &str) -> Vec<Line> {
    let html = has_html_tags(text);
    let org = is_org_text(text);
    let mut out = Vec::new();
    for raw in text.lines() {
        if html && raw.contains('<') {
            for (part, heading, bullet) in html_parts(raw) {
                let mut line = strip_markdown_line(&part);
                line.heading = line.heading.max(heading);
                line.bullet |= bullet;
                out.push(line);
            }
            continue;
        }
        if org {
            let stars = raw.chars().take_while(|&c| c == '*').count();
            if (1..=6).contains(&stars) && raw[stars..].starts_with(' ') {
                let mut line = strip_markdown_line(&raw[stars..]);
                line.heading = stars as u8;
                line.bullet = false;
                out.push(line);
                continue;
            }
        }
        out.push(strip_markdown_line(raw));
    }
    out
}

/// Org-mode structure: `#+TITLE:`-style keywords, or headings of two or more stars
/// (`** 3. Budget`), which Markdown never writes with a space after them.
fn is_org_text(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("#+") || l.starts_with("** ") || l.starts_with("*** "))
}

const HTML_TAGS: &[&str] = &[
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "li", "ul", "ol", "strong", "b", "em", "i",
    "div", "span", "table", "tr", "td", "th", "u",
];

fn has_html_tags(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "<h1", "<h2", "<h3", "<h4", "<p>", "<br", "<li>", "<strong>", "<div", "<td",
    ]
    .iter()
    .any(|t| lower.contains(t))
}

/// One line's text split at block tags, each part with its heading level and whether
/// it is a list item; inline tags are dropped and entities decoded.
fn html_parts(raw: &str) -> Vec<(String, u8, bool)> {
    let mut out: Vec<(String, u8, bool)> = Vec::new();
    let mut current = String::new();
    let (mut heading, mut bullet) = (0u8, false);
    let mut rest = raw;
    while let Some(open) = rest.find('<') {
        current.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            current.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = after[..close].trim().to_ascii_lowercase();
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !HTML_TAGS.contains(&name.as_str()) {
            // Not markup we know: keep the text as it is (`<5 år`).
            current.push('<');
            rest = after;
            continue;
        }
        let block = matches!(
            name.as_str(),
            "h1" | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "p"
                | "br"
                | "li"
                | "div"
                | "tr"
                | "ul"
                | "ol"
        );
        if block {
            if !current.trim().is_empty() {
                out.push((decode_entities(&current), heading, bullet));
            }
            current.clear();
            heading = 0;
            bullet = false;
            if !closing {
                if let Some(level) = name.strip_prefix('h').and_then(|d| d.parse::<u8>().ok()) {
                    heading = level;
                }
                bullet = name == "li";
            }
        } else if matches!(name.as_str(), "td" | "th") && !closing && !current.trim().is_empty() {
            current.push_str(", ");
        }
        rest = &after[close + 1..];
    }
    current.push_str(rest);
    if !current.trim().is_empty() {
        out.push((decode_entities(&current), heading, bullet));
    }
    if out.is_empty() {
        out.push((String::new(), 0, false));
    }
    out
}

fn decode_entities(s: &str) -> String {
    s.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Takes markdown markup off one line: heading hashes, bullets, emphasis, links,
/// table pipes. Plain text passes through unchanged but for collapsed spaces.
pub fn strip_markdown_line(raw: &str) -> Line {
    let mut s = raw.trim();
    let mut heading = 0u8;
    let hashes = s.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) && s[hashes..].starts_with(' ') {
        heading = hashes as u8;
        s = s[hashes..].trim_start();
    }
    let mut bullet = false;
    for marker in ["- ", "* ", "• ", "– ", "+ "] {
        if let Some(rest) = s.strip_prefix(marker) {
            // `- ` followed by a table row is a table, not a list.
            bullet = true;
            s = rest.trim_start();
            break;
        }
    }
    // A markdown table row: its cells become a comma-separated line
    // (`| Anna Ek | ledamot | PRO |` reads as `Anna Ek, ledamot, PRO`).
    let row;
    let s = if s.starts_with('|') && s.ends_with('|') && s.len() > 2 {
        let cells: Vec<&str> = s[1..s.len() - 1]
            .split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        let rule = cells
            .iter()
            .all(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | '=')));
        row = if rule {
            String::new()
        } else {
            cells.join(", ")
        };
        row.as_str()
    } else {
        s
    };
    let text = strip_inline_markdown(s);
    let text = if is_table_rule(&text) {
        String::new()
    } else {
        text
    };
    Line {
        text: collapse_spaces(&text),
        heading,
        bullet,
    }
}

/// Removes emphasis markers, turns `[text](url)` into `text`, drops table pipes.
pub fn strip_inline_markdown(s: &str) -> String {
    if !s.contains(['*', '_', '\\', '|', '!', '[']) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' => {}
            '_' if i + 1 < chars.len() && chars[i + 1] == '_' => {
                i += 1;
            }
            '\\' if i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() => {
                out.push(chars[i + 1]);
                i += 1;
            }
            '|' => out.push(' '),
            '!' if i + 1 < chars.len() && chars[i + 1] == '[' => {}
            '[' => {
                if let Some((label, next)) = parse_link(&chars, i) {
                    out.push_str(&label);
                    i = next;
                    continue;
                }
                out.push(c);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// `[label](target)` starting at `start`: the label and the index after `)`.
fn parse_link(chars: &[char], start: usize) -> Option<(String, usize)> {
    let close = (start + 1..chars.len()).find(|&j| chars[j] == ']')?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = (close + 2..chars.len()).find(|&j| chars[j] == ')')?;
    let label: String = chars[start + 1..close].iter().collect();
    Some((strip_inline_markdown(&label), end + 1))
}

/// `|---|:---:|` and similar table separator rows (after pipes became spaces).
fn is_table_rule(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty() && t.chars().all(|c| matches!(c, '-' | ':' | ' ' | '=')) && t.contains("--")
}

/// Where `word` stands in `text` as a word (or words) of its own: neither letter nor
/// digit right before or after it. Byte offsets into `text`.
pub fn word_positions<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(word).map(|(p, _)| p).filter(move |&p| {
        let before = text.get(..p).and_then(|b| b.chars().next_back());
        let after = text.get(p + word.len()..).and_then(|a| a.chars().next());
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    })
}

pub fn collapse_spaces(s: &str) -> String {
    let single = !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.chars().all(|c| c == ' ' || !c.is_whitespace());
    if single {
        return s.to_string();
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_keep_their_level() {
        let l = strip_markdown_line("## **3. Årsberättelse palliativ vård**");
        assert_eq!(l.text, "3. Årsberättelse palliativ vård");
        assert_eq!(l.heading, 2);
    }

    #[test]
    fn links_become_their_label() {
        let l = strip_markdown_line("[Bildspel](#)");
        assert_eq!(l.text, "Bildspel");
        let l = strip_markdown_line("Kontakt: [a.b@x.se](mailto:a.b@x.se)");
        assert_eq!(l.text, "Kontakt: a.b@x.se");
    }

    #[test]
    fn bullets_and_emphasis_go() {
        let l = strip_markdown_line("- *Överenskommelse Placerade barn*");
        assert!(l.bullet);
        assert_eq!(l.text, "Överenskommelse Placerade barn");
        assert_eq!(
            strip_markdown_line("**Datum:** 10 april 2026").text,
            "Datum: 10 april 2026"
        );
    }

    #[test]
    fn table_rows_lose_their_pipes_and_rules_vanish() {
        assert_eq!(
            strip_markdown_line("| Stärkt arbete | 7 211 056 kr |").text,
            "Stärkt arbete, 7 211 056 kr"
        );
        assert_eq!(strip_markdown_line("|--|--------------|").text, "");
    }

    fn shape(lines: &[Line]) -> Vec<(&str, u8, bool)> {
        lines
            .iter()
            .map(|l| (l.text.as_str(), l.heading, l.bullet))
            .collect()
    }

    #[test]
    fn html_markup_gives_structure() {
        let lines = to_lines("<h2>§ 12 Budget</h2><p>Nämnden <strong>beslutar</strong> att anta.<br>Dnr KS 2024/1</p>\n<ul><li>Anna Ek &amp; Bo</li></ul>\nBarn <5 år");
        let texts = shape(&lines);
        assert_eq!(
            texts,
            [
                ("§ 12 Budget", 2, false),
                ("Nämnden beslutar att anta.", 0, false),
                ("Dnr KS 2024/1", 0, false),
                ("Anna Ek & Bo", 0, true),
                ("Barn <5 år", 0, false),
            ]
        );
    }

    #[test]
    fn org_mode_headings_have_levels() {
        let lines = to_lines(
            "* Protokoll styrelsen\n** 1. Mötets öppnande\nText.\n** 2. Budget\n- en punkt",
        );
        let texts = shape(&lines);
        assert_eq!(
            texts,
            [
                ("Protokoll styrelsen", 1, false),
                ("1. Mötets öppnande", 2, false),
                ("Text.", 0, false),
                ("2. Budget", 2, false),
                ("en punkt", 0, true),
            ]
        );
        // Markdown bullets with stars stay bullets.
        assert!(to_lines("* Anna Ek\n* Bo Ek")[0].bullet);
    }

    #[test]
    fn hyphenated_words_are_not_bullets() {
        let l = strip_markdown_line("hälso- och sjukvård");
        assert!(!l.bullet);
        assert_eq!(l.text, "hälso- och sjukvård");
    }
}
