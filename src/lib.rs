//! protokollsok: full-text search over Swedish meeting protocols.
//!
//! Data flows one way through the folders, on a foundation of `error`, `config` and `memory`:
//! `ingest → parse → analysis → index → query → search → engine → api → (server | cli)`.
//! A module uses the ones before it and never the ones after it (`tests/architecture.rs`
//! checks it; `ARCHITECTURE.md` has the whole map).
//!
//! * [`ingest`] finds protocol files, decodes them and cleans PDF-extracted text.
//! * [`parse`] turns one protocol's text into a [`parse::Protocol`] record.
//! * [`analysis`] knows Swedish word forms, tokenizes and knows abbreviations.
//! * [`index`] owns the tantivy schema, facets, name spellings and incremental indexing.
//! * [`query`] turns a query as written into one plan: syntax, corrections, filters, marks.
//! * [`search`] answers from a plan: hits with snippets and facets, trends, persons, eval.
//! * [`engine`] is the one API the command line, the server and eval call.
//! * [`api`] holds the JSON wire types; [`server`] serves them and the web page;
//!   [`cli`] parses arguments and renders text.

pub mod analysis;
pub mod api;
pub mod cli;
pub mod config;
pub mod engine;
pub mod error;
pub mod index;
pub mod ingest;
pub mod memory;
pub mod parse;
pub mod query;
pub mod search;
pub mod server;

pub use config::Config;
pub use error::{Error, Result};
