//! Turns one protocol's text into a [`Protocol`] record.
//! Owns: the record and the order of the steps: markdown-aware lines (`lines`),
//! meeting date (`date`), group, kind and title (`group`), people (`persons`),
//! agenda items with presenters and decisions (`items`), place, chairs, language
//! and each item's topic.
//! Does not own: decoding and page furniture (see `read`, `clean`) or
//! tokenisation (see `analysis`).

pub mod date;
pub mod debate;
pub mod group;
pub mod items;
pub mod lines;
pub mod officers;
pub mod persons;
pub mod prepare;

use serde::{Deserialize, Serialize};

pub use date::Date;
pub use persons::Person;

use items::{attendance_entry, attendance_role, is_label, presenter_label_value, split_items};
use lines::{to_lines, Line};
use persons::{merge_persons, person_from_attendance_line, person_mentions, NameModel};
use prepare::Hints;

/// One agenda item (or sub-item) of a protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The agenda number as printed (`3`, `57` for `§ 57`); `None` for sub-items.
    pub number: Option<String>,
    pub title: String,
    /// The title of the item this sub-item belongs to.
    pub parent: Option<String>,
    pub text: String,
    pub presenters: Vec<String>,
    pub decisions: Vec<String>,
    /// The diary number of the matter (`KS 2024/123`), without its label.
    #[serde(default)]
    pub dnr: Option<String>,
    /// Motions made at the meeting (`X (M) yrkar bifall till …`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub motions: Vec<debate::Stance>,
    /// Reservations against the decision (`X (S) reserverar sig`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reservations: Vec<debate::Stance>,
    /// The item's subject as its title says it; `None` for procedural items
    /// (`Välkomna`, `Övriga frågor`) and containers (`Informationspunkter`), which
    /// get no themes.
    pub topic: Option<String>,
    /// The item's themes (the topic facet), tagged when it is indexed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<String>,
}

/// A parsed protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protocol {
    pub id: String,
    pub file: String,
    /// Meeting date, `YYYY-MM-DD`.
    pub date: Option<String>,
    pub group: String,
    /// The municipality, region or association the body belongs to.
    #[serde(default)]
    pub organisation: Option<String>,
    pub kind: String,
    pub language: String,
    pub title: String,
    pub place: Option<String>,
    pub chairs: Vec<String>,
    pub secretary: Option<String>,
    /// Who adjusted (justerade) the minutes, besides the chair.
    #[serde(default)]
    pub adjusters: Vec<String>,
    /// Empty in the copy stored once per protocol in the index.
    #[serde(default)]
    pub items: Vec<Item>,
    pub persons: Vec<Person>,
    /// Members replaced for the whole meeting (`Y` of `X tjänstgör för Y`).
    #[serde(default)]
    pub absent: Vec<String>,
}

impl Protocol {
    pub fn meeting_date(&self) -> Option<Date> {
        self.date.as_deref().and_then(Date::parse_iso)
    }
}

/// A stable id for a file: the first 12 hex digits of the hash of its path
/// relative to the corpus.
pub fn protocol_id(rel_path: &str) -> String {
    blake3::hash(rel_path.as_bytes()).to_hex()[..12].to_string()
}

/// Parses a decoded document: prepares it (front matter, page furniture; see
/// [`prepare`]), cleans it and parses it with what the preparation found. `None`
/// when no text is left (a file of front matter or page furniture only).
pub fn parse_document(rel_path: &str, decoded: &str) -> Option<Protocol> {
    let prepared = prepare::prepare(decoded);
    let text = crate::ingest::clean::clean_text(&prepared.text);
    if text.trim().is_empty() {
        return None;
    }
    Some(parse_with_hints(rel_path, &text, &prepared.hints))
}

/// Parses cleaned protocol text (see [`crate::ingest::clean::clean_text`]) without hints.
pub fn parse_protocol(rel_path: &str, text: &str) -> Protocol {
    parse_with_hints(rel_path, text, &Hints::default())
}

