//! The crate's error type. Each module that can fail has its own enum with
//! context (path, query); [`Error`] wraps them so callers see one type.

use std::path::PathBuf;

/// A query the user wrote that cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad query: {message}")]
pub struct QueryError {
    pub message: String,
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
    /// The user's query could not be understood.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// An argument (date, limit, filter) is out of range or malformed.
    #[error("{0}")]
    InvalidArgument(String),
    /// A person who is not in the index.
    #[error("no person named {0}")]
    UnknownPerson(String),
    /// A protocol id that is not in the index.
    #[error("no protocol with id {0}")]
    UnknownProtocol(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn index(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        Error::Index {
            path: path.into(),
            message: err.to_string(),
        }
    }

    /// True when the error was caused by the user's input (bad query, bad argument),
    /// as opposed to a failure of the machine (disk, corrupt index).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Error::Query(_)
                | Error::InvalidArgument(_)
                | Error::UnknownProtocol(_)
                | Error::UnknownPerson(_)
        )
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
