//! Paths and limits, built once from the command line and passed by reference.

use std::path::PathBuf;

/// Where the corpus and the index live and the limits the engine keeps.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder of protocol files, read recursively.
    pub corpus_dir: PathBuf,
    /// Folder of the tantivy index.
    pub index_dir: PathBuf,
    /// Files larger than this are skipped with a reason.
    pub max_file_bytes: u64,
    /// Memory the index writer may use, in bytes.
    pub writer_memory_bytes: usize,
    /// Longest query accepted, in characters.
    pub max_query_chars: usize,
    /// Largest `--limit` accepted.
    pub max_limit: usize,
    /// Largest `--offset` accepted: paging deeper asks for more memory than any page
    /// of hits is worth.
    pub max_offset: usize,
}

impl Config {
    /// Defaults for everything but the two folders.
    pub fn new(corpus_dir: impl Into<PathBuf>, index_dir: impl Into<PathBuf>) -> Self {
        Config {
            corpus_dir: corpus_dir.into(),
            index_dir: index_dir.into(),
            max_file_bytes: 20 * 1024 * 1024,
            writer_memory_bytes: 200_000_000,
            max_query_chars: 1000,
            max_limit: 1000,
            max_offset: 10_000,
        }
    }
}
