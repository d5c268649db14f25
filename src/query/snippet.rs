//! Highlighting: which words of a text a query matched, and the snippet that
//! shows the most of them.
//! Owns: matching words the way the index does (exact form, stemmed key,
//! compound part, folded diacritics, prefix), so that every kind of match is
//! marked: `brottslighet` marks `välfärdsbrottslighet`, `Molstad` marks
//! `Mølstad`. tantivy's own snippet generator only knows one field's terms.

use std::collections::HashSet;

use tantivy::query::Query;
use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};

use crate::analysis::tokenize;
use crate::index::schema::Fields;

/// The words one clause group of a query looks for, by how they match.
#[derive(Debug, Default, Clone)]
struct Terms {
    exact: HashSet<String>,
    keys: HashSet<String>,
    parts: HashSet<String>,
    folded: HashSet<String>,
    prefixes: Vec<String>,
}

/// Analysing a word costs lexicon lookups; most words of a text cannot match,
/// and these cheap tests say so first. A word's key begins with the word's first
/// letter (the lemma of a form, the first part of a compound), and a compound
/// holds the first letters of its part's key.
fn may_have_key(word: &str, keys: &HashSet<String>) -> bool {
    let first = word.chars().next();
    keys.iter().any(|k| k.chars().next() == first)
}

fn may_have_part(word: &str, parts: &HashSet<String>) -> bool {
    parts.iter().any(|p| {
        let head: String = p.chars().take(3).collect();
        word.contains(&head)
    })
}

impl Terms {
    fn new(query: &dyn Query, f: &Fields, prefixes: &[String]) -> Terms {
        let mut m = Terms {
            prefixes: prefixes.iter().map(|p| p.to_lowercase()).collect(),
            ..Terms::default()
        };
        query.query_terms(&mut |term, _| {
            let value = term.value();
            let Some(text) = value.as_str() else {
                return;
            };
            let field = term.field();
            let set = if field == f.title_exact || field == f.body_exact {
                &mut m.exact
            } else if field == f.title || field == f.body || field == f.context {
                &mut m.keys
            } else if field == f.parts {
                &mut m.parts
            } else if field == f.folded {
                &mut m.folded
            } else {
                return;
            };
            set.insert(text.to_string());
        });
        m
    }

    fn matches(&self, word: &str, analysed: &mut Option<tokenize::WordAnalysis>) -> bool {
        if self.exact.contains(word) || self.prefixes.iter().any(|p| word.starts_with(p.as_str())) {
            return true;
        }
        let key = may_have_key(word, &self.keys);
        let part = may_have_part(word, &self.parts);
        if key || part {
            let a = analysed.get_or_insert_with(|| tokenize::analyse_word(word));
            if (key && self.keys.contains(&a.key))
                || (part && a.parts.iter().any(|p| self.parts.contains(p)))
            {
                return true;
            }
        }
        if self.folded.is_empty() {
            return false;
        }
        if word.is_ascii() {
            return self.folded.contains(word);
        }
        self.folded.contains(&tokenize::fold(word))
    }
}

/// The words a query looks for, one set for each of its AND-ed clause groups.
#[derive(Debug, Default, Clone)]
pub struct Matcher {
    groups: Vec<Terms>,
}

/// One matched word: its byte range and the query groups it answers (bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    groups: u64,
}

impl Matcher {
    /// One group's query (its positive part) and the prefixes it asks for.
    pub fn add_group(&mut self, query: &dyn Query, f: &Fields, prefixes: &[String]) {
        self.groups.push(Terms::new(query, f, prefixes));
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The groups (as bits) a lowercase word answers; 0 for none.
    fn groups_of(&self, word: &str) -> u64 {
        let mut analysed = None;
        let mut bits = 0u64;
        for (k, terms) in self.groups.iter().enumerate().take(64) {
            if terms.matches(word, &mut analysed) {
                bits |= 1 << k;
            }
        }
        bits
    }

    /// Whether a lowercase word is one the query matched.
    pub fn matches(&self, word: &str) -> bool {
        self.groups_of(word) != 0
    }

    /// The matched words of `text`.
    pub fn matched(&self, text: &str) -> Vec<Match> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut tokenizer = SimpleTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            if t.text.len() > 60 {
                continue;
            }
            let lower = t.text.to_lowercase();
            let mut groups = self.groups_of(&lower);
            // The first member of a coordinated compound (`missbruks- och …`) answers
            // what the whole compound answers, as it does in the index.
            if text
                .get(t.offset_to..)
                .is_some_and(|rest| rest.starts_with(['-', '\u{2010}', '\u{2011}']))
            {
                for key in tokenize::coordinated_keys(text, t.offset_to, &lower) {
                    for (k, terms) in self.groups.iter().enumerate().take(64) {
                        if terms.parts.contains(&key) || terms.keys.contains(&key) {
                            groups |= 1 << k;
                        }
                    }
                }
            }
            if groups != 0 {
                out.push(Match {
                    start: t.offset_from,
                    end: t.offset_to,
                    groups,
                });
            }
        }
        out
    }
}

