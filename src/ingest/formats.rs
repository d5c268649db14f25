//! Text out of document formats other than plain text: web pages (`.html`, `.htm`),
//! Word files (`.docx`) and PDFs (`.pdf`). Each becomes the lines a text protocol would have —
//! headings as Markdown headings, table rows as Markdown rows, paragraphs as lines —
//! so that one parser reads every format.
//! Owns: which parts of a page are its text (no scripts, styles or navigation; the
//! `<main>` or `<article>` when there is one), character references, the body of a
//! Word document in order (paragraphs, headings, tables, list numbers), a PDF's text
//! laid out by position (lines by height, columns apart, pages by form feeds).

use std::collections::HashMap;
use std::io::Read;

/// Elements whose content is never text of the page.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "nav", "form",
    "button", "select", "textarea", "head", "title",
];

/// Elements dropped outside the page's `<main>`/`<article>` (site furniture).
const FURNITURE: &[&str] = &["header", "footer", "aside", "menu"];

/// Elements that end a line.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "hr",
    "address",
    "figure",
    "figcaption",
    "caption",
    "body",
    "html",
    "center",
];

/// A tag as found in the markup.
struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
}

/// The tags and text of `html`, in order. A `<` that starts no tag is text.
fn tokens(html: &str) -> Vec<Result<Tag, &str>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        if at > 0 {
            out.push(Err(&rest[..at]));
        }
        let after = &rest[at..];
        // Comments and declarations end at their own closer.
        if let Some(comment) = after.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |e| &comment[e + 3..]);
            continue;
        }
        let Some(end) = after.find('>') else {
            out.push(Err(after));
            rest = "";
            break;
        };
        let inner = &after[1..end];
        let closing = inner.starts_with('/');
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() && !inner.starts_with('!') && !inner.starts_with('?') {
            // `a < b`: not a tag.
            out.push(Err("<"));
            rest = &after[1..];
            continue;
        }
        out.push(Ok(Tag {
            self_closing: inner.ends_with('/'),
            name,
            closing,
        }));
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        out.push(Err(rest));
    }
    out
}

/// The text of a web page as protocol lines: the `<main>` or `<article>` when the
/// page has one, else its body; scripts, styles, navigation and forms left out.
pub fn html_to_text(html: &str) -> String {
    let toks = tokens(html);
    let has_main = toks.iter().any(
        |t| matches!(t, Ok(tag) if !tag.closing && (tag.name == "main" || tag.name == "article")),
    );
    let mut out = String::new();
    let mut line = String::new();
    // Open dropped elements (by name); depth inside main/article.
    let mut dropped: Vec<String> = Vec::new();
    let mut in_main = 0usize;
    let mut heading: Option<usize> = None;
    let mut row: Option<Vec<String>> = None;
    let mut cell: Option<String> = None;
    let mut pre = 0usize;
    let flush = |line: &mut String, out: &mut String, heading: Option<usize>| {
        let text = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            if let Some(level) = heading {
                out.push_str(&"#".repeat(level));
                out.push(' ');
            }
            out.push_str(&text);
            out.push('\n');
        }
        line.clear();
    };
    for tok in toks {
        match tok {
            Err(text) => {
                if !dropped.is_empty() || (has_main && in_main == 0) {
                    continue;
                }
                let text = decode_references(text);
                if let Some(c) = cell.as_mut() {
                    c.push_str(&text);
                } else if pre > 0 {
                    for (k, part) in text.split('\n').enumerate() {
                        if k > 0 {
                            flush(&mut line, &mut out, heading);
                        }
                        line.push_str(part);
                    }
                } else {
                    line.push_str(&text);
                }
            }
            Ok(tag) => {
                let name = tag.name.as_str();
                let droppable = DROPPED.contains(&name)
                    || (FURNITURE.contains(&name) && !(has_main && in_main > 0));
                if droppable && !tag.self_closing {
                    if tag.closing {
                        if let Some(k) = dropped.iter().rposition(|d| d == name) {
                            dropped.truncate(k);
                        }
                    } else {
                        dropped.push(name.to_string());
                    }
                    continue;
                }
                if !dropped.is_empty() {
                    continue;
                }
                if name == "main" || name == "article" {
                    if tag.closing {
                        in_main = in_main.saturating_sub(1);
                    } else {
                        in_main += 1;
                    }
                }
                match name {
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                        flush(&mut line, &mut out, heading);
                        heading = if tag.closing {
                            None
                        } else {
                            name[1..].parse().ok()
                        };
                    }
                    "tr" => {
                        flush(&mut line, &mut out, heading);
                        if let Some(cells) = row.take() {
                            push_row(&mut out, &cells);
                        }
                        if !tag.closing {
                            row = Some(Vec::new());
                        }
                    }
                    "td" | "th" => {
                        if let Some(c) = cell.take() {
                            row.get_or_insert_with(Vec::new).push(c);
                        }
                        if !tag.closing {
                            cell = Some(String::new());
                        }
                    }
                    "table" if tag.closing => {
                        if let Some(c) = cell.take() {
                            row.get_or_insert_with(Vec::new).push(c);
                        }
                        if let Some(cells) = row.take() {
                            push_row(&mut out, &cells);
                        }
                    }
                    "pre" => {
                        flush(&mut line, &mut out, heading);
                        pre = if tag.closing {
                            pre.saturating_sub(1)
                        } else {
                            pre + 1
                        };
                    }
                    _ if BLOCKS.contains(&name) => {
                        if let Some(c) = cell.as_mut() {
                            c.push(' ');
                        } else {
                            flush(&mut line, &mut out, heading);
                        }
                    }
                    // Inline elements (`<b>`, `<span>`, `<a>`) add nothing.
                    _ => {}
                }
            }
        }
    }
    flush(&mut line, &mut out, heading);
    if let Some(c) = cell.take() {
        row.get_or_insert_with(Vec::new).push(c);
    }
    if let Some(cells) = row.take() {
        push_row(&mut out, &cells);
    }
    out
}

