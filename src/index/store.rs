//! An open index for reading: the reader, the facet tables and the person-name merges
//! of one version of the index, reloaded after a commit.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

use crate::analysis::tokenize;
use crate::error::{Error, Result};
use crate::index::facets::{FacetField, FacetTables};
use crate::index::matters::Matters;
use crate::index::schema::{exists, same_schema, schema, Fields, SCHEMA_VERSION};
use crate::index::variants::Variants;

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
    variants: Arc<Kept<Variants>>,
    /// The matters threaded over a version of the index, computed once per version.
    matters: Arc<Kept<Matters>>,
    /// The opstamp of the commit the reader sees.
    opstamp: AtomicU64,
    /// The number of files of this version of the index, counted once.
    files: Mutex<Option<usize>>,
}

/// The folder of the index that holds what is computed from a whole version of it.
const DERIVED_FOLDER: &str = "derived";
/// Bumped when what is derived (matters, merged spellings) is computed otherwise.
const DERIVED_VERSION: u32 = 1;

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
        tokenize::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| Error::index(dir, e))?;
        let opstamp = index.load_metas().map(|m| m.opstamp).unwrap_or(0);
        Ok(Store {
            index,
            fields,
            reader,
            dir: dir.to_path_buf(),
            tables: std::sync::Arc::new(FacetTables::in_dir(dir)),
            variants: Arc::default(),
            matters: Arc::default(),
            opstamp: AtomicU64::new(opstamp),
            files: Mutex::new(None),
        })
    }
}

impl Store {
    /// Whether what was derived from an earlier version of the index may answer
    /// while this version's is computed: in a long-lived process (a server), which
    /// lives to see it replaced. A one-shot command computes it, or reads what an
    /// earlier process wrote for this version.
    fn may_answer_earlier(&self) -> bool {
        self.tables.is_kept()
    }

    /// The person-name merges of this index (see [`Kept::latest`]).
    pub fn person_variants(&self) -> Result<Arc<Variants>> {
        let searcher = self.reader.searcher();
        let key = version_key(&searcher);
        let (dir, tables) = (self.dir.clone(), self.tables.clone());
        let earlier = || {
            self.may_answer_earlier()
                .then(|| earlier_derived(&self.dir, "variants", &key))
                .flatten()
        };
        let compute = {
            let key = key.clone();
            move |searcher: &Searcher| {
                derived(&dir, "variants", &key, searcher, |searcher| {
                    Variants::from_index(searcher, FacetField::Person, tables, &dir)
                })
            }
        };
        self.variants
            .latest(&self.dir, searcher, key.clone(), compute, earlier)
    }

    /// The matters of this index (see [`Kept::latest`]), with the lookup file of
    /// their items written beside them.
    pub fn matters(&self) -> Result<Arc<Matters>> {
        let searcher = self.reader.searcher();
        let key = version_key(&searcher);
        let compute = thread_matters(self.dir.clone(), key.clone());
        let earlier = || {
            self.may_answer_earlier()
                .then(|| earlier_derived(&self.dir, "matters", &key))
                .flatten()
        };
        self.matters
            .latest(&self.dir, searcher, key.clone(), compute, earlier)
    }

