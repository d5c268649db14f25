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
pub const SUPPORTED_EXTENSIONS: &[&str] =
    &["txt", "md", "markdown", "org", "html", "htm", "docx", "pdf"];

/// The kind of document a file is, by its ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Html,
    Docx,
    Pdf,
}

impl Format {
    pub fn of(path: &Path) -> Format {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "html" | "htm" => Format::Html,
            "docx" => Format::Docx,
            "pdf" => Format::Pdf,
            _ => Format::Text,
        }
    }
}

/// The text a document format gave, in NFC; an empty one is an empty file.
fn binary_document(
    text: std::result::Result<String, String>,
    encoding: &'static str,
) -> std::result::Result<Decoded, SkipReason> {
    let text: String = text.map_err(SkipReason::Broken)?.nfc().collect();
    if text.trim().is_empty() {
        return Err(SkipReason::Empty);
    }
    Ok(Decoded {
        text,
        encoding,
        replaced: 0,
    })
}

/// The text of a file's bytes, as its format gives it: a web page's main text, a
/// Word file's body, a text file decoded (see [`decode`]).
pub fn extract(path: &Path, bytes: &[u8]) -> std::result::Result<Decoded, SkipReason> {
    match Format::of(path) {
        Format::Text => decode(bytes),
        Format::Html => {
            let page = decode(bytes)?;
            let text = crate::ingest::formats::html_to_text(&page.text);
            if text.trim().is_empty() {
                return Err(SkipReason::Empty);
            }
            Ok(Decoded { text, ..page })
        }
        Format::Docx => binary_document(crate::ingest::formats::docx_to_text(bytes), "docx"),
        Format::Pdf => binary_document(crate::ingest::formats::pdf_to_text(bytes), "pdf"),
    }
}

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
    /// A document whose format cannot be read (a damaged Word file, say).
    Broken(String),
    /// The parser failed on this file (a bug to report); the file is left out.
    ParserBug(String),
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Unsupported(ext) => {
                write!(
                    f,
                    "unsupported file type {ext:?} (reads .txt, .md, .markdown, .org, .html, .htm, .docx and .pdf)"
                )
            }
            SkipReason::Empty => write!(f, "empty file (no text)"),
            SkipReason::Binary => write!(f, "binary file (NUL bytes or control characters)"),
            SkipReason::TooLarge { size, limit } => {
                write!(f, "too large ({size} bytes, limit {limit})")
            }
            SkipReason::Unreadable(msg) => write!(f, "unreadable: {msg}"),
            SkipReason::Broken(msg) => write!(f, "{msg}"),
            SkipReason::ParserBug(msg) => write!(f, "parser error (please report): {msg}"),
        }
    }
}

/// The text of a file and how it was decoded.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    /// `"utf-8"`, `"UTF-16LE"`, `"UTF-16BE"` or `"windows-1252"`.
    pub encoding: &'static str,
    /// Malformed sequences replaced by U+FFFD.
    pub replaced: usize,
}

/// Lists every regular file under `dir`, sorted by relative path.
/// Hidden files and folders (starting with `.`) are passed over; `truth.jsonl`-style
/// side files are returned like any other and skipped later by extension.
///
/// Links are followed inside the corpus only: a link whose target lies outside the
/// corpus folder is passed over with a warning, and a folder reached a second time
/// (a link loop, or two links to one folder) is walked once.
pub fn list_corpus(dir: &Path) -> Result<Vec<CorpusFile>> {
    Ok(list(dir)?.files)
}

/// What one walk of a corpus folder found.
#[derive(Debug, Default)]
pub struct Listing {
    /// Every file, as [`list_corpus`] lists it.
    pub files: Vec<CorpusFile>,
    /// Whether a link was followed on the way (then a file may be known by a path
    /// other than its real one, and only a listing says which).
    pub links: bool,
    /// Each folder walked, under the corpus's real path, with its mtime
    /// (nanoseconds) as it was just before the folder was read. A folder's mtime
    /// changes when a file or folder in it is added, removed or renamed (as most
    /// editors and tools save: a new file renamed over the old one), so comparing
    /// these with [`folders_unchanged`] tells whether the set of files changed
    /// with one `stat` per folder and none per file. A file rewritten in place is
    /// not seen this way; `index` and `serve` check every file.
    pub folders: Vec<(PathBuf, u128)>,
}