/// A piece of text and the ranges of it a query matched, in characters (Unicode
/// scalar values) from the start of `text`, in order and apart. The page and the
/// command line each render them their own way (`<mark>`, bold) from these ranges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Marked {
    pub text: String,
    pub marks: Vec<[usize; 2]>,
}

impl Marked {
    /// `text` unmarked.
    pub fn plain(text: String) -> Marked {
        Marked {
            text,
            marks: Vec::new(),
        }
    }

    /// `text` with the words `matcher` matches marked.
    pub fn of(text: &str, matcher: &Matcher) -> Marked {
        let ranges = matcher.matched(text);
        Marked {
            marks: char_ranges(text, 0, ranges.iter().map(|r| (r.start, r.end))),
            text: text.to_string(),
        }
    }

    /// The text with each mark between `open` and `close`, every other piece passed
    /// through `escape` (HTML escaping, or nothing).
    pub fn render(&self, open: &str, close: &str, escape: impl Fn(&str) -> String) -> String {
        let mut out = String::new();
        let mut marks = self.marks.iter().peekable();
        let mut piece = String::new();
        let mut inside = false;
        for (k, c) in self.text.chars().enumerate() {
            if !inside && marks.peek().is_some_and(|m| m[0] == k) {
                out.push_str(&escape(&piece));
                piece.clear();
                inside = true;
            }
            piece.push(c);
            if inside && marks.peek().is_some_and(|m| m[1] == k + 1) {
                out.push_str(open);
                out.push_str(&escape(&piece));
                out.push_str(close);
                piece.clear();
                inside = false;
                marks.next();
            }
        }
        out.push_str(&escape(&piece));
        out
    }

    /// HTML with the marks in `<mark>`.
    pub fn to_html(&self) -> String {
        self.render("<mark>", "</mark>", escape_html)
    }
}

/// Byte ranges of `text` (at or after byte `from`) as character ranges from `from`.
fn char_ranges(
    text: &str,
    from: usize,
    ranges: impl Iterator<Item = (usize, usize)>,
) -> Vec<[usize; 2]> {
    let mut out = Vec::new();
    let (mut byte, mut chars) = (from, 0usize);
    let count_to = |to: usize, byte: &mut usize, chars: &mut usize| {
        if let Some(piece) = text.get(*byte..to) {
            *chars += piece.chars().count();
            *byte = to;
        }
    };
    for (a, b) in ranges {
        if a < byte {
            continue;
        }
        count_to(a, &mut byte, &mut chars);
        let start = chars;
        count_to(b, &mut byte, &mut chars);
        if chars > start {
            out.push([start, chars]);
        }
    }
    out
}

/// The part of `text`, at most `max_chars` long, that holds the most matched
/// words (distinct ones first), with the matches marked. `None` when nothing in
/// the text matches.
pub fn snippet(text: &str, matcher: &Matcher, max_chars: usize) -> Option<Marked> {
    let ranges = matcher.matched(text);
    if ranges.is_empty() {
        return None;
    }
    // The window starting at each match, scored by the query groups it answers,
    // then by distinct words, then by matches, then by how close they stand.
    type Score = (u32, usize, usize, std::cmp::Reverse<usize>);
    let mut best: Option<(Score, usize, usize, usize)> = None;
    for i in 0..ranges.len() {
        let limit = char_offset_after(text, ranges[i].start, max_chars);
        let mut distinct = HashSet::new();
        let mut groups = 0u64;
        let mut last = ranges[i].end;
        for r in ranges[i..].iter().take_while(|r| r.end <= limit) {
            distinct.insert(text[r.start..r.end].to_lowercase());
            groups |= r.groups;
            last = r.end;
        }
        let count = ranges[i..].iter().take_while(|r| r.end <= limit).count();
        let span = text[ranges[i].start..last].chars().count();
        let score = (
            groups.count_ones(),
            distinct.len(),
            count,
            std::cmp::Reverse(span),
        );
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, i, span, last));
        }
    }
    let (_, i, span, last_end) = best.expect("at least one match");
    let first = ranges[i].start;
    // Some words of context before the first match, as far as the window has room.
    let lead = (max_chars / 5).min(max_chars.saturating_sub(span));
    let mut start = text[..first]
        .char_indices()
        .rev()
        .nth(lead.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(0);
    if lead == 0 {
        start = first;
    }
    if start > 0 {
        // Begin at a word.
        start = text[start..first]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map(|(k, c)| start + k + c.len_utf8())
            .unwrap_or(first);
    }
    let mut end = char_offset_after(text, start, max_chars);
    if end < text.len() {
        // End at a word.
        if let Some(k) = text[start..end].rfind(char::is_whitespace) {
            if start + k >= last_end {
                end = start + k;
            }
        }
    }
    // Trimmed: the window starts at its first letter that is not a space.
    let window = &text[start..end];
    let lead_ws = window.len() - window.trim_start().len();
    let (start, end) = (start + lead_ws, start + window.trim_end().len());
    let inside = ranges
        .iter()
        .filter(|r| r.start >= start && r.end <= end)
        .map(|r| (r.start, r.end));
    Some(Marked {
        marks: char_ranges(text, start, inside),
        text: text[start..end].to_string(),
    })
}

