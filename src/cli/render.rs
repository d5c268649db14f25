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