/// [`list_corpus`], with whether links were followed and the folders' mtimes.
pub fn list(dir: &Path) -> Result<Listing> {
    let meta = fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !meta.is_dir() {
        return Err(Error::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        ));
    }
    let real_root = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    let mut walk = Walk {
        root: dir,
        real_root: &real_root,
        seen: std::collections::HashSet::from([real_root.clone()]),
        listing: Listing::default(),
        subfolders: None,
    };
    walk.folder(dir, "", 0)?;
    let mut listing = walk.listing;
    listing.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(listing)
}

/// One folder's own files and subfolders, as [`list`] lists them, the subfolders
/// not walked: a look at a folder whose mtime moved.
#[derive(Debug, Default)]
pub struct FolderListing {
    /// The folder's mtime (nanoseconds) just before it was read.
    pub mtime: u128,
    /// Its files.
    pub files: Vec<CorpusFile>,
    /// Its subfolders, by their real path.
    pub subfolders: Vec<PathBuf>,
    /// Whether a link is among its entries.
    pub links: bool,
}

/// The folder `real` (a folder of the corpus `root`, under its real path
/// `real_root`), as [`list`] would list it, without its subfolders' contents.
pub fn list_folder(root: &Path, real_root: &Path, real: &Path) -> Result<FolderListing> {
    let below = real.strip_prefix(real_root).map_err(|_| {
        Error::io(
            real,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not in the corpus"),
        )
    })?;
    let dir = root.join(below);
    let rel = relative_path(real_root, real);
    let mut walk = Walk {
        root,
        real_root,
        seen: std::collections::HashSet::from([real.to_path_buf()]),
        listing: Listing::default(),
        subfolders: Some(Vec::new()),
    };
    walk.folder(&dir, &rel, 0)?;
    let Walk {
        listing,
        subfolders,
        ..
    } = walk;
    Ok(FolderListing {
        mtime: listing.folders.first().map_or(0, |(_, m)| *m),
        files: listing.files,
        subfolders: subfolders.unwrap_or_default(),
        links: listing.links,
    })
}

/// What a changed path under the corpus is, for an update of that path alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// A file, as [`list_corpus`] lists it.
    File(CorpusFile),
    /// Nothing is there now; the identity it had.
    Gone(String),
    /// Not a file of the corpus (hidden, or outside it): nothing to do.
    Ignored,
    /// A folder, a link or something unknown: only a listing tells what changed.
    NeedsListing,
}

/// What `path` (a path the system reported, under `real_root`, the corpus folder
/// with links resolved) is now, with the identity [`list_corpus`] of `root` gives
/// it. Assumes no link inside the corpus was followed (see
/// [`Listing::links`]).
pub fn changed_path(root: &Path, real_root: &Path, path: &Path) -> Changed {
    let Ok(below) = path.strip_prefix(real_root) else {
        return Changed::Ignored;
    };
    if below.as_os_str().is_empty() {
        return Changed::NeedsListing;
    }
    if below
        .components()
        .any(|c| c.as_os_str().as_encoded_bytes().starts_with(b"."))
    {
        return Changed::Ignored;
    }
    let rel = relative_path(real_root, path);
    let on_disk = path_of(root, &rel);
    match fs::symlink_metadata(&on_disk) {
        Ok(meta) if meta.is_file() => Changed::File(CorpusFile {
            path: on_disk,
            rel,
            size: meta.len(),
            mtime: mtime_seconds(&meta),
        }),
        Ok(_) => Changed::NeedsListing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Changed::Gone(rel),
        Err(_) => Changed::NeedsListing,
    }
}

/// Folders deeper than this are not walked (a guard; real archives nest a few levels).
const MAX_DEPTH: usize = 64;

