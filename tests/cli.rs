//! The command line as a script uses it: exit codes, JSON shapes, bad input,
//! incremental indexing and the protocol view.

mod common;

use common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

fn index_of(corpus: &Path, index: &Path) -> std::process::Output {
    index_with(corpus, index, &[])
}

/// `index` of `corpus` into `index`, with the files `paths` named.
fn index_with(corpus: &Path, index: &Path, paths: &[&Path]) -> std::process::Output {
    let mut args = vec![
        "index",
        "--corpus",
        corpus.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    run(&args)
}

fn search_json(index: &Path, corpus: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "search",
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    let v = serde_json::from_str(&stdout(&out)).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), v)
}

#[test]
fn bad_files_are_skipped_with_a_reason_and_the_rest_is_indexed() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    corpus_from(&[repo("tests/fixtures/bad"), repo("corpus")], &corpus);
    std::fs::write(corpus.join("notes.pdf"), b"%PDF-1.4").unwrap();
    std::fs::write(corpus.join("notes.xlsx"), b"PK").unwrap();
    let index = tmp.path().join("index");
    let out = index_of(&corpus, &index);
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.contains("skipped binary.txt: binary file"), "{text}");
    assert!(text.contains("skipped empty.txt: empty file"), "{text}");
    assert!(
        text.contains("skipped whitespace_only.txt: empty file"),
        "{text}"
    );
    assert!(text.contains("skipped notes.pdf: a broken PDF"), "{text}");
    assert!(
        text.contains("skipped notes.xlsx: unsupported file type"),
        "{text}"
    );
    assert!(text.contains("indexed 6 files"), "{text}");
    // The Latin-1 file was decoded: its words are findable in UTF-8.
    let (code, v) = search_json(&index, &corpus, &["Åkerlund öppnade"]);
    assert_eq!(code, 0, "{v}");
    assert!(v["hits"][0]["file"].as_str().unwrap().contains("latin1"));
}

#[test]
fn parse_refuses_binary_input_clearly() {
    let out = run(&[
        "parse",
        repo("tests/fixtures/bad/binary.txt").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("binary file"));
}

#[test]
fn reindexing_reads_only_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    corpus_from(&[repo("corpus")], &corpus);
    let index = tmp.path().join("index");
    assert!(stdout(&index_of(&corpus, &index)).contains("indexed 5 files"));
    assert!(stdout(&index_of(&corpus, &index))
        .contains("indexed 0 files (0 items), unchanged 5, removed 0"));

    // Change one file, delete another.
    let changed = corpus.join("002_99a661715dc34129.txt");
    let mut text = std::fs::read_to_string(&changed).unwrap();
    text = text.replace(
        "Kompetensförsörjning i Kalmar län",
        "Kompetensförsörjning och rekrytering i Kalmar län",
    );
    std::fs::write(&changed, text).unwrap();
    std::fs::remove_file(corpus.join("004_f6168a296ee81afc.txt")).unwrap();
    let report = stdout(&index_of(&corpus, &index));
    assert!(report.contains("indexed 1 files"), "{report}");
    assert!(report.contains("unchanged 3, removed 1"), "{report}");

    let (_, v) = search_json(&index, &corpus, &["rekrytering"]);
    assert_eq!(v["hits"][0]["date"], "2026-03-12");
    let (code, _) = search_json(&index, &corpus, &["presidiekonferensen"]);
    assert_eq!(code, 1, "the deleted protocol is gone from the index");
}

/// `index PATH…` indexes the named files alone (new, changed, deleted; named from
/// anywhere, relative or absolute) and looks at nothing else; a path outside the
/// corpus is refused with exit 2.
#[test]
fn index_with_paths_reads_those_files_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    corpus_from(&[repo("corpus")], &corpus);
    let index = tmp.path().join("index");
    assert!(index_of(&corpus, &index).status.success());

    let changed = corpus.join("002_99a661715dc34129.txt");
    let text = std::fs::read_to_string(&changed).unwrap();
    std::fs::write(&changed, text.replace("Kalmar län", "Kalmar län och Öland")).unwrap();
    std::fs::write(corpus.join("ny.txt"), tiny_protocol("vattenskoterled")).unwrap();
    std::fs::write(corpus.join("ej_nämnd.txt"), tiny_protocol("hundrastgård")).unwrap();
    let deleted = corpus.join("004_f6168a296ee81afc.txt");
    std::fs::remove_file(&deleted).unwrap();

    let out = bin()
        .current_dir(&corpus)
        .args(["index", "--corpus"])
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .arg("ny.txt")
        .arg(&changed)
        .arg(&deleted)
        .output()
        .unwrap();
    let report = stdout(&out);
    assert!(out.status.success(), "{report}{}", stderr(&out));
    assert!(report.contains("indexed 2 files"), "{report}");
    assert!(report.contains("removed 1"), "{report}");

    // The file not named was not looked at: a whole run finds it still to do.
    let whole = stdout(&index_of(&corpus, &index));
    assert!(whole.contains("indexed 1 files"), "{whole}");
    assert!(whole.contains("unchanged 5, removed 0"), "{whole}");
    let (code, _) = search_json(&index, &corpus, &["vattenskoterled"]);
    assert_eq!(code, 0);
    let (code, _) = search_json(&index, &corpus, &["presidiekonferensen"]);
    assert_eq!(code, 1, "the deleted protocol is gone from the index");

    let elsewhere = tmp.path().join("utanför.txt");
    std::fs::write(&elsewhere, tiny_protocol("utanför")).unwrap();
    let out = index_with(&corpus, &index, &[&elsewhere]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not in the corpus folder"),
        "{}",
        stderr(&out)
    );
}

/// An edit that keeps the size and the mtime's second, made in the second the last
/// run started, is still found: such files are hashed again.
#[test]
fn an_edit_in_the_same_second_as_the_last_run_is_indexed() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    corpus_from(&[repo("corpus")], &corpus);
    let index = tmp.path().join("index");
    let file = corpus.join("002_99a661715dc34129.txt");
    // The mtime the edit will keep: a second that is not older than the run's start.
    let when = std::time::SystemTime::now() + std::time::Duration::from_secs(30);
    let set_mtime = |t| {
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(t)
            .unwrap()
    };
    set_mtime(when);
    assert!(index_of(&corpus, &index).status.success());
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replacen("Kalmar", "Xalmar", 1);
    assert_eq!(edited.len(), text.len());
    assert_ne!(edited, text);
    std::fs::write(&file, edited).unwrap();
    set_mtime(when);
    let report = stdout(&index_of(&corpus, &index));
    assert!(report.contains("indexed 1 files"), "{report}");
    let (code, v) = search_json(&index, &corpus, &["Xalmar"]);
    assert_eq!(code, 0, "{v}");
    // Read again to be sure, and unchanged: nothing is rewritten.
    let again = stdout(&index_of(&corpus, &index));
    assert!(again.contains("indexed 0 files"), "{again}");
}

/// A small protocol whose one item says `word`.
fn tiny_protocol(word: &str) -> String {
    format!(
        "Protokoll från samverkansmöte\n\nDatum: 2024-05-06\n\n§ 1 Information om {word}\n\nGruppen informerades om {word} och diskuterade frågan.\n"
    )
}

/// File names, encodings and links as real folders have them: names that differ
/// only in a non-UTF-8 byte are two files in every run; UTF-16 with a BOM is read; a
/// UTF-8 file with a bad byte stays UTF-8 and says so; a link loop is walked once;
/// links out of the corpus are not followed.
#[cfg(unix)]
#[test]
fn names_encodings_and_links_are_read_as_they_are() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(corpus.join("år")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let latin = |b: &[u8]| corpus.join(std::ffi::OsStr::from_bytes(b));
    std::fs::write(latin(b"m\xf6te.txt"), tiny_protocol("blåbärsplan")).unwrap();
    std::fs::write(latin(b"m\xe4te.txt"), tiny_protocol("lingonplan")).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            tiny_protocol("hjortronplan")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    std::fs::write(corpus.join("år/unicode.txt"), utf16).unwrap();
    let mut bad = tiny_protocol("smultronplan").into_bytes();
    bad.extend_from_slice(b"Sista raden \xff slut.\n");
    std::fs::write(corpus.join("år/trasig.txt"), bad).unwrap();
    std::fs::write(outside.join("utanfor.txt"), tiny_protocol("tranbärsplan")).unwrap();
    std::os::unix::fs::symlink("..", corpus.join("år/loop")).unwrap();
    std::os::unix::fs::symlink(&outside, corpus.join("ut")).unwrap();
    std::os::unix::fs::symlink("..", corpus.join("upp")).unwrap();
    let index = tmp.path().join("index");
    for run in 0..3 {
        // Touch both Latin-1 names between runs: each run reads them again.
        for b in [&b"m\xf6te.txt"[..], b"m\xe4te.txt"] {
            let f = std::fs::File::options().write(true).open(latin(b)).unwrap();
            f.set_modified(
                std::time::SystemTime::now() - std::time::Duration::from_secs(100 - run),
            )
            .unwrap();
        }
        let out = index_of(&corpus, &index);
        assert!(out.status.success(), "{}", stderr(&out));
        if run == 0 {
            let report = stdout(&out);
            assert!(report.contains("indexed 4 files"), "{report}");
            assert!(
                report.contains("warning år/trasig.txt: 1 malformed UTF-8 sequences replaced"),
                "{report}"
            );
        }
        for word in ["blåbärsplan", "lingonplan", "hjortronplan", "smultronplan"] {
            let (code, v) = search_json(&index, &corpus, &[word]);
            assert_eq!(code, 0, "run {run}: {word} {v}");
            assert_eq!(v["total"], 1, "run {run}: {word} once, not once per link");
        }
        let (code, _) = search_json(&index, &corpus, &["tranbärsplan"]);
        assert_eq!(code, 1, "a link out of the corpus is not followed");
    }
    let (_, v) = search_json(&index, &corpus, &["blåbärsplan"]);
    assert_eq!(v["hits"][0]["file"], "m%F6te.txt");
    let (_, v) = search_json(&index, &corpus, &["smultronplan"]);
    assert!(v["hits"][0]["snippet"].is_string());
}

