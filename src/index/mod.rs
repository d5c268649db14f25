//! The index: [`facets`] names the facet fields and counts their values over matching
//! items; [`matters`] threads the items of one matter across meetings; [`variants`] merges the spellings of one person's name; [`merges`] caps what the writer merges; [`schema`] says what
//! an index document is and builds it; [`store`] is an open index for reading;
//! [`update`] indexes a corpus incrementally.

pub mod facets;
pub mod matters;
pub mod merges;
pub mod schema;
pub mod store;
pub mod update;
pub mod variants;