/// A table row as a Markdown row; an empty row is left out.
fn push_row(out: &mut String, cells: &[String]) {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    if cells.iter().all(String::is_empty) {
        return;
    }
    out.push_str("| ");
    out.push_str(&cells.join(" | "));
    out.push_str(" |\n");
}

/// `&amp;`, `&auml;`, `&#167;`, `&#xA7;` as the characters they stand for; an
/// unknown reference stays as written.
pub fn decode_references(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let c = if let Some(num) = name.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse::<u32>().ok(),
                }?;
                char::from_u32(code)?
            } else {
                named_reference(name)?
            };
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(if c == '\u{a0}' { ' ' } else { c });
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_reference(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "sect" => '§',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "deg" => '°',
        "shy" => '\u{ad}',
        "auml" => 'ä',
        "Auml" => 'Ä',
        "ouml" => 'ö',
        "Ouml" => 'Ö',
        "aring" => 'å',
        "Aring" => 'Å',
        "eacute" => 'é',
        "Eacute" => 'É',
        "egrave" => 'è',
        "uuml" => 'ü',
        "Uuml" => 'Ü',
        "aelig" => 'æ',
        "oslash" => 'ø',
        "Oslash" => 'Ø',
        _ => return None,
    })
}

/// Largest `word/document.xml` read from a Word file (a guard against zip bombs).
const MAX_DOCUMENT_XML: u64 = 64 * 1024 * 1024;

/// The text of a Word (`.docx`) file as protocol lines: paragraphs in order,
/// headings as Markdown headings, numbered paragraphs with their numbers, table
/// rows as Markdown rows. A file that is no Word document is an error that says why.
pub fn docx_to_text(bytes: &[u8]) -> Result<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a Word file (no readable zip archive: {e})"))?;
    let mut xml = String::new();
    {
        let entry = zip
            .by_name("word/document.xml")
            .map_err(|_| "not a Word file (no word/document.xml)".to_string())?;
        if entry.size() > MAX_DOCUMENT_XML {
            return Err(format!(
                "the Word document's text is too large ({} bytes)",
                entry.size()
            ));
        }
        entry
            .take(MAX_DOCUMENT_XML)
            .read_to_string(&mut xml)
            .map_err(|e| format!("the Word document cannot be read: {e}"))?;
    }
    Ok(document_xml_to_text(&xml))
}

