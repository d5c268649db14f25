//! Incremental indexing: the file table (path, size, mtime, content hash) kept in
//! fast fields, so the index itself knows what it holds; add/replace/delete by file;
//! one commit at the end of a run, so an interrupted run leaves the last good index
//! readable; the corpus folder and the skipped files recorded beside the index.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use tantivy::collector::DocSetCollector;
use tantivy::indexer::UserOperation;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{doc, Index, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::analysis::themes::Themes;
use crate::analysis::tokenize;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::index::merges::{CappedMerges, MAX_SEGMENT_ITEMS};
use crate::index::schema::{
    documents, exists, protocol_from_docs, same_schema, schema, Fields, SCHEMA_VERSION,
};
use crate::ingest::read::{self, CorpusFile, SkipReason};
use crate::parse::{parse_document, Protocol};

/// What is in the index for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileState {
    pub size: u64,
    pub mtime: i64,
    pub hash: u64,
}

impl FileState {
    /// Whether the file on disk has the size and mtime recorded for it.
    fn looks_like(&self, f: &CorpusFile) -> bool {
        self.size == f.size && self.mtime == f.mtime
    }
}

/// The files of an index by identity (a fast hash: a million entries are compared
/// with the listing on every look).
pub type FileTable = HashMap<String, FileState, rustc_hash::FxBuildHasher>;

/// A searcher of the index as last committed, for the indexer's own reading.
fn searcher_of(index: &Index, dir: &Path) -> Result<tantivy::Searcher> {
    let reader: tantivy::IndexReader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e| Error::index(dir, e))?;
    Ok(reader.searcher())
}

/// The files the index holds, read from its fast fields.
pub fn indexed_files(index: &Index, dir: &Path) -> Result<FileTable> {
    let searcher = searcher_of(index, dir)?;
    let mut out = FileTable::default();
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let err = |e: tantivy::TantivyError| Error::index(dir, e);
        let Some(files) = ff.str("file").map_err(err)? else {
            continue;
        };
        let sizes = ff.u64("file_size").map_err(err)?;
        let mtimes = ff.i64("file_mtime").map_err(err)?;
        let hashes = ff.u64("file_hash").map_err(err)?;
        // One document per file is enough, kept by the ordinal of its name in the
        // segment's dictionary; the names are then resolved in one pass over it.
        const NONE: tantivy::DocId = tantivy::DocId::MAX;
        let terms = files.dictionary().num_terms();
        let mut first_doc = vec![NONE; terms];
        for doc in seg.doc_ids_alive() {
            let ord = files.ords().first(doc);
            if let Some(slot) = ord.and_then(|o| first_doc.get_mut(usize::try_from(o).ok()?)) {
                if *slot == NONE {
                    *slot = doc;
                }
            }
        }
        let (ords, docs): (Vec<u64>, Vec<tantivy::DocId>) = (0u64..)
            .zip(first_doc)
            .filter(|&(_, doc)| doc != NONE)
            .unzip();
        out.reserve(ords.len());
        let mut docs = docs.into_iter();
        files
            .dictionary()
            .sorted_ords_to_term_cb(&ords, |bytes| {
                let Some(doc) = docs.next() else {
                    return;
                };
                let Ok(name) = std::str::from_utf8(bytes) else {
                    return;
                };
                out.entry(name.to_string()).or_insert(FileState {
                    size: sizes.first(doc).unwrap_or(0),
                    mtime: mtimes.first(doc).unwrap_or(0),
                    hash: hashes.first(doc).unwrap_or(0),
                });
            })
            .map_err(|e| Error::index(dir, e))?;
    }
    Ok(out)
}

/// What one indexing run did.
#[derive(Debug, Default, Clone)]
pub struct IndexReport {
    pub indexed: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// (relative path, reason) of every file not indexed.
    pub skipped: Vec<(String, String)>,
    /// (relative path, what) of files indexed with a fault, such as bytes that are
    /// not UTF-8 in a UTF-8 file.
    pub warnings: Vec<(String, String)>,
    pub items: usize,
    pub bytes: u64,
    pub seconds: f64,
    /// True when the index was created (or rebuilt) by this run.
    pub created: bool,
    /// Files tagged again with changed themes, from what the index stores (not read).
    pub retagged: usize,
}

/// Progress events while indexing, for a progress bar or log lines.
pub enum Progress<'a> {
    /// The number of files to read (those not unchanged by size and mtime).
    Start { to_read: usize },
    /// One file is done.
    File { rel: &'a str },
    /// A file was skipped, with the reason.
    Skipped { rel: &'a str, reason: &'a str },
}

/// What the indexing workers did.
#[derive(Default)]
struct Tally {
    indexed: usize,
    /// Files read again only to be sure, and found unchanged.
    unchanged: usize,
    removed: usize,
    items: usize,
    skipped: Vec<(String, String)>,
    warnings: Vec<(String, String)>,
    write_error: Option<String>,
}

/// What a corpus folder looks like compared with the index: the files that need
/// reading, the ones unchanged, the ones skipped before and unchanged since, and
/// the ones gone.
struct Plan<'a> {
    /// Borrowed from the listing: at a million files, a copy would be 200 MB.
    to_read: Vec<&'a CorpusFile>,
    unchanged: usize,
    still_skipped: Vec<(String, String)>,
    removed: Vec<String>,
}

/// Whether a file must be read and hashed even when its size and mtime are those
/// recorded: its mtime is not older than the start of the run that read it, so an
/// edit in that same second would look like no change.
fn needs_hash(f: &CorpusFile, run_started: Option<i64>) -> bool {
    run_started.is_some_and(|start| f.mtime >= start)
}

fn plan<'a>(
    files: &'a [CorpusFile],
    indexed: &FileTable,
    skipped: &HashMap<String, SkippedFile>,
    run_started: Option<i64>,
) -> Plan<'a> {
    let mut to_read = Vec::new();
    let mut unchanged = 0;
    let mut still_skipped = Vec::new();
    for f in files {
        let recent = needs_hash(f, run_started);
        if let Some(s) = indexed.get(&f.rel) {
            if s.looks_like(f) && !recent {
                unchanged += 1;
                continue;
            }
        } else if let Some(s) = skipped.get(&f.rel) {
            if s.size == f.size && s.mtime == f.mtime && !recent {
                still_skipped.push((f.rel.clone(), s.reason.clone()));
                continue;
            }
        }
        to_read.push(f);
    }
    let present: rustc_hash::FxHashSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    let removed = indexed
        .keys()
        .filter(|k| !present.contains(k.as_str()))
        .cloned()
        .collect();
    Plan {
        to_read,
        unchanged,
        still_skipped,
        removed,
    }
}

