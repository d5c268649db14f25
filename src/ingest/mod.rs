//! Ingest: from files on disk to clean text. [`formats`] takes the text out of web
//! pages and Word files; [`read`] finds protocol files, decodes them (UTF-8,
//! UTF-16, Windows-1252) and rejects what is not text; [`clean`] removes the noise of
//! PDF-extracted text (page furniture, hyphenation); [`changes`] hears from the
//! operating system when files under the corpus change.

pub mod changes;
pub mod clean;
pub mod formats;
pub mod read;
