//! The modules form a pipeline: each uses only the stages before it (see
//! `ARCHITECTURE.md`). This test reads the sources and fails when a module names a
//! module of a later stage, or one that is not placed in the pipeline at all.

use std::path::{Path, PathBuf};

/// The stages in order, as module paths; a module belongs to the stage of the longest
/// path that is a prefix of its own. Modules of one stage may use each other only
/// when they are one module (the submodules of `parse`); modules listed together
/// (`search::trend`, `search::profile`, `search::eval`) are independent. `error` and
/// `config` are the foundation every stage may use.
const STAGES: &[&[&str]] = &[
    &["error", "config", "memory"],
    &["ingest::formats"],
    &["ingest::read"],
    &["ingest::clean"],
    &["ingest::changes"],
    &["parse"],
    &["analysis::lexicon"],
    &["analysis::tokenize"],
    &["analysis::synonyms"],
    &["analysis::themes"],
    &["index::facets"],
    &["index::matters"],
    &["index::schema"],
    &["index::variants"],
    &["index::merges"],
    &["index::store", "index::update"],
    &["query::budget"],
    &["query::parse"],
    &["query::snippet"],
    &["query::filters"],
    &["query::correct"],
    &["query::plan"],
    &["search::hits"],
    &[
        "search::trend",
        "search::profile",
        "search::eval",
        "search::matters",
        "search::new",
        "search::export",
    ],
    &["engine"],
    &["api"],
    &["server"],
    &["cli"],
];

/// The stage of a module path and the stage name it falls under.
fn stage_of(module: &str) -> Option<(usize, &'static str)> {
    let mut best: Option<(usize, &'static str)> = None;
    for (i, stage) in STAGES.iter().enumerate() {
        for &name in *stage {
            let under = module == name || module.starts_with(&format!("{name}::"));
            if under && best.is_none_or(|(_, b)| name.len() > b.len()) {
                best = Some((i, name));
            }
        }
    }
    best
}

/// The crate module paths a source file names (`crate::x::y::Z` → `x::y`, and each
/// member of `crate::x::{y, z::W}`), with `super::y` resolved against the file's
/// parent module. Only the code before a file's tests is read, where `super` means
/// the file's parent.
fn uses(source: &str, parent: &str) -> Vec<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or(source);
    let mut out = Vec::new();
    for (prefix, base) in [("crate::", ""), ("super::", parent)] {
        for (p, _) in code.match_indices(prefix) {
            if code[..p].ends_with("::") {
                continue;
            }
            let base: Vec<String> = base
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            for path in paths(&code[p + prefix.len()..], base) {
                if !path.is_empty() && !out.contains(&path) {
                    out.push(path);
                }
            }
        }
    }
    out
}

/// The module paths at the start of `text`: its lower-case segments (`query::plan::plan(`
/// → `query::plan::plan`, `index::store::Store` → `index::store`), and for a group
/// `{a, b::c}` each member under the path so far.
fn paths(text: &str, mut path: Vec<String>) -> Vec<String> {
    let mut rest = text;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut members = Vec::new();
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        members.push(&group[start..i]);
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        members.push(&group[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            return members
                .into_iter()
                .flat_map(|m| paths(m.trim(), path.clone()))
                .collect();
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        if name.is_empty() || name == "self" {
            break;
        }
        path.push(name.to_string());
        match rest[end..].strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    vec![path.join("::")]
}

/// Every source file below `src/` with its module path (`src/query/plan.rs` →
/// `query::plan`, `src/parse/mod.rs` → `parse`).
fn modules(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let module = match (prefix, stem.as_str()) {
            (p, "mod") => p.to_string(),
            ("", s) => s.to_string(),
            (p, s) => format!("{p}::{s}"),
        };
        if path.is_dir() {
            modules(&path, &module, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && !(prefix.is_empty() && (stem == "lib" || stem == "main"))
        {
            out.push((module, path));
        }
    }
}

#[test]
fn no_module_uses_a_later_stage() {
    let mut files = Vec::new();
    modules(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "",
        &mut files,
    );
    assert!(files.len() > 20, "{files:?}");
    let mut problems = Vec::new();
    for (module, path) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let is_mod = path.ends_with("mod.rs");
        let parent = module.rsplit_once("::").map_or("", |(p, _)| p).to_string();
        let used = uses(&text, &parent);
        let Some((own, own_name)) = stage_of(module) else {
            // A folder's `mod.rs` that only declares its stages' modules is no stage.
            if !(is_mod && used.is_empty()) {
                problems.push(format!("{module} is in no stage of the pipeline"));
            }
            continue;
        };
        for u in used {
            match stage_of(&u) {
                Some((s, _)) if s < own => {}
                Some((0, name)) if own == 0 && name != own_name => {}
                Some((s, name)) if s == own && name == own_name => {}
                Some(_) => problems.push(format!("{} uses {u}, a later stage", path.display())),
                None => problems.push(format!("{} uses {u}, which is in no stage", path.display())),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_stage_test_sees_a_backward_use() {
    assert_eq!(
        uses(
            "use crate::search::hits::Hit; crate::index::store::Store",
            ""
        ),
        ["search::hits", "index::store"]
    );
    assert_eq!(uses("use super::lines::Line;", "parse"), ["parse::lines"]);
    assert_eq!(
        uses(
            "use crate::{api, parse::Date, Config}; use crate::query::{parse::check, plan::plan};",
            ""
        ),
        ["api", "parse", "query::parse::check", "query::plan::plan"]
    );
    assert!(stage_of("search::hits") > stage_of("index::store"));
    assert_eq!(stage_of("parse::date").map(|s| s.1), Some("parse"));
    assert_eq!(stage_of("query"), None);
}
