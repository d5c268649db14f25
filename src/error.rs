//! The crate's error type and the one table that says, for each kind of error,
//! its stable `code`, its HTTP status and the exit code of the command line.
//! Every error names what it concerns: the file, the index folder or the query.

use std::path::PathBuf;

/// A query the user wrote that cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad query {query:?}: {message}")]
pub struct QueryError {
    /// The query as written (shortened when long).
    pub query: String,
    pub message: String,
}

impl QueryError {
    pub fn new(query: &str, message: impl Into<String>) -> QueryError {
        const SHOWN: usize = 80;
        let mut shown: String = query.chars().take(SHOWN).collect();
        if query.chars().count() > SHOWN {
            shown.push('…');
        }
        QueryError {
            query: shown,
            message: message.into(),
        }
    }
}

/// Every error the library returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading a file or folder failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The index could not be opened, written or read.
    #[error("index {path}: {message}")]
    Index { path: PathBuf, message: String },
    /// Another process is writing the index.
    #[error("index {0}: another process is updating it; try again when it is done")]
    Locked(PathBuf),
    /// The index is being built for the first time and holds nothing yet.
    #[error("index {0}: the first build is in progress and nothing is searchable yet; try again when it is done")]
    Building(PathBuf),
    /// The user's query could not be understood.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// An argument (date, limit, filter) is out of range or malformed.
    #[error("{0}")]
    InvalidArgument(String),
    /// A person who is not in the index.
    #[error("no person named {0}")]
    UnknownPerson(String),
    /// A search ran past its time budget and was stopped.
    #[error("the search took longer than its {}-second budget and was stopped; narrow it (more words, a phrase, a filter)", .0.as_secs_f64())]
    TooSlow(std::time::Duration),
    /// A protocol id that is not in the index.
    #[error("no protocol with id {0}")]
    UnknownProtocol(String),
    /// Neither a matter's id nor a query whose hits belong to a matter.
    #[error("no matter with id {0}, and no hit of it as a query belongs to a matter")]
    UnknownMatter(String),
}

/// What kind of failure an error is: the key of [`ERROR_TABLE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadQuery,
    BadArgument,
    NotFound,
    Busy,
    NotReady,
    TooSlow,
    Io,
    Index,
}

/// One row of the error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorRow {
    pub kind: ErrorKind,
    /// The stable machine-readable `code` of the JSON error body.
    pub code: &'static str,
    /// The HTTP status of an answer with this error.
    pub http_status: u16,
    /// The command line's exit status.
    pub exit_code: u8,
    /// Whether the user's input caused it (as opposed to the machine).
    pub user_error: bool,
}

/// Each kind of error, its code, HTTP status and exit code. Exit 1 is also what a
/// search that finds nothing returns; 2 is what the argument parser returns for a
/// malformed command line; the machine's failures use the `sysexits.h` numbers.
pub const ERROR_TABLE: [ErrorRow; 8] = [
    row(ErrorKind::BadQuery, "bad_query", 400, 2, true),
    row(ErrorKind::BadArgument, "bad_argument", 400, 2, true),
    row(ErrorKind::NotFound, "not_found", 404, 1, true),
    row(ErrorKind::Busy, "busy", 503, 75, false),
    // A script polls until the first build is done: not "nothing found" (1).
    row(ErrorKind::NotReady, "building", 503, 2, false),
    // The machine could not answer in time (a busy server may, a moment later).
    row(ErrorKind::TooSlow, "too_slow", 503, 75, false),
    row(ErrorKind::Io, "io", 500, 74, false),
    row(ErrorKind::Index, "index", 500, 70, false),
];

const fn row(
    kind: ErrorKind,
    code: &'static str,
    http_status: u16,
    exit_code: u8,
    user_error: bool,
) -> ErrorRow {
    ErrorRow {
        kind,
        code,
        http_status,
        exit_code,
        user_error,
    }
}

impl ErrorKind {
    /// This kind's row of [`ERROR_TABLE`].
    pub fn row(self) -> &'static ErrorRow {
        ERROR_TABLE
            .iter()
            .find(|r| r.kind == self)
            .unwrap_or(&ERROR_TABLE[ERROR_TABLE.len() - 1])
    }
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A failure of the index in folder `path`.
    pub(crate) fn index(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        Error::Index {
            path: path.into(),
            message: err.to_string(),
        }
    }

    /// A query that cannot be run, with the query it concerns.
    pub(crate) fn query(query: &str, message: impl Into<String>) -> Self {
        Error::Query(QueryError::new(query, message))
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Query(_) => ErrorKind::BadQuery,
            Error::InvalidArgument(_) => ErrorKind::BadArgument,
            Error::UnknownPerson(_) | Error::UnknownProtocol(_) | Error::UnknownMatter(_) => {
                ErrorKind::NotFound
            }
            Error::Locked(_) => ErrorKind::Busy,
            Error::Building(_) => ErrorKind::NotReady,
            Error::TooSlow(_) => ErrorKind::TooSlow,
            Error::Io { .. } => ErrorKind::Io,
            Error::Index { .. } => ErrorKind::Index,
        }
    }

    /// The stable code of the JSON error body.
    pub fn code(&self) -> &'static str {
        self.kind().row().code
    }

    pub fn http_status(&self) -> u16 {
        self.kind().row().http_status
    }

    pub fn exit_code(&self) -> u8 {
        self.kind().row().exit_code
    }

    /// True when the error was caused by the user's input (bad query, bad argument,
    /// an unknown id), as opposed to a failure of the machine (disk, corrupt index).
    pub fn is_user_error(&self) -> bool {
        self.kind().row().user_error
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_row_and_codes_are_distinct() {
        let kinds = [
            ErrorKind::BadQuery,
            ErrorKind::BadArgument,
            ErrorKind::NotFound,
            ErrorKind::Busy,
            ErrorKind::NotReady,
            ErrorKind::TooSlow,
            ErrorKind::Io,
            ErrorKind::Index,
        ];
        for k in kinds {
            assert_eq!(ERROR_TABLE.iter().filter(|r| r.kind == k).count(), 1);
            assert_eq!(k.row().kind, k);
        }
        let mut codes: Vec<&str> = ERROR_TABLE.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ERROR_TABLE.len());
        // User errors are 4xx, the machine's 5xx.
        for r in ERROR_TABLE {
            assert_eq!(r.user_error, (400..500).contains(&r.http_status), "{r:?}");
        }
    }

    #[test]
    fn a_query_error_names_its_query() {
        let e = Error::query("\"barn och", "a quote is not closed");
        assert_eq!(e.code(), "bad_query");
        assert!(e.to_string().contains("\"barn och"), "{e}");
        let long = "x".repeat(500);
        assert!(Error::query(&long, "too long").to_string().len() < 200);
    }
}
