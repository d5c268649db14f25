//! The engine: the one door to an archive. The command line, the HTTP server and
//! eval all open an [`Engine`] and ask it; none of them plans a query, checks a
//! limit or reads the index by itself, so a behaviour exists once.
//! Owns: opening (and first bringing up to date) the index of a corpus,
//! refreshing it, and each question the archive answers: search, trend, a person,
//! a protocol (with what a query marked in it), facets, the people, judgments,
//! an export for OpenSearch.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::{Config, Limits};
use crate::error::{Error, Result};
use crate::index::facets::FacetField;
use crate::index::schema;
use crate::index::store::Store;
use crate::index::update::{self, IndexReport, Progress};
use crate::index::variants::Variants;
use crate::parse::Protocol;
use crate::query::filters::Filters;
use crate::query::snippet::Marked;
use crate::query::{parse::check, plan::plan};
use crate::search::eval::{EvalReport, Judgment};
use crate::search::export::ExportReport;
use crate::search::hits::{FacetCount, SearchRequest, SearchResponse};
use crate::search::matters::{MatterList, MatterView};
use crate::search::new::{NewResponse, Period};
use crate::search::profile::PersonProfile;
use crate::search::trend::{TrendRequest, TrendResponse};

/// An open archive.
pub struct Engine {
    store: Store,
    config: Config,
    /// This process is updating the index now.
    indexing: std::sync::atomic::AtomicBool,
}

/// How the index stood when the engine opened it.
#[derive(Debug)]
pub enum Freshness {
    /// The index held the corpus as it is (or there is no corpus folder to check).
    Current,
    /// The index was brought up to date first.
    Updated(IndexReport),
    /// Another process is updating it: the engine answers from it as it is.
    Busy,
    /// Updating it failed (a full disk, say): the engine answers from the index as
    /// last committed; the error says why.
    Failed(String),
}

/// How thoroughly [`Engine::open`] compares the index with the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The corpus folders' mtimes: cheap, what a one-shot command does.
    Folders,
    /// Every file's size and mtime: what a server does once at start.
    EveryFile,
}

/// A protocol and, for a query, the words of each item it matched.
#[derive(Debug, Clone)]
pub struct ProtocolView {
    pub protocol: Protocol,
    /// Per item (in order), its marked title, text, diary number and decisions;
    /// empty without a query.
    pub marks: Vec<ItemMarks>,
}

/// What a query matched in one item, as character ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemMarks {
    pub title: Vec<[usize; 2]>,
    pub text: Vec<[usize; 2]>,
    pub dnr: Vec<[usize; 2]>,
    pub decisions: Vec<Vec<[usize; 2]>>,
}

/// A protocol's file as it lies in the corpus: text files as their decoded text,
/// other formats as their bytes.
#[derive(Debug, Clone)]
pub struct OriginalFile {
    /// The file's name, without its folders.
    pub name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// What the server reports about itself.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    pub protocols: usize,
    pub items: u64,
    /// When the commit searches answer from was made (seconds since the epoch).
    pub last_commit: Option<i64>,
    /// An update of the index runs now (in this process or another).
    pub indexing: bool,
    /// The first build runs and nothing is searchable yet.
    pub building: bool,
}

