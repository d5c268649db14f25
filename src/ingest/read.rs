//! Finds protocol files under the corpus folder and turns their bytes into text.
//! Owns: walking folders, file-type decisions, encoding detection (UTF-8 with a
//! Windows-1252 fallback), BOM stripping, binary/empty detection, NFC normalisation.
//! Does not own: removing page furniture (see `clean`) or structure (see `parse`).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

/// File endings read as protocols.
pub const SUPPORTED_EXTENSIONS: &[&str] = &["txt", "md", "markdown", "org"];

/// A file found in the corpus, before it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusFile {
    /// Absolute or corpus-joined path on disk.
    pub path: PathBuf,
    /// Path relative to the corpus folder, with `/` separators: the file's identity.
    pub rel: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, seconds since the epoch (0 when unknown).
    pub mtime: i64,
}

/// Why a file is not indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    Unsupported(String),
    Empty,
    Binary,
    TooLarge {
        size: u64,
        limit: u64,
    },
    Unreadable(String),
    /// The parser failed on this file (a bug to report); the file is left out.
    ParserBug(String),
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Unsupported(ext) => {
                write!(
                    f,
                    "unsupported file type {ext:?} (reads .txt, .md, .markdown and .org)"
                )
            }
            SkipReason::Empty => write!(f, "empty file (no text)"),
            SkipReason::Binary => write!(f, "binary file (NUL bytes or control characters)"),
            SkipReason::TooLarge { size, limit } => {
                write!(f, "too large ({size} bytes, limit {limit})")
            }
            SkipReason::Unreadable(msg) => write!(f, "unreadable: {msg}"),
            SkipReason::ParserBug(msg) => write!(f, "parser error (please report): {msg}"),
        }
    }
}

/// The text of a file and how it was decoded.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    /// `"utf-8"` or `"windows-1252"`.
    pub encoding: &'static str,
}

/// Lists every regular file under `dir`, sorted by relative path.
/// Hidden files and folders (starting with `.`) are passed over; `truth.jsonl`-style
/// side files are returned like any other and skipped later by extension.
pub fn list_corpus(dir: &Path) -> Result<Vec<CorpusFile>> {
    let meta = fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !meta.is_dir() {
        return Err(Error::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        ));
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<CorpusFile>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // Follows links to files and folders; a broken link is reported as unreadable later.
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(_) => {
                out.push(CorpusFile {
                    rel: relative_path(root, &path),
                    path,
                    size: 0,
                    mtime: 0,
                });
                continue;
            }
        };
        if meta.is_dir() {
            walk(root, &path, out)?;
        } else if meta.is_file() {
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            out.push(CorpusFile {
                rel: relative_path(root, &path),
                path,
                size: meta.len(),
                mtime,
            });
        }
    }
    Ok(())
}

/// The corpus's folders with their modification times (nanoseconds). A folder's
/// mtime changes when a file or folder in it is added, removed or renamed (as
/// most editors and tools save: a new file renamed over the old one), so
/// comparing these with [`folders_unchanged`] tells whether the set of files
/// changed with one `stat` per folder and none per file. A file rewritten in
/// place is not seen this way; `index` and `serve` check every file.
pub fn corpus_folders(dir: &Path) -> Result<Vec<(PathBuf, u128)>> {
    let mut out = Vec::new();
    folder_walk(dir, &mut out)?;
    Ok(out)
}

fn folder_mtime(dir: &Path) -> std::io::Result<u128> {
    Ok(fs::metadata(dir)?
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0))
}

fn folder_walk(dir: &Path, out: &mut Vec<(PathBuf, u128)>) -> Result<()> {
    out.push((
        dir.to_path_buf(),
        folder_mtime(dir).map_err(|e| Error::io(dir, e))?,
    ));
    let mut dirs = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let is_dir = match entry.file_type() {
            Ok(t) if t.is_symlink() => entry.path().is_dir(),
            Ok(t) => t.is_dir(),
            Err(_) => false,
        };
        if is_dir {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    for d in dirs {
        folder_walk(&d, out)?;
    }
    Ok(())
}

/// Whether every folder recorded by [`corpus_folders`] still has its mtime.
pub fn folders_unchanged(recorded: &[(PathBuf, u128)]) -> bool {
    !recorded.is_empty()
        && recorded
            .iter()
            .all(|(dir, mtime)| folder_mtime(dir).is_ok_and(|m| m == *mtime))
}

fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// True when the file's ending is one the engine reads.
pub fn is_supported(path: &Path) -> std::result::Result<(), SkipReason> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if SUPPORTED_EXTENSIONS.contains(&ext.as_str()) {
        Ok(())
    } else {
        Err(SkipReason::Unsupported(if ext.is_empty() {
            "(none)".into()
        } else {
            format!(".{ext}")
        }))
    }
}

