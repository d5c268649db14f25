//! Ingest: from files on disk to clean text. [`read`] finds protocol files, decodes
//! them (UTF-8 or Windows-1252) and rejects what is not text; [`clean`] removes the
//! noise of PDF-extracted text (page furniture, hyphenation).

pub mod clean;
pub mod read;
