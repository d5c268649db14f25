//! The tantivy index: schema, opening, and incremental indexing.
//! Owns: one index document per agenda item carrying its protocol's metadata;
//! the file table (path, size, mtime, content hash) kept in fast fields, so the
//! index itself knows what it holds; add/replace/delete by file; one commit at
//! the end of a run, so an interrupted run leaves the last good index readable.
//! Does not own: queries (see `search`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use tantivy::indexer::UserOperation;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::{
    doc, DateTime, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term,
};

use crate::analysis;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::facets::{FacetField, FacetTables};
use crate::parse::{parse_document, Item, Protocol};
use crate::read::{self, CorpusFile, SkipReason};

/// Bumped whenever the schema or the parser changes what is stored, so that an old
/// index is rebuilt instead of misread.
pub const SCHEMA_VERSION: u64 = 5;

/// The fields of the schema, by role.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub protocol_id: Field,
    pub file: Field,
    pub file_size: Field,
    pub file_mtime: Field,
    pub file_hash: Field,
    pub schema_version: Field,
    pub item_ord: Field,
    pub number: Field,
    /// The item's diary number, stored; its words are also in `title_exact`.
    pub dnr: Field,
    /// The item's motions and reservations as JSON (`{"motions": […], "reservations": […]}`).
    pub stances_json: Field,
    pub title: Field,
    pub title_exact: Field,
    pub body: Field,
    pub body_exact: Field,
    pub context: Field,
    /// Keys of compound parts in the title and body (`ungdomsmottagning` →
    /// `ungdom`, `mottagning`), for a lower-weighted match on a part.
    pub parts: Field,
    /// Title and body with diacritics folded, for a low-weight fallback.
    pub folded: Field,
    pub parent: Field,
    pub date: Field,
    pub date_str: Field,
    pub group: Field,
    pub kind: Field,
    pub presenters: Field,
    pub decisions: Field,
    pub protocol_json: Field,
    /// The facet fields, in the order of [`FacetField::ALL`]: see [`Fields::facet`].
    facets: [Field; FacetField::ALL.len()],
    /// The people who presented an item (a person's profile finds them here).
    pub f_presenter: Field,
    /// `ABBR\u{1f}long form` pairs the protocol defines (on its first item).
    pub f_abbrev: Field,
}

impl Fields {
    /// The index field of a facet.
    pub fn facet(&self, facet: FacetField) -> Field {
        self.facets[facet as usize]
    }

    /// The facet an index field is, if it is one.
    pub fn facet_of(&self, field: Field) -> Option<FacetField> {
        FacetField::ALL
            .into_iter()
            .find(|&f| self.facet(f) == field)
    }
}

/// Builds the schema and returns it with its fields.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, stored: bool| {
        let idx = TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let o = TextOptions::default().set_indexing_options(idx);
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let stored_only = TextOptions::default().set_stored();
    // Fallback fields are only ever matched word by word: no positions.
    let unpositioned = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let fields = Fields {
        protocol_id: b.add_text_field("protocol_id", STRING | STORED | FAST),
        file: b.add_text_field("file", STRING | STORED | FAST),
        file_size: b.add_u64_field("file_size", FAST),
        file_mtime: b.add_i64_field("file_mtime", FAST),
        file_hash: b.add_u64_field("file_hash", FAST),
        schema_version: b.add_u64_field("schema_version", FAST),
        item_ord: b.add_u64_field(
            "item_ord",
            NumericOptions::default()
                .set_stored()
                .set_fast()
                .set_indexed(),
        ),
        number: b.add_text_field("number", stored_only.clone()),
        dnr: b.add_text_field("dnr", stored_only.clone()),
        stances_json: b.add_text_field("stances_json", stored_only.clone()),
        title: b.add_text_field("title", text(analysis::STEMMED, true)),
        title_exact: b.add_text_field("title_exact", text(analysis::EXACT, false)),
        body: b.add_text_field("body", text(analysis::STEMMED, true)),
        // Phrases in the body match on the stemmed field; the exact body and the
        // context are only matched word by word.
        body_exact: b.add_text_field("body_exact", unpositioned(analysis::EXACT)),
        context: b.add_text_field("context", unpositioned(analysis::STEMMED)),
        parts: b.add_text_field("parts", unpositioned(analysis::PARTS)),
        folded: b.add_text_field("folded", unpositioned(analysis::FOLDED)),
        parent: b.add_text_field("parent", stored_only.clone()),
        date: b.add_date_field(
            "date",
            DateOptions::default()
                .set_indexed()
                .set_fast()
                .set_stored()
                .set_precision(DateTimePrecision::Seconds),
        ),
        date_str: b.add_text_field("date_str", STRING | STORED),
        group: b.add_text_field("group", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        presenters: b.add_text_field("presenters", stored_only.clone()),
        decisions: b.add_text_field("decisions", stored_only.clone()),
        protocol_json: b.add_text_field("protocol_json", stored_only),
        facets: FacetField::ALL.map(|f| b.add_text_field(f.field_name(), STRING | FAST)),
        f_presenter: b.add_text_field("f_presenter", STRING | FAST),
        f_abbrev: b.add_text_field("f_abbrev", STRING),
    };
    (b.build(), fields)
}