fn parse_with_hints(rel_path: &str, text: &str, hints: &Hints) -> Protocol {
    let lines = to_lines(text);
    let raw_lines: Vec<&str> = text.lines().collect();
    let mut model = NameModel::default();
    learn_listed_names(&lines, &mut model);

    let mut heading = group::read_heading(&lines, &raw_lines, text);
    // The running page header names the body better than any first line; front
    // matter only where the text names none.
    if let Some(body) = &hints.body {
        heading.group = group::canonical_group(body, text);
    } else if heading.group.is_empty() {
        if let Some(body) = hints.front_body.as_ref().or(hints.front_title.as_ref()) {
            heading.group = group::canonical_group(body, text);
        }
    }
    let organisation = hints
        .organisation
        .clone()
        .or(heading.organisation.take())
        .or_else(|| hints.front_organisation.clone());
    let date = hints
        .header_date
        .or_else(|| date::meeting_date(&lines))
        .or(hints.front_date);
    let split = split_items(&lines, &model);

    let header: Vec<&Line> = lines[..split.header_end.min(lines.len())].iter().collect();
    let mut persons = Vec::new();
    let mut absent = Vec::new();
    let (chairs, secretary, header_people, attendees) = header_people(&header, &model);
    // `Närvarande: A, B, C` in the header lists the meeting's people as a cover list does.
    let labelled_list = attendees >= 3;
    persons.extend(header_people);
    for (i, role) in &split.attendance {
        if attendance_role(&lines[*i].text).is_some() {
            continue;
        }
        if *role == "kallad" {
            // `Kallade`: invited, which says nothing of who came.
            continue;
        }
        let entry_text = attendance_entry(&lines[*i].text);
        // `Närvarande: Anna Ek (ordförande), Bo Ek (kassör), Cia Ek`: a label with the
        // names after it, side by side; `header_people` reads their roles.
        let full = lines[*i].text.as_str();
        let labelled = full
            .get(..full.len().saturating_sub(entry_text.len()))
            .is_some_and(|head| head.contains(':'));
        if labelled && entry_text.matches(',').count() >= 2 && *role != "frånvarande" {
            for cell in entry_text.split(',') {
                if let Some(mut p) = person_from_attendance_line(cell, &model) {
                    if p.role.is_none() {
                        p.role = Some(role.to_string());
                    }
                    persons.push(p);
                }
            }
            continue;
        }
        if *role == "frånvarande" && entry_text.contains(',') {
            // `Förhinder: Anna Ek, Bo Ek`: names side by side, not a name and its title.
            for name in officers::names_in_cells(entry_text, &model) {
                if !absent.contains(&name) {
                    absent.push(name);
                }
            }
            continue;
        }
        let chunks = persons::attendance_chunks(entry_text, &model);
        let single = chunks.len() == 1;
        for chunk in chunks {
            let (entry, replaced) = match persons::split_replacement(&chunk) {
                Some((substitute, rest)) => (substitute, Some(persons::replaced_name(&rest))),
                None => (chunk, None),
            };
            let found = person_from_attendance_line(&entry, &model)
                .or_else(|| (!single).then(|| persons::entry_by_shape(&entry)).flatten());
            let Some(mut p) = found else {
                continue;
            };
            // `X (M) tjänstgör för Y (M)`: Y is absent unless replaced for some `§§` only.
            if let Some((name, limited)) =
                replaced.filter(|(n, _)| n.split_whitespace().count() >= 2)
            {
                p.replaces.get_or_insert(name.clone());
                if !limited && !absent.contains(&name) {
                    absent.push(name);
                }
            }
            if p.organisation.is_none() && single {
                p.organisation = wrapped_organisation(&lines, *i);
            }
            if *role == "frånvarande" {
                // `Frånvarande`, `Anmält förhinder`: named, but not at the meeting.
                if !absent.contains(&p.name) {
                    absent.push(p.name);
                }
                continue;
            }
            if p.role.is_none() {
                p.role = Some(role.to_string());
            }
            persons.push(p);
        }
    }
    // A member replaced for the whole meeting is absent; one replaced for some `§§`
    // only is present when listed in an entry of their own.
    let mut not_present = Vec::new();
    for r in &hints.replacements {
        let substitute_name =
            persons::person_from_attendance_line(&r.substitute, &model).map(|p| p.name);
        if let Some(sub) = &substitute_name {
            for p in persons.iter_mut().filter(|p| &p.name == sub) {
                p.replaces = Some(r.replaced.clone());
            }
        }
        // Replaced for some `§§` only, and listed with an entry of their own: present
        // for the rest; never listed: absent.
        let listed_elsewhere = persons.iter().any(|p| p.name == r.replaced);
        if !r.limited || !listed_elsewhere {
            not_present.push(r.replaced.clone());
            if !absent.contains(&r.replaced) {
                absent.push(r.replaced.clone());
            }
        }
    }

    // A cover block that lists the meeting's people before its items is the record
    // of attendance; minutes that list people at the end, or not at all, name the
    // people of the meeting in their text as well.
    let listed = persons.len() >= 3
        && (labelled_list || split.attendance.iter().any(|(i, _)| *i < split.header_end));
    let mut items = Vec::new();
    for raw in &split.items {
        let text = item_text(&lines, &raw.body);
        for p in &raw.presenters {
            let mut p = p.clone();
            if p.role.is_none() {
                p.role = Some("föredragande".into());
            }
            persons.push(p);
        }
        // Presenter lines were read as such. Without an attendance list, running text
        // is read for the people of the meeting; with one, a name in the text is only
        // a mention.
        if !listed {
            let prose: String = text
                .lines()
                .filter(|l| presenter_label_value(l).is_none())
                .collect::<Vec<_>>()
                .join("\n");
            persons.extend(person_mentions(&prose, &model));
            for d in &raw.decisions {
                persons.extend(person_mentions(d, &model));
            }
        }
        let topic = topic_of(&raw.title, raw.number.is_none() && raw.parent.is_none());
        let (motions, reservations) = debate::motions_and_reservations(&text, &model);
        items.push(Item {
            number: raw.number.clone(),
            title: raw.title.clone(),
            parent: raw.parent.clone(),
            text,
            presenters: raw.presenters.iter().map(|p| p.name.clone()).collect(),
            decisions: raw.decisions.clone(),
            dnr: raw.dnr.clone(),
            motions,
            reservations,
            topic,
            themes: Vec::new(),
        });
    }
    // A heading of markup alone holds nothing to show: an empty one goes, one with a
    // text is named by its number (`§ 5`), else as the protocol.
    items.retain(|i| !i.title.trim().is_empty() || !i.text.trim().is_empty());
    if items.is_empty() {
        items.push(whole_text_item(&heading.title, &lines, split.header_end));
    }
    for item in items.iter_mut().filter(|i| i.title.trim().is_empty()) {
        item.title = match &item.number {
            Some(n) => format!("§ {n}"),
            None => "Protokoll".to_string(),
        };
    }
    // Elections (`utser X till justerare`) stand in an item's decision or its text.
    let item_texts: Vec<&str> = items
        .iter()
        .flat_map(|i| {
            i.decisions
                .iter()
                .map(String::as_str)
                .chain([i.text.as_str()])
        })
        .collect();
    let officers = officers::find_officers(&lines, &item_texts, &persons, &model);
    let chairs = if officers.chairs.is_empty() {
        chairs
    } else {
        officers.chairs
    };
    let secretary = officers.secretary.or(secretary);

    Protocol {
        id: protocol_id(rel_path),
        file: rel_path.to_string(),
        date: date.map(|d| d.to_string()),
        group: heading.group,
        organisation,
        kind: heading.kind,
        language: detect_language(text),
        title: heading.title,
        place: find_place(&header, text),
        chairs,
        secretary,
        adjusters: officers.adjusters,
        items,
        persons: merge_persons(
            persons
                .into_iter()
                .filter(|p| !not_present.contains(&p.name))
                .collect(),
        ),
        absent,
    }
}