impl Engine {
    /// Opens the index of `config`, first building or updating it when the corpus
    /// changed (`check` says how closely to look); `progress` hears of each file.
    pub fn open(
        config: Config,
        check: Check,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<(Engine, Freshness)> {
        let stale =
            config.corpus_dir.is_dir() && update::is_stale(&config, check == Check::EveryFile)?;
        let freshness = if stale {
            match update::update_index(&config, progress) {
                Ok(report) => Freshness::Updated(report),
                Err(Error::Locked(_)) if schema::exists(&config.index_dir) => Freshness::Busy,
                Err(Error::Locked(dir)) => return Err(Error::Building(dir)),
                // The last commit still answers: a failed update loses nothing.
                Err(e @ (Error::Io { .. } | Error::Index { .. }))
                    if schema::exists(&config.index_dir) =>
                {
                    Freshness::Failed(e.to_string())
                }
                Err(e) => return Err(e),
            }
        } else {
            Freshness::Current
        };
        let store = Store::open(&config.index_dir)?;
        Ok((Engine::of(store, config), freshness))
    }

    fn of(store: Store, config: Config) -> Engine {
        Engine {
            store,
            config,
            indexing: Default::default(),
        }
    }

    /// Builds or updates the index of `config` from its corpus, without opening it
    /// for questions (what `protokollsok index` does).
    pub fn build(config: &Config, progress: &(dyn Fn(Progress) + Sync)) -> Result<IndexReport> {
        update::update_index(config, progress)
    }

    /// Updates the index for the files at `paths` alone (files of the corpus, or
    /// files of it that were deleted), without listing the corpus: what
    /// `protokollsok index PATH…` does for a script that knows what it changed. A
    /// path outside the corpus folder is an error; where only a listing can tell
    /// what changed (no index yet, a folder, a corpus reached through links) the
    /// whole corpus is looked at, as [`Engine::build`] does.
    pub fn build_paths(
        config: &Config,
        paths: &[std::path::PathBuf],
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<IndexReport> {
        let Some(paths) = update::paths_in_corpus(config, paths)? else {
            return update::update_index(config, progress);
        };
        match update::update_paths(config, &paths, progress)? {
            Some(report) => Ok(report),
            None => update::update_index(config, progress),
        }
    }

    /// Opens the index as it is, without looking at the corpus.
    pub fn open_as_is(config: Config) -> Result<Engine> {
        let store = Store::open(&config.index_dir)?;
        Ok(Engine::of(store, config))
    }

    /// Brings the index up to date with the corpus and lets new searches see it.
    /// Searches meanwhile answer from the last commit.
    pub fn refresh(&self, progress: &(dyn Fn(Progress) + Sync)) -> Result<IndexReport> {
        use std::sync::atomic::Ordering;
        self.indexing.store(true, Ordering::Release);
        let report = update::update_index(&self.config, progress);
        self.indexing.store(false, Ordering::Release);
        let report = report?;
        self.store.reload()?;
        Ok(report)
    }

    /// One look at the corpus and the index, as a server does every few seconds:
    /// new, changed and deleted files are indexed; a commit made by another process
    /// (a command-line `index`) is taken up. Says what was indexed, if anything.
    pub fn watch(&self) -> Result<Option<IndexReport>> {
        if !update::indexing_elsewhere(&self.config.index_dir)
            && self.config.corpus_dir.is_dir()
            && update::is_stale(&self.config, true)?
        {
            match self.refresh(&|_| {}) {
                Ok(report) => return Ok(Some(report)),
                // Another process took the writer first: take up its commit later.
                Err(Error::Locked(_)) => {}
                Err(e) => return Err(e),
            }
        }
        self.take_up_commits()?;
        Ok(None)
    }

    /// A look at the paths the system reported as changed: those files alone are
    /// indexed, without listing the corpus, when that can be done (see
    /// [`update::update_paths`]); otherwise a whole [`Engine::watch`].
    pub fn watch_paths(&self, paths: &[std::path::PathBuf]) -> Result<Option<IndexReport>> {
        use std::sync::atomic::Ordering;
        if update::indexing_elsewhere(&self.config.index_dir) {
            self.take_up_commits()?;
            return Ok(None);
        }
        self.indexing.store(true, Ordering::Release);
        let report = update::update_paths(&self.config, paths, &|_| {});
        self.indexing.store(false, Ordering::Release);
        match report {
            // Nothing was written (a file touched, not changed): no commit to see.
            Ok(Some(report)) if report.indexed == 0 && report.removed == 0 => Ok(None),
            Ok(Some(report)) => {
                self.store.reload()?;
                Ok(Some(report))
            }
            Ok(None) => self.watch(),
            // Another process took the writer first: take up its commit later.
            Err(Error::Locked(_)) => {
                self.take_up_commits()?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Lets new searches see a commit made since the last look, by this process or
    /// another (a command-line `index`); says whether there was one.
    pub fn take_up_commits(&self) -> Result<bool> {
        self.store.reload_if_committed()
    }

    /// Refuses questions while the first build runs and the index holds nothing.
    pub fn ready(&self) -> Result<()> {
        if self.store.reader.searcher().num_docs() == 0 && self.is_indexing() {
            return Err(Error::Building(self.config.index_dir.clone()));
        }
        Ok(())
    }

    fn is_indexing(&self) -> bool {
        self.indexing.load(std::sync::atomic::Ordering::Acquire)
            || update::indexing_elsewhere(&self.config.index_dir)
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn limits(&self) -> &Limits {
        &self.config.limits
    }

    /// Answers with other limits (a server keeps stricter ones than a script).
    pub fn with_limits(mut self, limits: Limits) -> Engine {
        self.config.limits = limits;
        self
    }

    /// Keeps per-segment facet tables and warms them with one search over
    /// everything: for a process that answers many searches.
    pub fn warm(&self) {
        self.store.tables.keep();
        let everything = SearchRequest {
            query: String::new(),
            filters: Filters::default(),
            limit: 1,
            offset: 0,
            facet_limit: 1,
            sort: Default::default(),
        };
        if let Err(e) = self.search(&everything) {
            tracing::warn!("warm-up search failed: {e}");
        }
    }

    /// Checks a query's syntax and length within `limits` without an index, so that a
    /// malformed query answers before any indexing work.
    pub fn check_query(text: &str, limits: &Limits) -> Result<()> {
        check(text, limits)
    }

    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse> {
        crate::search::hits::search(&self.store, self.limits(), req)
    }

    pub fn trend(&self, req: &TrendRequest) -> Result<TrendResponse> {
        crate::search::trend::trend(&self.store, self.limits(), req)
    }

    /// The matters of the archive (items of different meetings threaded by diary
    /// number, title or abbreviation), the latest first.
    pub fn matters(&self, limit: usize, offset: usize) -> Result<MatterList> {
        crate::search::matters::list(&self.store, self.limits(), limit, offset)
    }

    /// One matter's timeline, by its id or as the matter of a query's best hit.
    pub fn matter(&self, id_or_query: &str) -> Result<MatterView> {
        crate::search::matters::matter(&self.store, self.limits(), id_or_query)
    }

    /// The themes and title words whose share of items rose most in `period`
    /// against the period before.
    pub fn new_in(&self, period: Period) -> Result<NewResponse> {
        crate::search::new::new_in(&self.store, period)
    }

    /// A person, by any spelling of the name.
    pub fn person(&self, name: &str) -> Result<PersonProfile> {
        crate::search::profile::person(&self.store, name)
    }

    /// Every person with the number of items of the meetings they attended, the
    /// spellings of one person counted once.
    pub fn persons(&self) -> Result<Vec<FacetCount>> {
        Ok(
            crate::search::hits::facets(&self.store, Some(FacetField::Person))?
                .remove(&FacetField::Person)
                .unwrap_or_default(),
        )
    }

    /// The spellings merged into one person, with the reason of each.
    pub fn variants(&self) -> Result<std::sync::Arc<Variants>> {
        self.store.person_variants()
    }

    /// A protocol; with a query, what it matched in each item.
    pub fn protocol(&self, id: &str, query: Option<&str>) -> Result<ProtocolView> {
        let protocol = crate::search::hits::protocol(&self.store, id)?;
        let Some(text) = query.map(str::trim).filter(|q| !q.is_empty()) else {
            return Ok(ProtocolView {
                protocol,
                marks: Vec::new(),
            });
        };
        let searcher = self.store.reader.searcher();
        let plan = plan(
            &self.store,
            &searcher,
            text,
            &Filters::default(),
            self.limits(),
        )?;
        let matcher = plan.matcher(&self.store.fields)?;
        let marks = protocol
            .items
            .iter()
            .map(|item| ItemMarks {
                title: Marked::of(&item.title, &matcher).marks,
                text: Marked::of(&item.text, &matcher).marks,
                dnr: item
                    .dnr
                    .as_deref()
                    .map(|d| Marked::of(d, &matcher).marks)
                    .unwrap_or_default(),
                decisions: item
                    .decisions
                    .iter()
                    .map(|d| Marked::of(d, &matcher).marks)
                    .collect(),
            })
            .collect();
        Ok(ProtocolView { protocol, marks })
    }

    /// The file a protocol was read from. Only files of the index are given out, and
    /// only from inside the corpus folder (a link that leads out of it is refused).
    pub fn original_file(&self, id: &str) -> Result<OriginalFile> {
        let protocol = crate::search::hits::protocol(&self.store, id)?;
        let root = &self.config.corpus_dir;
        let path = crate::ingest::read::path_of(root, &protocol.file);
        let io = |path: &std::path::Path, source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let real_root = root.canonicalize().map_err(|e| io(root, e))?;
        let real = path.canonicalize().map_err(|e| io(&path, e))?;
        if !real.starts_with(&real_root) {
            return Err(Error::UnknownProtocol(id.to_string()));
        }
        use crate::ingest::read::{self, Format};
        let unreadable = |why: read::SkipReason| io(&path, std::io::Error::other(why.to_string()));
        let bytes = read::read_bytes(&real, self.config.max_file_bytes).map_err(unreadable)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let media_type = match Format::of(&path) {
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Pdf => "application/pdf",
            // A page of the archive as it was published (served in a sandbox).
            Format::Html => "text/html; charset=utf-8",
            Format::Text if name.to_lowercase().ends_with(".md") => "text/markdown; charset=utf-8",
            Format::Text => "text/plain; charset=utf-8",
        };
        // Text is sent as UTF-8, whatever its encoding on disk.
        let bytes = match Format::of(&path) {
            Format::Html | Format::Text => {
                read::decode(&bytes).map_err(unreadable)?.text.into_bytes()
            }
            Format::Docx | Format::Pdf => bytes,
        };
        Ok(OriginalFile {
            name,
            media_type,
            bytes,
        })
    }

    /// Every value of every facet (or of `only`) over the whole archive.
    pub fn facets(
        &self,
        only: Option<FacetField>,
    ) -> Result<BTreeMap<FacetField, Vec<FacetCount>>> {
        crate::search::hits::facets(&self.store, only)
    }

    /// Writes the archive for OpenSearch or Elasticsearch into `dir` (new, empty or
    /// a previous export): an index template with the same Swedish analysis, the
    /// lexicon files it names and NDJSON bulk files of every item.
    pub fn export_opensearch(&self, dir: &std::path::Path) -> Result<ExportReport> {
        crate::search::export::opensearch(&self.store, dir)
    }

    /// Runs relevance judgments.
    pub fn judge(&self, judgments: &[Judgment]) -> Result<EvalReport> {
        crate::search::eval::evaluate(&self.store, self.limits(), judgments)
    }

    /// The index as searches see it; nothing is rebuilt per call (the file count is
    /// kept per version of the index).
    pub fn health(&self) -> Result<Health> {
        let items = self.store.reader.searcher().num_docs();
        let indexing = self.is_indexing();
        let last_commit = std::fs::metadata(self.config.index_dir.join("meta.json"))
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_secs()).ok());
        Ok(Health {
            protocols: self.store.file_count(|| {
                Ok(update::indexed_files(&self.store.index, &self.store.dir)?.len())
            })?,
            items,
            last_commit,
            indexing,
            building: indexing && items == 0,
        })
    }
}
