//! The JSON shapes that scripts rely on, shared by `--json` output and HTTP:
//! search answers, parsed protocols, facet lists and errors.

use serde::{Deserialize, Serialize};

pub use crate::parse::{Item, Person, Protocol};
pub use crate::search::{FacetCount, Hit, SearchResponse};

/// The one error body: a stable machine-readable `code` and a message for people.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub error: String,
}

impl ApiError {
    pub fn from_error(e: &crate::Error) -> Self {
        let code = match e {
            crate::Error::Query(_) => "bad_query",
            crate::Error::InvalidArgument(_) => "bad_argument",
            crate::Error::UnknownProtocol(_) | crate::Error::UnknownPerson(_) => "not_found",
            crate::Error::Io { .. } => "io",
            crate::Error::Index { .. } => "index",
            crate::Error::Locked(_) => "busy",
        };
        ApiError {
            code: code.to_string(),
            error: e.to_string(),
        }
    }
}