/// Full names in attendance lists are the most reliable: learn them first, so that
/// the same names are recognised whole in running text.
fn learn_listed_names(lines: &[Line], model: &mut NameModel) {
    let mut in_list = false;
    for l in lines {
        if attendance_role(&l.text).is_some() {
            in_list = true;
            continue;
        }
        if let Some((_, entry)) = items::attendance_heading_with_entry(&l.text) {
            if let Some(p) = person_from_attendance_line(entry, model) {
                model.learn(&p.name);
                in_list = true;
                continue;
            }
        }
        if l.is_blank() {
            continue;
        }
        if in_list {
            match person_from_attendance_line(&l.text, model) {
                Some(p) => model.learn(&p.name),
                None => in_list = false,
            }
        }
    }
}

/// `Margit Lindholm Johansson,` on one line and `Kommunförbundet` on the next.
fn wrapped_organisation(lines: &[Line], i: usize) -> Option<String> {
    if !lines[i].text.ends_with(',') {
        return None;
    }
    let next = (i + 1..lines.len()).find(|&j| !lines[j].is_blank())?;
    let t = &lines[next].text;
    (t.split_whitespace().count() <= 6 && t.chars().next().is_some_and(char::is_uppercase))
        .then(|| t.clone())
}

/// People named in header labels: `Ordförande: A, B`, `Sekreterare: C`,
/// `Utses att justera: D`, `Närvarande: E, F`.
/// Also returns how many were named under an attendance label (`Närvarande`, `Deltagare`).
fn header_people(
    header: &[&Line],
    model: &NameModel,
) -> (Vec<String>, Option<String>, Vec<Person>, usize) {
    let mut chairs = Vec::new();
    let mut secretary = None;
    let mut people = Vec::new();
    let mut attendees = 0;
    for l in header {
        let Some((label, value)) = l.text.split_once(':') else {
            continue;
        };
        let label = label.trim().to_lowercase();
        let role = match label.as_str() {
            "ordförande" | "ordf" | "ordf." => "ordförande",
            "vice ordförande" => "vice ordförande",
            "sekreterare" | "protokollförare" | "vid protokollet" => "sekreterare",
            "justerare" | "justerande" | "utses att justera" | "justeras av" => "justerare",
            "närvarande" | "deltagare" | "deltagande" | "närvarande ledamöter" => "närvarande",
            "föredragande" => "föredragande",
            _ => continue,
        };
        for p in persons::names_in_presenter_value(value, model) {
            attendees += (role == "närvarande") as usize;
            match role {
                "ordförande" => chairs.push(p.name.clone()),
                "sekreterare" if secretary.is_none() => secretary = Some(p.name.clone()),
                _ => {}
            }
            let mut p = p;
            p.role = Some(match p.role.take() {
                Some(title) if role == "närvarande" => title,
                _ => role.to_string(),
            });
            people.push(p);
        }
    }
    (chairs, secretary, people, attendees)
}

