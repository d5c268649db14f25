//! An open index for reading: the reader, the facet tables and the person-name merges
//! of one version of the index, reloaded after a commit.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::analysis::tokenize;
use crate::error::{Error, Result};
use crate::index::facets::{FacetField, FacetTables};
use crate::index::schema::{exists, same_schema, schema, Fields, SCHEMA_VERSION};

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
    variants: Mutex<Option<std::sync::Arc<crate::index::variants::Variants>>>,
    /// The matters threaded over this version of the index, computed once.
    matters: Mutex<Option<std::sync::Arc<crate::index::matters::Matters>>>,
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
            variants: Mutex::new(None),
            matters: Mutex::new(None),
            opstamp: AtomicU64::new(opstamp),
            files: Mutex::new(None),
        })
    }
}

impl Store {
    /// The person-name merges of this index (read once, then kept until a reload).
    pub fn person_variants(&self) -> Result<std::sync::Arc<crate::index::variants::Variants>> {
        if let Some(v) = self
            .variants
            .lock()
            .expect("no panics under the lock")
            .clone()
        {
            return Ok(v);
        }
        let v = std::sync::Arc::new(self.derived("variants", |searcher| {
            crate::index::variants::Variants::from_index(
                searcher,
                FacetField::Person,
                self.tables.clone(),
                &self.dir,
            )
        })?);
        *self.variants.lock().expect("no panics under the lock") = Some(v.clone());
        Ok(v)
    }

    /// The matters of this index (threaded once, then kept until a reload).
    pub fn matters(&self) -> Result<std::sync::Arc<crate::index::matters::Matters>> {
        if let Some(m) = self
            .matters
            .lock()
            .expect("no panics under the lock")
            .clone()
        {
            return Ok(m);
        }
        let lookup = self.derived_path("matter-of", "bin");
        let m = std::sync::Arc::new(self.derived("matters", |searcher| {
            crate::index::matters::from_index(searcher, &self.dir)
        })?);
        if !lookup.exists() {
            if let Err(e) = crate::index::matters::write_lookup(&m, &lookup) {
                tracing::debug!(path = %lookup.display(), "not kept for the next process: {e}");
            }
        }
        *self.matters.lock().expect("no panics under the lock") = Some(m.clone());
        Ok(m)
    }

    /// The ids of the matters items belong to, in order: from the matters this
    /// process holds, else from the lookup file a process wrote for this version of
    /// the index (a one-shot search reads a few records instead of every matter),
    /// else from the matters computed now.
    pub fn matters_of(&self, items: &[(&str, u64)]) -> Result<Vec<Option<String>>> {
        let held = self
            .matters
            .lock()
            .expect("no panics under the lock")
            .clone();
        if held.is_none() {
            let path = self.derived_path("matter-of", "bin");
            let found = crate::index::matters::Lookup::open(&path).and_then(|mut lookup| {
                items
                    .iter()
                    .map(|(pid, idx)| lookup.matter_of(pid, *idx))
                    .collect::<std::io::Result<Vec<_>>>()
            });
            if let Ok(found) = found {
                return Ok(found);
            }
        }
        let matters = match held {
            Some(m) => m,
            None => self.matters()?,
        };
        Ok(items
            .iter()
            .map(|(pid, idx)| matters.of_item(pid, *idx).map(|m| m.id.clone()))
            .collect())
    }

    /// The file `derived/NAME-KEY.EXT` of this version of the index (see
    /// [`Store::derived`]).
    fn derived_path(&self, name: &str, ext: &str) -> std::path::PathBuf {
        let searcher = self.reader.searcher();
        let mut version = format!("{DERIVED_VERSION}\u{1f}{SCHEMA_VERSION}");
        for seg in searcher.segment_readers() {
            version.push_str(&format!(
                "\u{1f}{}:{}",
                seg.segment_id().uuid_string(),
                seg.num_deleted_docs()
            ));
        }
        let key = &blake3::hash(version.as_bytes()).to_hex()[..16];
        self.dir
            .join(DERIVED_FOLDER)
            .join(format!("{name}-{key}.{ext}"))
    }

    /// What is computed from the whole of this version of the index (`name`: the
    /// matters, the merged spellings): read from the folder `derived/` of the index
    /// when a process computed it for this version before, else computed and written
    /// there for the next process. A one-shot command reads in milliseconds what
    /// would take it seconds to compute over a large archive. A version is its
    /// segments and their deletions; files of other versions are removed. Failing to
    /// write (a read-only index) only costs the next process the computing.
    fn derived<T, F>(&self, name: &str, compute: F) -> Result<T>
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
        F: FnOnce(&tantivy::Searcher) -> Result<T>,
    {
        let searcher = self.reader.searcher();
        let path = self.derived_path(name, "json");
        let folder = self.dir.join(DERIVED_FOLDER);
        if let Ok(bytes) = std::fs::read(&path) {
            match serde_json::from_slice(&bytes) {
                Ok(value) => return Ok(value),
                Err(e) => {
                    tracing::debug!(path = %path.display(), "unreadable, computed again: {e}")
                }
            }
        }
        let value = compute(&searcher)?;
        let written = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&folder)?;
            let tmp = path.with_extension("json.tmp");
            std::fs::write(
                &tmp,
                serde_json::to_vec(&value).map_err(std::io::Error::other)?,
            )?;
            std::fs::rename(&tmp, &path)?;
            // Files of other versions go (this version's other files stay).
            let key = path
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.rsplit_once('-'))
                .map(|(_, k)| format!("-{k}."))
                .unwrap_or_default();
            for entry in std::fs::read_dir(&folder)?.flatten() {
                if !entry.file_name().to_string_lossy().contains(&key) {
                    std::fs::remove_file(entry.path()).ok();
                }
            }
            Ok(())
        })();
        if let Err(e) = written {
            tracing::debug!(path = %path.display(), "not kept for the next process: {e}");
        }
        Ok(value)
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
        *self.variants.lock().expect("no panics under the lock") = None;
        *self.matters.lock().expect("no panics under the lock") = None;
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