/// A file the last run did not index, remembered so that the next run neither
/// re-reads it nor takes the index for stale.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct SkippedFile {
    size: u64,
    mtime: i64,
    reason: String,
}

const SKIPPED_FILE: &str = "skipped.json";
/// Present while a run holds the index writer; it names the process.
const INDEXING_FILE: &str = "indexing.pid";

/// The mark of a run in progress, taken away when the run ends (however it ends).
struct IndexingMark(std::path::PathBuf);

impl IndexingMark {
    fn set(dir: &Path) -> IndexingMark {
        let path = dir.join(INDEXING_FILE);
        if let Err(e) = std::fs::write(&path, std::process::id().to_string()) {
            tracing::debug!("could not mark the run: {e}");
        }
        IndexingMark(path)
    }
}

impl Drop for IndexingMark {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}

/// Whether another process is indexing `dir` now: its mark is there and names a
/// live process (a mark left by a killed run does not count).
pub fn indexing_elsewhere(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join(INDEXING_FILE)) else {
        return false;
    };
    let Ok(pid) = text.trim().parse::<u32>() else {
        return false;
    };
    if pid == std::process::id() {
        return false;
    }
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}
const SOURCE_FILE: &str = "source.json";

/// The themes file the index was last tagged from, when it was not the shipped one.
pub fn recorded_themes(index_dir: &Path) -> Option<std::path::PathBuf> {
    recorded(index_dir, "themes_file").map(std::path::PathBuf::from)
}

/// The corpus folder the index was last built from, when recorded.
pub fn recorded_corpus(index_dir: &Path) -> Option<std::path::PathBuf> {
    let body = std::fs::read(index_dir.join(SOURCE_FILE)).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&body).ok()?;
    v.get("corpus")?.as_str().map(std::path::PathBuf::from)
}

/// A hash of the corpus listing: every file's path, size and mtime. Equal
/// fingerprints mean nothing was added, removed or touched.
fn corpus_fingerprint(files: &[CorpusFile]) -> String {
    let mut h = blake3::Hasher::new();
    for f in files {
        h.update(f.rel.as_bytes());
        h.update(&[0]);
        h.update(&f.size.to_le_bytes());
        h.update(&f.mtime.to_le_bytes());
    }
    h.finalize().to_hex()[..32].to_string()
}

/// The corpus folders and their mtimes, as the last run recorded them.
fn recorded_folders(index_dir: &Path) -> Vec<(std::path::PathBuf, u128)> {
    let Ok(body) = std::fs::read(index_dir.join(SOURCE_FILE)) else {
        return Vec::new();
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return Vec::new();
    };
    let Some(list) = v.get("folders").and_then(|f| f.as_array()) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|pair| {
            let dir = pair.get(0)?.as_str()?;
            let mtime = pair.get(1)?.as_str()?.parse().ok()?;
            Some((std::path::PathBuf::from(dir), mtime))
        })
        .collect()
}

fn recorded(index_dir: &Path, key: &str) -> Option<String> {
    let body = std::fs::read(index_dir.join(SOURCE_FILE)).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&body).ok()?;
    v.get(key)?.as_str().map(str::to_string)
}

/// When the last run that read the corpus started (seconds since the epoch). A file
/// whose mtime is not older than that may have changed after it was read, within the
/// same second of its mtime: such a file is hashed again however it looks.
fn recorded_run_start(index_dir: &Path) -> Option<i64> {
    let body = std::fs::read(index_dir.join(SOURCE_FILE)).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&body).ok()?;
    v.get("run_started")?.as_i64()
}

fn record_corpus(
    index_dir: &Path,
    config: &Config,
    themes: &str,
    files: &[CorpusFile],
    whole: &Whole<'_>,
    run_started: Option<i64>,
) -> Result<()> {
    let corpus = &config.corpus_dir;
    let abs = corpus
        .canonicalize()
        .unwrap_or_else(|_| corpus.to_path_buf());
    let body = serde_json::json!({
        "corpus": abs.to_string_lossy(),
        "fingerprint": corpus_fingerprint(files),
        "folders": folders_json(whole.folders),
        "links": if whole.links { "followed" } else { "none" },
        "run_started": run_started,
        "themes": themes,
        "themes_file": config.themes_file.as_ref().map(|p| {
            p.canonicalize().unwrap_or_else(|_| p.clone()).to_string_lossy().to_string()
        }),
    });
    let tmp = index_dir.join(format!("{SOURCE_FILE}.tmp"));
    std::fs::write(&tmp, body.to_string()).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, index_dir.join(SOURCE_FILE)).map_err(|e| Error::io(index_dir, e))
}