    /// The ids of the matters items belong to, in order; each item is given with
    /// its organisation ([`crate::index::matters::scope_of`]). From the matters
    /// this process holds for this version of the index, else from the lookup file
    /// a process wrote for it (a one-shot search reads a few records instead of
    /// every matter). Else a long-lived process answers from matters of an earlier
    /// version (held, or the newest lookup file left) while this version's are
    /// threaded on a thread of their own, and a one-shot process threads the
    /// matters of the items' organisations alone: over a million protocols, the
    /// first search after a change would otherwise thread every item of the index.
    pub fn matters_of(&self, items: &[(&str, u64, Option<&str>)]) -> Result<Vec<Option<String>>> {
        let searcher = self.reader.searcher();
        let key = version_key(&searcher);
        let look_up = |path: &Path| {
            crate::index::matters::Lookup::open(path).and_then(|mut lookup| {
                items
                    .iter()
                    .map(|(pid, idx, _)| lookup.matter_of(pid, *idx))
                    .collect::<std::io::Result<Vec<_>>>()
            })
        };
        let ids_in = |matters: &Matters| {
            items
                .iter()
                .map(|(pid, idx, _)| matters.of_item(pid, *idx).map(|m| m.id.clone()))
                .collect()
        };
        if self.matters.current(&key).is_none() {
            if let Ok(found) = look_up(&derived_path(&self.dir, "matter-of", &key, "bin")) {
                return Ok(found);
            }
            if self.may_answer_earlier() && !self.matters.holds_any() {
                if let Some(earlier) = newest_derived(&self.dir, "matter-of", "bin") {
                    if let Ok(found) = look_up(&earlier) {
                        let compute = thread_matters(self.dir.clone(), key.clone());
                        self.matters.prepare(&self.dir, searcher, key, compute);
                        return Ok(found);
                    }
                }
            }
            let scopes: Option<std::collections::BTreeSet<String>> = items
                .iter()
                .map(|(_, _, scope)| scope.map(str::to_string))
                .collect();
            if let Some(scopes) = scopes.filter(|_| !self.may_answer_earlier()) {
                return self.matters_in_scopes(&searcher, &key, items, scopes);
            }
        }
        Ok(ids_in(&*self.matters()?))
    }

    /// What [`Store::matters_of`] answers in a one-shot process when no process
    /// threaded this version's matters: per organisation of the items, from the
    /// lookup file a process wrote for it and this version, else threaded now from
    /// the organisations' items and written for the next search.
    fn matters_in_scopes(
        &self,
        searcher: &Searcher,
        key: &str,
        items: &[(&str, u64, Option<&str>)],
        scopes: std::collections::BTreeSet<String>,
    ) -> Result<Vec<Option<String>>> {
        use crate::index::matters::{from_index, write_scope_lookup, Lookup};
        let path_of = |scope: &str| {
            let scope = &blake3::hash(scope.as_bytes()).to_hex()[..16];
            derived_path(&self.dir, "matter-scope", &format!("{key}.{scope}"), "bin")
        };
        let mut out: Vec<Option<String>> = vec![None; items.len()];
        let mut missing = std::collections::BTreeSet::new();
        for scope in scopes {
            let found = Lookup::open(&path_of(&scope)).and_then(|mut lookup| {
                for (slot, (pid, idx, s)) in out.iter_mut().zip(items) {
                    if *s == Some(scope.as_str()) {
                        *slot = lookup.matter_of(pid, *idx)?;
                    }
                }
                Ok(())
            });
            if found.is_err() {
                missing.insert(scope);
            }
        }
        if missing.is_empty() {
            return Ok(out);
        }
        let some = from_index(searcher, &self.dir, Some(&missing))?;
        for (slot, (pid, idx, s)) in out.iter_mut().zip(items) {
            if s.is_some_and(|s| missing.contains(s)) {
                *slot = some.of_item(pid, *idx).map(|m| m.id.clone());
            }
        }
        let folder = self.dir.join(DERIVED_FOLDER);
        let written = std::fs::create_dir_all(&folder).and_then(|()| {
            missing
                .iter()
                .try_for_each(|scope| write_scope_lookup(&some, scope, &path_of(scope)))?;
            remove_other_versions(&folder, key, "matter-scope-")
        });
        if let Err(e) = written {
            tracing::debug!("the matters of the organisations searched are not kept: {e}");
        }
        Ok(out)
    }

    /// Sees the index as last committed: new searches read the new segments.
    pub fn reload(&self) -> Result<()> {
        let opstamp = self
            .index
            .load_metas()
            .map_err(|e| Error::index(&self.dir, e))?
            .opstamp;
        self.reader
            .reload()
            .map_err(|e| Error::index(&self.dir, e))?;
        let live: std::collections::HashSet<tantivy::index::SegmentId> = self
            .reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect();
        self.tables.retain(&live);
        *self.files.lock().expect("no panics under the lock") = None;
        self.opstamp.store(opstamp, Ordering::Release);
        Ok(())
    }

