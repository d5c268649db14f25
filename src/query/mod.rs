//! Queries: what a query as written becomes before it meets the index. The plan every
//! consumer of a query shares — search, trend, the person filter and eval alike:
//! [`parse`] the syntax → [`correct`] words the archive lacks and add abbreviations
//! and their long forms → [`plan`] compound and form expansion (the tantivy query of
//! each clause) → [`filters`] (dates, facet values, decisions), which match or not and
//! never score. [`snippet`] marks what a query matched in a text; [`budget`] stops a
//! search that runs past its time.

pub mod budget;
pub mod correct;
pub mod filters;
pub mod parse;
pub mod plan;
pub mod snippet;
