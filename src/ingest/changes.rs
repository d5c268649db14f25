//! Hearing of changes under the corpus from the operating system (inotify on Linux,
//! through `notify`), so that a server looks at the corpus when something changed
//! instead of listing every file every few seconds: listing a million files costs
//! seconds of a core each time.
//!
//! What counts as a change: a file or folder created, written, renamed, deleted or
//! given other attributes (a `touch`). Opening and reading do not (the indexer reads
//! every file it indexes), nor does anything under the index folder when it lies
//! inside the corpus. When the system says it lost events (its queue overflowed),
//! that counts as a change too: the look that follows lists everything.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecursiveMode, Watcher};

/// Changes heard since the last [`Changes::settled`] that said so.
#[derive(Debug, Default)]
struct Heard {
    /// When the first change not yet taken was heard.
    first: Option<Instant>,
    /// When the last change was heard.
    last: Option<Instant>,
    /// The paths the changes were reported at.
    paths: std::collections::BTreeSet<PathBuf>,
    /// Events were lost, or too many paths changed to keep: look at everything.
    everything: bool,
}

/// More changed paths than this between two looks are looked at by listing.
const MAX_PATHS: usize = 10_000;

/// What to look at after changes were heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Look {
    /// The paths the changes were reported at (files, or folders).
    Paths(Vec<PathBuf>),
    /// The whole corpus (events were lost, or a great many paths changed).
    Everything,
}

/// A subscription to the changes under one folder; ends when dropped.
pub struct Changes {
    heard: Arc<Mutex<Heard>>,
    _watcher: notify::RecommendedWatcher,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Changes").finish_non_exhaustive()
    }
}

impl Changes {
    /// Starts hearing of changes under `corpus`, except those under `ignore` (the
    /// index folder). Fails when the system cannot watch the folder (no support, a
    /// limit on watches reached): then the caller lists the corpus now and then.
    pub fn follow(corpus: &Path, ignore: &Path) -> Result<Changes, String> {
        let corpus = corpus
            .canonicalize()
            .map_err(|e| format!("{}: {e}", corpus.display()))?;
        let ignore = absolute(ignore);
        let heard = Arc::new(Mutex::new(Heard::default()));
        let sink = heard.clone();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let now = Instant::now();
                let mut h = sink.lock().unwrap_or_else(|p| p.into_inner());
                match &event {
                    // An error of the watch itself (events lost): look, to be sure.
                    Err(_) => h.everything = true,
                    Ok(e) if e.need_rescan() => h.everything = true,
                    Ok(e) if is_change(&e.kind) && !all_under(&e.paths, &ignore) => {
                        let paths = e.paths.iter().filter(|p| !p.starts_with(&ignore));
                        h.paths.extend(paths.cloned());
                        if h.paths.len() > MAX_PATHS {
                            h.everything = true;
                            h.paths.clear();
                        }
                    }
                    Ok(_) => return,
                }
                h.first.get_or_insert(now);
                h.last = Some(now);
            })
            .map_err(|e| e.to_string())?;
        watcher
            .watch(&corpus, RecursiveMode::Recursive)
            .map_err(|e| e.to_string())?;
        Ok(Changes {
            heard,
            _watcher: watcher,
        })
    }

    /// True, once, when changes were heard and then none for `quiet` (a copy of many
    /// files is looked at when it is done), or when the first of them was heard
    /// `patience` ago (a stream of changes that never pauses is looked at all the
    /// same).
    pub fn settled(&self, quiet: Duration, patience: Duration) -> Option<Look> {
        let mut h = self.heard.lock().unwrap_or_else(|p| p.into_inner());
        let (first, last) = (h.first?, h.last?);
        if last.elapsed() >= quiet || first.elapsed() >= patience {
            let heard = std::mem::take(&mut *h);
            return Some(if heard.everything {
                Look::Everything
            } else {
                Look::Paths(heard.paths.into_iter().collect())
            });
        }
        None
    }
}

/// Whether an event says that something may have changed (not an open or a read).
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

fn all_under(paths: &[PathBuf], dir: &Path) -> bool {
    !paths.is_empty() && paths.iter().all(|p| p.starts_with(dir))
}

/// `path` made absolute and free of links as far as it exists (the index folder may
/// not exist yet).
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => absolute(parent).join(name),
        _ => std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_for(changes: &Changes, quiet: Duration) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if changes.settled(quiet, Duration::from_secs(60)).is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Writing, renaming and deleting are heard; reading and changes in the ignored
    /// folder are not; a change is said once.
    #[test]
    fn changes_are_heard_and_reads_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        let index = corpus.join("index");
        std::fs::create_dir_all(&index).unwrap();
        std::fs::write(corpus.join("a.txt"), "text").unwrap();
        let changes = Changes::follow(&corpus, &index).unwrap();
        let quiet = Duration::from_millis(100);

        std::fs::write(corpus.join("b.txt"), "new").unwrap();
        assert!(wait_for(&changes, quiet), "a new file is heard");
        assert!(
            changes.settled(Duration::ZERO, Duration::ZERO).is_none(),
            "once"
        );

        std::fs::read(corpus.join("a.txt")).unwrap();
        std::fs::write(index.join("segment"), "index data").unwrap();
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            changes.settled(Duration::ZERO, Duration::ZERO).is_none(),
            "a read and the index folder are not changes"
        );

        std::fs::rename(corpus.join("b.txt"), corpus.join("c.txt")).unwrap();
        assert!(wait_for(&changes, quiet), "a rename is heard");
        std::fs::create_dir(corpus.join("new")).unwrap();
        assert!(wait_for(&changes, quiet), "a new folder is heard");
        std::fs::write(corpus.join("new").join("d.txt"), "in it").unwrap();
        assert!(wait_for(&changes, quiet), "a file in a new folder is heard");
        std::fs::remove_file(corpus.join("c.txt")).unwrap();
        assert!(wait_for(&changes, quiet), "a deletion is heard");
    }

    /// The paths of the changes are said, without the index folder's.
    #[test]
    fn the_paths_changed_are_said() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        let index = corpus.join("index");
        std::fs::create_dir_all(&index).unwrap();
        let changes = Changes::follow(&corpus, &index).unwrap();
        std::fs::write(corpus.join("a.txt"), "new").unwrap();
        std::fs::write(index.join("segment"), "index data").unwrap();
        std::fs::write(corpus.join("b.txt"), "new").unwrap();
        let real = corpus.canonicalize().unwrap();
        let started = Instant::now();
        let mut seen = std::collections::BTreeSet::new();
        while started.elapsed() < Duration::from_secs(10) && seen.len() < 2 {
            match changes.settled(Duration::from_millis(100), Duration::from_secs(60)) {
                Some(Look::Paths(paths)) => seen.extend(paths),
                Some(Look::Everything) => panic!("two files are not everything"),
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        let want: std::collections::BTreeSet<PathBuf> =
            [real.join("a.txt"), real.join("b.txt")].into();
        assert_eq!(seen, want);
    }

    #[test]
    fn a_folder_that_is_not_there_cannot_be_followed() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Changes::follow(&dir.path().join("none"), &dir.path().join("index")).is_err());
    }
}