fn load_skipped(dir: &Path) -> HashMap<String, SkippedFile> {
    std::fs::read(dir.join(SKIPPED_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Written after the commit, through a temporary file and a rename.
fn save_skipped(dir: &Path, skipped: &HashMap<String, SkippedFile>) -> Result<()> {
    let tmp = dir.join(format!("{SKIPPED_FILE}.tmp"));
    let body = serde_json::to_vec_pretty(skipped).expect("serialisable");
    std::fs::write(&tmp, body).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, dir.join(SKIPPED_FILE)).map_err(|e| Error::io(dir, e))
}

/// What a look at the corpus folders whose mtime moved since the last record tells.
enum FolderLook {
    /// They hold what the index holds of them: the record, with their new mtimes.
    Current {
        moved: usize,
        folders: Vec<(std::path::PathBuf, u128)>,
    },
    /// A file in them was added, removed or changed since the index read them.
    Stale,
    /// Only a listing tells: a folder is new, gone or has a link in it, or too many
    /// moved for a look at each to be cheaper.
    NeedsListing,
}

/// Folders looked at one by one before a whole listing is cheaper.
const MAX_MOVED_FOLDERS: usize = 64;

/// Looks at the folders whose mtime moved since the record, and only at them. A
/// file added or removed by `index PATH…`, or by a server following the corpus,
/// moves its folder's mtime while the index already holds what the folder holds
/// now. Each moved folder's own files are compared with the index's files of that
/// folder, as [`plan`] compares a whole listing: by size and mtime, and by content
/// hash for a file whose mtime is not older than the last listing (see
/// [`needs_hash`]), which such a file added since always is.
fn look_at_moved_folders(config: &Config, index: &Index, real_root: &Path) -> Result<FolderLook> {
    let dir = &config.index_dir;
    let mut folders = recorded_folders(dir);
    let Some(moved) = read::folders_moved(&folders) else {
        return Ok(FolderLook::NeedsListing);
    };
    if moved.is_empty() {
        return Ok(FolderLook::Current { moved: 0, folders });
    }
    // Through a link, a file may be known by another path than its folder's.
    if moved.len() > MAX_MOVED_FOLDERS || recorded(dir, "links").as_deref() != Some("none") {
        return Ok(FolderLook::NeedsListing);
    }
    let known: std::collections::HashSet<&Path> =
        folders.iter().map(|(folder, _)| folder.as_path()).collect();
    let searcher = searcher_of(index, dir)?;
    let (_, fields) = schema();
    let skipped = load_skipped(dir);
    let run_started = recorded_run_start(dir);
    let mut mtimes = Vec::with_capacity(moved.len());
    for &i in &moved {
        let Some((folder, _)) = folders.get(i) else {
            return Ok(FolderLook::NeedsListing);
        };
        let Ok(listing) = read::list_folder(&config.corpus_dir, real_root, folder) else {
            return Ok(FolderLook::NeedsListing);
        };
        if listing.links
            || listing
                .subfolders
                .iter()
                .any(|s| !known.contains(s.as_path()))
        {
            return Ok(FolderLook::NeedsListing);
        }
        let rel = read::relative_path(real_root, folder);
        let indexed =
            indexed_files_in(&searcher, &fields, &rel).map_err(|e| Error::index(dir, e))?;
        if !holds(&listing.files, &indexed, &skipped, run_started, config) {
            return Ok(FolderLook::Stale);
        }
        mtimes.push((i, listing.mtime));
    }
    for (i, mtime) in mtimes {
        if let Some(entry) = folders.get_mut(i) {
            entry.1 = mtime;
        }
    }
    Ok(FolderLook::Current {
        moved: moved.len(),
        folders,
    })
}

/// Whether `files`, one folder's, are what the index (`indexed`, its files of that
/// folder) and the skipped files say: none added, removed or changed. The files
/// [`plan`] would read again only to be sure (see [`needs_hash`]) are compared by
/// their bytes' hash.
fn holds(
    files: &[CorpusFile],
    indexed: &FileTable,
    skipped: &HashMap<String, SkippedFile>,
    run_started: Option<i64>,
    config: &Config,
) -> bool {
    let p = plan(files, indexed, skipped, run_started);
    p.removed.is_empty()
        && p.to_read.iter().all(|f| {
            indexed.get(&f.rel).is_some_and(|s| {
                s.looks_like(f)
                    && read::read_bytes(&f.path, config.max_file_bytes)
                        .is_ok_and(|b| hash_of(&b) == s.hash)
            })
        })
}

/// The files the index holds directly in the folder `rel` ([`read::relative_path`],
/// "" for the corpus folder): a range of the `file` terms, not the whole table.
fn indexed_files_in(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    rel: &str,
) -> tantivy::Result<FileTable> {
    use tantivy::{DocSet, TERMINATED};
    let prefix = if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    };
    // '0' is the character after '/': the range holds the names that begin with the
    // prefix.
    let end = format!("{rel}0");
    let mut out = FileTable::default();
    for seg in searcher.segment_readers() {
        let inverted = seg.inverted_index(fields.file)?;
        let mut range = inverted.terms().range().ge(prefix.as_bytes());
        if !rel.is_empty() {
            range = range.lt(end.as_bytes());
        }
        let mut terms = range.into_stream()?;
        let ff = seg.fast_fields();
        let sizes = ff.u64("file_size")?;
        let mtimes = ff.i64("file_mtime")?;
        let hashes = ff.u64("file_hash")?;
        while terms.advance() {
            let Ok(name) = std::str::from_utf8(terms.key()) else {
                continue;
            };
            let direct = name
                .strip_prefix(prefix.as_str())
                .is_some_and(|n| !n.contains('/'));
            if !direct || out.contains_key(name) {
                continue;
            }
            let mut postings =
                inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
            let mut doc = postings.doc();
            while doc != TERMINATED && seg.is_deleted(doc) {
                doc = postings.advance();
            }
            if doc == TERMINATED {
                continue;
            }
            out.insert(
                name.to_string(),
                FileState {
                    size: sizes.first(doc).unwrap_or(0),
                    mtime: mtimes.first(doc).unwrap_or(0),
                    hash: hashes.first(doc).unwrap_or(0),
                },
            );
        }
    }
    Ok(out)
}

/// Replaces the recorded folders (see [`record_corpus`]), the rest of the record
/// kept.
fn record_folders(index_dir: &Path, folders: &[(std::path::PathBuf, u128)]) -> Result<()> {
    let path = index_dir.join(SOURCE_FILE);
    let body = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let Ok(serde_json::Value::Object(mut record)) = serde_json::from_slice(&body) else {
        return Ok(());
    };
    record.insert("folders".to_string(), folders_json(folders));
    let tmp = index_dir.join(format!("{SOURCE_FILE}.tmp"));
    std::fs::write(&tmp, serde_json::Value::Object(record).to_string())
        .map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(index_dir, e))
}

fn folders_json(folders: &[(std::path::PathBuf, u128)]) -> serde_json::Value {
    folders
        .iter()
        .map(|(dir, mtime)| serde_json::json!([dir.to_string_lossy(), mtime.to_string()]))
        .collect()
}

