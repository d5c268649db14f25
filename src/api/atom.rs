//! A search as an Atom feed (RFC 4287): a saved search to follow in a feed reader.
//! Entries are the newest items first, each linking to its item on the page, with the
//! meeting date as `published` and the time the protocol entered the index as
//! `updated`; the item's themes are its categories.

use crate::api::{Hit, SearchResponse};

/// The feed of `resp`, a search for `query` (with its filters in `query_string`),
/// with links under `base` (`http://host:port/`).
pub fn feed(resp: &SearchResponse, base: &str, query_string: &str) -> String {
    let base = if base.ends_with('/') {
        base.to_string()
    } else {
        format!("{base}/")
    };
    let updated = resp.hits.iter().map(|h| h.indexed_at).max().unwrap_or(0);
    let title = if resp.query.trim().is_empty() {
        "Protokollsök: alla punkter".to_string()
    } else {
        format!("Protokollsök: {}", resp.query.trim())
    };
    let id = blake3::hash(query_string.as_bytes()).to_hex();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"sv\">\n");
    out.push_str(&format!(
        "  <id>urn:protokollsok:search:{}</id>\n",
        &id[..32]
    ));
    out.push_str(&format!("  <title>{}</title>\n", escape(&title)));
    out.push_str(&format!("  <updated>{}</updated>\n", rfc3339(updated)));
    out.push_str("  <author><name>Protokollsök</name></author>\n");
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(&format!("{base}api/search.atom?{query_string}"))
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&format!("{base}#/search?{query_string}"))
    ));
    for h in &resp.hits {
        out.push_str(&entry(h, &base));
    }
    out.push_str("</feed>\n");
    out
}

fn entry(h: &Hit, base: &str) -> String {
    let number = h
        .item_number
        .as_deref()
        .map(|n| format!("{n}. "))
        .unwrap_or_default();
    let title = format!(
        "{} {}: {number}{}",
        h.date.as_deref().unwrap_or(""),
        h.group,
        h.item_title
    );
    let link = format!("{base}#/protocol/{}?item={}", h.protocol_id, h.item_index);
    let mut e = String::from("  <entry>\n");
    e.push_str(&format!(
        "    <id>urn:protokollsok:item:{}:{}</id>\n",
        escape(&h.protocol_id),
        h.item_index
    ));
    e.push_str(&format!("    <title>{}</title>\n", escape(title.trim())));
    e.push_str(&format!(
        "    <updated>{}</updated>\n",
        rfc3339(h.indexed_at)
    ));
    if let Some(d) = h.date.as_deref().and_then(crate::parse::Date::parse_iso) {
        e.push_str(&format!(
            "    <published>{}</published>\n",
            rfc3339(d.days_since_epoch() * 86_400)
        ));
    }
    e.push_str(&format!(
        "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&link)
    ));
    for t in &h.themes {
        e.push_str(&format!("    <category term=\"{}\"/>\n", escape(t)));
    }
    let mut summary = h.snippet_text.clone();
    for d in &h.decisions {
        summary.push_str(&format!("\nBeslut: {d}"));
    }
    e.push_str(&format!("    <summary>{}</summary>\n", escape(&summary)));
    e.push_str("  </entry>\n");
    e
}

/// Every byte but the unreserved characters of RFC 3986 as `%XX`.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `key=value` pairs percent-encoded as a query string.
pub fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Text for XML: the five special characters escaped, characters XML does not allow
/// left out.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Seconds since the epoch as an RFC 3339 UTC time (`2026-02-06T00:00:00Z`).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Days to a civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_and_text_is_escaped() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(20_490 * 86_400 + 3_661), "2026-02-06T01:01:01Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