/// Escapes `<`, `>`, `&` and quotes for HTML.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The byte offset `n` characters after `from`, or the text's end.
fn char_offset_after(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map(|(i, _)| from + i)
        .unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(exact: &[&str], keys: &[&str], parts: &[&str], folded: &[&str]) -> Matcher {
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Matcher {
            groups: vec![Terms {
                exact: set(exact),
                keys: set(keys),
                parts: set(parts),
                folded: set(folded),
                prefixes: Vec::new(),
            }],
        }
    }

    #[test]
    fn every_kind_of_match_is_marked() {
        let m = matcher(
            &["ikb"],
            &[&tokenize::analyse_word("finansiering").key],
            &[&tokenize::analyse_word("brottslighet").key],
            &["molstad"],
        );
        let html = snippet(
            "IKB finansieras av länen. Arbetet mot välfärdsbrottslighet leds av Anna Mølstad.",
            &m,
            200,
        )
        .unwrap()
        .to_html();
        for marked in ["IKB", "finansieras", "välfärdsbrottslighet", "Mølstad"] {
            assert!(html.contains(&format!("<mark>{marked}</mark>")), "{html}");
        }
        assert!(!html.contains("<mark>länen</mark>"));
    }

    #[test]
    fn the_window_with_most_matches_is_chosen_and_text_is_escaped() {
        let m = matcher(&["vård", "nära"], &[], &[], &[]);
        let text = format!(
            "vård i början. {} Nära vård <i>och</i> mer nära vård här.",
            "fyllnad ".repeat(40)
        );
        let html = snippet(&text, &m, 60).unwrap().to_html();
        assert!(
            html.contains("<mark>Nära</mark> <mark>vård</mark>"),
            "{html}"
        );
        assert!(html.contains("&lt;i&gt;"), "{html}");
        assert!(snippet("inget här", &m, 60).is_none());
    }

    #[test]
    fn wide_spaces_before_a_match_do_not_split_a_character() {
        let m = matcher(&["vård"], &[], &[], &[]);
        for space in ["\u{200A}", "\u{3000}", "\u{2005}", "\u{a0}"] {
            let text = format!("{}{space}ord{space}vård här", "å".repeat(60));
            let html = snippet(&text, &m, 40).unwrap().to_html();
            assert!(html.contains("<mark>vård</mark>"), "{html}");
        }
    }

    #[test]
    fn a_window_answering_every_group_beats_one_with_more_words_of_one() {
        let mut m = matcher(&["ikb"], &[], &[], &[]);
        m.groups[0].exact.insert("intensiv".into());
        m.groups[0].exact.insert("behandling".into());
        m.groups.push(Terms {
            exact: ["finansiering".to_string()].into(),
            ..Terms::default()
        });
        let text = format!(
            "Intensiv behandling och mer intensiv behandling. {} Om IKB och finansiering beslutades.",
            "fyllnad ".repeat(40)
        );
        let html = snippet(&text, &m, 60).unwrap().to_html();
        assert!(html.contains("<mark>IKB</mark>"), "{html}");
    }

    #[test]
    fn marks_are_character_ranges_and_render_at_the_edges() {
        let m = matcher(&["vård", "ökad"], &[], &[], &[]);
        let marked = Marked::of("Nära vård & ökad <vård>", &m);
        assert_eq!(marked.marks, vec![[5, 9], [12, 16], [18, 22]]);
        let chars: Vec<char> = marked.text.chars().collect();
        let word: String = chars[12..16].iter().collect();
        assert_eq!(word, "ökad");
        assert_eq!(
            marked.to_html(),
            "Nära <mark>vård</mark> &amp; <mark>ökad</mark> &lt;<mark>vård</mark>&gt;"
        );
        assert_eq!(
            marked.render("**", "**", str::to_string),
            "Nära **vård** & **ökad** <**vård**>"
        );
        // A snippet's marks count from the snippet's own start.
        let long = format!("{} sista vård", "ord ".repeat(100));
        let s = snippet(&long, &m, 40).unwrap();
        let [a, b] = s.marks[0];
        let word: String = s.text.chars().skip(a).take(b - a).collect();
        assert_eq!(word, "vård");
        assert_eq!(Marked::plain("x".into()).to_html(), "x");
    }
}