/// True when the index is missing, from another schema, or differs from the corpus
/// (files added, changed by size or mtime, or removed). Reads no file contents.
///
/// With `full_check` false, corpus folders with unchanged mtimes (see
/// [`read::Listing::folders`]) count as fresh with one `stat` per folder and none
/// per file: what a one-shot search wants. `full_check` also compares every file's size and
/// mtime.
pub fn is_stale(config: &Config, full_check: bool) -> Result<bool> {
    if !exists(&config.index_dir) {
        return Ok(true);
    }
    let index =
        Index::open_in_dir(&config.index_dir).map_err(|e| Error::index(&config.index_dir, e))?;
    if !same_schema(&index.schema(), &schema().0) || !holds_current_version(&index) {
        return Ok(true);
    }
    // The digest alone: parsing the themes would cost a one-shot search more than
    // the rest of this look.
    let themes = Themes::fingerprint_of(config)?;
    if recorded(&config.index_dir, "themes").as_deref() != Some(themes.as_str()) {
        return Ok(true);
    }
    let real_root = config.corpus_dir.canonicalize().ok();
    let same_corpus = recorded_corpus(&config.index_dir)
        .zip(real_root.as_deref())
        .is_some_and(|(a, b)| a == b);
    if let Some(real_root) = real_root.as_deref().filter(|_| same_corpus && !full_check) {
        match look_at_moved_folders(config, &index, real_root)? {
            FolderLook::Current { moved: 0, .. } => return Ok(false),
            FolderLook::Current { folders, .. } => {
                if !indexing_elsewhere(&config.index_dir) {
                    if let Err(e) = record_folders(&config.index_dir, &folders) {
                        tracing::debug!("could not record the corpus folders: {e}");
                    }
                }
                return Ok(false);
            }
            FolderLook::Stale => return Ok(true),
            FolderLook::NeedsListing => {}
        }
    }
    let read::Listing {
        files,
        links,
        folders,
    } = read::list(&config.corpus_dir)?;
    let whole = Whole {
        folders: &folders,
        links,
    };
    let run_started = recorded_run_start(&config.index_dir);
    if files.iter().any(|f| needs_hash(f, run_started)) {
        return Ok(true);
    }
    let record = || {
        if let Err(e) = record_corpus(
            &config.index_dir,
            config,
            &themes,
            &files,
            &whole,
            run_started,
        ) {
            tracing::debug!("could not record the corpus folders: {e}");
        }
    };
    // Nothing changed since the last run: the listing says so, no need to read the
    // index. The folders' mtimes moved all the same (a file saved in place by
    // rename, say): recording them spares the next search this listing.
    if same_corpus && recorded(&config.index_dir, "fingerprint") == Some(corpus_fingerprint(&files))
    {
        record();
        return Ok(false);
    }
    let p = plan(
        &files,
        &indexed_files(&index, &config.index_dir)?,
        &load_skipped(&config.index_dir),
        run_started,
    );
    let stale = !p.to_read.is_empty() || !p.removed.is_empty();
    // The index holds the corpus as listed (updated path by path, say): recorded,
    // the next check needs no listing.
    if same_corpus && !stale {
        record();
    }
    Ok(stale)
}

/// Brings the index up to date with the corpus: reads new and changed files
/// (hashing those whose size or mtime changed), replaces their items, removes the
/// items of deleted files, and commits once.
pub fn update_index(config: &Config, progress: &(dyn Fn(Progress) + Sync)) -> Result<IndexReport> {
    let started = Instant::now();
    let started_at = now_seconds();
    let read::Listing {
        files,
        links,
        folders,
    } = read::list(&config.corpus_dir)?;
    let dir = &config.index_dir;
    let (index, rebuilt) = open_or_create(dir)?;
    let indexed = if rebuilt {
        FileTable::default()
    } else {
        indexed_files(&index, dir)?
    };
    let previously_skipped = if rebuilt {
        HashMap::new()
    } else {
        load_skipped(dir)
    };
    let run = Run {
        started,
        started_at,
        rebuilt,
        files: &files,
        indexed: &indexed,
        previously_skipped,
        themes: Themes::of(config)?,
        whole: Some(Whole {
            folders: &folders,
            links,
        }),
    };
    write_run(config, &index, run, progress)
}

/// Indexes the files at `paths` alone (paths the system reported as changed, under
/// the corpus folder with links resolved): new and changed files are read, deleted
/// ones removed, in one commit, without listing the corpus. Over a million files a
/// listing takes seconds; this, a few milliseconds per path. `None` when only a
/// listing can tell what changed (see [`update_index`]): no index yet, another
/// corpus or themes, a corpus whose last listing followed links (a file may be
/// known by another path), or a path that is, or was, a folder.
pub fn update_paths(
    config: &Config,
    paths: &[std::path::PathBuf],
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Option<IndexReport>> {
    let started = Instant::now();
    let started_at = now_seconds();
    let dir = &config.index_dir;
    let Ok(real_root) = config.corpus_dir.canonicalize() else {
        return Ok(None);
    };
    let themes = Themes::of(config)?;
    if !exists(dir)
        || recorded_corpus(dir).as_deref() != Some(real_root.as_path())
        || recorded(dir, "links").as_deref() != Some("none")
        || recorded(dir, "themes").as_deref() != Some(themes.fingerprint())
    {
        return Ok(None);
    }
    let index = Index::open_in_dir(dir).map_err(|e| Error::index(dir, e))?;
    if !same_schema(&index.schema(), &schema().0) || !holds_current_version(&index) {
        return Ok(None);
    }
    tokenize::register(&index);
    let mut previously_skipped = load_skipped(dir);
    let (_, fields) = schema();
    let searcher = searcher_of(&index, dir)?;
    let mut files = Vec::new();
    let mut indexed = FileTable::default();
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        let (rel, file) = match read::changed_path(&config.corpus_dir, &real_root, path) {
            read::Changed::Ignored => continue,
            read::Changed::NeedsListing => return Ok(None),
            read::Changed::File(f) => (f.rel.clone(), Some(f)),
            read::Changed::Gone(rel) => (rel, None),
        };
        if !seen.insert(rel.clone()) {
            continue;
        }
        let state = indexed_state(&searcher, &fields, &rel).map_err(|e| Error::index(dir, e))?;
        let was_skipped = previously_skipped.contains_key(&rel);
        if file.is_none() {
            previously_skipped.remove(&rel);
        }
        // Something gone that was neither a file of the index nor skipped, and has
        // no file name extension, may have been a folder of files.
        if file.is_none() && state.is_none() && !was_skipped && path.extension().is_none() {
            return Ok(None);
        }
        if let Some(state) = state {
            indexed.insert(rel.clone(), state);
        }
        files.extend(file);
    }
    if files.is_empty() && indexed.is_empty() {
        // Only paths of files never indexed, gone again (an editor's temporary file).
        save_skipped(dir, &previously_skipped)?;
        return Ok(Some(IndexReport::default()));
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    let run = Run {
        started,
        started_at,
        rebuilt: false,
        files: &files,
        indexed: &indexed,
        previously_skipped,
        themes,
        whole: None,
    };
    write_run(config, &index, run, progress).map(Some)
}

/// The paths a user named, as [`update_paths`] takes them: absolute, with links
/// resolved (a deleted file by its folder's real path). A path outside the corpus
/// folder is an error that names both. `None` when the corpus folder cannot be
/// resolved, or a path's folder is gone too (a folder deleted: only a listing
/// tells what was in it).
pub fn paths_in_corpus(
    config: &Config,
    paths: &[std::path::PathBuf],
) -> Result<Option<Vec<std::path::PathBuf>>> {
    let corpus = &config.corpus_dir;
    let Ok(real_root) = corpus.canonicalize() else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let real = match path.canonicalize() {
            Ok(real) => real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
                    return Ok(None);
                };
                let folder = if folder.as_os_str().is_empty() {
                    std::path::Path::new(".")
                } else {
                    folder
                };
                match folder.canonicalize() {
                    Ok(folder) => folder.join(name),
                    Err(_) => return Ok(None),
                }
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        if !real.starts_with(&real_root) {
            return Err(Error::InvalidArgument(format!(
                "{} is not in the corpus folder {}",
                path.display(),
                corpus.display()
            )));
        }
        out.push(real);
    }
    Ok(Some(out))
}