/// An open index with its schema fields and a reader.
pub struct Store {
    pub index: Index,
    pub fields: Fields,
    pub reader: IndexReader,
    /// The index folder, named by every error about this index.
    pub dir: std::path::PathBuf,
    /// Per-segment tables of protocol facet values.
    pub tables: std::sync::Arc<FacetTables>,
    /// Spellings of one person merged, computed once per version of the index.
    variants: Mutex<Option<std::sync::Arc<crate::variants::Variants>>>,
}

impl Store {
    /// Opens an existing index for reading.
    pub fn open(dir: &Path) -> Result<Store> {
        if !exists(dir) {
            return Err(Error::index(
                dir,
                "no index here (run `protokollsok index` first)",
            ));
        }
        let index = Index::open_in_dir(dir).map_err(|e| Error::index(dir, e))?;
        let (expected, fields) = schema();
        if !same_schema(&index.schema(), &expected) {
            return Err(Error::index(
                dir,
                "the index was built by another version; run `protokollsok index` to rebuild it",
            ));
        }
        analysis::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| Error::index(dir, e))?;
        Ok(Store {
            index,
            fields,
            reader,
            dir: dir.to_path_buf(),
            tables: std::sync::Arc::new(FacetTables::in_dir(dir)),
            variants: Mutex::new(None),
        })
    }
}

impl Store {
    /// The person-name merges of this index (read once, then kept until a reload).
    pub fn person_variants(&self) -> Result<std::sync::Arc<crate::variants::Variants>> {
        if let Some(v) = self
            .variants
            .lock()
            .expect("no panics under the lock")
            .clone()
        {
            return Ok(v);
        }
        let v = std::sync::Arc::new(crate::variants::Variants::from_index(
            &self.reader.searcher(),
            FacetField::Person,
            self.tables.clone(),
            &self.dir,
        )?);
        *self.variants.lock().expect("no panics under the lock") = Some(v.clone());
        Ok(v)
    }

    /// Sees the index as last committed: new searches read the new segments.
    pub fn reload(&self) -> Result<()> {
        self.reader
            .reload()
            .map_err(|e| Error::index(&self.dir, e))?;
        *self.variants.lock().expect("no panics under the lock") = None;
        Ok(())
    }
}

/// True when `dir` holds an index.
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

fn same_schema(a: &Schema, b: &Schema) -> bool {
    serde_json::to_string(a).ok() == serde_json::to_string(b).ok()
}

/// What is in the index for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileState {
    pub size: u64,
    pub mtime: i64,
    pub hash: u64,
}