struct Walk<'a> {
    root: &'a Path,
    real_root: &'a Path,
    /// Folders walked, by their real path.
    seen: std::collections::HashSet<PathBuf>,
    listing: Listing,
    /// Set for a look at one folder: its subfolders go here, not walked.
    subfolders: Option<Vec<PathBuf>>,
}

impl Walk<'_> {
    /// Walks `dir`, whose identity ([`relative_path`]) is `rel` ("" for the root).
    fn folder(&mut self, dir: &Path, rel: &str, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            tracing::warn!(path = %dir.display(), "folder nested too deep: not walked");
            return Ok(());
        }
        // Before the folder is read: a file added while it is read leaves a newer
        // mtime than the one recorded, and the next look sees it.
        let mtime = folder_mtime(dir).map_err(|e| Error::io(dir, e))?;
        let below = dir.strip_prefix(self.root).unwrap_or(Path::new(""));
        self.listing
            .folders
            .push((self.real_root.join(below), mtime));
        let mut entries = fs::read_dir(dir)
            .and_then(|it| {
                it.map(|e| e.map(|e| (e.file_name(), e)))
                    .collect::<std::io::Result<Vec<_>>>()
            })
            .map_err(|e| Error::io(dir, e))?;
        // In name order, so that of two links to one folder the same one is walked
        // (names in a folder are unique: no need of a stable sort).
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (name, entry) in entries {
            let name = name.as_encoded_bytes();
            if name.starts_with(b".") {
                continue;
            }
            let path = entry.path();
            let mut id = String::with_capacity(rel.len() + 1 + name.len());
            if !rel.is_empty() {
                id.push_str(rel);
                id.push('/');
            }
            push_escaped(&mut id, name);
            let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
            if is_link {
                match path.canonicalize() {
                    Ok(target) if !target.starts_with(self.real_root) => {
                        tracing::warn!(
                            path = %path.display(),
                            target = %target.display(),
                            "a link out of the corpus: not followed"
                        );
                        continue;
                    }
                    Ok(_) => self.listing.links = true,
                    // A broken link: reported as unreadable when read.
                    Err(_) => {
                        self.push(path, id, 0, 0);
                        continue;
                    }
                }
            }
            let meta = match fs::metadata(&path) {
                Ok(m) => m,
                Err(_) => {
                    self.push(path, id, 0, 0);
                    continue;
                }
            };
            if meta.is_dir() {
                let real = path.canonicalize().map_err(|e| Error::io(&path, e))?;
                if let Some(subfolders) = &mut self.subfolders {
                    subfolders.push(real);
                    continue;
                }
                if !self.seen.insert(real) {
                    tracing::warn!(path = %path.display(), "a folder reached twice (a link loop?): walked once");
                    continue;
                }
                self.folder(&path, &id, depth + 1)?;
            } else if meta.is_file() {
                self.push(path, id, meta.len(), mtime_seconds(&meta));
            }
        }
        Ok(())
    }

    fn push(&mut self, path: PathBuf, rel: String, size: u64, mtime: i64) {
        self.listing.files.push(CorpusFile {
            rel,
            path,
            size,
            mtime,
        });
    }
}

/// A file's modification time in seconds since the epoch (0 when unknown).
fn mtime_seconds(meta: &fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn folder_mtime(dir: &Path) -> std::io::Result<u128> {
    Ok(fs::metadata(dir)?
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos()))
}

/// Whether every folder of a [`Listing`] still has its mtime.
pub fn folders_unchanged(recorded: &[(PathBuf, u128)]) -> bool {
    folders_moved(recorded).is_some_and(|moved| moved.is_empty())
}

/// The positions in `recorded` of the folders whose mtime moved; `None` when
/// nothing is recorded or a folder cannot be looked at (gone, say).
pub fn folders_moved(recorded: &[(PathBuf, u128)]) -> Option<Vec<usize>> {
    if recorded.is_empty() {
        return None;
    }
    let mut moved = Vec::new();
    for (i, (dir, mtime)) in recorded.iter().enumerate() {
        if folder_mtime(dir).ok()? != *mtime {
            moved.push(i);
        }
    }
    Some(moved)
}