/// What the index holds of the file `rel`, if anything.
fn indexed_state(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    rel: &str,
) -> tantivy::Result<Option<FileState>> {
    let query = TermQuery::new(
        Term::from_field_text(fields.file, rel),
        IndexRecordOption::Basic,
    );
    let Some(addr) = searcher.search(&query, &DocSetCollector)?.into_iter().min() else {
        return Ok(None);
    };
    let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
    let first = |col: tantivy::Result<tantivy::columnar::Column<u64>>| {
        col.ok().and_then(|c| c.first(addr.doc_id)).unwrap_or(0)
    };
    let mtime = ff
        .i64("file_mtime")
        .ok()
        .and_then(|c| c.first(addr.doc_id))
        .unwrap_or(0);
    Ok(Some(FileState {
        size: first(ff.u64("file_size")),
        mtime,
        hash: first(ff.u64("file_hash")),
    }))
}

fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// One indexing run: the files to consider and what the index holds of them.
struct Run<'a> {
    started: Instant,
    /// When the run started, in seconds since the epoch (see [`needs_hash`]).
    started_at: i64,
    rebuilt: bool,
    /// The files to consider, sorted by identity.
    files: &'a [CorpusFile],
    /// What the index holds of them; of the whole corpus, those gone are removed.
    indexed: &'a FileTable,
    previously_skipped: HashMap<String, SkippedFile>,
    /// The themes items are tagged with.
    themes: Themes,
    /// Set when `files` is the whole corpus, listed.
    whole: Option<Whole<'a>>,
}

/// A run over the whole corpus: its folders and whether its listing followed links.
struct Whole<'a> {
    folders: &'a [(std::path::PathBuf, u128)],
    links: bool,
}