    /// Reloads when a commit (by this process or another, such as a command-line
    /// `index`) is newer than the one the reader sees; says whether it did.
    pub fn reload_if_committed(&self) -> Result<bool> {
        let committed = self
            .index
            .load_metas()
            .map_err(|e| Error::index(&self.dir, e))?
            .opstamp;
        if committed == self.opstamp.load(Ordering::Acquire) {
            return Ok(false);
        }
        self.reload()?;
        Ok(true)
    }

    /// The number of files in this version of the index, counted by `count` once
    /// per version.
    pub fn file_count(&self, count: impl FnOnce() -> Result<usize>) -> Result<usize> {
        if let Some(n) = *self.files.lock().expect("no panics under the lock") {
            return Ok(n);
        }
        let n = count()?;
        *self.files.lock().expect("no panics under the lock") = Some(n);
        Ok(n)
    }
}

/// What is computed from a whole version of the index (the matters, the merged
/// spellings), kept for the version it was computed for.
#[derive(Default)]
struct Kept<T> {
    state: Mutex<KeptState<T>>,
    done: Condvar,
}

struct KeptState<T> {
    /// The value and the version (see [`version_key`]) it was computed for.
    value: Option<(String, Arc<T>)>,
    computing: bool,
}

impl<T> Default for KeptState<T> {
    fn default() -> Self {
        KeptState {
            value: None,
            computing: false,
        }
    }
}

impl<T: Send + Sync + 'static> Kept<T> {
    /// Whether a value of any version is held.
    fn holds_any(&self) -> bool {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.value.is_some()
    }

    /// The value for version `key`, if held.
    fn current(&self, key: &str) -> Option<Arc<T>> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match &state.value {
            Some((k, v)) if k == key => Some(v.clone()),
            _ => None,
        }
    }

    /// The value for version `key` of the index. When the value of an earlier
    /// version is held (a server after a commit), or `earlier` finds one (a process
    /// started on an index changed since its values were last written), that one is
    /// answered at once and the new one is computed on a thread of its own: over a
    /// million protocols threading the matters takes minutes, which no search
    /// should wait for after every file added. Otherwise it is computed now. Only
    /// one computation runs at a time; others wait for it.
    fn latest(
        self: &Arc<Self>,
        dir: &Path,
        searcher: Searcher,
        key: String,
        compute: impl FnOnce(&Searcher) -> Result<T> + Send + 'static,
        earlier: impl FnOnce() -> Option<T>,
    ) -> Result<Arc<T>> {
        let dir = dir.to_path_buf();
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.value.is_none() && !state.computing {
            if let Some(value) = earlier() {
                // Held under a version no index has, so that it is replaced.
                state.value = Some((String::new(), Arc::new(value)));
            }
        }
        loop {
            if let Some((held, value)) = &state.value {
                let value = value.clone();
                if *held != key {
                    self.compute_in_background(&mut state, dir, searcher, key, compute);
                }
                return Ok(value);
            }
            if !state.computing {
                break;
            }
            state = self.done.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        state.computing = true;
        drop(state);
        match run(compute, &searcher, &dir) {
            Ok(value) => {
                let value = Arc::new(value);
                self.finish(key, Some(value.clone()));
                Ok(value)
            }
            Err(e) => {
                self.finish(key, None);
                Err(e)
            }
        }
    }

    /// Starts computing the value of version `key` on a thread of its own, unless a
    /// computation runs (`state` is this cache's, locked).
    fn compute_in_background(
        self: &Arc<Self>,
        state: &mut KeptState<T>,
        dir: PathBuf,
        searcher: Searcher,
        key: String,
        compute: impl FnOnce(&Searcher) -> Result<T> + Send + 'static,
    ) {
        if state.computing {
            return;
        }
        state.computing = true;
        let kept = self.clone();
        let spawned = std::thread::Builder::new()
            .name("derive".into())
            .spawn(move || {
                match run(compute, &searcher, &dir) {
                    Ok(value) => kept.finish(key, Some(Arc::new(value))),
                    Err(e) => {
                        tracing::warn!("computing from the new index version: {e}");
                        kept.finish(key, None);
                    }
                }
                // Threading a large index's matters frees gigabytes of scratch.
                crate::memory::hand_back();
            });
        if let Err(e) = spawned {
            tracing::warn!("cannot start a thread: {e}");
            state.computing = false;
        }
    }

    /// Starts computing the value of version `key` on a thread of its own, unless
    /// it is held or being computed.
    fn prepare(
        self: &Arc<Self>,
        dir: &Path,
        searcher: Searcher,
        key: String,
        compute: impl FnOnce(&Searcher) -> Result<T> + Send + 'static,
    ) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.value.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        self.compute_in_background(&mut state, dir.to_path_buf(), searcher, key, compute);
    }

    /// Ends a computation: keeps its value, if any, and wakes those waiting.
    fn finish(&self, key: String, value: Option<Arc<T>>) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.computing = false;
        if let Some(value) = value {
            state.value = Some((key, value));
        }
        self.done.notify_all();
    }
}