#[test]
fn search_updates_a_stale_index_by_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    corpus_from(&[repo("corpus")], &corpus);
    let index = tmp.path().join("index");
    // No index yet: search builds it.
    let (code, v) = search_json(&index, &corpus, &["IKB finansiering"]);
    assert_eq!(code, 0);
    assert_eq!(
        v["hits"][0]["item_title"],
        "Intensiv kontextuell behandling (IKB)"
    );
    // A new file appears: the next search sees it.
    std::fs::write(
        corpus.join("new.md"),
        "# Protokoll Testgruppen 2027-01-15\n\n## 1. Zebraprojektet\n\nZebror i vården.\n",
    )
    .unwrap();
    let (code, v) = search_json(&index, &corpus, &["zebraprojektet"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["hits"][0]["date"], "2027-01-15");
    // A new folder with a file, and a file removed: both are seen.
    std::fs::create_dir_all(corpus.join("2027/vår")).unwrap();
    std::fs::write(
        corpus.join("2027/vår/ny.md"),
        "# Protokoll Testgruppen 2027-03-01\n\n## 1. Giraffprojektet\n\nGiraffer.\n",
    )
    .unwrap();
    std::fs::remove_file(corpus.join("new.md")).unwrap();
    let (code, v) = search_json(&index, &corpus, &["giraffprojektet"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["hits"][0]["date"], "2027-03-01");
    let (code, _) = search_json(&index, &corpus, &["zebraprojektet"]);
    assert_eq!(code, 1, "a removed file is no longer found");
}

#[test]
fn facet_counts_do_not_depend_on_the_stored_tables() {
    let (_tmp, corpus, index) = indexed_archive();
    assert!(index.join("facets").read_dir().unwrap().count() > 0);
    let (_, with_tables) = search_json(&index, &corpus, &["samverkan"]);
    // Without the tables, and with a damaged one, the counts are the same.
    let tables: Vec<_> = std::fs::read_dir(index.join("facets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    std::fs::write(&tables[0], b"not a table").unwrap();
    let (_, damaged) = search_json(&index, &corpus, &["samverkan"]);
    std::fs::remove_dir_all(index.join("facets")).unwrap();
    let (_, without) = search_json(&index, &corpus, &["samverkan"]);
    assert!(with_tables["facets"]["person"].as_array().unwrap().len() > 5);
    assert_eq!(with_tables["facets"], damaged["facets"]);
    assert_eq!(with_tables["facets"], without["facets"]);
}

#[test]
fn exit_codes_follow_grep() {
    let (_tmp, corpus, index) = indexed_archive();
    assert_eq!(search_json(&index, &corpus, &["vård"]).0, 0);
    assert_eq!(search_json(&index, &corpus, &["xyzzyqwerty"]).0, 1);
    for bad in ["\"barn och", "OR vård", "vård*x"] {
        let out = run(&[
            "search",
            bad,
            "--index",
            index.to_str().unwrap(),
            "--corpus",
            corpus.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&out).contains("bad query"),
            "{bad}: {}",
            stderr(&out)
        );
    }
    let out = run(&[
        "search",
        "vård",
        "--from",
        "2026-13-01",
        "--index",
        index.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&[
        "search",
        "vård",
        "--limit",
        "100000",
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn search_json_has_the_documented_shape() {
    let (_tmp, corpus, index) = indexed_archive();
    let (_, v) = search_json(&index, &corpus, &["suicidprevention", "--limit", "3"]);
    for key in ["query", "total", "hits", "facets"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let hit = &v["hits"][0];
    for key in [
        "protocol_id",
        "file",
        "date",
        "group",
        "item_number",
        "item_title",
        "score",
        "snippet",
    ] {
        assert!(hit.get(key).is_some(), "hit lacks {key}");
    }
    assert!(hit["snippet"].as_str().unwrap().contains("<mark>"));
    for facet in ["group", "person", "topic", "year"] {
        let values = v["facets"][facet]
            .as_array()
            .unwrap_or_else(|| panic!("facet {facet}"));
        assert!(values
            .iter()
            .all(|f| f["value"].is_string() && f["count"].as_u64().unwrap() > 0));
    }
    // Paging: offset 1 starts where offset 0 left off.
    let (_, all) = search_json(&index, &corpus, &["suicidprevention", "--limit", "4"]);
    let (_, page) = search_json(
        &index,
        &corpus,
        &["suicidprevention", "--limit", "2", "--offset", "2"],
    );
    assert_eq!(all["hits"][2]["item_title"], page["hits"][0]["item_title"]);
    assert_eq!(all["total"], page["total"]);
}

#[test]
fn empty_query_browses_by_facets_newest_first() {
    let (_tmp, corpus, index) = indexed_archive();
    let (code, v) = search_json(&index, &corpus, &["", "--limit", "100"]);
    assert_eq!(code, 0);
    let dates: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    let (_, only) = search_json(
        &index,
        &corpus,
        &[
            "",
            "--group",
            "Ledningsgrupp",
            "--decisions",
            "--limit",
            "100",
        ],
    );
    assert!(only["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["date"] == "2026-04-10" && !h["decisions"].as_array().unwrap().is_empty()));
}

#[test]
fn show_returns_the_whole_protocol() {
    let (_tmp, corpus, index) = indexed_archive();
    let (_, v) = search_json(&index, &corpus, &["IKB finansiering"]);
    let id = v["hits"][0]["protocol_id"].as_str().unwrap().to_string();
    let out = run(&[
        "show",
        &id,
        "--json",
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let p: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(p["date"], "2025-12-12");
    assert_eq!(p["id"], id);
    let titles: Vec<&str> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.first(), Some(&"Välkomna"));
    assert!(titles.contains(&"Intensiv kontextuell behandling (IKB)"));
    // `parse` gives the same id for the same file.
    let parsed = run(&[
        "parse",
        corpus.join("001_a6c4daebd178604d.txt").to_str().unwrap(),
        "--json",
        "--corpus",
        corpus.to_str().unwrap(),
    ]);
    let parsed: Value = serde_json::from_str(&stdout(&parsed)).unwrap();
    assert_eq!(parsed["id"], id);
    let unknown = run(&[
        "show",
        "nosuchid",
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ]);
    assert_eq!(unknown.status.code(), Some(1));
}

#[test]
fn facets_list_every_group_with_counts() {
    let (_tmp, corpus, index) = indexed_archive();
    let out = run(&[
        "facets",
        "--field",
        "group",
        "--json",
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let groups: Vec<&str> = v["group"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["value"].as_str().unwrap())
        .collect();
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert!(groups.contains(&"Länsgemensam ledning i samverkan"));
    let bad = run(&[
        "facets",
        "--field",
        "colour",
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn an_abbreviation_and_its_long_form_find_each_other_across_protocols() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.md"),
        "# Protokoll Samverkansrådet 2024-01-10\n\n## 1. Insatser för unga\n\nIntensiv kontextuell behandling (IKB) införs i länet.\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("b.md"),
        "# Protokoll Samverkansrådet 2024-03-12\n\n## 1. Uppföljning av teamet\n\nIKB-teamet har nu tolv familjer.\n\n## 2. Väntetider\n\nVäntetiderna inom barn- och ungdomspsykiatri har minskat.\n",
    )
    .unwrap();
    let index = tmp.path().join("index");
    index_of(&corpus, &index);
    // The long form finds the protocol that only writes the abbreviation.
    let (code, v) = search_json(&index, &corpus, &["\"intensiv kontextuell behandling\""]);
    assert_eq!(code, 0);
    let dates: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert!(
        dates.contains(&"2024-03-12") && dates.contains(&"2024-01-10"),
        "{dates:?}"
    );
    // An abbreviation from the shipped list finds its long form.
    let (_, v) = search_json(&index, &corpus, &["BUP"]);
    assert_eq!(v["hits"][0]["item_title"], "Väntetider");
}

#[test]
fn spellings_of_one_person_are_one_person() {
    let (_tmp, corpus, index) = indexed_archive();
    let args = [
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ];
    let out = run(&[&["persons", "--variants", "--json"][..], &args[..]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let merged: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let marie = merged
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Marie Stjärnström")
        .expect("merged");
    assert_eq!(marie["variants"][0]["name"], "Marie Stjernström");
    // Either spelling filters to the meetings of both.
    for spelling in ["Marie Stjernström", "Marie Stjärnström"] {
        let (_, v) = search_json(
            &index,
            &corpus,
            &["", "--person", spelling, "--limit", "100"],
        );
        let mut dates: Vec<&str> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["date"].as_str().unwrap())
            .collect();
        dates.dedup();
        assert!(
            dates.contains(&"2026-02-06") && dates.contains(&"2025-11-07"),
            "{spelling}: {dates:?}"
        );
        // And the person facet names the person once.
        let people: Vec<&str> = v["facets"]["person"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["value"].as_str().unwrap())
            .collect();
        assert!(!people.contains(&"Marie Stjernström"), "{people:?}");
    }
}

#[test]
fn analyze_shows_lemma_key_and_compound_parts() {
    let o = run(&[
        "analyze",
        "--json",
        "Länsgemensamma",
        "protokollet",
        "ordförande",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["word"], "länsgemensamma");
    assert_eq!(lines[0]["parts"], serde_json::json!(["läns", "gemensamma"]));
    assert_eq!(lines[1]["lemma"], "protokoll");
    assert_eq!(lines[2]["parts"], serde_json::json!([]));
}

/// Organisation and party are facets and filters: the real protocols are all of one
/// municipality; a party filter keeps the meetings where someone of that party was
/// present, and its count in the facet equals what the filter finds.
#[test]
fn organisation_and_party_are_facets_and_filters() {
    let (_tmp, corpus, index) = indexed_copy(&[repo("tests/fixtures/real/corpus")]);
    let (code, all) = search_json(&index, &corpus, &["", "--limit", "1"]);
    assert_eq!(code, 0);
    let total = all["total"].as_u64().unwrap();
    let orgs = all["facets"]["organisation"].as_array().unwrap();
    assert_eq!(orgs.len(), 1, "{orgs:?}");
    assert_eq!(orgs[0]["value"], "Kungsbacka kommun");
    assert_eq!(orgs[0]["count"].as_u64(), Some(total));
    let parties = all["facets"]["party"].as_array().unwrap();
    let mp = parties
        .iter()
        .find(|p| p["value"] == "MP")
        .expect("an MP member is present somewhere");
    let (code, only_mp) = search_json(&index, &corpus, &["", "--party", "MP", "--limit", "100"]);
    assert_eq!(code, 0);
    assert_eq!(only_mp["total"], mp["count"]);
    assert!(only_mp["total"].as_u64().unwrap() < total);
    // Every protocol found lists a person of that party.
    let ids: std::collections::BTreeSet<&str> = only_mp["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["protocol_id"].as_str().unwrap())
        .collect();
    for id in ids {
        let out = run(&[
            "show",
            id,
            "--json",
            "--index",
            index.to_str().unwrap(),
            "--corpus",
            corpus.to_str().unwrap(),
        ]);
        let p: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let has_mp = p["persons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["party"] == "MP");
        assert!(has_mp, "{id}");
    }
    let (_, none) = search_json(&index, &corpus, &["", "--organisation", "Region Halland"]);
    assert_eq!(none["total"], 0);
}

/// The CLI pages as the API does: an offset past the engine's limit is refused (exit 2,
/// no abort), a page past the last hit says so, one hit is `1 träff`, and a reader that
/// closes the pipe early ends the command quietly with exit 0.
#[test]
fn paging_counting_and_closed_pipes() {
    let (_tmp, corpus, index) = indexed_archive();
    let base = [
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ];
    let search = |extra: &[&str]| run(&[&["search"][..], extra, &base[..]].concat());
    let out = search(&["vård", "--offset", "1000000000"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("offset must be a whole number from 0 to 10000"),
        "{}",
        stderr(&out)
    );
    let out = search(&["vård", "--offset", "9000"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("(inga från nummer 9001)"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("visar 9001"));
    let (_, one) = search_json(&index, &corpus, &["Utbildningsbussen"]);
    assert_eq!(one["total"], 1);
    let out = search(&["Utbildningsbussen"]);
    assert!(stdout(&out).starts_with("1 träff för"), "{}", stdout(&out));
    // A reader that stops after ten bytes.
    let mut child = bin()
        .args([&["search", "", "--json", "--limit", "100"][..], &base[..]].concat())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Read;
        let mut first = [0u8; 10];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("Broken pipe"), "{}", stderr(&out));
}

/// Motions and reservations are part of an item's record, in `parse` and, through the
/// index, in `show`.
#[test]
fn motions_and_reservations_survive_the_index() {
    let (_tmp, corpus, index) = indexed_copy(&[repo("tests/fixtures/real/corpus")]);
    let file = corpus.join("kungsbacka_ga_2025-10-16.md");
    let parsed: Value =
        serde_json::from_str(&stdout(&run(&["parse", file.to_str().unwrap(), "--json"]))).unwrap();
    let id = parsed["id"].as_str().unwrap();
    let out = run(&[
        "show",
        id,
        "--json",
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ]);
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    for rec in [&parsed, &shown] {
        let reservations: Vec<&Value> = rec["items"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|i| i["reservations"].as_array().into_iter().flatten())
            .collect();
        assert!(
            reservations.iter().any(|r| r["by"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n == "Shabnam Zamani")),
            "{reservations:?}"
        );
        let motions = rec["items"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|i| i["motions"].as_array().into_iter().flatten())
            .count();
        assert!(motions >= 5, "{motions}");
    }
}

/// An abbreviation as typed, or a word the lexicon knows, is never "corrected" into
/// another word: `SoL` is not `som`, `HVB` not `hab`; a misspelt word still is.
#[test]
fn abbreviations_and_known_words_are_not_corrected() {
    let (_tmp, corpus, index) = indexed_archive();
    for q in ["SoL", "SIP", "HVB", "LSS", "hälsoval"] {
        let (_, v) = search_json(&index, &corpus, &[q]);
        assert_eq!(v["corrected"], serde_json::json!([]), "{q}: {v}");
        assert!(v["total"].as_u64().unwrap() < 5, "{q}: {}", v["total"]);
    }
    let (code, v) = search_json(&index, &corpus, &["samverkn"]);
    assert_eq!(code, 0);
    assert_eq!(v["corrected"][0]["to"], "samverkan");
}

/// A word found only in the body's name or the parent heading ranks, but makes no item
/// a hit by itself: `samverkan` does not return every item of *Länsgemensam ledning i
/// samverkan*, while the items that say it are found.
#[test]
fn the_body_name_alone_makes_no_hit() {
    let (_tmp, corpus, index) = indexed_archive();
    let (_, all) = search_json(&index, &corpus, &["", "--limit", "1"]);
    let (_, v) = search_json(&index, &corpus, &["samverkan", "--limit", "100"]);
    let total = v["total"].as_u64().unwrap();
    assert!(
        total > 0 && total < all["total"].as_u64().unwrap() / 2,
        "{total}"
    );
    for h in v["hits"].as_array().unwrap() {
        let snippet = h["snippet"].as_str().unwrap_or("").to_lowercase();
        let title = h["item_title"].as_str().unwrap().to_lowercase();
        assert!(
            snippet.contains("samverkan") || title.contains("samverkan"),
            "{}: {}",
            h["item_title"],
            h["snippet"]
        );
    }
}

/// Filters filter: the same hit scores the same with and without a date or group filter.
#[test]
fn filters_do_not_change_scores() {
    let (_tmp, corpus, index) = indexed_archive();
    let score_of = |extra: &[&str]| -> Vec<(String, f64)> {
        let (_, v) = search_json(
            &index,
            &corpus,
            &[&["vård", "--limit", "500"][..], extra].concat(),
        );
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    format!("{}#{}", h["protocol_id"], h["item_index"]),
                    h["score"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let plain: std::collections::HashMap<String, f64> = score_of(&[]).into_iter().collect();
    for extra in [
        &["--from", "2020-01-01"][..],
        &["--group", "Länsgemensam"][..],
    ] {
        let filtered = score_of(extra);
        assert!(!filtered.is_empty());
        for (hit, score) in filtered {
            let want = plain[&hit];
            assert!(
                (score - want).abs() < 1e-6,
                "{extra:?} {hit}: {score} vs {want}"
            );
        }
    }
}

/// A person's facet count is what clicking it gives, also for a person whose name one
/// protocol spells two ways, and under a group filter.
#[test]
fn person_facet_counts_equal_what_the_filter_finds() {
    let (_tmp, corpus, index) = indexed_archive();
    for base in [&["samverkan"][..], &["", "--group", "Ledningsgrupp"][..]] {
        let (_, v) = search_json(&index, &corpus, &[base, &["--limit", "1"][..]].concat());
        let people = v["facets"]["person"].as_array().unwrap();
        assert!(people.len() >= 5, "{v}");
        for p in people.iter().take(10) {
            let name = p["value"].as_str().unwrap();
            let (_, f) = search_json(
                &index,
                &corpus,
                &[base, &["--person", name, "--limit", "1"][..]].concat(),
            );
            assert_eq!(f["total"], p["count"], "{base:?} {name}");
        }
    }
}

/// Search, trend, facets and the person view go through one plan: a misspelt word
/// counts in trend what search finds for it; a person asked for by another spelling
/// is the whole person; a facet's count is what its filter finds.
#[test]
fn one_plan_behind_search_trend_and_person() {
    let (_tmp, corpus, index) = indexed_archive();
    let base = [
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ];
    let json = |args: &[&str]| -> Value {
        let out = run(&[args, &base[..]].concat());
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|_| panic!("{}", stderr(&out)))
    };
    let found = json(&["search", "suicidprevnetion", "--json"]);
    let counted = json(&["trend", "suicidprevnetion", "--json"]);
    assert!(found["total"].as_u64().unwrap() > 0);
    assert_eq!(counted["matching"], found["total"]);
    assert_eq!(counted["corrected"][0]["to"], "suicidprevention");

    // Any spelling of a merged name is the whole person, as the person filter is.
    let person = json(&["person", "Anna Trofast Hasselbom", "--json"]);
    assert_eq!(person["name"], "Anna Hasselbom Trofast");
    let filtered = json(&[
        "search",
        "",
        "--person",
        "Anna Trofast Hasselbom",
        "--json",
        "--limit",
        "100",
    ]);
    let mut protocols: Vec<&str> = filtered["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["protocol_id"].as_str().unwrap())
        .collect();
    protocols.sort();
    protocols.dedup();
    assert_eq!(
        person["meetings"].as_array().unwrap().len(),
        protocols.len()
    );
    assert!(protocols.len() >= 4, "{protocols:?}");

    // `facets` merges spellings as the search facets do: the count is what the filter finds.
    let facets = json(&["facets", "--field", "person", "--json"]);
    let listed = facets["person"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "Anna Hasselbom Trofast")
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert_eq!(listed, filtered["total"].as_u64().unwrap());
    assert!(!facets["person"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["value"] == "Anna Trofast Hasselbom"));

    // Every facet filters, `kind` included.
    let minutes = json(&[
        "search",
        "",
        "--kind",
        "mötesanteckningar",
        "--json",
        "--limit",
        "100",
    ]);
    assert_eq!(minutes["total"], 14);
    assert!(minutes["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["kind"] == "mötesanteckningar"));

    // Two values of one facet: either will do, in search as in trend.
    let group_total = |g: &str| {
        json(&["search", "", "--group", g, "--json"])["total"]
            .as_u64()
            .unwrap()
    };
    let (a, b) = ("Ledningsgrupp", "Länsgemensam");
    let both = json(&["trend", "", "--group", a, "--group", b, "--json"]);
    assert_eq!(
        both["matching"].as_u64().unwrap(),
        group_total(a) + group_total(b)
    );
}

/// The trend's bars follow counts, or shares when asked; numbers are written the
/// Swedish way and the filters in force are said.
#[test]
fn trend_bars_by_count_or_by_share() {
    let (_tmp, corpus, index) = indexed_archive();
    let base = [
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ];
    let text = |extra: &[&str]| {
        let args = [
            &["trend", "samverkan", "--interval", "month"][..],
            extra,
            &base[..],
        ]
        .concat();
        stdout(&run(&args))
    };
    let rows = |out: &str| -> Vec<(f64, f64, usize)> {
        out.lines()
            .filter(|l| l.trim_start().starts_with("20"))
            .map(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                // `83,3 %`: the space is a no-break space, whitespace all the same.
                assert_eq!(cols[4], "%", "{l}");
                let pct: f64 = cols[3].replace(',', ".").parse().unwrap();
                (cols[1].parse().unwrap(), pct, l.matches('█').count())
            })
            .collect()
    };
    let by_count = rows(&text(&[]));
    let by_share = rows(&text(&["--share"]));
    assert!(by_count.len() >= 5, "{by_count:?}");
    let longest = |r: &[(f64, f64, usize)], key: fn(&(f64, f64, usize)) -> f64| {
        r.iter().max_by(|x, y| key(x).total_cmp(&key(y))).unwrap().2
    };
    assert_eq!(longest(&by_count, |r| r.0), 40);
    assert_eq!(longest(&by_share, |r| r.1), 40);
    // The bar of the biggest share is not that of the biggest count here.
    let top_share = by_share.iter().map(|r| r.1).fold(0.0, f64::max);
    for (n, share, bar) in &by_share {
        assert!(
            (*bar as f64 - share / top_share * 40.0).abs() <= 0.5,
            "{n} {share} {bar}"
        );
    }
    assert_ne!(by_count, by_share);
    let filtered = text(&["--group", "Ledningsgrupp"]);
    assert!(
        filtered
            .lines()
            .next()
            .unwrap()
            .contains("; grupp Ledningsgrupp"),
        "{filtered}"
    );
}

/// Exit codes come from one table: a bad query 2, nothing found 1, an index that is
/// not there 70 (the machine's, not the user's), and highlights are ranges the
/// command line renders itself.
#[test]
fn exit_codes_follow_the_error_table_and_show_marks_a_query() {
    let (_tmp, corpus, index) = indexed_archive();
    let base = [
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ];
    let bad = run(&[&["search", "\"barn och"][..], &base[..]].concat());
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("a quote is not closed"),
        "{}",
        stderr(&bad)
    );
    let unknown = run(&[&["show", "000000000000"][..], &base[..]].concat());
    assert_eq!(unknown.status.code(), Some(1));
    let tmp = tempfile::tempdir().unwrap();
    let nowhere = tmp.path().join("nowhere");
    let missing = run(&[
        "search",
        "vård",
        "--index",
        nowhere.to_str().unwrap(),
        "--corpus",
        nowhere.to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(70), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("no index here"),
        "{}",
        stderr(&missing)
    );

    let shown = run(&[&["show", "61e2fc07ac9a", "--query", "IKB"][..], &base[..]].concat());
    assert!(shown.status.success(), "{}", stderr(&shown));
    let text = stdout(&shown);
    assert!(text.contains("**IKB**"), "{text}");
    assert!(
        text.contains("**kontextuell**"),
        "the long form is marked too: {text}"
    );
    let (_, v) = search_json(&index, &corpus, &["IKB finansiering"]);
    let hit = &v["hits"][0];
    let chars: Vec<char> = hit["snippet_text"].as_str().unwrap().chars().collect();
    let marked: Vec<String> = hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (a, b) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            chars[a..b].iter().collect()
        })
        .collect();
    assert!(marked.contains(&"IKB".to_string()), "{marked:?}");
    assert!(marked.contains(&"finansieras".to_string()), "{marked:?}");
}

/// A coordinated compound holds each compound it abbreviates: `missbruksmottagning`
/// finds `missbruks- och beroendemottagning` and `elevhälsa` finds `elevhälso- och
/// skolfrågor`, marked in the snippet, with an item that writes the word out ranked
/// first.
#[test]
fn coordinated_compounds_are_found_and_exact_forms_rank_first() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.md"),
        "# Protokoll Socialnämnden 2025-03-04\n\n\
         ## 1. Öppenvård\n\nNämnden informeras om att den öppna missbruks- och \
         beroendemottagningen flyttar i höst.\n\n\
         ## 2. Skolan\n\nArbetet med elevhälso- och skolfrågor redovisas.\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("b.md"),
        "# Protokoll Socialnämnden 2024-02-01\n\n\
         ## 1. Missbruksmottagning\n\nMissbruksmottagningen har fått nya lokaler.\n\n\
         ## 2. Elevhälsa\n\nElevhälsan förstärks.\n",
    )
    .unwrap();
    let index = tmp.path().join("index");
    assert!(index_of(&corpus, &index).status.success());
    for (query, coordinated, exact) in [
        ("missbruksmottagning", "Öppenvård", "Missbruksmottagning"),
        ("elevhälsa", "Skolan", "Elevhälsa"),
    ] {
        let (code, v) = search_json(&index, &corpus, &[query]);
        assert_eq!(code, 0, "{query}: {v}");
        let titles: Vec<&str> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["item_title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, [exact, coordinated], "{query}");
        let snippet = v["hits"][1]["snippet"].as_str().unwrap();
        assert!(snippet.contains("<mark>"), "{query}: {snippet}");
    }
}

/// A verbal noun finds its verb: `sänkning av åldersgränsen` finds an item about a
/// `sänkt åldersgräns`, below one that writes the noun out.
#[test]
fn verbal_nouns_find_their_verbs() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.md"),
        "# Protokoll Fritidsnämnden 2025-03-04\n\n\
         ## 1. Simhallen\n\nNämnden beslutar om sänkt åldersgräns för entré av barn.\n\n\
         ## 2. Budget\n\nBudgeten av år 2025 redovisas.\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("b.md"),
        "# Protokoll Fritidsnämnden 2024-02-01\n\n\
         ## 1. Åldersgräns\n\nEn sänkning av åldersgränsen utreds.\n",
    )
    .unwrap();
    let index = tmp.path().join("index");
    assert!(index_of(&corpus, &index).status.success());
    let (code, v) = search_json(&index, &corpus, &["sänkning av åldersgränsen"]);
    assert_eq!(code, 0, "{v}");
    let titles: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["item_title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Åldersgräns", "Simhallen"]);
    let marked = v["hits"][1]["snippet"].as_str().unwrap();
    assert!(marked.contains("<mark>sänkt</mark>"), "{marked}");
}

/// Two spellings one letter apart in a surname are one person only with evidence
/// beyond the name: never on one list of a meeting, and a body both met in. Two
/// members listed side by side stay two people, in any layout.
#[test]
fn one_letter_surnames_merge_only_with_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let municipal = |date: &str, members: &[&str]| {
        let list: String = members.iter().map(|m| format!("{m}, ledamot\n")).collect();
        format!(
            "Socialnämnden\nSammanträdesprotokoll\n\nDatum: {date}\nPlats: Stadshuset\n\n\
             Beslutande\n{list}Eva Lund (S), ordförande\n\n§ 1 Val av justerare\n\n\
             Nämnden beslutar att utse Eva Lund att justera protokollet.\n\n\
             § 2 Budget\n\nNämnden beslutar att godkänna budgeten.\n"
        )
    };
    let notes = |date: &str, members: &[&str]| {
        let list: String = members
            .iter()
            .map(|m| format!("- {m}, Region Norr\n"))
            .collect();
        format!(
            "# Minnesanteckningar Samverkansgrupp barn och unga\n\n{date}\n\n## Närvarande\n\n{list}\n\
             ## 1. Mötets öppnande\n\nOrdföranden öppnade mötet.\n\n## 2. Lägesbild\n\n\
             Gruppen diskuterade lägesbilden för barn och unga.\n"
        )
    };
    // The same body: Lindqvist in two meetings, Lindkvist in a third — one person.
    std::fs::write(
        corpus.join("sn1.txt"),
        municipal("2025-01-10", &["Lars Lindqvist"]),
    )
    .unwrap();
    std::fs::write(
        corpus.join("sn2.txt"),
        municipal("2025-02-10", &["Lars Lindqvist"]),
    )
    .unwrap();
    std::fs::write(
        corpus.join("sn3.txt"),
        municipal("2025-03-10", &["Lars Lindkvist"]),
    )
    .unwrap();
    // Another body lists Karin Sandberg and Karin Sundberg on one list: two people.
    std::fs::write(
        corpus.join("sg1.md"),
        notes(
            "2025-04-01",
            &["Karin Sandberg", "Karin Sundberg", "Olle Berg"],
        ),
    )
    .unwrap();
    std::fs::write(
        corpus.join("sg2.md"),
        notes("2025-05-01", &["Karin Sandberg"]),
    )
    .unwrap();
    let index = tmp.path().join("index");
    let base = [
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ];
    let out = run(&[&base[..], &["persons", "--variants", "--json"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let merged: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let merged = merged.as_array().unwrap();
    assert_eq!(merged.len(), 1, "{merged:?}");
    assert_eq!(merged[0]["name"], "Lars Lindqvist");
    let variant = &merged[0]["variants"][0];
    assert_eq!(variant["name"], "Lars Lindkvist");
    assert_eq!(variant["reason"], "one_letter");
    assert_eq!(variant["evidence"]["together"], 0);
    assert_eq!(variant["evidence"]["shared_groups"][0], "Socialnämnden");

    let text = stdout(&run(&[&base[..], &["persons", "--variants"]].concat()));
    assert!(
        text.contains("aldrig på samma lista, båda i Socialnämnden"),
        "{text}"
    );
    // The two Karins are two people: each is a person of their own.
    let people = stdout(&run(&[&base[..], &["persons"]].concat()));
    assert!(
        people.contains("Karin Sandberg") && people.contains("Karin Sundberg"),
        "{people}"
    );
    let sundberg: Value = serde_json::from_str(&stdout(&run(&[
        &base[..],
        &["person", "Karin Sundberg", "--json"],
    ]
    .concat())))
    .unwrap();
    assert_eq!(
        sundberg["meetings"].as_array().unwrap().len(),
        1,
        "{sundberg}"
    );
}

/// Themes are the topic facet, tagged at index time from an editable file; changing
/// the file re-tags every item from the index without reading a protocol again.
#[test]
fn themes_tag_items_and_a_changed_file_retags_without_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.md"),
        "# Minnesanteckningar Samverkansgrupp\n\n2025-03-01\n\n## Närvarande\n\n- Anna Ek, Region Norr\n\n\
         ## 1. Mötets öppnande\n\nMötet öppnades.\n\n## 2. Suicidpreventiva insatser\n\n\
         Gruppen följde upp arbetet.\n\n## 3. Lägesrapport\n\nPlaceringar i HVB har ökat. \
         Kostnaderna för placeringarna är höga.\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("b.txt"),
        "Socialnämnden\nProtokoll\n\nDatum: 2025-04-01\n\nBeslutande\nEva Lund, ordförande\n\n\
         § 1 Val av justerare och godkännande av dagordning\n\nNämnden godkänner dagordningen.\n\n\
         § 2 Budget 2026\n\nNämnden beslutar att anta budgeten.\n",
    )
    .unwrap();
    let themes = tmp.path().join("themes.toml");
    let write_themes = |extra: &str| {
        std::fs::write(
            &themes,
            format!(
                "[[theme]]\nname = \"Suicidprevention\"\nterms = [\"suicid\"]\n\n\
                 [[theme]]\nname = \"Placeringar\"\nterms = [\"placering\", \"HVB\"]\n{extra}"
            ),
        )
        .unwrap();
    };
    write_themes("");
    let index = tmp.path().join("index");
    let base = [
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ];
    let topics = || -> Value {
        let out = run(&[&base[..], &["facets", "--field", "topic", "--json"]].concat());
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|_| panic!("{}", stderr(&out)))
    };
    let out = run(&[&base[..], &["--themes", themes.to_str().unwrap(), "index"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let t = topics();
    let names: Vec<&str> = t["topic"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Placeringar", "Suicidprevention"], "{t}");

    // The file is remembered: a search without --themes filters by its themes.
    let found: Value = serde_json::from_str(&stdout(&run(&[
        &base[..],
        &["search", "", "--topic", "Placeringar", "--json"],
    ]
    .concat())))
    .unwrap();
    assert_eq!(found["total"], 1);
    assert_eq!(found["hits"][0]["item_title"], "Lägesrapport");
    assert_eq!(found["hits"][0]["themes"][0], "Placeringar");

    // A theme added: every item is tagged again from the index, no protocol is read.
    write_themes("\n[[theme]]\nname = \"Ekonomi\"\nterms = [\"budget\", \"kostnad\"]\n");
    let out = run(&[&base[..], &["index"]].concat());
    let said = stdout(&out);
    assert!(said.contains("indexed 0 files"), "{said}");
    assert!(said.contains("2 re-tagged"), "{said}");
    let t = topics();
    let ekonomi: Vec<u64> = t["topic"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["value"] == "Ekonomi")
        .map(|v| v["count"].as_u64().unwrap())
        .collect();
    // `Budget 2026` names it; in `Lägesrapport` one cost beside three placements is a
    // passing mention.
    assert_eq!(ekonomi, [1], "{t}");
    // Procedure has no theme.
    let shown: Value = serde_json::from_str(&stdout(&run(&[
        &base[..],
        &["search", "dagordning", "--json"],
    ]
    .concat())))
    .unwrap();
    assert_eq!(shown["hits"][0]["themes"], serde_json::json!([]), "{shown}");
    // A broken themes file is refused with its reason, and the index keeps serving.
    std::fs::write(&themes, "[[theme]]\nname = \"X\"\n").unwrap();
    let out = run(&[&base[..], &["index"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("themes.toml"), "{}", stderr(&out));
}

/// Matters thread the items of one matter across meetings, each link with its reason:
/// the same diary number, the same title, the same abbreviation; a hit names its matter.
#[test]
fn matters_thread_items_across_meetings_with_their_reasons() {
    let (_tmp, corpus, index) = indexed_archive();
    let base = [
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ];
    let json = |args: &[&str]| -> Value {
        let out = run(&[args, &base[..]].concat());
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|_| panic!("{}", stderr(&out)))
    };
    // The seeds: Digital ungdomsmottagning of 2025-12-12 and 2026-02-06 is one matter,
    // and a hit of it links to that matter.
    let m = json(&["matter", "digital ungdomsmottagning", "--json"]);
    let dates: Vec<&str> = m["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2025-12-12", "2026-02-06"], "{m}");
    assert_eq!(m["items"][1]["linked_by"], "title");
    let hits = json(&["search", "digital ungdomsmottagning", "--json"]);
    assert_eq!(hits["hits"][0]["matter"], m["id"]);
    let by_id = json(&["matter", m["id"].as_str().unwrap(), "--json"]);
    assert_eq!(by_id, m);
    let list = json(&["matters", "--json"]);
    assert!(list["matters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == m["id"]));
    // No matter: exit 1 with a message.
    let out = run(&[&["matter", "zzzz"][..], &base[..]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // Diary numbers and abbreviations, in two layouts.
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let municipal = |date: &str, items: &str| {
        format!(
            "Kommunstyrelsen\nSammanträdesprotokoll\n\nDatum: {date}\n\nBeslutande\nEva Lund, ordförande\n\n\
             § 1 Val av justerare\n\nEva Lund utses att justera.\n\n{items}"
        )
    };
    std::fs::write(
        corpus.join("ks1.txt"),
        municipal(
            "2025-01-10",
            "§ 2 Detaljplan för Malby\nDnr KS 2024/12\n\nPlanen skickas på samråd.\n\n\
             § 3 Detaljplan för Malby norra\nDnr KS 2024/99\n\nPlanen skickas på samråd.\n",
        ),
    )
    .unwrap();
    std::fs::write(
        corpus.join("ks2.txt"),
        municipal(
            "2025-04-10",
            "§ 2 Antagande av detaljplan\nDnr KS 2024/12\n\nKommunstyrelsen beslutar att anta planen.\n",
        ),
    )
    .unwrap();
    let notes = |date: &str, title: &str| {
        format!(
            "# Minnesanteckningar Samverkansgrupp barn och unga\n\n{date}\n\n## Närvarande\n\n- Anna Ek, Region Norr\n\n\
             ## 1. {title}\n\nGruppen diskuterade behandlingen.\n"
        )
    };
    std::fs::write(
        corpus.join("sg1.md"),
        notes("2025-02-01", "Intensiv kontextuell behandling (IKB)"),
    )
    .unwrap();
    std::fs::write(
        corpus.join("sg2.md"),
        notes("2025-05-01", "Finansiering av IKB"),
    )
    .unwrap();
    let index = tmp.path().join("index");
    let base = [
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ];
    let json = |args: &[&str]| -> Value {
        let out = run(&[args, &base[..]].concat());
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|_| panic!("{}", stderr(&out)))
    };
    let plan = json(&["matter", "antagande detaljplan", "--json"]);
    let titles: Vec<&str> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Detaljplan för Malby", "Antagande av detaljplan"],
        "{plan}"
    );
    assert_eq!(plan["items"][1]["linked_by"], "dnr");
    assert_eq!(plan["dnr"], "KS2024/12");
    assert_eq!(plan["decided"], true);
    let ikb = json(&["matter", "finansiering IKB", "--json"]);
    assert_eq!(ikb["items"].as_array().unwrap().len(), 2, "{ikb}");
    assert_eq!(ikb["items"][1]["linked_by"], "abbreviation");
    assert_eq!(ikb["items"][1]["link_value"], "IKB");
    assert_eq!(json(&["matters", "--json"])["total"], 2);

    // After a change, a one-shot search threads the matters of its hits'
    // organisations alone: it writes no matters of the whole archive, and names the
    // matters the whole archive's threading names.
    std::fs::write(
        corpus.join("sg3.md"),
        notes("2025-09-01", "Uppföljning av IKB"),
    )
    .unwrap();
    let out = run(&[&base[..], &["index"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let derived = |index: &std::path::Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(index.join("derived"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|name| name.starts_with("matters-") || name.starts_with("matter-of-"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let before = derived(&index);
    let hits = json(&["search", "IKB", "--json"]);
    let named: Vec<Value> = hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["matter"].clone())
        .collect();
    assert_eq!(named.len(), 3, "{hits}");
    let after = derived(&index);
    assert!(
        after.iter().all(|name| before.contains(name)),
        "no matters of the whole archive written: {before:?} then {after:?}"
    );
    let whole = json(&["matter", "uppföljning IKB", "--json"]);
    assert_eq!(whole["items"].as_array().unwrap().len(), 3, "{whole}");
    assert!(named.iter().all(|m| *m == whole["id"]), "{named:?} {whole}");
}

/// `--since` finds what entered the index since a day, and a feed of a search shows
/// a protocol indexed after it was first made.
#[test]
fn since_and_the_feed_follow_what_index_adds() {
    let (tmp, corpus, index) = indexed_archive();
    let base = [
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ];
    let feed = || {
        let out = run(&[
            &base[..],
            &[
                "search",
                "samverkan",
                "--limit",
                "100",
                "--atom",
                "http://127.0.0.1:8080/",
            ],
        ]
        .concat());
        assert!(out.status.success(), "{}", stderr(&out));
        let f: atom_syndication::Feed = stdout(&out).parse().expect("atom");
        f
    };
    let before = feed();
    // Everything entered the index that day; nothing by 2099.
    // The day the archive was indexed, as the feed says it.
    let today = before.updated().format("%Y-%m-%d").to_string();
    let all: Value = serde_json::from_str(&stdout(&run(&[
        &base[..],
        &["search", "", "--since", &today, "--json"],
    ]
    .concat())))
    .unwrap();
    assert!(all["total"].as_u64().unwrap() > 40, "{all}");
    let out = run(&[
        &base[..],
        &["search", "", "--since", "2099-01-01", "--json"],
    ]
    .concat());
    assert_eq!(out.status.code(), Some(1));

    std::fs::write(
        corpus.join("ny.md"),
        "# Minnesanteckningar Samverkansgrupp\n\n2030-01-15\n\n## Närvarande\n\n- Anna Ek, Region Norr\n\n\
         ## 1. Samverkan kring nya rutiner\n\nGruppen diskuterade samverkan.\n",
    )
    .unwrap();
    let out = run(&[&base[..], &["index"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let after = feed();
    assert_eq!(after.entries().len(), before.entries().len() + 1);
    let newest = &after.entries()[0];
    assert!(
        newest
            .title()
            .as_str()
            .contains("Samverkan kring nya rutiner"),
        "{}",
        newest.title().as_str()
    );
    assert!(newest
        .published()
        .unwrap()
        .to_rfc3339()
        .starts_with("2030-01-15"));
    drop(tmp);
}

/// What is new: a theme that appears in a quarter rises against the quarter before,
/// with its counts and the items it comes from; a bad period is refused.
#[test]
fn new_lists_what_rose_in_a_period_with_its_items() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let notes = |date: &str, title: &str| {
        format!(
            "# Minnesanteckningar Samverkansgrupp\n\n{date}\n\n## Närvarande\n\n- Anna Ek, Region Norr\n\n\
             ## 1. {title}\n\nGruppen diskuterade frågan.\n\n## 2. Ekonomisk uppföljning\n\nBudgeten följs.\n"
        )
    };
    for (k, date) in ["2025-01-15", "2025-02-15", "2025-03-15"]
        .iter()
        .enumerate()
    {
        std::fs::write(
            corpus.join(format!("q1_{k}.md")),
            notes(date, "Lokaler för verksamheten"),
        )
        .unwrap();
    }
    for (k, date) in ["2025-04-15", "2025-05-15", "2025-06-15"]
        .iter()
        .enumerate()
    {
        std::fs::write(
            corpus.join(format!("q2_{k}.md")),
            notes(date, "Suicidpreventivt arbete i länet"),
        )
        .unwrap();
    }
    let index = tmp.path().join("index");
    let base = [
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
    ];
    let out = run(&[&base[..], &["new", "--period", "2025Q2", "--json"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let new: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(new["previous"], "2025Q1");
    assert_eq!(new["items"], 6);
    assert_eq!(new["items_before"], 6);
    let first = &new["rising"][0];
    assert_eq!(first["term"], "Suicidprevention", "{new}");
    assert_eq!(first["kind"], "theme");
    assert_eq!(first["items"], 3);
    assert_eq!(first["items_before"], 0);
    assert_eq!(first["sources"][0]["date"], "2025-06-15", "latest first");
    // The standing item rose nowhere: it is in every meeting of both quarters.
    assert!(!new["rising"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["term"] == "Ekonomi och finansiering"));
    let text = stdout(&run(&[&base[..], &["new", "--period", "2025Q2"]].concat()));
    assert!(
        text.contains("Suicidprevention") && text.contains("50,0 %"),
        "{text}"
    );
    let out = run(&[&base[..], &["new", "--period", "2025Q5"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// The fields of a parse that a format must not change: date, body, organisation,
/// the agenda (numbers and titles) and the people.
fn parse_fields(path: &Path) -> Value {
    let out = run(&["parse", path.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}: {}", path.display(), stderr(&out));
    let p: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let items: Vec<Value> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| serde_json::json!([i["number"], i["title"]]))
        .collect();
    let mut persons: Vec<&str> = p["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    persons.sort();
    serde_json::json!({
        "date": p["date"], "group": p["group"], "organisation": p["organisation"],
        "items": items, "persons": persons,
    })
}

/// Word files and PDFs made from real protocols (scripts/make_format_fixtures.py: a
/// paragraph per line and page breaks at page markers; a PDF page per page with each
/// column of a line at its own place) parse as their text does: date, body, items
/// and persons, two-column attendance and page headers included.
#[test]
fn word_files_and_pdfs_parse_as_their_text() {
    let tmp = tempfile::tempdir().unwrap();
    let fixtures = repo("tests/fixtures/formats");
    let mut seen = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let docx = entry.unwrap().path();
        if !matches!(
            docx.extension().and_then(|e| e.to_str()),
            Some("docx" | "pdf")
        ) {
            continue;
        }
        let stem = docx.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(repo(&format!("tests/fixtures/real/corpus/{stem}.md")))
            .unwrap();
        // The converter's front matter is not part of the document.
        let body = text
            .strip_prefix("---\n")
            .and_then(|t| t.split_once("\n---\n"))
            .map_or(text.as_str(), |(_, b)| b);
        let twin = tmp.path().join(format!("{stem}.md"));
        std::fs::write(&twin, body).unwrap();
        let (want, got) = (parse_fields(&twin), parse_fields(&docx));
        assert!(
            want["items"].as_array().unwrap().len() >= 5,
            "{stem}: {want}"
        );
        assert!(
            want["persons"].as_array().unwrap().len() >= 10,
            "{stem}: {want}"
        );
        assert_eq!(got, want, "{stem}");
        seen += 1;
    }
    assert!(seen >= 6, "{seen} Word and PDF fixtures");
}

/// The words of a parse's agenda items, in order.
fn item_words(path: &Path) -> Vec<String> {
    let out = run(&["parse", path.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}: {}", path.display(), stderr(&out));
    let p: Value = serde_json::from_str(&stdout(&out)).unwrap();
    p["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["text"].as_str().unwrap().split_whitespace())
        .map(str::to_string)
        .collect()
}

/// Poppler (Debian's `poppler-utils`) as a reference reader of the fixture PDFs:
/// the text of `pdftotext -layout` parses as our reading of the PDF does, nearly
/// every word it finds is in our items too, and the same PDF re-rendered by
/// `pdftocairo` (an embedded font subset with its own character map, compressed
/// streams, as a word processor writes) parses the same. `scripts/test` installs
/// poppler, and a font with Helvetica's widths for the fixtures' fonts that are not
/// embedded, and sets PROTOKOLLSOK_NEED_POPPLER, so that CI cannot skip this.
#[test]
fn pdfs_read_as_poppler_reads_them() {
    let have = |tool: &str| {
        Command::new(tool)
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !(have("pdftotext") && have("pdftocairo")) {
        assert!(
            std::env::var_os("PROTOKOLLSOK_NEED_POPPLER").is_none(),
            "pdftotext and pdftocairo (poppler-utils) are needed"
        );
        eprintln!("skipping: pdftotext and pdftocairo (poppler-utils) are not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(repo("tests/fixtures/formats")).unwrap() {
        let pdf = entry.unwrap().path();
        if pdf.extension().and_then(|e| e.to_str()) != Some("pdf") {
            continue;
        }
        let stem = pdf.file_stem().unwrap().to_str().unwrap().to_string();
        let text = tmp.path().join(format!("{stem}.txt"));
        let cairo = tmp.path().join(format!("{stem}.cairo.pdf"));
        let poppler = |tool: &str, args: &[&Path]| {
            let out = Command::new(tool).args(args).output().unwrap();
            assert!(out.status.success(), "{tool}: {}", stderr(&out));
        };
        poppler("pdftotext", &[Path::new("-layout"), &pdf, &text]);
        poppler("pdftocairo", &[Path::new("-pdf"), &pdf, &cairo]);
        let ours = parse_fields(&pdf);
        assert_eq!(parse_fields(&text), ours, "{stem}: pdftotext -layout");
        assert_eq!(
            parse_fields(&cairo),
            ours,
            "{stem}: re-rendered by pdftocairo"
        );

        // Poppler leaves out what lies past the page's edge (some table rows of
        // the fixtures are wider than A4); everything it does read, we read.
        let mut our_words: HashMap<String, usize> = HashMap::new();
        for w in item_words(&pdf) {
            *our_words.entry(w).or_default() += 1;
        }
        let reference = item_words(&text);
        let found = reference
            .iter()
            .filter(|w| {
                our_words.get_mut(w.as_str()).is_some_and(|n| {
                    *n > 0 && {
                        *n -= 1;
                        true
                    }
                })
            })
            .count();
        assert!(reference.len() > 500, "{stem}: {} words", reference.len());
        assert!(
            found as f64 >= 0.99 * reference.len() as f64,
            "{stem}: {found} of pdftotext's {} words",
            reference.len()
        );
        seen += 1;
    }
    assert!(seen >= 3, "{seen} PDF fixtures");
}

/// A valid PDF of one page with nothing written on it, as a scan without a text
/// layer is to a text extractor.
fn pdf_without_text() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        "<< /Length 0 >>\nstream\n\nendstream",
    ];
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
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

/// A protocol published as a web page: its main text is indexed, not the site's
/// navigation or scripts; a damaged Word file and a PDF without a text layer are
/// skipped with their reasons.
#[test]
fn a_web_page_is_read_for_its_main_text_and_a_broken_word_file_is_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let page = r#"<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Protokoll</title>
<script>var spårning = "kakpolicyord";</script></head><body>
<header><a href="/">Startsida</a> <a href="/nyheter">Menyordet</a></header>
<nav><ul><li><a href="/om">Navigeringsord</a></li></ul></nav>
<main>
<h1>Protokoll Socialn&auml;mnden</h1>
<p>Sammantr&auml;desdatum: 2024-05-06</p>
<table><tr><td>Anna Berg (S)</td><td>ordf&ouml;rande</td></tr><tr><td>Per Lind (M)</td><td>ledamot</td></tr></table>
<h2>&sect; 12 Budget f&ouml;r hemtj&auml;nsten 2025</h2>
<p>N&auml;mnden beslutar att godk&auml;nna budgeten f&ouml;r hemtj&auml;nsten.</p>
<h2>&sect; 13 Rapport om v&aring;ld i n&auml;ra relationer</h2>
<p>Informationen noteras.</p>
</main><footer>Kontakta kommunen: sidfotsord</footer></body></html>"#;
    std::fs::write(corpus.join("protokoll.html"), page).unwrap();
    std::fs::write(corpus.join("trasig.docx"), b"PK\x03\x04 not really a zip").unwrap();
    std::fs::write(corpus.join("skannad.pdf"), pdf_without_text()).unwrap();
    let index = tmp.path().join("index");
    let out = index_of(&corpus, &index);
    let report = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(report.contains("indexed 1 files"), "{report}");
    assert!(
        report.contains("skipped trasig.docx: not a Word file"),
        "{report}"
    );
    assert!(
        report.contains("skipped skannad.pdf: a PDF without a text layer"),
        "{report}"
    );
    let (code, v) = search_json(&index, &corpus, &["hemtjänsten"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["hits"][0]["item_number"], "12");
    assert_eq!(v["hits"][0]["date"], "2024-05-06");
    for absent in ["kakpolicyord", "Navigeringsord", "Menyordet", "sidfotsord"] {
        let (code, v) = search_json(&index, &corpus, &[absent]);
        assert_eq!(code, 1, "{absent} is no text of the protocol: {v}");
    }
    let p = parse_fields(&corpus.join("protokoll.html"));
    assert_eq!(p["items"].as_array().unwrap().len(), 2, "{p}");
}

/// The size in bytes of the files of a folder tree.
fn tree_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        tree_bytes(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// `index` killed (SIGKILL) at several points of a run leaves an index the next run
/// brings to exactly what an index built without interruption holds, with the files
/// of the killed runs collected.
#[cfg(unix)]
#[test]
fn an_index_killed_at_any_point_is_recovered_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let originals = write_seed_copies(&corpus, 60);
    let clean = tmp.path().join("clean");
    assert!(index_of(&corpus, &clean).status.success());
    let (_, want) = search_json(&clean, &corpus, &["", "--limit", "1"]);
    let index = tmp.path().join("index");
    for delay_ms in [20u64, 80, 250, 600] {
        let mut child = bin()
            .args([
                "index",
                "--corpus",
                corpus.to_str().unwrap(),
                "--index",
                index.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Touch some files so that the next killed run has work to do as well.
        for k in 0..originals {
            let f = corpus.join(format!("kopia_{:03}_{k}.txt", delay_ms % 60));
            let text = std::fs::read_to_string(&f).unwrap();
            std::fs::write(&f, text).unwrap();
        }
    }
    let out = index_of(&corpus, &index);
    assert!(out.status.success(), "{}", stderr(&out));
    let (code, got) = search_json(&index, &corpus, &["", "--limit", "1"]);
    assert_eq!(code, 0, "{got}");
    assert_eq!(got["total"], want["total"]);
    let (recovered, built) = (tree_bytes(&index), tree_bytes(&clean));
    assert!(
        recovered < built * 2,
        "{recovered} bytes after recovery, {built} built clean"
    );
}

/// What is computed from the index (merged spellings; the matters of the
/// organisations searched) is kept in the index's `derived/` folder for the next
/// process: a second search reads it and answers the same; a damaged file is
/// computed again; a new version of the index gets its own files and the old ones
/// go. A whole archive's matters, threaded once (`matters`), answer every search.
#[test]
fn what_is_derived_from_the_index_is_kept_for_the_next_search() {
    let (_tmp, corpus, index) = indexed_copy(&[repo("corpus")]);
    let derived = index.join("derived");
    let files = |prefix: &str| -> Vec<std::path::PathBuf> {
        let mut found: Vec<std::path::PathBuf> = std::fs::read_dir(&derived)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| {
                        let name = p.file_name().unwrap().to_string_lossy().into_owned();
                        name.starts_with(prefix) && !name.ends_with(".tmp")
                    })
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    };
    let (code, first) = search_json(&index, &corpus, &["samverkan", "--limit", "20"]);
    assert_eq!(code, 0, "{first}");
    let (scopes, variants) = (files("matter-scope-"), files("variants-"));
    assert!(!scopes.is_empty(), "{scopes:?}");
    assert_eq!(variants.len(), 1, "{variants:?}");
    assert!(files("matters-").is_empty(), "no whole archive threaded");
    let (_, again) = search_json(&index, &corpus, &["samverkan", "--limit", "20"]);
    let same = |v: &Value| {
        let mut v = v.clone();
        v["took_ms"] = Value::Null;
        v
    };
    assert_eq!(same(&again), same(&first));
    assert!(
        first["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| !h["matter"].is_null()),
        "some hit belongs to a matter: {first}"
    );
    std::fs::write(&scopes[0], b"{not a lookup").unwrap();
    std::fs::write(&variants[0], b"{not json").unwrap();
    let (_, damaged) = search_json(&index, &corpus, &["samverkan", "--limit", "20"]);
    assert_eq!(same(&damaged), same(&first));
    // The whole archive's matters, once threaded, answer the same.
    let out = run(&[
        "--index",
        index.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
        "matters",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(files("matters-").len(), 1);
    let (_, whole) = search_json(&index, &corpus, &["samverkan", "--limit", "20"]);
    assert_eq!(same(&whole), same(&first));

    let text = std::fs::read_to_string(corpus.join("002_99a661715dc34129.txt")).unwrap();
    std::fs::write(corpus.join("ny.txt"), text.replace("Kalmar", "Nybroby")).unwrap();
    assert!(index_of(&corpus, &index).status.success());
    let (code, _) = search_json(&index, &corpus, &["samverkan"]);
    assert_eq!(code, 0);
    let now = files("variants-");
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now[0], variants[0], "a new version, a new file");
    assert!(files("matters-").is_empty(), "the old version's matters go");
    let kept = files("matter-scope-");
    assert!(
        !kept.is_empty() && kept.iter().all(|p| !scopes.contains(p)),
        "{kept:?}"
    );
}

/// Unmounts a tmpfs when dropped.
#[cfg(target_os = "linux")]
struct Mounted(std::path::PathBuf);

#[cfg(target_os = "linux")]
impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// An index on a disk that fills up: the run that fills it fails saying the disk is
/// full, the index as last committed still answers, and once there is room again the
/// next run succeeds (what the failed run left is collected). Needs root, to mount a
/// small tmpfs (CI runs as root); elsewhere it says it did not run.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_said_so_and_the_last_commit_keeps_answering() {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
        eprintln!("not run: mounting a small tmpfs needs root");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let disk = tmp.path().join("disk");
    std::fs::create_dir_all(&disk).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&disk)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("not run: could not mount a tmpfs");
        return;
    }
    let _guard = Mounted(disk.clone());
    let corpus = tmp.path().join("corpus");
    corpus_from(&[repo("corpus")], &corpus);
    let index = disk.join("index");
    let out = index_of(&corpus, &index);
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, before) = search_json(&index, &corpus, &["samverkan"]);
    let total = before["total"].as_u64().unwrap();
    assert!(total > 0);

    // Far more text than the disk holds.
    let extra = corpus.join("extra");
    std::fs::create_dir_all(&extra).unwrap();
    write_seed_copies(&extra, 120);
    let out = index_of(&corpus, &index);
    assert!(
        !out.status.success(),
        "the disk cannot hold it: {}",
        stdout(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("disk is full"), "{err}");
    let (code, after) = search_json(&index, &corpus, &["samverkan", "--limit", "1"]);
    assert_eq!(code, 0, "{after}");
    assert_eq!(
        after["total"].as_u64(),
        Some(total),
        "the last commit answers"
    );

    std::fs::remove_dir_all(&extra).unwrap();
    let out = index_of(&corpus, &index);
    assert!(out.status.success(), "room again: {}", stderr(&out));
    let (_, again) = search_json(&index, &corpus, &["samverkan"]);
    assert_eq!(again["total"].as_u64(), Some(total));
}

/// Writes `copies` copies of each text protocol of the shipped archive into `dir`,
/// each made distinct (`Kalmar` → `Kalmar{copy}x{k}`), as `kopia_CCC_K.txt`; says
/// how many protocols each copy holds.
fn write_seed_copies(dir: &Path, copies: usize) -> usize {
    let originals: Vec<std::path::PathBuf> = std::fs::read_dir(repo("corpus"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    for copy in 0..copies {
        for (k, original) in originals.iter().enumerate() {
            let text = std::fs::read_to_string(original).unwrap();
            let text = text.replacen("Kalmar", &format!("Kalmar{copy}x{k}"), 1);
            std::fs::write(dir.join(format!("kopia_{copy:03}_{k}.txt")), text).unwrap();
        }
    }
    originals.len()
}

/// Among hits of equal score the newer protocol comes first, on every page: many
/// protocols with the same item on different days, searched whole and a page at a
/// time (more matches than a page: most are never read for their date).
#[test]
fn equal_scores_rank_newer_first_on_every_page() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    std::fs::create_dir_all(&corpus).unwrap();
    let months = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ];
    for k in 0..36usize {
        // The days are written in no order of the file names.
        let (year, month, day) = (2019 + (k * 7) % 5, months[(k * 5) % 12], 1 + (k * 11) % 27);
        let text = format!(
            "# Protokoll – Samverkansgruppen\n\n**Datum:** {day} {month} {year}\n\n\
             ## 1. Mötets öppnande\n\nOrdföranden öppnar mötet.\n\n\
             ## 2. Sprututbyte\n\nGruppen diskuterar sprututbyte i länet.\n"
        );
        std::fs::write(corpus.join(format!("p{k:02}.md")), text).unwrap();
    }
    assert!(index_of(&corpus, &index).status.success());
    let (code, all) = search_json(&index, &corpus, &["sprututbyte", "--limit", "36"]);
    assert_eq!(code, 0);
    let hits = all["hits"].as_array().unwrap().clone();
    assert_eq!(hits.len(), 36);
    // The items are alike but for the day: each page, and the whole list, runs
    // from the newest to the oldest.
    let dates: Vec<&str> = hits.iter().map(|h| h["date"].as_str().unwrap()).collect();
    assert!(
        dates.windows(2).all(|d| d[0] > d[1]),
        "newest first: {dates:?}"
    );
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(
        scores.windows(2).all(|s| s[0] >= s[1]),
        "by score: {scores:?}"
    );
    for offset in [0usize, 5, 10, 30] {
        let (_, page) = search_json(
            &index,
            &corpus,
            &[
                "sprututbyte",
                "--limit",
                "5",
                "--offset",
                &offset.to_string(),
            ],
        );
        let got: Vec<Value> = page["hits"].as_array().unwrap().to_vec();
        let want: Vec<Value> = hits.iter().skip(offset).take(5).cloned().collect();
        let ids = |v: &[Value]| -> Vec<String> {
            v.iter()
                .map(|h| h["protocol_id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(ids(&got), ids(&want), "page at {offset}");
    }
}