/// The meeting place: a `Plats:` label, `Plats och tid X, tisdagen …`, or
/// `… genomfördes på X med …`.
fn find_place(header: &[&Line], text: &str) -> Option<String> {
    for l in header {
        let lower = l.text.to_lowercase();
        for label in ["plats och tid", "plats"] {
            if let Some(rest) = lower.strip_prefix(label) {
                if !(rest.starts_with(':') || rest.starts_with(' ')) {
                    continue;
                }
                let Some(value) = l.text.get(label.len()..) else {
                    continue;
                };
                let value = value.trim_start_matches([':', ' ']).trim();
                let cut = date::find_dates(value)
                    .first()
                    .map(|(p, _)| *p)
                    .unwrap_or(value.len());
                let mut place = value[..cut].trim().trim_end_matches([',', ' ']).to_string();
                // `Zoom, tisdagen den` → `Zoom`.
                if let Some((p, tail)) = place.rsplit_once(", ") {
                    if tail.ends_with("dagen den") || tail.ends_with("dagen") || tail == "den" {
                        place = p.to_string();
                    }
                }
                if !place.is_empty() {
                    return Some(place);
                }
            }
        }
    }
    let text = lines::collapse_spaces(text);
    let lower = text.to_lowercase();
    let p = lower.find("genomfördes på ")? + "genomfördes på ".len();
    let rest = &text[p..];
    let end = rest
        .find(" med ")
        .or_else(|| rest.find('.'))
        .unwrap_or(rest.len())
        .min(120);
    let end = date::floor_char_boundary(rest, end);
    Some(lines::collapse_spaces(&rest[..end]))
}

