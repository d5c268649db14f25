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

/// Splits cleaned text into lines and strips each one's markdown.
pub fn to_lines(text: &str) -> Vec<Line> {
    text.lines().map(strip_markdown_line).collect()
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

pub fn collapse_spaces(s: &str) -> String {
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

    #[test]
    fn hyphenated_words_are_not_bullets() {
        let l = strip_markdown_line("hälso- och sjukvård");
        assert!(!l.bullet);
        assert_eq!(l.text, "hälso- och sjukvård");
    }
}
