//! Paths and limits, built once from the command line and passed by reference.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// What one request may ask for: checked by the engine, whichever edge (the
/// command line, HTTP) the request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest page of hits.
    pub max_limit: usize,
    /// Deepest first hit: paging deeper asks for more memory than any page of hits
    /// is worth.
    pub max_offset: usize,
    /// Longest query, in characters.
    pub max_query_chars: usize,
    /// Most values listed per facet in a search answer.
    pub max_facet_values: usize,
    /// Longest a search may run (`None`: as long as it takes); one that runs longer
    /// is stopped and answered with a request to narrow it.
    pub search_budget: Option<std::time::Duration>,
}

impl Limits {
    /// The command line's: a script may ask for long pages.
    pub const CLI: Limits = Limits {
        max_limit: 1000,
        max_offset: 10_000,
        max_query_chars: 1000,
        max_facet_values: 1000,
        search_budget: None,
    };

    /// A server's: every request costs the others time.
    pub const HTTP: Limits = Limits {
        max_limit: 100,
        search_budget: Some(std::time::Duration::from_secs(5)),
        ..Limits::CLI
    };

    /// Checks a page of hits: `limit` from 1, `offset` from 0, within the limits.
    pub fn check_page(&self, limit: usize, offset: usize) -> Result<()> {
        if !(1..=self.max_limit).contains(&limit) {
            return Err(Error::InvalidArgument(format!(
                "limit must be a whole number from 1 to {}, not {limit}",
                self.max_limit
            )));
        }
        if offset > self.max_offset {
            return Err(Error::InvalidArgument(format!(
                "offset must be a whole number from 0 to {}, not {offset}",
                self.max_offset
            )));
        }
        Ok(())
    }

    /// Checks how many values per facet are asked for.
    pub fn check_facet_values(&self, n: usize) -> Result<()> {
        if n > self.max_facet_values {
            return Err(Error::InvalidArgument(format!(
                "facet_limit must be at most {}, not {n}",
                self.max_facet_values
            )));
        }
        Ok(())
    }
}

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
    /// What one request may ask for.
    pub limits: Limits,
    /// The themes file items are tagged from; `None`: the shipped `data/themes.toml`.
    pub themes_file: Option<PathBuf>,
}

impl Config {
    /// Defaults for everything but the two folders.
    pub fn new(corpus_dir: impl Into<PathBuf>, index_dir: impl Into<PathBuf>) -> Self {
        Config {
            corpus_dir: corpus_dir.into(),
            index_dir: index_dir.into(),
            max_file_bytes: 20 * 1024 * 1024,
            writer_memory_bytes: 200_000_000,
            limits: Limits::CLI,
            themes_file: None,
        }
    }
}