/// Reads, parses and writes the files of `run` that changed, removes those gone,
/// commits once, and records what the next run needs.
fn write_run(
    config: &Config,
    index: &Index,
    run: Run<'_>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<IndexReport> {
    let Run {
        started,
        started_at,
        rebuilt,
        files,
        indexed,
        previously_skipped,
        themes,
        whole,
    } = run;
    let dir = &config.index_dir;
    let mut report = IndexReport {
        created: rebuilt,
        ..IndexReport::default()
    };
    let (_, fields) = schema();
    let run_started = recorded_run_start(dir);
    let plan = plan(files, indexed, &previously_skipped, run_started);
    report.unchanged = plan.unchanged;
    // Other themes than the index was tagged with: the files not read again are
    // re-tagged from what the index stores of them.
    let retag = whole.is_some()
        && !rebuilt
        && recorded(dir, "themes").as_deref() != Some(themes.fingerprint());
    let to_retag: Vec<&CorpusFile> = if retag {
        // Files read only to be sure they did not change are re-tagged all the same:
        // when they did not, reading them writes nothing.
        let reading: std::collections::HashSet<&str> = plan
            .to_read
            .iter()
            .filter(|f| indexed.get(&f.rel).is_none_or(|s| !s.looks_like(f)))
            .map(|f| f.rel.as_str())
            .collect();
        files
            .iter()
            .filter(|f| indexed.contains_key(&f.rel) && !reading.contains(f.rel.as_str()))
            .collect()
    } else {
        Vec::new()
    };
    for (rel, reason) in &plan.still_skipped {
        progress(Progress::Skipped { rel, reason });
    }
    progress(Progress::Start {
        to_read: plan.to_read.len(),
    });

    // A run that reads a few files (a server following its corpus) takes a small
    // arena, not the whole budget: memory a process has taken once it seldom gives
    // back.
    let threads = config_threads();
    let to_read_bytes: u64 = plan.to_read.iter().map(|f| f.size).sum();
    let floor = threads * 15_000_000;
    let wanted = usize::try_from(to_read_bytes.saturating_mul(16)).unwrap_or(usize::MAX);
    let memory = wanted.clamp(floor, config.writer_memory_bytes.max(floor));
    let mut writer: IndexWriter = index
        .writer_with_num_threads(threads, memory)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Error::Locked(dir.to_path_buf()),
            e => Error::index(dir, format!("cannot open the index for writing: {e}")),
        })?;
    writer.set_merge_policy(Box::new(CappedMerges::new(MAX_SEGMENT_ITEMS)));
    let _mark = IndexingMark::set(dir);
    // Files a failed or killed run left behind (segments never committed) go first.
    match writer.garbage_collect_files().wait() {
        Ok(gc) if !gc.deleted_files.is_empty() => {
            tracing::info!(
                files = gc.deleted_files.len(),
                "removed files of an unfinished run"
            )
        }
        Ok(_) => {}
        Err(e) => tracing::debug!("could not collect unused index files: {e}"),
    }
    for rel in &plan.removed {
        writer.delete_term(Term::from_field_text(fields.file, rel));
        report.removed += 1;
    }
    report.retagged = retag_files(index, &writer, &fields, &to_retag, indexed, &themes, dir)?;

    let next = AtomicUsize::new(0);
    let tally = Mutex::new(Tally::default());
    let workers = config_threads().min(plan.to_read.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(f) = plan.to_read.get(k) else { break };
                let stored = indexed.get(&f.rel);
                let was_indexed = stored.is_some();
                let read = read_and_parse(f, config);
                // Read again only to be sure (see `needs_hash`), and the same bytes.
                let same = |hash: u64| stored.is_some_and(|s| s.hash == hash && s.looks_like(f));
                if let Ok(r) = &read {
                    if same(r.hash) {
                        tally.lock().expect("no panics under the lock").unchanged += 1;
                        progress(Progress::File { rel: &f.rel });
                        continue;
                    }
                }
                if was_indexed {
                    writer.delete_term(Term::from_field_text(fields.file, &f.rel));
                }
                match read {
                    Err(reason) => {
                        let reason = reason.to_string();
                        progress(Progress::Skipped {
                            rel: &f.rel,
                            reason: &reason,
                        });
                        let mut t = tally.lock().expect("no panics under the lock");
                        t.skipped.push((f.rel.clone(), reason));
                        t.removed += usize::from(was_indexed);
                    }
                    Ok(ReadFile {
                        hash,
                        protocol,
                        replaced,
                    }) => {
                        if replaced > 0 {
                            let warning =
                                format!("{replaced} malformed UTF-8 sequences replaced by U+FFFD");
                            tracing::debug!(file = %f.rel, "{warning}");
                            tally
                                .lock()
                                .expect("no panics under the lock")
                                .warnings
                                .push((f.rel.clone(), warning));
                        }
                        // A file touched but not changed is written again too, so that
                        // its stored mtime is current and the next run skips it unread.
                        let docs = documents(&fields, &protocol, f, hash, started_at, &themes);
                        let items = docs.len();
                        // One batch: a protocol's items land in one segment, in order,
                        // so its first item is found from any other (see `facets`).
                        let failed = writer.run(docs.into_iter().map(UserOperation::Add)).err();
                        let mut t = tally.lock().expect("no panics under the lock");
                        match failed {
                            Some(e) => t.write_error = Some(e.to_string()),
                            None => {
                                t.indexed += 1;
                                t.items += items;
                            }
                        }
                    }
                }
                progress(Progress::File { rel: &f.rel });
            });
        }
    });
    let tally = tally.into_inner().expect("no panics under the lock");
    if let Some(e) = tally.write_error {
        writer.rollback().ok();
        return Err(Error::index(dir, write_failure(&e, dir)));
    }
    report.indexed = tally.indexed;
    report.unchanged += tally.unchanged;
    report.removed += tally.removed;
    report.items = tally.items;
    report.skipped = tally.skipped;
    report.skipped.extend(plan.still_skipped.iter().cloned());
    report.skipped.sort();
    report.warnings = tally.warnings;
    report.warnings.sort();
    report.bytes = plan.to_read.iter().map(|f| f.size).sum();
    if report.indexed > 0 || report.removed > 0 || report.retagged > 0 || rebuilt {
        if let Err(e) = writer.commit() {
            let why = write_failure(&e.to_string(), dir);
            writer.rollback().ok();
            return Err(Error::index(dir, why));
        }
    }
    writer
        .wait_merging_threads()
        .map_err(|e| Error::index(dir, e))?;
    crate::index::facets::write_tables(index, dir).map_err(|e| Error::io(dir.join("facets"), e))?;
    let by_rel: HashMap<&str, &CorpusFile> = files.iter().map(|f| (f.rel.as_str(), f)).collect();
    let skipped_now: HashMap<String, SkippedFile> = report
        .skipped
        .iter()
        .filter_map(|(rel, reason)| {
            let f = by_rel.get(rel.as_str())?;
            Some((
                rel.clone(),
                SkippedFile {
                    size: f.size,
                    mtime: f.mtime,
                    reason: reason.clone(),
                },
            ))
        })
        .collect();
    match whole {
        Some(whole) => {
            save_skipped(dir, &skipped_now)?;
            record_corpus(
                dir,
                config,
                themes.fingerprint(),
                files,
                &whole,
                Some(started_at),
            )?;
        }
        // Of the files looked at, what is skipped now replaces what was.
        None => {
            let mut skipped = previously_skipped;
            for f in files {
                skipped.remove(&f.rel);
            }
            for rel in &plan.removed {
                skipped.remove(rel);
            }
            skipped.extend(skipped_now);
            save_skipped(dir, &skipped)?;
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Replaces the documents of `files` by documents tagged with `themes`, built from
/// the protocols the index stores (the files are not read).
fn retag_files(
    index: &Index,
    writer: &IndexWriter,
    fields: &Fields,
    files: &[&CorpusFile],
    indexed: &FileTable,
    themes: &Themes,
    dir: &Path,
) -> Result<usize> {
    if files.is_empty() {
        return Ok(0);
    }
    let err = |e: tantivy::TantivyError| Error::index(dir, e);
    let searcher = searcher_of(index, dir)?;
    let mut retagged = 0;
    for f in files {
        let Some(state) = indexed.get(&f.rel) else {
            continue;
        };
        let term = Term::from_field_text(fields.file, &f.rel);
        let query = TermQuery::new(term.clone(), IndexRecordOption::Basic);
        let addrs = searcher.search(&query, &DocSetCollector).map_err(err)?;
        let mut docs = Vec::with_capacity(addrs.len());
        for addr in addrs {
            docs.push(searcher.doc::<TantivyDocument>(addr).map_err(err)?);
        }
        let Some(protocol) = protocol_from_docs(fields, &docs) else {
            continue;
        };
        // Re-tagging changes no protocol: it keeps the time it entered the index.
        let indexed_at = docs
            .iter()
            .find_map(|d| {
                d.get_first(fields.indexed_at)
                    .and_then(|v| tantivy::schema::Value::as_i64(&v))
            })
            .unwrap_or(0);
        let stored = CorpusFile {
            size: state.size,
            mtime: state.mtime,
            ..(*f).clone()
        };
        let mut ops = vec![UserOperation::Delete(term)];
        ops.extend(
            documents(fields, &protocol, &stored, state.hash, indexed_at, themes)
                .into_iter()
                .map(UserOperation::Add),
        );
        writer.run(ops).map_err(err)?;
        retagged += 1;
    }
    Ok(retagged)
}

fn config_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8)
}