/// The body of a WordprocessingML document as lines.
fn document_xml_to_text(xml: &str) -> String {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut para = String::new();
    let mut heading: Option<usize> = None;
    let mut numbered: Option<(String, String)> = None;
    let mut counters: HashMap<(String, String), u32> = HashMap::new();
    let mut in_text = false;
    let mut cell: Option<String> = None;
    let mut row: Option<Vec<String>> = None;
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name();
                let local = name.local_name();
                let attr = |key: &[u8]| -> Option<String> {
                    e.attributes().flatten().find_map(|a| {
                        (a.key.local_name().as_ref() == key)
                            .then(|| String::from_utf8_lossy(&a.value).into_owned())
                    })
                };
                match local.as_ref() {
                    b"p" => {
                        para.clear();
                        heading = None;
                        numbered = None;
                    }
                    b"t" => in_text = true,
                    b"tab" => para.push('\t'),
                    // A page break keeps the page boundary (a form feed) for the
                    // cleaner's page-header and footer removal.
                    b"br" if attr(b"type").as_deref() == Some("page") => para.push('\u{c}'),
                    b"br" | b"cr" => para.push('\n'),
                    b"pStyle" => {
                        let style = attr(b"val").unwrap_or_default().to_lowercase();
                        heading = style
                            .strip_prefix("heading")
                            .or_else(|| style.strip_prefix("rubrik"))
                            .and_then(|n| n.trim().parse::<usize>().ok())
                            .map(|n| n.clamp(1, 6))
                            .or(if style == "title" { Some(1) } else { None });
                    }
                    b"ilvl" => {
                        let level = attr(b"val").unwrap_or_default();
                        numbered.get_or_insert_with(Default::default).1 = level;
                    }
                    b"numId" => {
                        let id = attr(b"val").unwrap_or_default();
                        numbered.get_or_insert_with(Default::default).0 = id;
                    }
                    b"tr" => row = Some(Vec::new()),
                    b"tc" => cell = Some(String::new()),
                    _ => {}
                }
            }
            Event::Text(t) if in_text => {
                let raw = String::from_utf8_lossy(t.as_ref()).into_owned();
                para.push_str(&decode_references(&raw));
            }
            Event::GeneralRef(r) if in_text => {
                let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                para.push_str(&decode_references(&format!("&{name};")));
            }
            Event::End(e) => match e.name().local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => {
                    let mut text = para.trim_matches([' ', '\n', '\r']).to_string();
                    if let Some(key) = numbered
                        .take()
                        .filter(|(id, _)| !id.is_empty() && id != "0")
                    {
                        let n = counters.entry(key.clone()).or_insert(0);
                        *n += 1;
                        // A deeper level starts again under each new item above it.
                        let level = key.1.clone();
                        counters.retain(|k, _| k.0 != key.0 || k.1 <= level);
                        if !text.is_empty() {
                            text = format!("{}. {text}", counters.get(&key).copied().unwrap_or(1));
                        }
                    }
                    if let Some(c) = cell.as_mut() {
                        if !c.is_empty() {
                            c.push(' ');
                        }
                        c.push_str(&text);
                    } else if !text.is_empty() {
                        if let Some(level) = heading {
                            out.push_str(&"#".repeat(level));
                            out.push(' ');
                        }
                        out.push_str(&text);
                        out.push('\n');
                    }
                    para.clear();
                }
                b"tc" => {
                    if let (Some(c), Some(r)) = (cell.take(), row.as_mut()) {
                        r.push(c);
                    }
                }
                b"tr" => {
                    if let Some(cells) = row.take() {
                        push_row(&mut out, &cells);
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    out
}

/// Largest PDF read (a guard: the extractor holds the whole document in memory).
const MAX_PDF_BYTES: usize = 64 * 1024 * 1024;

/// The text of a PDF as protocol lines, page by page (a form feed between pages, for
/// the cleaner's page-header and footer removal): characters on one height make a
/// line, in order from the left; a wide gap (a column) becomes five spaces, as the
/// text of a two-column attendance list has it; a larger vertical gap a blank line.
/// Encrypted, broken and image-only PDFs are errors that say which. The extractor
/// (pdf-extract, on lopdf) is run so that a panic inside it is an error too.
pub fn pdf_to_text(bytes: &[u8]) -> Result<String, String> {
    if bytes.len() > MAX_PDF_BYTES {
        return Err(format!("the PDF is too large ({} bytes)", bytes.len()));
    }
    let run = || -> Result<String, String> {
        let doc =
            pdf_extract::Document::load_mem(bytes).map_err(|e| format!("a broken PDF ({e})"))?;
        if doc.is_encrypted() {
            return Err("an encrypted PDF (no text can be read without its password)".into());
        }
        let mut layout = Layout::default();
        pdf_extract::output_doc(&doc, &mut layout).map_err(|e| format!("a broken PDF ({e:?})"))?;
        let text = layout.pages.join("\u{c}\n");
        if text.chars().filter(|c| c.is_alphanumeric()).count() < 20 {
            return Err("a PDF without a text layer (scanned images only; run OCR first)".into());
        }
        Ok(text)
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .unwrap_or_else(|_| Err("a PDF the extractor cannot read".to_string()))
}

/// One character as placed on the page: its left and right edge, its baseline (from
/// the top) and size.
struct Glyph {
    x: f64,
    end: f64,
    y: f64,
    size: f64,
    text: String,
}

/// Collects each page's characters and lays them out as lines.
#[derive(Default)]
struct Layout {
    glyphs: Vec<Glyph>,
    page_top: f64,
    pages: Vec<String>,
}

impl pdf_extract::OutputDev for Layout {
    fn begin_page(
        &mut self,
        _page: u32,
        media_box: &pdf_extract::MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        self.glyphs.clear();
        self.page_top = media_box.ury;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        let glyphs = std::mem::take(&mut self.glyphs);
        self.pages.push(lay_out(glyphs));
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        let scale = (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt();
        let size = (font_size * scale).abs().max(1.0);
        let size = if size.is_finite() { size } else { 10.0 };
        let x = trm.m31;
        let y = self.page_top - trm.m32;
        if x.is_finite() && y.is_finite() {
            self.glyphs.push(Glyph {
                x,
                end: x + width * size,
                y,
                size,
                text: char.to_string(),
            });
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

/// A page's glyphs as lines of text, top to bottom.
fn lay_out(mut glyphs: Vec<Glyph>) -> String {
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    // Lines: glyphs whose baselines lie within a third of their size.
    let mut lines: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match lines.last_mut() {
            Some(line) if (g.y - line[0].y).abs() <= line[0].size.max(g.size) / 3.0 => line.push(g),
            _ => lines.push(vec![g]),
        }
    }
    let mut out = String::new();
    let mut last_y: Option<(f64, f64)> = None;
    for mut line in lines {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let (y, size) = (line[0].y, line[0].size);
        if let Some((prev, prev_size)) = last_y {
            // An empty line of the page: more than one and a half lines down.
            if y - prev > 1.9 * prev_size.max(size) {
                out.push('\n');
            }
        }
        last_y = Some((y, size));
        let mut text = String::new();
        let mut end: Option<f64> = None;
        for g in &line {
            if let Some(e) = end {
                let gap = g.x - e;
                if gap > 2.5 * g.size {
                    text.truncate(text.trim_end().len());
                    text.push_str("     ");
                } else if gap > 0.2 * g.size && !text.ends_with(' ') && g.text != " " {
                    text.push(' ');
                }
            }
            text.push_str(&g.text);
            end = Some(if g.text == " " { g.end.max(g.x) } else { g.end });
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_gives_its_main_text_without_scripts_or_navigation() {
        let html = r#"<!doctype html><html><head><title>Kommun</title><style>p{}</style></head>
<body><header><a href="/">Start</a> Meny</header><nav><ul><li>Om oss</li></ul></nav>
<main><h1>Protokoll Socialn&auml;mnden</h1><p>Datum: 2024-05-06</p>
<script>var x = "<p>nej</p>";</script>
<h2>&sect; 12 Budget 2025</h2><p>N&auml;mnden beslutar<br>att godk&auml;nna.</p>
<table><tr><th>Namn</th><th>Parti</th></tr><tr><td>Anna Berg</td><td>S</td></tr></table>
<!-- en kommentar --></main><footer>Kontakt</footer></body></html>"#;
        let text = html_to_text(html);
        assert_eq!(
            text,
            "# Protokoll Socialnämnden\nDatum: 2024-05-06\n## § 12 Budget 2025\nNämnden beslutar\natt godkänna.\n| Namn | Parti |\n| Anna Berg | S |\n"
        );
    }

    #[test]
    fn a_page_without_main_keeps_its_body_and_odd_markup_survives() {
        let text = html_to_text("<p>a < b &amp; c &unknown; &#167; 3</p><div>Nästa<p>rad");
        assert_eq!(text, "a < b & c &unknown; § 3\nNästa\nrad\n");
        assert_eq!(html_to_text(""), "");
        assert_eq!(html_to_text("<p"), "<p\n");
    }

    #[test]
    fn references_decode() {
        assert_eq!(
            decode_references("&Aring;sa &#x00D6;berg&nbsp;(S)"),
            "Åsa Öberg (S)"
        );
        assert_eq!(decode_references("&#99999999; &"), "&#99999999; &");
    }

    #[test]
    fn a_word_body_keeps_order_headings_numbers_and_tables() {
        let xml = r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Protokoll</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Datum: </w:t></w:r><w:r><w:t>2024-05-06</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Anna Berg</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>S</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>Val av justerare</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>Budget &amp; plan</w:t></w:r></w:p>
</w:body></w:document>"#;
        assert_eq!(
            document_xml_to_text(xml),
            "# Protokoll\nDatum: 2024-05-06\n| Anna Berg | S |\n1. Val av justerare\n2. Budget & plan\n"
        );
    }

    /// A PDF of one page with `text` on it, its trailer holding `trailer_extra`.
    fn pdf_with(text: &str, trailer_extra: &str, extra_objects: &[&str]) -> Vec<u8> {
        let content = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
        let mut objects = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> >>"
                .to_string(),
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        ];
        objects.extend(extra_objects.iter().map(|o| o.to_string()));
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
        for o in offsets {
            out.extend(format!("{o:010} 00000 n \n").bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .bytes(),
        );
        out
    }

    /// A PDF with text reads; the same PDF encrypted (a password set by its author,
    /// the standard security handler), truncated, or not a PDF at all is refused
    /// with the reason, never a panic.
    #[test]
    fn encrypted_and_broken_pdfs_are_refused_with_the_reason() {
        let words = "Protokoll fran sammantradet med kommunstyrelsen om budgeten";
        let plain = pdf_with(words, "", &[]);
        let text = pdf_to_text(&plain).unwrap();
        assert!(text.contains("kommunstyrelsen"), "{text}");

        let id = "<0123456789abcdef0123456789abcdef>";
        let key = "<".to_string() + &"ab".repeat(32) + ">";
        let encrypt = format!("<< /Filter /Standard /V 1 /R 2 /O {key} /U {key} /P -44 >>");
        let encrypted = pdf_with(
            words,
            &format!("/Encrypt 6 0 R /ID [{id} {id}]"),
            &[&encrypt],
        );
        let err = pdf_to_text(&encrypted).unwrap_err();
        assert!(err.contains("encrypted"), "{err}");

        let cut = &plain[..plain.len() / 2];
        let err = pdf_to_text(cut).unwrap_err();
        assert!(err.contains("PDF"), "{err}");
        assert!(pdf_to_text(b"%PDF-1.4 and then nothing").is_err());
        assert!(pdf_to_text(b"").is_err());
    }

    #[test]
    fn what_is_no_word_file_is_refused_with_a_reason() {
        assert!(docx_to_text(b"PK\x03\x04 nonsense").is_err());
        assert!(docx_to_text(b"").unwrap_err().contains("not a Word file"));
    }
}