/// Threads the matters of version `key` of the index in `dir` (or reads them from
/// `derived/`), and writes their lookup file.
fn thread_matters(
    dir: PathBuf,
    key: String,
) -> impl FnOnce(&Searcher) -> Result<Matters> + Send + 'static {
    move |searcher| {
        let m = derived(&dir, "matters", &key, searcher, |searcher| {
            crate::index::matters::from_index(searcher, &dir, None)
        })?;
        let lookup = derived_path(&dir, "matter-of", &key, "bin");
        if !lookup.exists() {
            if let Err(e) = crate::index::matters::write_lookup(&m, &lookup) {
                tracing::debug!(path = %lookup.display(), "not kept for the next process: {e}");
            }
        }
        Ok(m)
    }
}

/// What a process derived for an earlier version of the index (the newest file
/// `derived/NAME-*.json`), when none is there for version `key`.
fn earlier_derived<T: serde::de::DeserializeOwned>(dir: &Path, name: &str, key: &str) -> Option<T> {
    if derived_path(dir, name, key, "json").exists() {
        return None;
    }
    let path = newest_derived(dir, name, "json")?;
    let bytes = std::fs::read(&path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The newest file `derived/NAME-*.EXT`, of whatever version.
fn newest_derived(dir: &Path, name: &str, ext: &str) -> Option<PathBuf> {
    let prefix = format!("{name}-");
    let suffix = format!(".{ext}");
    std::fs::read_dir(dir.join(DERIVED_FOLDER))
        .ok()?
        .flatten()
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.starts_with(&prefix) && n.ends_with(&suffix)
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()
        .map(|(_, path)| path)
}

/// Runs `compute`; a panic in it is an error, so that a computation always ends
/// and nobody waits for it forever.
fn run<T>(
    compute: impl FnOnce(&Searcher) -> Result<T>,
    searcher: &Searcher,
    dir: &Path,
) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| compute(searcher)))
        .unwrap_or_else(|_| Err(Error::index(dir, "computing from the index failed")))
}

/// A version of the index: its segments and their deletions.
fn version_key(searcher: &Searcher) -> String {
    let mut version = format!("{DERIVED_VERSION}\u{1f}{SCHEMA_VERSION}");
    for seg in searcher.segment_readers() {
        version.push_str(&format!(
            "\u{1f}{}:{}",
            seg.segment_id().uuid_string(),
            seg.num_deleted_docs()
        ));
    }
    blake3::hash(version.as_bytes()).to_hex()[..16].to_string()
}

/// Removes the files of `folder` whose names begin with `prefix` and are of
/// another version than `key` (see [`derived_path`]).
fn remove_other_versions(folder: &Path, key: &str, prefix: &str) -> std::io::Result<()> {
    let mark = format!("-{key}.");
    for entry in std::fs::read_dir(folder)?.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(prefix) && !name.contains(&mark) {
            std::fs::remove_file(entry.path()).ok();
        }
    }
    Ok(())
}

/// The file `derived/NAME-KEY.EXT` of the version `key` of the index (see
/// [`derived`]).
fn derived_path(dir: &Path, name: &str, key: &str, ext: &str) -> PathBuf {
    dir.join(DERIVED_FOLDER).join(format!("{name}-{key}.{ext}"))
}

