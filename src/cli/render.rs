//! Text rendering for the terminal: hits with their marks (bold, or `**…**` without
//! colour), and protocols. Marks come from the engine as character ranges.

use std::io::{IsTerminal, Write};

use anyhow::Result;

use crate::{api, parse};

/// Bold on a terminal, unless https://no-color.org asks otherwise.
pub(crate) fn color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub(crate) fn print_hits(
    out: &mut impl Write,
    resp: &api::SearchResponse,
    color: bool,
) -> Result<()> {
    if resp.total == 0 {
        writeln!(out, "Inga träffar för \"{}\".", resp.query)?;
        return Ok(());
    }
    let noun = if resp.total == 1 {
        "träff"
    } else {
        "träffar"
    };
    if resp.hits.is_empty() {
        writeln!(
            out,
            "{} {noun} för \"{}\" (inga från nummer {})",
            resp.total,
            resp.query,
            resp.offset + 1
        )?;
        return Ok(());
    }
    for c in &resp.corrected {
        writeln!(out, "(sökte på \"{}\" i stället för \"{}\")", c.to, c.from)?;
    }
    let first = resp.offset + 1;
    let last = resp.offset + resp.hits.len();
    writeln!(
        out,
        "{} {noun} för \"{}\" (visar {first}–{last})\n",
        resp.total, resp.query
    )?;
    let (bold, plain) = if color {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    for (k, h) in resp.hits.iter().enumerate() {
        let number = h
            .item_number
            .as_deref()
            .map(|n| format!("{n}. "))
            .unwrap_or_default();
        let parent = h
            .parent
            .as_deref()
            .map(|p| format!("  [{p}]"))
            .unwrap_or_default();
        writeln!(
            out,
            "{:>2}. {}  {}",
            first + k,
            h.date.as_deref().unwrap_or("????-??-??"),
            h.group
        )?;
        writeln!(out, "    {bold}{number}{}{plain}{parent}", h.item_title)?;
        let snippet = marked_text(&h.snippet_text, &h.highlights, color);
        writeln!(
            out,
            "    {}",
            snippet.split_whitespace().collect::<Vec<_>>().join(" ")
        )?;
        writeln!(out, "    protokoll {}  ({})\n", h.protocol_id, h.file)?;
    }
    Ok(())
}

/// Text with its marked ranges bold yellow on a terminal and `**…**` elsewhere.
pub(crate) fn marked_text(text: &str, marks: &[[usize; 2]], color: bool) -> String {
    let (open, close) = if color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    let marked = crate::query::snippet::Marked {
        text: text.to_string(),
        marks: marks.to_vec(),
    };
    marked.render(open, close, str::to_string)
}

pub(crate) fn print_protocol_summary(out: &mut impl Write, p: &parse::Protocol) -> Result<()> {
    writeln!(
        out,
        "{}  {}  {}  {} punkter, {} personer",
        p.file,
        p.date.as_deref().unwrap_or("?"),
        p.group,
        p.items.len(),
        p.persons.len()
    )?;
    Ok(())
}

pub(crate) fn print_protocol(out: &mut impl Write, p: &api::Protocol) -> Result<()> {
    writeln!(out, "{}", p.title)?;
    writeln!(out, "  id:      {}", p.id)?;
    writeln!(out, "  fil:     {}", p.file)?;
    writeln!(out, "  datum:   {}", p.date.as_deref().unwrap_or("okänt"))?;
    writeln!(out, "  grupp:   {}", p.group)?;
    if let Some(org) = &p.organisation {
        writeln!(out, "  organisation: {org}")?;
    }
    writeln!(out, "  typ:     {}", p.kind)?;
    if let Some(place) = &p.place {
        writeln!(out, "  plats:   {place}")?;
    }
    if !p.chairs.is_empty() {
        writeln!(out, "  ordförande: {}", p.chairs.join(", "))?;
    }
    if let Some(s) = &p.secretary {
        writeln!(out, "  sekreterare: {s}")?;
    }
    if !p.adjusters.is_empty() {
        writeln!(out, "  justerare: {}", p.adjusters.join(", "))?;
    }
    if !p.absent.is_empty() {
        writeln!(out, "  frånvarande: {}", p.absent.join(", "))?;
    }
    writeln!(out, "\nDagordning")?;
    for item in &p.items {
        let indent = if item.parent.is_some() {
            "      "
        } else {
            "  "
        };
        let number = item
            .number
            .as_deref()
            .map(|n| format!("{n}. "))
            .unwrap_or_default();
        writeln!(out, "{indent}{number}{}", item.title)?;
        if let Some(dnr) = &item.dnr {
            writeln!(out, "{indent}    dnr: {dnr}")?;
        }
        if !item.presenters.is_empty() {
            writeln!(
                out,
                "{indent}    föredragande: {}",
                item.presenters.join(", ")
            )?;
        }
        for d in &item.decisions {
            writeln!(out, "{indent}    beslut: {d}")?;
        }
        for m in &item.motions {
            writeln!(out, "{indent}    yrkande: {}", m.text)?;
        }
        for r in &item.reservations {
            writeln!(out, "{indent}    reservation: {}", r.text)?;
        }
    }
    writeln!(out, "\nPersoner ({})", p.persons.len())?;
    for person in &p.persons {
        let replaces = person
            .replaces
            .as_ref()
            .map(|r| format!("tjänstgör för {r}"));
        let extra: Vec<&str> = [
            person.party.as_deref(),
            person.role.as_deref(),
            person.organisation.as_deref(),
            replaces.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        writeln!(
            out,
            "  {}{}",
            person.name,
            if extra.is_empty() {
                String::new()
            } else {
                format!(" ({})", extra.join(", "))
            }
        )?;
    }
    Ok(())
}

/// A share as Swedish writes it: `16,7 %`.
pub(crate) fn percent(share: f64) -> String {
    format!("{:.1}\u{a0}%", share * 100.0).replace('.', ",")
}

/// A whole number with Swedish digit groups: `12 345`.
pub(crate) fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

const BAR_WIDTH: f64 = 40.0;

/// A facet's name in Swedish, as the page's filters say it.
fn facet_label(facet: crate::index::facets::FacetField) -> &'static str {
    use crate::index::facets::FacetField as F;
    match facet {
        F::Group => "grupp",
        F::Organisation => "organisation",
        F::Person => "person",
        F::Party => "parti",
        F::Topic => "ämne",
        F::Kind => "typ",
        F::Decision => "beslut",
        F::Month => "månad",
        F::Year => "år",
    }
}

/// A trend as bars, one line per period with its count and share; the bars are
/// scaled by count, or by share when asked (a period with many meetings then does
/// not look like a rise). The filters in force are said first.
pub(crate) fn print_trend(
    out: &mut impl Write,
    t: &api::Trend,
    filters: &crate::query::filters::Filters,
    by_share: bool,
) -> Result<()> {
    for c in &t.corrected {
        writeln!(out, "(räknade \"{}\" i stället för \"{}\")", c.to, c.from)?;
    }
    let mut said: Vec<String> = Vec::new();
    if let Some(d) = filters.from {
        said.push(format!("från {d}"));
    }
    if let Some(d) = filters.to {
        said.push(format!("till {d}"));
    }
    for (facet, values) in &filters.facets {
        said.push(format!(
            "{} {}",
            facet_label(*facet),
            values.join(" eller ")
        ));
    }
    if filters.decisions {
        said.push("bara beslut".to_string());
    }
    let share = if t.total > 0 {
        format!(" ({})", percent(t.matching as f64 / t.total as f64))
    } else {
        String::new()
    };
    writeln!(
        out,
        "\"{}\": {} av {} punkter{share}{}",
        t.query,
        count(t.matching),
        count(t.total),
        if said.is_empty() {
            String::new()
        } else {
            format!("; {}", said.join(", "))
        }
    )?;
    let value = |p: &api::TrendPoint| {
        if by_share {
            p.share
        } else {
            p.matching as f64
        }
    };
    let widest = t.points.iter().map(value).fold(0.0_f64, f64::max);
    writeln!(
        out,
        "{:>8}  {:>6} {:>7} {:>8}  {}",
        "period",
        "träffar",
        "av",
        "andel",
        if by_share {
            "stapel: andel"
        } else {
            "stapel: antal"
        }
    )?;
    for p in &t.points {
        let len = if widest > 0.0 {
            (value(p) / widest * BAR_WIDTH).round() as usize
        } else {
            0
        };
        writeln!(
            out,
            "{:>8}  {:>6} {:>7} {:>8}  {}",
            p.period,
            count(p.matching),
            count(p.total),
            percent(p.share),
            "█".repeat(len)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_swedish_way() {
        assert_eq!(percent(1.0 / 6.0), "16,7\u{a0}%");
        assert_eq!(percent(0.0), "0,0\u{a0}%");
        assert_eq!(count(7), "7");
        assert_eq!(count(1234), "1\u{a0}234");
        assert_eq!(count(1_234_567), "1\u{a0}234\u{a0}567");
    }
}