/// The item's text: its lines without labels that only structure it, paragraphs
/// separated by blank lines.
fn item_text(lines: &[Line], body: &[usize]) -> String {
    let mut out = String::new();
    let mut blank = false;
    for &i in body {
        let l = &lines[i];
        if l.is_blank() {
            blank = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(&l.text);
    }
    out
}

fn whole_text_item(title: &str, lines: &[Line], header_end: usize) -> Item {
    let body: Vec<usize> = (header_end.min(1)..lines.len()).collect();
    Item {
        number: None,
        title: if title.trim().is_empty() {
            "Protokoll".into()
        } else {
            title.to_string()
        },
        parent: None,
        text: item_text(lines, &body),
        presenters: Vec::new(),
        decisions: Vec::new(),
        dnr: None,
        motions: Vec::new(),
        reservations: Vec::new(),
        topic: None,
        themes: Vec::new(),
    }
}

/// Agenda items every meeting has; they name no subject.
const PROCEDURAL_TITLES: &[&str] = &[
    "välkomna",
    "välkommen",
    "mötets öppnande",
    "öppnande",
    "sammanträdets öppnande",
    "föregående mötesprotokoll",
    "föregående protokoll",
    "föregående minnesanteckningar",
    "föregående mötesanteckningar",
    "godkännande av dagordning",
    "fastställande av dagordning",
    "dagordning",
    "val av justerare",
    "val av protokolljusterare",
    "val av justerare och tid för justering",
    "justering",
    "övriga frågor",
    "nästa möte",
    "mötets avslutande",
    "avslutning",
    "mötets avslutning",
    "informationspunkter",
    "beslutspunkter",
    "besluts punkter",
    "meddelanden",
    "anmälningsärenden",
    "delegationsbeslut",
    "meddelanden och delegationsbeslut",
    "presentationsrunda",
    "summering av dagen",
    "inledning",
    "övrigt",
    "information",
    "informationsärenden",
    "beslutsärenden",
    "anmälan om jäv",
];

/// The topic an item is about: its title without labels, numbering or trailing
/// notes; `None` for procedural items.
pub fn topic_of(title: &str, _unnumbered_top: bool) -> Option<String> {
    let mut t = lines::collapse_spaces(title);
    // `Sommarplanering – dialog`, `Kronobarnsmodellen – information`.
    for sep in [" – ", " - ", ": "] {
        if let Some((head, tail)) = t.rsplit_once(sep) {
            if is_label(tail) && !head.is_empty() {
                t = head.to_string();
            }
        }
    }
    if let Some(p) = t.find(" (Punkt") {
        t.truncate(p);
    }
    let t = t
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | ':' | ',' | '–' | '-'))
        .to_string();
    let key = t.to_lowercase();
    if t.is_empty() || PROCEDURAL_TITLES.contains(&key.as_str()) || is_standing_item(&key) {
        return None;
    }
    Some(t)
}

