//! The modules form a pipeline: each uses only the stages before it (see
//! `ARCHITECTURE.md`). This test reads the sources and fails when a module names a
//! module of a later stage, or one that is not placed in the pipeline at all.

use std::path::Path;

/// The stages in order; modules of one stage may use each other only when listed in
/// separate stages. `error` and `config` are the foundation every stage may use.
const STAGES: &[&[&str]] = &[
    &["error", "config"],
    &["read"],
    &["clean"],
    &["parse"],
    &["lexicon"],
    &["analysis"],
    &["synonyms"],
    &["facets"],
    &["variants"],
    &["index"],
    &["snippet"],
    &["query"],
    &["search"],
    &["trend", "profile", "eval"],
    &["engine"],
    &["api"],
    &["server"],
];

fn stage_of(module: &str) -> Option<usize> {
    STAGES.iter().position(|s| s.contains(&module))
}

/// The crate modules a source file names (`crate::x`, `crate::x::y`).
fn uses(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (p, _) in source.match_indices("crate::") {
        let name: String = source[p + "crate::".len()..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

#[test]
fn no_module_uses_a_later_stage() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<(String, std::path::PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            for sub in std::fs::read_dir(&path).unwrap() {
                files.push((name.clone(), sub.unwrap().path()));
            }
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main" {
            files.push((name, path));
        }
    }
    let mut problems = Vec::new();
    for (module, path) in &files {
        let Some(own) = stage_of(module) else {
            problems.push(format!("{module} is in no stage of the pipeline"));
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap();
        for used in uses(&text) {
            match stage_of(&used) {
                Some(s) if s < own || (s == 0 && own == 0 && used != *module) => {}
                Some(s) if s == own && used == *module => {}
                Some(_) => problems.push(format!("{} uses {used}, a later stage", path.display())),
                None => problems.push(format!(
                    "{} uses {used}, which is in no stage",
                    path.display()
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_stage_test_sees_a_backward_use() {
    assert_eq!(
        uses("use crate::search::Hit; crate::index::Store"),
        ["search", "index"]
    );
    assert!(stage_of("search") > stage_of("index"));
}