/// Reads a file's bytes, refusing unsupported types and files over `max_bytes`.
pub fn read_bytes(path: &Path, max_bytes: u64) -> std::result::Result<Vec<u8>, SkipReason> {
    is_supported(path)?;
    let meta = fs::metadata(path).map_err(|e| SkipReason::Unreadable(e.to_string()))?;
    if meta.len() > max_bytes {
        return Err(SkipReason::TooLarge {
            size: meta.len(),
            limit: max_bytes,
        });
    }
    fs::read(path).map_err(|e| SkipReason::Unreadable(e.to_string()))
}

/// Decodes bytes to NFC text: UTF-8 (BOM stripped) when valid, else Windows-1252
/// (a superset of Latin-1 for the printable range). Binary and empty input is refused.
pub fn decode(bytes: &[u8]) -> std::result::Result<Decoded, SkipReason> {
    if looks_binary(bytes) {
        return Err(SkipReason::Binary);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (raw, encoding) = match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), "utf-8"),
        Err(_) => {
            let (cow, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (cow.into_owned(), "windows-1252")
        }
    };
    let text: String = match unicode_normalization::is_nfc_quick(raw.chars()) {
        unicode_normalization::IsNormalized::Yes => raw,
        _ => raw.nfc().collect(),
    };
    if text.trim().is_empty() {
        return Err(SkipReason::Empty);
    }
    Ok(Decoded { text, encoding })
}

/// A file is binary when it holds a NUL byte or when more than 5 % of its first
/// 64 KiB are control characters other than tab, newline, carriage return and form feed.
pub fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if head.contains(&0) {
        return true;
    }
    if head.is_empty() {
        return false;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    controls * 20 > head.len()
}

/// Content hash of a file's bytes, as 64 hex characters.
pub fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_kept_and_bom_is_stripped() {
        let d = decode("\u{feff}Välkomna till mötet".as_bytes()).unwrap();
        assert_eq!(d.text, "Välkomna till mötet");
        assert_eq!(d.encoding, "utf-8");
    }

    #[test]
    fn latin1_bytes_fall_back_to_windows_1252() {
        let bytes = b"F\xf6redragande: \xc5sa \xd6berg";
        let d = decode(bytes).unwrap();
        assert_eq!(d.text, "Föredragande: Åsa Öberg");
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn decomposed_text_is_normalised_to_nfc() {
        let d = decode("Mo\u{308}tet".as_bytes()).unwrap();
        assert_eq!(d.text, "Mötet");
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert_eq!(decode(b"abc\0def").unwrap_err(), SkipReason::Binary);
    }

    #[test]
    fn many_control_characters_mean_binary() {
        let bytes: Vec<u8> = (0..200)
            .map(|i| if i % 3 == 0 { 0x01 } else { b'a' })
            .collect();
        assert_eq!(decode(&bytes).unwrap_err(), SkipReason::Binary);
    }

    #[test]
    fn empty_and_blank_files_are_refused() {
        assert_eq!(decode(b"").unwrap_err(), SkipReason::Empty);
        assert_eq!(decode(b"  \n\n \r\n").unwrap_err(), SkipReason::Empty);
    }

    #[test]
    fn only_txt_and_md_are_supported() {
        assert!(is_supported(Path::new("a/b.txt")).is_ok());
        assert!(is_supported(Path::new("a/b.MD")).is_ok());
        assert!(matches!(
            is_supported(Path::new("a/b.pdf")),
            Err(SkipReason::Unsupported(_))
        ));
    }
}
