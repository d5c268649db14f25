//! `protokollsok export --opensearch DIR` on the shipped archive: the files are
//! well-formed, every document's fields are in the template's mapping, the
//! documents are the items the index holds, and every file the template names is
//! exported with it. No OpenSearch runs here; the files are checked as OpenSearch
//! would read them.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;
use serde_json::{Map, Value};

fn export(index: &Path, corpus: &Path, dir: &Path) -> std::process::Output {
    run(&[
        "export",
        "--opensearch",
        dir.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ])
}

fn json_of(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every value of a key ending in `_path` anywhere in `v`.
fn named_paths(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                match x.as_str() {
                    Some(s) if k.ends_with("_path") => out.push(s.to_string()),
                    _ => named_paths(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| named_paths(x, out)),
        _ => {}
    }
}

/// The problems of one source value against its mapping: a field the mapping does
/// not name, or a value of the wrong shape for its type (objects recursively).
fn check_value(at: &str, v: &Value, mapping: &Value, problems: &mut Vec<String>) {
    if let Value::Array(a) = v {
        for x in a {
            check_value(at, x, mapping, problems);
        }
        return;
    }
    match (mapping.get("properties"), mapping["type"].as_str()) {
        (Some(props), _) => match v.as_object() {
            Some(o) => check_object(&format!("{at}."), o, props, problems),
            None => problems.push(format!("{at}: {v} is no object")),
        },
        (None, Some("keyword" | "text")) if !v.is_string() => {
            problems.push(format!("{at}: {v} is no string"))
        }
        (None, Some("date")) => {
            let s = v.as_str().unwrap_or("");
            let ok = s.len() == 10
                && s.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            if !ok {
                problems.push(format!("{at}: {v} is no strict_date"));
            }
        }
        (None, Some("integer")) if !v.is_u64() => problems.push(format!("{at}: {v} is no integer")),
        (None, Some(_)) => {}
        (None, None) => problems.push(format!("{at}: the mapping has no type")),
    }
}

fn check_object(at: &str, o: &Map<String, Value>, props: &Value, problems: &mut Vec<String>) {
    for (k, v) in o {
        match props.get(k) {
            Some(m) => check_value(&format!("{at}{k}"), v, m, problems),
            None => problems.push(format!("{at}{k} is not in the mapping")),
        }
    }
}

/// The analyzers and token filters a mapping's fields name, recursively.
fn named_analyzers(mapping: &Value, out: &mut BTreeSet<String>) {
    if let Some(o) = mapping.as_object() {
        for (k, v) in o {
            match v.as_str() {
                Some(s) if k == "analyzer" || k == "search_analyzer" => {
                    out.insert(s.to_string());
                }
                _ => named_analyzers(v, out),
            }
        }
    }
}

#[test]
fn the_export_is_a_template_its_lexicon_files_and_the_items_of_the_index() {
    let (tmp, corpus, index) = indexed_archive();
    let dir = tmp.path().join("opensearch");
    let out = export(&index, &corpus, &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("exported"), "{}", stdout(&out));

    // The template, as `PUT _index_template` takes it.
    let template = json_of(&dir.join("index-template.json"));
    assert_eq!(
        template["index_patterns"],
        serde_json::json!(["protokollsok*"])
    );
    let analysis = &template["template"]["settings"]["analysis"];
    let mapping = &template["template"]["mappings"];
    assert_eq!(mapping["dynamic"], "strict");
    let props = &mapping["properties"];
    for facet in [
        "group",
        "organisation",
        "party",
        "person",
        "topic",
        "year",
        "month",
        "decision",
        "kind",
    ] {
        assert_eq!(props[facet]["type"], "keyword", "facet {facet}");
    }
    assert_eq!(props["date"]["type"], "date");
    assert_eq!(props["title"]["analyzer"], "swedish_protokoll");

    // Every analyzer a field names is defined, and every filter of an analyzer is
    // defined or built in; the chain holds the lexicon, the stemmer and the synonyms.
    let mut analyzers = BTreeSet::new();
    named_analyzers(mapping, &mut analyzers);
    assert!(analyzers.contains("swedish_protokoll"), "{analyzers:?}");
    let mut types = BTreeMap::new();
    for name in &analyzers {
        let a = &analysis["analyzer"][name];
        assert_eq!(a["tokenizer"], "standard", "{name}");
        for f in a["filter"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no filters"))
        {
            let f = f.as_str().unwrap();
            let ty = match f {
                "lowercase" | "asciifolding" => f.to_string(),
                _ => analysis["filter"][f]["type"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}: filter {f} is not defined"))
                    .to_string(),
            };
            types.entry(name.clone()).or_insert_with(Vec::new).push(ty);
        }
    }
    assert_eq!(
        types["swedish_protokoll"],
        [
            "lowercase",
            "dictionary_decompounder",
            "hunspell",
            "stemmer"
        ]
    );
    assert_eq!(
        types[props["title"]["search_analyzer"].as_str().unwrap()],
        ["lowercase", "synonym_graph", "hunspell", "stemmer"]
    );
    let filters = analysis["filter"].as_object().unwrap();
    let hunspell = filters.values().find(|f| f["type"] == "hunspell").unwrap();
    assert_eq!(hunspell["locale"], "sv_SE");
    let stemmer = filters.values().find(|f| f["type"] == "stemmer").unwrap();
    assert_eq!(stemmer["language"], "swedish");

    // Every file the template names is exported with it, where a node's config
    // folder will have it once `hunspell/` and `analysis/` are copied there.
    let mut paths = Vec::new();
    named_paths(&template, &mut paths);
    assert!(paths.len() >= 2, "{paths:?}");
    for p in &paths {
        let file = dir.join(p);
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{p}: {e}"));
        assert!(
            text.lines()
                .any(|l| !l.starts_with('#') && !l.trim().is_empty()),
            "{p} is empty"
        );
    }
    let locale_dir = dir
        .join("hunspell")
        .join(hunspell["locale"].as_str().unwrap());
    let with_ext = |ext: &str| -> Vec<String> {
        std::fs::read_dir(&locale_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(ext))
            .collect()
    };
    assert_eq!(with_ext(".aff"), ["sv_SE.aff"]);
    assert_eq!(with_ext(".dic"), ["sv_SE.dic"]);
    assert!(locale_dir.join("LGPL-3.txt").is_file());

    // The affix file is hunspell's syntax: SET first, each SFX header's count its
    // rule lines; the dictionary's count its lines and its flags defined.
    let aff = std::fs::read_to_string(locale_dir.join("sv_SE.aff")).unwrap();
    let lines: Vec<&str> = aff.lines().collect();
    assert_eq!(lines[0], "SET UTF-8");
    let mut defined = BTreeSet::new();
    let (mut i, mut headers) = (0, 0);
    while i < lines.len() {
        let f: Vec<&str> = lines[i].split_whitespace().collect();
        if f.first() == Some(&"SFX") {
            assert_eq!(f.len(), 4, "header {}", lines[i]);
            assert!(matches!(f[2], "Y" | "N"), "{}", lines[i]);
            let n: usize = f[3].parse().unwrap();
            for rule in &lines[i + 1..i + 1 + n] {
                let r: Vec<&str> = rule.split_whitespace().collect();
                assert_eq!(r.len(), 5, "rule {rule}");
                assert_eq!((r[0], r[1]), ("SFX", f[1]), "rule {rule}");
            }
            let after = lines.get(i + 1 + n).copied().unwrap_or("");
            assert!(!after.starts_with("SFX"), "more rules than {n}: {after}");
            defined.extend(f[1].chars());
            headers += 1;
            i += n + 1;
        } else {
            if let [directive, flag] = f[..] {
                if directive.contains("COMPOUND") && directive != "COMPOUNDMIN"
                    || directive == "NEEDAFFIX"
                {
                    defined.extend(flag.chars());
                }
            }
            i += 1;
        }
    }
    assert!(headers > 20, "{headers} SFX groups");
    let dic = std::fs::read_to_string(locale_dir.join("sv_SE.dic")).unwrap();
    let mut dic_lines = dic.lines();
    let count: usize = dic_lines.next().unwrap().parse().unwrap();
    assert_eq!(count, dic_lines.clone().count());
    assert!(count > 100_000, "{count}");
    let undefined: BTreeSet<char> = dic_lines
        .filter_map(|l| l.split_once('/'))
        .flat_map(|(_, flags)| flags.chars())
        .filter(|c| !defined.contains(c))
        .collect();
    assert!(undefined.is_empty(), "flags without a rule: {undefined:?}");

    // The synonyms: the shipped list and what the archive defines, as Solr rules.
    let synonyms = std::fs::read_to_string(
        dir.join(
            filters
                .values()
                .find_map(|f| f["synonyms_path"].as_str())
                .unwrap(),
        ),
    )
    .unwrap();
    let rules: Vec<&str> = synonyms
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    assert!(
        rules.contains(&"BUP, barn- och ungdomspsykiatri"),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"IKB, intensiv kontextuell behandling"),
        "{rules:?}"
    );
    assert!(
        rules.iter().all(|r| r.split(", ").count() >= 2),
        "{rules:?}"
    );

    // The bulk files: numbered from 1, bounded, action and source lines in pairs,
    // each document in the mapping.
    let mut bulk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("bulk-"))
        .collect();
    bulk.sort();
    assert!(!bulk.is_empty());
    for (n, name) in bulk.iter().enumerate() {
        assert_eq!(*name, format!("bulk-{:04}.ndjson", n + 1));
    }
    let mut ids = BTreeSet::new();
    let mut per_protocol: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
    let mut problems = Vec::new();
    for name in &bulk {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(text.ends_with('\n'), "{name} does not end with a newline");
        assert!(
            text.len() <= 10 * 1024 * 1024,
            "{name}: {} bytes",
            text.len()
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len() % 2, 0, "{name}: an action without its source");
        assert!(
            lines.len() / 2 <= 5_000,
            "{name}: {} documents",
            lines.len() / 2
        );
        for pair in lines.chunks(2) {
            let action: Value = serde_json::from_str(pair[0]).unwrap();
            let source: Value = serde_json::from_str(pair[1]).unwrap();
            let meta = action["index"]
                .as_object()
                .unwrap_or_else(|| panic!("{}", pair[0]));
            assert_eq!(action.as_object().unwrap().len(), 1, "{}", pair[0]);
            assert_eq!(meta["_index"], "protokollsok");
            let id = meta["_id"].as_str().unwrap().to_string();
            let source = source.as_object().unwrap_or_else(|| panic!("{}", pair[1]));
            assert!(
                source.get("index").is_none(),
                "a source line is an action: {}",
                pair[1]
            );
            check_object("", source, props, &mut problems);
            let protocol = source["protocol_id"].as_str().unwrap().to_string();
            let ord = source["item_ord"].as_u64().unwrap();
            assert_eq!(id, format!("{protocol}-{ord}"));
            assert!(ids.insert(id.clone()), "{id} twice");
            per_protocol
                .entry(protocol)
                .or_default()
                .push((ord, source["title"].as_str().unwrap().to_string()));
            for key in ["file", "group", "kind", "title", "text", "decision"] {
                assert!(source.contains_key(key), "{id} has no {key}");
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // As many documents as the index holds items; each protocol's items as `show`
    // reads them back, in order.
    let out = run(&[
        "search",
        "",
        "--json",
        "--limit",
        "1",
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ]);
    let total = serde_json::from_str::<Value>(&stdout(&out)).unwrap()["total"]
        .as_u64()
        .unwrap();
    assert_eq!(ids.len() as u64, total);
    assert_eq!(
        per_protocol.len(),
        std::fs::read_dir(&corpus).unwrap().count()
    );
    for (id, mut items) in per_protocol {
        let out = run(&[
            "show",
            &id,
            "--json",
            "--index",
            index.to_str().unwrap(),
            "--corpus",
            corpus.to_str().unwrap(),
        ]);
        let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let titles: Vec<&str> = shown["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap())
            .collect();
        items.sort();
        let exported: Vec<&str> = items.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(exported, titles, "{id}");
    }

    // The README says how to load it.
    let readme = std::fs::read_to_string(dir.join("README.txt")).unwrap();
    for needle in ["_index_template/protokollsok", "_bulk", "hunspell/sv_SE"] {
        assert!(readme.contains(needle), "README.txt lacks {needle}");
    }
}

#[test]
fn an_export_takes_only_a_new_or_empty_folder_or_its_own() {
    let (tmp, corpus, index) = indexed_archive();

    // Other files: refused, untouched.
    let other = tmp.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let out = export(&index, &corpus, &other);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
    assert!(stderr(&out).contains("notes.txt"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);

    // A file where the folder should be: refused.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = export(&index, &corpus, &file);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));

    // An empty folder is taken; a previous export is replaced, a bulk file it no
    // longer writes removed; bulk files alone are no export.
    let dir = tmp.path().join("empty");
    std::fs::create_dir_all(&dir).unwrap();
    let out = export(&index, &corpus, &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let stale = dir.join("bulk-0099.ndjson");
    std::fs::write(&stale, "{}\n{}\n").unwrap();
    let out = export(&index, &corpus, &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("replaced"), "{}", stdout(&out));
    assert!(!stale.exists());
    assert!(dir.join("bulk-0001.ndjson").is_file());

    let only_bulk = tmp.path().join("only-bulk");
    std::fs::create_dir_all(&only_bulk).unwrap();
    std::fs::write(only_bulk.join("bulk-0001.ndjson"), "").unwrap();
    let out = export(&index, &corpus, &only_bulk);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