/// A file's identity: its path below the corpus folder, `/`-separated, from the
/// name's bytes. A byte that is not UTF-8 is written `%XX`, and so is `%` itself, so
/// two names that differ in any byte never share an identity.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| escape_name(c.as_os_str().as_encoded_bytes()))
        .collect::<Vec<_>>()
        .join("/")
}

fn escape_name(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    push_escaped(&mut out, bytes);
    out
}

/// Appends a name's bytes to an identity, escaped as [`relative_path`] does.
fn push_escaped(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.utf8_chunks() {
        for part in chunk.valid().split_inclusive('%') {
            match part.strip_suffix('%') {
                Some(head) => {
                    out.push_str(head);
                    out.push_str("%25");
                }
                None => out.push_str(part),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The file on disk of an identity made by [`relative_path`].
pub fn path_of(root: &Path, rel: &str) -> PathBuf {
    let mut path = root.to_path_buf();
    for part in rel.split('/') {
        let raw = part.as_bytes();
        let mut bytes = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            let hex = raw
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (raw[i], hex) {
                (b'%', Some(b)) => {
                    bytes.push(b);
                    i += 3;
                }
                (b, _) => {
                    bytes.push(b);
                    i += 1;
                }
            }
        }
        path.push(os_string(bytes));
    }
    path
}

#[cfg(unix)]
fn os_string(bytes: Vec<u8>) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStringExt;
    std::ffi::OsString::from_vec(bytes)
}

#[cfg(not(unix))]
fn os_string(bytes: Vec<u8>) -> std::ffi::OsString {
    String::from_utf8_lossy(&bytes).into_owned().into()
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

/// Decodes bytes to NFC text. UTF-16 with a byte-order mark (what Notepad saves as
/// "Unicode") is read as UTF-16; otherwise UTF-8 (BOM stripped), also when a few
/// bytes are not UTF-8 (each bad sequence becomes U+FFFD and is counted); Windows-1252
/// (a superset of Latin-1 for the printable range) only when the file as a whole is
/// not UTF-8: it has no more well-formed multi-byte sequences than bad ones. Binary
/// and empty input is refused.
pub fn decode(bytes: &[u8]) -> std::result::Result<Decoded, SkipReason> {
    let utf16 = if bytes.starts_with(b"\xFF\xFE") {
        Some(encoding_rs::UTF_16LE)
    } else if bytes.starts_with(b"\xFE\xFF") {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    };
    let (raw, encoding, replaced) = if let Some(enc) = utf16 {
        let (cow, _, _) = enc.decode(bytes);
        let replaced = cow.matches('\u{FFFD}').count();
        let text = cow.into_owned();
        if looks_binary(text.as_bytes()) {
            return Err(SkipReason::Binary);
        }
        (text, enc.name(), replaced)
    } else {
        if looks_binary(bytes) {
            return Err(SkipReason::Binary);
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_string(), "utf-8", 0),
            Err(_) => {
                let (good, bad) = utf8_sequences(bytes);
                if good > bad {
                    let text = String::from_utf8_lossy(bytes).into_owned();
                    (text, "utf-8", bad)
                } else {
                    let (cow, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                    (cow.into_owned(), "windows-1252", 0)
                }
            }
        }
    };
    let text: String = match unicode_normalization::is_nfc_quick(raw.chars()) {
        unicode_normalization::IsNormalized::Yes => raw,
        _ => raw.nfc().collect(),
    };
    if text.trim().is_empty() {
        return Err(SkipReason::Empty);
    }
    Ok(Decoded {
        text,
        encoding,
        replaced,
    })
}

/// Well-formed multi-byte UTF-8 sequences and malformed ones in `bytes`.
fn utf8_sequences(bytes: &[u8]) -> (usize, usize) {
    let (mut good, mut bad) = (0, 0);
    for chunk in bytes.utf8_chunks() {
        good += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        bad += usize::from(!chunk.invalid().is_empty());
    }
    (good, bad)
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
    fn a_few_bad_bytes_leave_utf8_as_utf8() {
        let mut bytes = "Samverkansmötet i Växjö: välkomna. ".repeat(3).into_bytes();
        bytes.push(0xff);
        bytes.extend_from_slice("Åsa Öberg".as_bytes());
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "utf-8");
        assert_eq!(d.replaced, 1);
        assert!(d.text.contains("Samverkansmötet") && d.text.contains("\u{FFFD}Åsa Öberg"));
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_read() {
        let text = "Protokoll\r\nSamverkansmöte 2024-05-06\r\n§ 1 Välkomna";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        for (bytes, name) in [(le, "UTF-16LE"), (be, "UTF-16BE")] {
            let d = decode(&bytes).unwrap();
            assert_eq!(d.text, text);
            assert_eq!(d.encoding, name);
        }
        // Without the mark, the NUL bytes still say binary.
        let bare: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&bare).unwrap_err(), SkipReason::Binary);
    }

    #[test]
    fn names_that_differ_in_a_non_utf8_byte_are_two_files() {
        let root = Path::new("/c");
        let name = |bytes: &[u8]| root.join(os_string(bytes.to_vec()));
        let a = relative_path(root, &name(b"m\xf6te.txt"));
        let b = relative_path(root, &name(b"m\xe4te.txt"));
        let c = relative_path(root, &name(b"m%F6te.txt"));
        assert_eq!(a, "m%F6te.txt");
        assert_eq!(c, "m%25F6te.txt");
        assert!(a != b && a != c && b != c);
        for (rel, bytes) in [(&a, &b"m\xf6te.txt"[..]), (&c, &b"m%F6te.txt"[..])] {
            assert_eq!(path_of(root, rel), name(bytes));
        }
        assert_eq!(
            relative_path(root, &root.join("år/möte.txt")),
            "år/möte.txt"
        );
    }

    /// The walk builds each identity from its folder's and its own name; it is the
    /// identity [`relative_path`] gives the file's path, for nested folders, `%`
    /// and bytes that are not UTF-8; every folder is listed with its mtime.
    #[cfg(unix)]
    #[test]
    fn the_listing_names_files_as_relative_path_does() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let names: [&[u8]; 6] = [
            b"a.txt",
            b"100%.txt",
            b"%%x%.md",
            b"m\xf6te.txt",
            b"\xe5r/2024/m%F6te \xff.txt",
            b"\xe5r/b.txt",
        ];
        for bytes in names {
            let path = root.join(os_string(bytes.to_vec()));
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, "text").unwrap();
        }
        let listing = list(root).unwrap();
        assert_eq!(listing.files.len(), names.len());
        for f in &listing.files {
            assert_eq!(f.rel, relative_path(root, &f.path));
            assert_eq!(path_of(root, &f.rel), f.path);
        }
        assert!(listing.files.windows(2).all(|w| w[0].rel < w[1].rel));
        let real = root.canonicalize().unwrap();
        let folders: Vec<&Path> = listing.folders.iter().map(|(p, _)| p.as_path()).collect();
        let year = real.join(os_string(b"\xe5r".to_vec()));
        assert_eq!(
            folders,
            [real.as_path(), year.as_path(), year.join("2024").as_path()]
        );
        assert!(folders_unchanged(&listing.folders));
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
    fn the_read_formats_are_supported_and_no_others() {
        for ok in [
            "a/b.txt", "a/b.MD", "b.html", "b.HTM", "b.docx", "b.pdf", "b.org",
        ] {
            assert!(is_supported(Path::new(ok)).is_ok(), "{ok}");
        }
        for no in ["a/b.xlsx", "b.doc", "b", "b.jpg"] {
            assert!(
                matches!(is_supported(Path::new(no)), Err(SkipReason::Unsupported(_))),
                "{no}"
            );
        }
    }
}