/// The files the index holds, read from its fast fields.
pub fn indexed_files(index: &Index, dir: &Path) -> Result<HashMap<String, FileState>> {
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e| Error::index(dir, e))?;
    let searcher = reader.searcher();
    let mut out = HashMap::new();
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let err = |e: tantivy::TantivyError| Error::index(dir, e);
        let Some(files) = ff.str("file").map_err(err)? else {
            continue;
        };
        let sizes = ff.u64("file_size").map_err(err)?;
        let mtimes = ff.i64("file_mtime").map_err(err)?;
        let hashes = ff.u64("file_hash").map_err(err)?;
        // One document per file is enough; resolve the file names in ordinal order,
        // in one pass over the dictionary.
        let mut first_doc: std::collections::BTreeMap<u64, tantivy::DocId> = Default::default();
        for doc in seg.doc_ids_alive() {
            if let Some(ord) = files.ords().first(doc) {
                first_doc.entry(ord).or_insert(doc);
            }
        }
        let ords: Vec<u64> = first_doc.keys().copied().collect();
        let mut k = 0;
        files
            .dictionary()
            .sorted_ords_to_term_cb(&ords, |bytes| {
                let doc = first_doc[&ords[k]];
                k += 1;
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
    pub items: usize,
    pub bytes: u64,
    pub seconds: f64,
    /// True when the index was created (or rebuilt) by this run.
    pub created: bool,
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
    removed: usize,
    items: usize,
    skipped: Vec<(String, String)>,
    write_error: Option<String>,
}

/// What a corpus folder looks like compared with the index: the files that need
/// reading, the ones unchanged, the ones skipped before and unchanged since, and
/// the ones gone.
struct Plan {
    to_read: Vec<CorpusFile>,
    unchanged: usize,
    still_skipped: Vec<(String, String)>,
    removed: Vec<String>,
}

fn plan(
    files: &[CorpusFile],
    indexed: &HashMap<String, FileState>,
    skipped: &HashMap<String, SkippedFile>,
) -> Plan {
    let mut to_read = Vec::new();
    let mut unchanged = 0;
    let mut still_skipped = Vec::new();
    for f in files {
        if let Some(s) = indexed.get(&f.rel) {
            if s.size == f.size && s.mtime == f.mtime {
                unchanged += 1;
                continue;
            }
        } else if let Some(s) = skipped.get(&f.rel) {
            if s.size == f.size && s.mtime == f.mtime {
                still_skipped.push((f.rel.clone(), s.reason.clone()));
                continue;
            }
        }
        to_read.push(f.clone());
    }
    let present: std::collections::HashSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
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
const SOURCE_FILE: &str = "source.json";

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

/// The corpus folders with their mtimes, walked from the corpus's canonical path.
/// Taken before the files are listed, so that a file added during a run leaves a
/// newer mtime than the one recorded, and the next check sees it.
fn folders_of(corpus: &Path) -> Vec<(std::path::PathBuf, u128)> {
    let abs = corpus
        .canonicalize()
        .unwrap_or_else(|_| corpus.to_path_buf());
    read::corpus_folders(&abs).unwrap_or_default()
}

fn record_corpus(
    index_dir: &Path,
    corpus: &Path,
    files: &[CorpusFile],
    folders: &[(std::path::PathBuf, u128)],
) -> Result<()> {
    let abs = corpus
        .canonicalize()
        .unwrap_or_else(|_| corpus.to_path_buf());
    let folders: Vec<serde_json::Value> = folders
        .iter()
        .map(|(dir, mtime)| serde_json::json!([dir.to_string_lossy(), mtime.to_string()]))
        .collect();
    let body = serde_json::json!({
        "corpus": abs.to_string_lossy(),
        "fingerprint": corpus_fingerprint(files),
        "folders": folders,
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

/// True when the index is missing, from another schema, or differs from the corpus
/// (files added, changed by size or mtime, or removed). Reads no file contents.
///
/// With `full_check` false, corpus folders with unchanged mtimes (see
/// [`read::corpus_folders`]) count as fresh with one `stat` per folder and none
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
    let same_corpus = recorded_corpus(&config.index_dir)
        .zip(config.corpus_dir.canonicalize().ok())
        .is_some_and(|(a, b)| a == b);
    if same_corpus && !full_check && read::folders_unchanged(&recorded_folders(&config.index_dir)) {
        return Ok(false);
    }
    let folders = folders_of(&config.corpus_dir);
    let files = read::list_corpus(&config.corpus_dir)?;
    // Nothing changed since the last run: the listing says so, no need to read the
    // index. The folders' mtimes moved all the same (a file saved in place by
    // rename, say): recording them spares the next search this listing.
    if same_corpus && recorded(&config.index_dir, "fingerprint") == Some(corpus_fingerprint(&files))
    {
        if let Err(e) = record_corpus(&config.index_dir, &config.corpus_dir, &files, &folders) {
            tracing::debug!("could not record the corpus folders: {e}");
        }
        return Ok(false);
    }
    let p = plan(
        &files,
        &indexed_files(&index, &config.index_dir)?,
        &load_skipped(&config.index_dir),
    );
    Ok(!p.to_read.is_empty() || !p.removed.is_empty())
}

/// Brings the index up to date with the corpus: reads new and changed files
/// (hashing those whose size or mtime changed), replaces their items, removes the
/// items of deleted files, and commits once.
pub fn update_index(config: &Config, progress: &(dyn Fn(Progress) + Sync)) -> Result<IndexReport> {
    let started = Instant::now();
    let folders = folders_of(&config.corpus_dir);
    let files = read::list_corpus(&config.corpus_dir)?;
    let dir = &config.index_dir;
    let mut report = IndexReport::default();
    let (index, rebuilt) = open_or_create(dir)?;
    report.created = rebuilt;
    let indexed = if rebuilt {
        HashMap::new()
    } else {
        indexed_files(&index, dir)?
    };
    let previously_skipped = if rebuilt {
        HashMap::new()
    } else {
        load_skipped(dir)
    };
    let (_, fields) = schema();
    let plan = plan(&files, &indexed, &previously_skipped);
    report.unchanged = plan.unchanged;
    for (rel, reason) in &plan.still_skipped {
        progress(Progress::Skipped { rel, reason });
    }
    progress(Progress::Start {
        to_read: plan.to_read.len(),
    });

    let mut writer: IndexWriter = index
        .writer_with_num_threads(config_threads(), config.writer_memory_bytes)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Error::Locked(dir.to_path_buf()),
            e => Error::index(dir, format!("cannot open the index for writing: {e}")),
        })?;
    for rel in &plan.removed {
        writer.delete_term(Term::from_field_text(fields.file, rel));
        report.removed += 1;
    }

    let next = AtomicUsize::new(0);
    let tally = Mutex::new(Tally::default());
    let workers = config_threads().min(plan.to_read.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(f) = plan.to_read.get(k) else { break };
                let was_indexed = indexed.contains_key(&f.rel);
                if was_indexed {
                    writer.delete_term(Term::from_field_text(fields.file, &f.rel));
                }
                match read_and_parse(f, config) {
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
                    Ok((hash, _, protocol)) => {
                        // A file touched but not changed is written again too, so that
                        // its stored mtime is current and the next run skips it unread.
                        let docs = documents(&fields, &protocol, f, hash);
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
        return Err(Error::index(dir, format!("writing failed: {e}")));
    }
    report.indexed = tally.indexed;
    report.removed += tally.removed;
    report.items = tally.items;
    report.skipped = tally.skipped;
    report.skipped.extend(plan.still_skipped.iter().cloned());
    report.skipped.sort();
    report.bytes = plan.to_read.iter().map(|f| f.size).sum();
    if report.indexed > 0 || report.removed > 0 || rebuilt {
        writer.commit().map_err(|e| Error::index(dir, e))?;
    }
    writer
        .wait_merging_threads()
        .map_err(|e| Error::index(dir, e))?;
    crate::facets::write_tables(&index, dir).map_err(|e| Error::io(dir.join("facets"), e))?;
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
    save_skipped(dir, &skipped_now)?;
    record_corpus(dir, &config.corpus_dir, &files, &folders)?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
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
            analysis::register(&index);
            return Ok((index, false));
        }
        tracing::warn!(path = %dir.display(), "index schema or version changed: rebuilding");
        clear_index_dir(dir)?;
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let index = Index::create_in_dir(dir, schema).map_err(|e| Error::index(dir, e))?;
    analysis::register(&index);
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

/// Reads, decodes, cleans and parses one file.
pub fn read_and_parse(
    f: &CorpusFile,
    config: &Config,
) -> std::result::Result<(u64, u64, Protocol), SkipReason> {
    let bytes = read::read_bytes(&f.path, config.max_file_bytes)?;
    let decoded = read::decode(&bytes)?;
    let hash = u64::from_le_bytes(
        blake3::hash(&bytes).as_bytes()[..8]
            .try_into()
            .expect("8 bytes"),
    );
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
    Ok((hash, bytes.len() as u64, protocol))
}

/// One index document per item.
fn documents(f: &Fields, p: &Protocol, file: &CorpusFile, hash: u64) -> Vec<TantivyDocument> {
    let date = p.meeting_date();
    // The protocol's metadata is stored once, on its first item, without the items
    // (each item document stores its own).
    let stored = Protocol {
        items: Vec::new(),
        ..p.clone()
    };
    let mut abbreviations = Vec::new();
    for item in &p.items {
        abbreviations.extend(crate::synonyms::learn_from_text(&item.title));
        abbreviations.extend(crate::synonyms::learn_from_text(&item.text));
    }
    abbreviations.sort();
    abbreviations.dedup();
    let mut out = Vec::with_capacity(p.items.len());
    for (ord, item) in p.items.iter().enumerate() {
        let mut d = doc!(
            f.protocol_id => p.id.clone(),
            f.file => p.file.clone(),
            f.file_size => file.size,
            f.file_mtime => file.mtime,
            f.file_hash => hash,
            f.schema_version => SCHEMA_VERSION,
            f.item_ord => ord as u64,
            f.title => item.title.clone(),
            f.title_exact => item.title.clone(),
            f.body => item.text.clone(),
            f.body_exact => item.text.clone(),
            f.parts => item.title.clone(),
            f.parts => item.text.clone(),
            f.folded => item.title.clone(),
            f.folded => item.text.clone(),
            f.group => p.group.clone(),
            f.kind => p.kind.clone(),
        );
        if let Some(n) = &item.number {
            d.add_text(f.number, n);
        }
        // Staff search by diary number: it is matched like a word of the title.
        if !item.motions.is_empty() || !item.reservations.is_empty() {
            let stances = serde_json::json!({
                "motions": item.motions,
                "reservations": item.reservations,
            });
            d.add_text(f.stances_json, stances.to_string());
        }
        if let Some(dnr) = &item.dnr {
            d.add_text(f.dnr, dnr);
            d.add_text(f.title_exact, dnr);
        }
        if let Some(parent) = &item.parent {
            d.add_text(f.parent, parent);
            d.add_text(f.context, parent);
        }
        d.add_text(f.context, &p.group);
        d.add_text(f.context, &p.kind);
        if let Some(date) = date {
            d.add_date(
                f.date,
                DateTime::from_timestamp_secs(date.days_since_epoch() * 86_400),
            );
            d.add_text(f.date_str, date.to_string());
        }
        for facet in FacetField::ALL {
            for value in facet_values(facet, p, item, ord) {
                d.add_text(f.facet(facet), value);
            }
        }
        for name in &item.presenters {
            d.add_text(f.presenters, name);
            d.add_text(f.f_presenter, name);
        }
        for dec in &item.decisions {
            d.add_text(f.decisions, dec);
        }
        if ord == 0 {
            d.add_text(
                f.protocol_json,
                serde_json::to_string(&stored).expect("serialisable"),
            );
            for (abbr, long) in &abbreviations {
                d.add_text(f.f_abbrev, format!("{abbr}{}{long}", crate::synonyms::SEP));
            }
        }
        out.push(d);
    }
    out
}

/// The values of one facet on item number `ord` of protocol `p`. The people and
/// their parties are the protocol's: they go on its first item only, and a person
/// or party filter reaches the other items through the protocol id.
fn facet_values(facet: FacetField, p: &Protocol, item: &Item, ord: usize) -> Vec<String> {
    let date = p.meeting_date();
    let first = ord == 0;
    let some = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_string);
    match facet {
        FacetField::Group => some(Some(&p.group)).into_iter().collect(),
        FacetField::Organisation => some(p.organisation.as_deref()).into_iter().collect(),
        FacetField::Kind => vec![p.kind.clone()],
        FacetField::Year => date.map(|d| d.year.to_string()).into_iter().collect(),
        FacetField::Month => date
            .map(|d| format!("{:04}-{:02}", d.year, d.month))
            .into_iter()
            .collect(),
        FacetField::Person if first => p.persons.iter().map(|x| x.name.clone()).collect(),
        FacetField::Party if first => {
            let mut parties: Vec<String> = Vec::new();
            for party in p.persons.iter().filter_map(|x| x.party.as_deref()) {
                if !parties.iter().any(|q| q == party) {
                    parties.push(party.to_string());
                }
            }
            parties
        }
        FacetField::Person | FacetField::Party => Vec::new(),
        FacetField::Decision => vec![if item.decisions.is_empty() {
            "nej"
        } else {
            "ja"
        }
        .into()],
        FacetField::Topic => item.topic.clone().into_iter().collect(),
    }
}
