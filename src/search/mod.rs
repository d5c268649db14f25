//! Answers from a query plan: [`hits`] ranks items, builds snippets and facets;
//! [`trend`] counts a query per month, quarter or year; [`profile`] gathers a person;
//! [`matters`] lists matters and gives one matter's timeline; [`new`] finds what rose
//! in a period; [`eval`] runs judgments; [`export`] writes the records and their
//! analysis for OpenSearch.

pub mod eval;
pub mod export;
pub mod hits;
pub mod matters;
pub mod new;
pub mod profile;
pub mod trend;