/// The heads of standing items: the meeting's own procedure and the reports every
/// meeting takes note of (delegated decisions, letters received), whatever matter
/// they happen to touch.
const STANDING_HEADS: &[&str] = &[
    "föregående ",
    "val av justerare",
    "val av protokolljusterare",
    "rösträknare",
    "tid för justering",
    "justering",
    "godkännande av dagordning",
    "fastställande av dagordning",
    "dagordning",
    "upprop",
    "anmälan av delegationsbeslut",
    "anmälan av delegeringsbeslut",
    "redovisning av delegationsbeslut",
    "redovisning av delegeringsbeslut",
    "delegationsbeslut",
    "delegeringsbeslut",
    "anmälningsärenden",
    "delgivningar",
    "inkomna skrivelser",
    "meddelanden",
];

/// A title made only of standing items (`Val av justerare och godkännande av
/// dagordning`, `Redovisning av delegeringsbeslut 2024`).
fn is_standing_item(key: &str) -> bool {
    let joined = [" och ", " samt ", " tillika ", ", "]
        .iter()
        .fold(key.to_string(), |k, sep| k.replace(sep, "|"));
    joined
        .split('|')
        .map(str::trim)
        .all(|piece| STANDING_HEADS.iter().any(|h| piece.starts_with(h)))
}

/// The language of the text, as an ISO 639-1 code; Swedish unless another allowed
/// language is detected with confidence.
pub fn detect_language(text: &str) -> String {
    use whatlang::Lang;
    let sample: String = text.chars().take(1_500).collect();
    let allowed = [
        Lang::Swe,
        Lang::Eng,
        Lang::Nob,
        Lang::Dan,
        Lang::Fin,
        Lang::Deu,
    ];
    let detector = whatlang::Detector::with_allowlist(allowed.to_vec());
    match detector.detect(&sample) {
        Some(info) if info.is_reliable() => match info.lang() {
            Lang::Eng => "en",
            Lang::Nob => "nb",
            Lang::Dan => "da",
            Lang::Fin => "fi",
            Lang::Deu => "de",
            _ => "sv",
        }
        .to_string(),
        _ => "sv".to_string(),
    }
}