/// Opens the index, or creates it when missing. An index from another schema
/// version is rebuilt from scratch (it only holds data derived from the corpus).
fn open_or_create(dir: &Path) -> Result<(Index, bool)> {
    let (schema, _) = schema();
    if exists(dir) {
        let index = Index::open_in_dir(dir).map_err(|e| Error::index(dir, e))?;
        if same_schema(&index.schema(), &schema) && holds_current_version(&index) {
            tokenize::register(&index);
            return Ok((index, false));
        }
        tracing::warn!(path = %dir.display(), "index schema or version changed: rebuilding");
        clear_index_dir(dir)?;
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let index = Index::create_in_dir(dir, schema).map_err(|e| Error::index(dir, e))?;
    tokenize::register(&index);
    Ok((index, true))
}

/// Whether every document of the index was written by this [`SCHEMA_VERSION`].
fn holds_current_version(index: &Index) -> bool {
    let Ok(reader) = index.reader() else {
        return false;
    };
    reader.searcher().segment_readers().iter().all(|seg| {
        match seg.fast_fields().u64("schema_version") {
            Ok(col) => col.min_value() == SCHEMA_VERSION && col.max_value() == SCHEMA_VERSION,
            Err(_) => false,
        }
    })
}

/// Removes the index files of an old index, leaving other files (`.gitignore`).
fn clear_index_dir(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name != ".tantivy-meta.lock" && name != ".tantivy-writer.lock" {
            continue;
        }
        let p = entry.path();
        if p.is_file() {
            std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
        }
    }
    Ok(())
}

/// A file read and parsed.
pub struct ReadFile {
    /// The first 8 bytes of the content's BLAKE3 hash.
    pub hash: u64,
    pub protocol: Protocol,
    /// Malformed sequences the decoder replaced (see [`read::decode`]).
    pub replaced: usize,
}

/// Whether the disk of `dir` is full: a writer thread that died of a full disk is
/// reported only as killed, so a megabyte is written to see.
fn disk_is_full(dir: &Path) -> bool {
    let probe = dir.join(".space-probe");
    let full = std::fs::write(&probe, vec![0u8; 1 << 20]).is_err_and(|e| {
        e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28)
    });
    std::fs::remove_file(&probe).ok();
    full
}

/// What a failed write means; a full disk is said so, with what is kept.
fn write_failure(e: &str, dir: &Path) -> String {
    let lower = e.to_lowercase();
    if lower.contains("no space left")
        || lower.contains("disk full")
        || lower.contains("os error 28")
        || (lower.contains("was killed") && disk_is_full(dir))
    {
        format!("the disk is full ({e}); the index as last committed is kept and still answers; free space and run `protokollsok index` again")
    } else if lower.contains("was killed") {
        format!(
            "writing failed: {e} (a full disk is one cause); the index as last committed is kept"
        )
    } else {
        format!("writing failed: {e}")
    }
}

/// The hash a file's bytes are kept by: the first 8 bytes of their BLAKE3 hash.
fn hash_of(bytes: &[u8]) -> u64 {
    let digest = blake3::hash(bytes);
    let (first, _) = digest.as_bytes().split_at(8);
    u64::from_le_bytes(first.try_into().expect("8 bytes"))
}

