//! Shared helpers: run the real binary, make temporary corpora, and judge
//! relevance files (`queries.tsv`) and parser truth (`*_truth.json`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_protokollsok"))
}

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs the binary with `args`, returning its output.
pub fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Copies the protocol files (.txt, .md) of `dirs` into a fresh corpus folder.
pub fn corpus_from(dirs: &[PathBuf], into: &Path) {
    std::fs::create_dir_all(into).unwrap();
    for d in dirs {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if p.is_file() && matches!(ext, "txt" | "md" | "markdown" | "org") {
                std::fs::copy(&p, into.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
}

fn norm(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc().collect::<String>().to_lowercase()
}

/// A fresh copy of the shipped archive in a temporary folder, indexed there:
/// (the folder, which must live as long as the test, its corpus, its index).
pub fn indexed_archive() -> (tempfile::TempDir, PathBuf, PathBuf) {
    indexed_copy(&[repo("corpus")])
}

/// The protocol files of `dirs` copied into a temporary corpus and indexed there.
pub fn indexed_copy(dirs: &[PathBuf]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    corpus_from(dirs, &corpus);
    let index = tmp.path().join("index");
    let out = run(&[
        "index",
        "--corpus",
        corpus.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    (tmp, corpus, index)
}

/// Judges a `queries.tsv` file and fails the test, listing each failure, unless all pass.
pub fn assert_judgments_pass(queries: &Path, index: &Path, corpus: &Path, at_least: usize) {
    let (n, failures) = judge_queries(queries, index, corpus);
    assert!(
        n >= at_least,
        "only {n} judgments read from {}",
        queries.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {n} judgments failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Judges every line of a `queries.tsv` file against an index; returns the failures.
pub fn judge_queries(queries: &Path, index: &Path, corpus: &Path) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(queries).unwrap();
    let mut failures = Vec::new();
    let mut judged = 0;
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "malformed judgment: {line}");
        let (query, filters, expected, k) =
            (cols[0], cols[1], cols[2], cols[3].parse::<usize>().unwrap());
        let mut args: Vec<String> = vec![
            "search".into(),
            query.into(),
            "--index".into(),
            index.display().to_string(),
            "--corpus".into(),
            corpus.display().to_string(),
            "--json".into(),
            "--limit".into(),
            "50".into(),
        ];
        if filters != "-" {
            for kv in filters.split(';') {
                let (key, val) = kv.split_once('=').unwrap();
                args.push(format!("--{key}"));
                if key != "decisions" {
                    args.push(val.to_string());
                }
            }
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&refs);
        judged += 1;
        let code = out.status.code().unwrap_or(-1);
        if code != 0 && code != 1 {
            failures.push(format!("{query:?}: exit {code}: {}", stderr(&out)));
            continue;
        }
        let v: Value = serde_json::from_str(&stdout(&out)).unwrap_or(Value::Null);
        let hits: Vec<(String, String)> = v["hits"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|h| {
                        (
                            h["date"].as_str().unwrap_or("").to_string(),
                            h["item_title"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let matches = |h: &(String, String), date: &str, title: Option<&str>| {
            h.0 == date && title.is_none_or(|t| norm(&h.1).contains(&norm(t)))
        };
        for entry in expected.split(';') {
            let (negate, entry) = match entry.strip_prefix('!') {
                Some(e) => (true, e),
                None => (false, entry),
            };
            let (date, title) = match entry.split_once('|') {
                Some((d, t)) => (d, Some(t)),
                None => (entry, None),
            };
            if negate {
                if hits.iter().any(|h| matches(h, date, title)) {
                    failures.push(format!("{query:?} [{filters}]: unexpected {entry}"));
                }
            } else if !hits.iter().take(k).any(|h| matches(h, date, title)) {
                let got: Vec<String> = hits
                    .iter()
                    .take(k)
                    .map(|h| format!("{}|{}", h.0, h.1))
                    .collect();
                failures.push(format!(
                    "{query:?} [{filters}]: missing {entry} in top {k}; got {got:?}"
                ));
            }
        }
    }
    (judged, failures)
}

/// Checks `parse --json` of every file named in a truth file; returns the failures.
pub fn judge_truth(truth: &Path, corpus: &Path, check_presenters: bool) -> (usize, Vec<String>) {
    let truth: Value = serde_json::from_str(&std::fs::read_to_string(truth).unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut judged = 0;
    for (name, want) in truth.as_object().unwrap() {
        if name == "about" {
            continue;
        }
        judged += 1;
        let path = corpus.join(name);
        let out = run(&["parse", path.to_str().unwrap(), "--json"]);
        let rec: Value = match serde_json::from_str(&stdout(&out)) {
            Ok(v) => v,
            Err(_) => {
                failures.push(format!("{name}: no JSON ({})", stderr(&out)));
                continue;
            }
        };
        let mut problems = Vec::new();
        if let Some(d) = want.get("date").and_then(Value::as_str) {
            if rec["date"].as_str() != Some(d) {
                problems.push(format!("date {} != {d}", rec["date"]));
            }
        }
        if let Some(g) = want.get("group").and_then(Value::as_str) {
            if !norm(rec["group"].as_str().unwrap_or("")).contains(&norm(g)) {
                problems.push(format!("group {} lacks {g:?}", rec["group"]));
            }
        }
        let items = rec["items"].as_array().cloned().unwrap_or_default();
        let titles: Vec<String> = items
            .iter()
            .map(|i| norm(i["title"].as_str().unwrap_or("")))
            .collect();
        let mut pos = 0;
        for t in want
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let t = norm(t.as_str().unwrap());
            match (pos..titles.len()).find(|&j| titles[j].contains(&t)) {
                Some(j) => pos = j + 1,
                None => problems.push(format!("item {t:?} missing or out of order")),
            }
        }
        let persons: Vec<String> = rec["persons"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| norm(p["name"].as_str().unwrap_or("")))
            .collect();
        for p in want
            .get("persons")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !persons.contains(&norm(p.as_str().unwrap())) {
                problems.push(format!("person {p} missing"));
            }
        }
        for p in want
            .get("not_persons")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if persons.contains(&norm(p.as_str().unwrap())) {
                problems.push(format!("non-person {p} listed as person"));
            }
        }
        if check_presenters {
            let presenters: Vec<String> = items
                .iter()
                .flat_map(|i| i["presenters"].as_array().cloned().unwrap_or_default())
                .map(|p| norm(p.as_str().unwrap_or("")))
                .collect();
            for p in want
                .get("presenters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if !presenters.contains(&norm(p.as_str().unwrap())) {
                    problems.push(format!("presenter {p} missing"));
                }
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}", problems.join("; ")));
        }
    }
    (judged, failures)
}

/// Compares a JSON answer, as a typed value, with the frozen one in
/// `tests/golden/<name>.json`. `took_ms` (a timing) is left out. With
/// `UPDATE_GOLDEN=1` the file is written instead, so a change made on purpose is
/// one command and a reviewable diff.
pub fn assert_golden(name: &str, mut value: Value) {
    strip_timings(&mut value);
    let path = repo("tests/golden").join(format!("{name}.json"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let text = serde_json::to_string_pretty(&value).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display())),
    )
    .unwrap();
    if want != value {
        panic!(
            "{name}: the answer differs from {}\n{}",
            path.display(),
            first_difference(&want, &value, "")
        );
    }
}

/// Takes out what depends on when the test ran: timings and index times.
fn strip_timings(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("took_ms");
            map.remove("indexed");
            map.values_mut().for_each(strip_timings);
        }
        Value::Array(list) => list.iter_mut().for_each(strip_timings),
        _ => {}
    }
}

/// Where two JSON values first part, as a path and both sides.
fn first_difference(want: &Value, got: &Value, at: &str) -> String {
    match (want, got) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) if va != vb => return first_difference(va, vb, &format!("{at}.{k}")),
                    None => return format!("{at}.{k}: missing"),
                    _ => {}
                }
            }
            if let Some(k) = b.keys().find(|k| !a.contains_key(*k)) {
                return format!("{at}.{k}: not expected");
            }
            format!("{at}: differs")
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                if va != vb {
                    return first_difference(va, vb, &format!("{at}[{i}]"));
                }
            }
            format!("{at}: differs")
        }
        _ => format!("{at}: expected {want}, got {got}"),
    }
}
