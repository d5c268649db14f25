//! protokollsok: full-text search over Swedish meeting protocols.
//!
//! Data flows one way through the modules, left to right, on a foundation of `error`
//! and `config`: `read → clean → parse → lexicon → analysis → synonyms → facets →
//! variants → index → snippet → search → (trend | profile | eval) → api → server`, with
//! `main.rs` on top. A module uses the ones to its left and never the ones to its right
//! (`tests/architecture.rs` checks it; `ARCHITECTURE.md` has the whole map).
//!
//! * [`read`] finds protocol files, decodes them (UTF-8 or Windows-1252) and
//!   rejects what is not text.
//! * [`clean`] removes the noise of PDF-extracted text (page furniture, hyphenation).
//! * [`parse`] turns one protocol's text into a [`parse::Protocol`] record; its
//!   `prepare` step first takes front matter and page furniture out of the text.
//! * [`lexicon`] knows Swedish word forms: lemmas and compound parts (hunspell `sv_SE`).
//! * [`analysis`] holds the Swedish tokenizers used by the index.
//! * [`facets`] counts facet values over matching items; [`variants`] merges the
//!   spellings of one person's name.
//! * [`index`] owns the tantivy schema and incremental indexing.
//! * [`snippet`] marks what a query matched and picks the snippet.
//! * [`search`] parses user queries, applies filters, ranks, builds snippets and facets.
//! * [`trend`] counts a query per month, quarter or year; [`profile`] gathers a person.
//! * [`api`] holds the JSON types shared by the CLI and HTTP; [`server`] serves them
//!   and the web page.

pub mod analysis;
pub mod api;
pub mod clean;
pub mod config;
pub mod engine;
pub mod error;
pub mod eval;
pub mod facets;
pub mod index;
pub mod lexicon;
pub mod parse;
pub mod profile;
pub mod query;
pub mod read;
pub mod search;
pub mod server;
pub mod snippet;
pub mod synonyms;
pub mod trend;
pub mod variants;

pub use config::Config;
pub use error::{Error, Result};