/// What is computed from the whole of version `key` of the index (`name`: the
/// matters, the merged spellings): read from the folder `derived/` of the index
/// when a process computed it for this version before, else computed and written
/// there for the next process. A one-shot command reads in milliseconds what would
/// take it seconds to compute over a large archive. Files of other versions are
/// removed. Failing to write (a read-only index) only costs the next process the
/// computing.
fn derived<T, F>(dir: &Path, name: &str, key: &str, searcher: &Searcher, compute: F) -> Result<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: FnOnce(&Searcher) -> Result<T>,
{
    let path = derived_path(dir, name, key, "json");
    let folder = dir.join(DERIVED_FOLDER);
    if let Ok(bytes) = std::fs::read(&path) {
        match serde_json::from_slice(&bytes) {
            Ok(value) => return Ok(value),
            Err(e) => tracing::debug!(path = %path.display(), "unreadable, computed again: {e}"),
        }
    }
    let value = compute(searcher)?;
    let written = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(&folder)?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(
            &tmp,
            serde_json::to_vec(&value).map_err(std::io::Error::other)?,
        )?;
        std::fs::rename(&tmp, &path)?;
        // Files of other versions go (this version's other files stay).
        remove_other_versions(&folder, key, "")
    })();
    if let Err(e) = written {
        tracing::debug!(path = %path.display(), "not kept for the next process: {e}");
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn searcher() -> Searcher {
        let mut schema = tantivy::schema::Schema::builder();
        schema.add_text_field("t", tantivy::schema::TEXT);
        let index = Index::create_in_ram(schema.build());
        index
            .reader()
            .expect("a reader of an empty index")
            .searcher()
    }

    fn slow(value: u32) -> impl FnOnce(&Searcher) -> Result<u32> + Send + 'static {
        move |_| {
            std::thread::sleep(Duration::from_millis(300));
            Ok(value)
        }
    }

    fn eventually(kept: &Kept<u32>, key: &str) -> Option<u32> {
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Some(v) = kept.current(key) {
                return Some(*v);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    #[test]
    fn a_new_version_answers_with_the_last_value_until_its_own_is_computed() {
        let kept: Arc<Kept<u32>> = Arc::default();
        let dir = Path::new(".");
        let first = kept.latest(dir, searcher(), "a".into(), slow(1), || None);
        assert_eq!(*first.unwrap(), 1, "nothing held: computed now");
        let started = Instant::now();
        let second = kept.latest(dir, searcher(), "b".into(), slow(2), || None);
        assert_eq!(*second.unwrap(), 1, "the last value, at once");
        assert!(started.elapsed() < Duration::from_millis(250));
        assert_eq!(
            eventually(&kept, "b"),
            Some(2),
            "computed on its own thread"
        );
        let third = kept.latest(dir, searcher(), "b".into(), slow(3), || None);
        assert_eq!(
            *third.unwrap(),
            2,
            "held for its version: not computed again"
        );
    }

    #[test]
    fn an_earlier_value_found_answers_while_the_new_one_is_computed() {
        let kept: Arc<Kept<u32>> = Arc::default();
        let got = kept.latest(Path::new("."), searcher(), "b".into(), slow(2), || Some(1));
        assert_eq!(*got.unwrap(), 1);
        assert_eq!(eventually(&kept, "b"), Some(2));
    }

    #[test]
    fn a_computation_that_fails_or_panics_ends_and_is_tried_again() {
        let kept: Arc<Kept<u32>> = Arc::default();
        let dir = Path::new(".");
        let failed = kept.latest(dir, searcher(), "a".into(), |_| panic!("a bug"), || None);
        assert!(failed.is_err(), "a panic is an error");
        let got = kept.latest(dir, searcher(), "a".into(), slow(1), || None);
        assert_eq!(*got.unwrap(), 1, "nobody waits for the failed computation");
        let stale = kept.latest(
            dir,
            searcher(),
            "b".into(),
            |_| Err(Error::index(Path::new("."), "no")),
            || None,
        );
        assert_eq!(*stale.unwrap(), 1);
        std::thread::sleep(Duration::from_millis(100));
        let again = kept.latest(dir, searcher(), "b".into(), slow(2), || None);
        assert_eq!(*again.unwrap(), 1);
        assert_eq!(
            eventually(&kept, "b"),
            Some(2),
            "tried again after a failure"
        );
    }
}