/// True when the line is a presenter label line (used by `analysis`-free callers).
pub fn is_presenter_line(text: &str) -> bool {
    presenter_label_value(text).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random documents built from the pieces protocols are made of (headings, labels,
    /// party marks, diary numbers, dates, page furniture, markup, letters that change
    /// length in lower case, lone combining marks, long lines) never make the parser panic.
    #[test]
    fn hostile_documents_never_panic() {
        const PIECES: &[&str] = &[
            "§",
            "§ 12",
            "§12",
            "$ 7",
            "§§ 3-4",
            "1.",
            "2",
            "3.1",
            "Sn 49",
            "Dnr",
            "Dnr.",
            "KS 2024-00123",
            "(S)",
            "(M),",
            "(KD",
            "tjänstgör för",
            "ersätter",
            "för",
            "Ordförande",
            "Sekreterare",
            "Justeras",
            "Vid protokollet",
            "Beslutande",
            "Ledamöter",
            "Tjänstgörande ersättare",
            "Frånvarande:",
            "Förhinder:",
            "Kallade",
            "Närvarande:",
            "Anna Ek",
            "Bo Lindqvist",
            "Kasra Hassirian,",
            "yrkar",
            "reserverar sig",
            "utser",
            "till justerare",
            "Beslut",
            "Sammanfattning",
            "2024-05-06",
            "24-05-06",
            "6 maj",
            "1–2 oktober 2015",
            "3 (9)",
            "Sida 2 av 9",
            "<!-- sida 2 -->",
            "\u{0c}",
            "<h2>",
            "</h2>",
            "<br>",
            "<li>",
            "**",
            "## ",
            "* ",
            "** ",
            "#+TITLE:",
            "---",
            "|",
            "İ",
            "ẞ",
            "\u{301}",
            "ﬁ",
            "KOMMUN",
            "Protokoll",
            "fört vid",
            "styrelsemöte i",
            "Innehåll",
            "..........",
            "4",
            "\n",
            "\n\n",
            "   ",
            "     ",
            ",",
            ":",
            "(",
            ")",
            "–",
            "-",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..1500 {
            let len = 5 + (next() % 120) as usize;
            let mut doc = String::new();
            for _ in 0..len {
                let piece = PIECES[(next() % PIECES.len() as u64) as usize];
                doc.push_str(piece);
                if next() % 3 != 0 {
                    doc.push(' ');
                }
            }
            // Now and then a page that became one long line.
            if round % 7 == 0 {
                doc = doc.replace('\n', " ").repeat(8);
            }
            let _ = parse_document("x.md", &doc);
        }
    }

    #[test]
    fn invited_people_are_not_present_and_absent_ones_are_absent() {
        let text = "Socialnämnden\n\nDatum: 2025-03-04\n\nBeslutande\nAnna Lindqvist (S), ordförande\nBo Hermansson (M)\nCecilia Strand (V)\n\nKallade\nDavid Ekström (S)\nEva Holmgren (L)\n\nFrånvarande\nFredrik Sjöblom (KD)\n\n§ 1 Val av justerare\n\nNämnden utser Bo Hermansson att justera.\n\n§ 2 Budget\n\nText.";
        let p = parse_protocol("a.txt", &crate::ingest::clean::clean_text(text));
        let names: Vec<&str> = p.persons.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["Anna Lindqvist", "Bo Hermansson", "Cecilia Strand"]);
        assert_eq!(p.absent, ["Fredrik Sjöblom"]);
        assert_eq!(p.chairs, ["Anna Lindqvist"]);
        assert_eq!(p.adjusters, ["Bo Hermansson"]);
        assert_eq!(p.persons[1].party.as_deref(), Some("M"));
    }

    #[test]
    fn attendance_in_columns_with_the_first_name_beside_the_heading() {
        let text = "Vetlanda kommun      PROTOKOLL\nKommunstyrelsens arbetsutskott   2024-03-19\n\nBeslutande             Lennart Fogelqvist (KD), ordförande\n                       Birgitta Ahlgren Wik (M), vice ordförande\n\nÖvriga närvarande      Amir Haddad, kommunchef\n\n§ 1 Val av justerare\n\nText.\n\n§ 2 Budget\n\nText.";
        let p = parse_protocol("a.txt", &crate::ingest::clean::clean_text(text));
        let names: Vec<&str> = p.persons.iter().map(|p| p.name.as_str()).collect();
        assert!(
            names.contains(&"Lennart Fogelqvist")
                && names.contains(&"Birgitta Ahlgren Wik")
                && names.contains(&"Amir Haddad"),
            "{names:?}"
        );
        assert_eq!(p.items.len(), 2);
    }

    #[test]
    fn hostile_text_never_panics_the_parser() {
        // Characters whose lowercase has another byte length, multi-byte letters next to
        // digits and dates, markup and numbering, in a deterministic pseudo-random mix.
        let pieces = [
            "İ",
            "ẞ",
            "ä",
            "Ö",
            "§",
            "1.",
            "12)",
            "2026-02-06",
            "HR-chefsnätverket",
            "\n",
            "\n\n",
            " ",
            "-",
            "#",
            "## ",
            "**",
            "[",
            "](",
            ")",
            "\t",
            "Datum:",
            "Föredragande:",
            "Beslut:",
            "Närvarande",
            "Anna Ek,",
            "kommun",
            "PROTOKOLL",
            "Plats:",
            "Ärende ",
            "Punkt ",
            "ägde rum ",
            "10 april 2026",
            "(S)",
            "Informationspunkter",
            "İstanbul",
            "Σ",
            "ﬁ",
        ];
        let mut seed: u64 = 0x5eed;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(seed % 60) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let cleaned = crate::ingest::clean::clean_text(&text);
            let _ = parse_protocol("x.txt", &cleaned);
            let _ = date::find_dates(&text);
        }
    }

    /// Found by the property tests: a line that is only a diary number is no title,
    /// and a heading of markup alone gives no untitled item.
    #[test]
    fn every_item_has_a_title() {
        for text in [
            "1. Dnr KS 2024/12§",
            "-\t## **",
            "## **\n\nNågot hände.",
            "§ 5\n\nText.",
        ] {
            let p = parse_protocol("x.md", text);
            for item in &p.items {
                assert!(!item.title.trim().is_empty(), "{text:?}: {:?}", p.items);
            }
        }
    }

    #[test]
    fn a_date_glued_to_a_multibyte_word_is_no_date_and_no_panic() {
        assert!(date::find_dates("HR-chefsnätverket bjöds in").is_empty());
        assert!(date::find_dates("ÅÄÖåäöÅÄÖå").is_empty());
    }

    #[test]
    fn topics_drop_labels_and_procedure() {
        assert_eq!(
            topic_of("Sommarplanering – dialog", false).as_deref(),
            Some("Sommarplanering")
        );
        assert_eq!(topic_of("Välkomna", false), None);
        assert_eq!(topic_of("Informationspunkter", false), None);
        assert_eq!(
            topic_of("Val av justerare tillika rösträknare", false),
            None
        );
        assert_eq!(
            topic_of("Val av justerare och godkännande av dagordning", false),
            None
        );
        assert_eq!(
            topic_of("Redovisning av delegeringsbeslut 2024", false),
            None
        );
        assert_eq!(
            topic_of("Val av ledamöter till styrelsen", false).as_deref(),
            Some("Val av ledamöter till styrelsen")
        );
        assert_eq!(
            topic_of("Val av justerare och budget 2025", false).as_deref(),
            Some("Val av justerare och budget 2025"),
            "a matter beside the procedure is no standing item"
        );
        assert_eq!(
            topic_of(
                "Reflektion efter planeringsdagarna (Punkt utanför agenda)",
                false
            )
            .as_deref(),
            Some("Reflektion efter planeringsdagarna")
        );
    }

    #[test]
    fn swedish_is_the_fallback_language() {
        assert_eq!(detect_language("Nämnden beslutar att godkänna budgeten för nästa år och ger förvaltningen i uppdrag."), "sv");
        assert_eq!(detect_language("x"), "sv");
        assert_eq!(detect_language("The committee decided to approve the budget for next year and asked the administration to report back."), "en");
    }

    #[test]
    fn a_protocol_end_to_end() {
        let text = "Protokoll Samverkansrådet 2024-05-14\n\n1. Välkomna\n\nOrdförande Anna Ek hälsade välkomna.\n\n2. Budget\n\nBildspel\n\nBo Ström, ekonom, Region Kronoberg\n\nRådet beslutar att godkänna budgeten.\n\nNärvarande:\n\nAnna Ek, Växjö kommun\nBo Ström, Region Kronoberg\n";
        let p = parse_protocol("a.txt", &crate::ingest::clean::clean_text(text));
        assert_eq!(p.date.as_deref(), Some("2024-05-14"));
        assert_eq!(p.group, "Samverkansrådet");
        let titles: Vec<&str> = p.items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["Välkomna", "Budget"]);
        assert_eq!(p.items[1].presenters, ["Bo Ström"]);
        assert_eq!(
            p.items[1].decisions,
            ["Rådet beslutar att godkänna budgeten."]
        );
        let names: Vec<&str> = p.persons.iter().map(|p| p.name.as_str()).collect();
        assert!(
            names.contains(&"Anna Ek") && names.contains(&"Bo Ström"),
            "{names:?}"
        );
        assert!(!p.items[1].text.contains("Växjö kommun"));
    }
}