/// Reads, decodes, cleans and parses one file.
pub fn read_and_parse(
    f: &CorpusFile,
    config: &Config,
) -> std::result::Result<ReadFile, SkipReason> {
    let bytes = read::read_bytes(&f.path, config.max_file_bytes)?;
    let decoded = read::extract(&f.path, &bytes)?;
    let hash = hash_of(&bytes);
    // A parser bug on one file must not take the run down: the file is skipped
    // with the reason, and the rest is indexed.
    let parsed =
        std::panic::catch_unwind(|| parse_document(&f.rel, &decoded.text)).map_err(|panic| {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            SkipReason::ParserBug(msg)
        })?;
    let protocol = parsed.ok_or(SkipReason::Empty)?;
    Ok(ReadFile {
        hash,
        protocol,
        replaced: decoded.replaced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROTOCOL: &str = "Protokoll Socialnämnden\nSammanträdesdatum: 2024-05-06\n\nNärvarande: Anna Berg (S), ordförande\n\n§ 12 Budget för hemtjänsten 2025\nNämnden beslutar att godkänna budgeten. WORD\n\n§ 13 Rapport om våld i nära relationer\nInformationen noteras.\n";

    fn protocol(word: &str) -> String {
        PROTOCOL.replace("WORD", word)
    }

    /// A corpus of two files, indexed; the config and the corpus's real path.
    fn indexed_corpus(dir: &Path) -> (Config, std::path::PathBuf) {
        let corpus = dir.join("corpus");
        std::fs::create_dir_all(corpus.join("2024")).unwrap();
        std::fs::write(corpus.join("a.txt"), protocol("Alfa")).unwrap();
        std::fs::write(corpus.join("2024").join("b.txt"), protocol("Beta")).unwrap();
        let config = Config::new(&corpus, dir.join("index"));
        let report = update_index(&config, &|_| {}).unwrap();
        assert_eq!(report.indexed, 2);
        let real = corpus.canonicalize().unwrap();
        (config, real)
    }

    fn files_of(config: &Config) -> Vec<String> {
        let index = Index::open_in_dir(&config.index_dir).unwrap();
        let mut files: Vec<String> = indexed_files(&index, &config.index_dir)
            .unwrap()
            .into_keys()
            .collect();
        files.sort();
        files
    }

    /// New, changed, renamed and deleted files are indexed from their paths alone,
    /// as a full listing would index them.
    #[test]
    fn changed_paths_are_indexed_without_a_listing() {
        let tmp = tempfile::tempdir().unwrap();
        let (config, real) = indexed_corpus(tmp.path());
        let update = |paths: &[std::path::PathBuf]| update_paths(&config, paths, &|_| {}).unwrap();

        std::fs::write(real.join("2024").join("c.txt"), protocol("Gamma")).unwrap();
        let r = update(&[real.join("2024").join("c.txt")]).expect("a file alone");
        assert_eq!((r.indexed, r.removed), (1, 0));
        assert_eq!(files_of(&config), ["2024/b.txt", "2024/c.txt", "a.txt"]);

        std::fs::write(real.join("a.txt"), protocol("Alfa ändrad, längre")).unwrap();
        let r = update(&[real.join("a.txt")]).expect("a file alone");
        assert_eq!((r.indexed, r.removed), (1, 0));

        std::fs::rename(real.join("a.txt"), real.join("d.txt")).unwrap();
        let r = update(&[real.join("a.txt"), real.join("d.txt")]).expect("two paths");
        assert_eq!((r.indexed, r.removed), (1, 1));
        assert_eq!(files_of(&config), ["2024/b.txt", "2024/c.txt", "d.txt"]);

        // A hidden file and a temporary file gone again change nothing.
        std::fs::write(real.join(".d.txt.swp"), "x").unwrap();
        let r = update(&[real.join(".d.txt.swp"), real.join("d.txt~tmp.txt")]).expect("nothing");
        assert_eq!((r.indexed, r.removed), (0, 0));

        // A file the reader skips is remembered as skipped, and forgotten when gone.
        std::fs::write(real.join("bild.png"), [0u8, 1, 2, 3]).unwrap();
        let r = update(&[real.join("bild.png")]).expect("a file alone");
        assert_eq!(r.skipped.len(), 1, "{:?}", r.skipped);
        assert!(load_skipped(&config.index_dir).contains_key("bild.png"));
        std::fs::remove_file(real.join("bild.png")).unwrap();
        update(&[real.join("bild.png")]).expect("a skipped file gone");
        assert!(!load_skipped(&config.index_dir).contains_key("bild.png"));

        // What the paths did, a listing finds done (it reads the files changed in
        // the second of its last run again, to be sure, and finds them unchanged).
        let r = update_index(&config, &|_| {}).unwrap();
        assert_eq!((r.indexed, r.removed), (0, 0));
        assert_eq!(files_of(&config), ["2024/b.txt", "2024/c.txt", "d.txt"]);
    }

    /// After files added and removed by path, a one-shot look reads the folders
    /// they moved, finds the index current and records those folders, so that the
    /// next look is one `stat` per folder again; what was not named is seen.
    #[test]
    fn a_look_after_paths_reads_the_folders_they_moved() {
        let tmp = tempfile::tempdir().unwrap();
        let (config, real) = indexed_corpus(tmp.path());
        let dir = &config.index_dir;
        let update = |paths: &[std::path::PathBuf]| update_paths(&config, paths, &|_| {}).unwrap();
        let quick = || is_stale(&config, false).unwrap();
        let recorded_now = || read::folders_unchanged(&recorded_folders(dir));
        let y = real.join("2024");
        assert!(!quick());

        // a.txt rewritten in place moves no folder's mtime: the look reads only the
        // folder c.txt moved (a whole listing would see a.txt's new size).
        std::fs::write(real.join("a.txt"), protocol("Alfa, längre nu")).unwrap();
        std::fs::write(y.join("c.txt"), protocol("Gamma")).unwrap();
        update(&[y.join("c.txt")]).expect("a file alone");
        assert!(!recorded_now(), "the folder's mtime moved");
        assert!(!quick(), "the index holds what the moved folder holds");
        assert!(recorded_now(), "and the folder is recorded as it is now");
        assert!(
            is_stale(&config, true).unwrap(),
            "a check of every file sees a.txt"
        );
        update(&[real.join("a.txt")]).expect("a file alone");

        // A file not named is seen, and so is its going again.
        std::fs::write(y.join("d.txt"), protocol("Delta")).unwrap();
        assert!(quick(), "a file added and not indexed");
        std::fs::remove_file(y.join("d.txt")).unwrap();
        assert!(
            !quick(),
            "gone again: the folder holds what the index holds"
        );

        std::fs::remove_file(y.join("c.txt")).unwrap();
        assert!(quick(), "a file removed and still indexed");
        update(&[y.join("c.txt")]).expect("a file gone");
        assert!(!quick());

        // A file replaced by another of the same size (saved by rename) is read
        // again to be sure: it was written after the last listing.
        std::fs::write(y.join("b.tmp"), protocol("Beto")).unwrap();
        std::fs::rename(y.join("b.tmp"), y.join("b.txt")).unwrap();
        assert!(quick(), "a file replaced");
        update(&[y.join("b.txt")]).expect("a file alone");
        assert!(!quick());

        // A folder new, or a file in the corpus folder itself.
        std::fs::create_dir(y.join("ny")).unwrap();
        std::fs::write(y.join("ny").join("e.txt"), protocol("Epsilon")).unwrap();
        assert!(
            quick(),
            "a new folder needs a listing, which finds its file"
        );
        update_index(&config, &|_| {}).unwrap();
        assert!(!quick());
        std::fs::write(real.join("f.txt"), protocol("Zeta")).unwrap();
        update(&[real.join("f.txt")]).expect("a file alone");
        assert!(!quick());
        assert!(recorded_now());
        assert_eq!(
            files_of(&config),
            ["2024/b.txt", "2024/ny/e.txt", "a.txt", "f.txt"]
        );
    }

    /// A folder, a folder gone, and a corpus whose listing followed links are
    /// looked at by listing.
    #[test]
    fn folders_and_links_need_a_listing() {
        let tmp = tempfile::tempdir().unwrap();
        let (config, real) = indexed_corpus(tmp.path());
        let update = |paths: &[std::path::PathBuf]| update_paths(&config, paths, &|_| {}).unwrap();
        std::fs::create_dir(real.join("ny")).unwrap();
        assert!(update(&[real.join("ny")]).is_none(), "a folder");
        std::fs::remove_dir_all(real.join("2024")).unwrap();
        assert!(update(&[real.join("2024")]).is_none(), "a folder gone");
        assert_eq!(update_index(&config, &|_| {}).unwrap().removed, 1);

        std::os::unix::fs::symlink(real.join("ny"), real.join("länk")).unwrap();
        std::fs::write(real.join("ny").join("e.txt"), protocol("Epsilon")).unwrap();
        update_index(&config, &|_| {}).unwrap();
        assert!(
            update(&[real.join("ny").join("e.txt")]).is_none(),
            "a file may be known by a link's path"
        );
    }
}
