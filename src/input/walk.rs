//! Folders and files → documents.
//!
//! Each path given is read: a file is read whatever its name (by its name's kind: JSON Lines
//! for `.jsonl`, `.ndjson`, `.jsonl.gz`, `.jsonl.zst`, `.json.gz`, `.json.zst`; text
//! otherwise); a folder is walked (walkdir, entries sorted by name, symbolic links not
//! followed unless asked, with loops detected) and its `.txt`, `.md` and JSON Lines files are read. A text document's id is its
//! path as walked: the root as given joined with the relative path, so `scan corpus/` names
//! `corpus/seed/full_page.txt`. A JSONL document's id is its id field, or `FILE:LINE`.
//!
//! Text is taken as it is on disk: offsets in span reports are byte offsets into the file. A
//! file with a NUL byte is binary and skipped; a text file that is not UTF-8 is an error (the
//! file is named, the run goes on). A file reached twice (named twice, or through a hard link)
//! is read once. FIFOs, sockets and devices are skipped without being opened.

use std::collections::HashSet;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use super::codec;
use super::jsonl::{JsonlOptions, read_records};
use crate::document::{Document, Source};
use crate::error::{DecodeError, Error, Result};

/// How inputs are read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// JSON Lines field names and the per-line limit.
    pub jsonl: JsonlOptions,
    /// Largest file read, in bytes as read (decompressed for compressed files).
    pub max_file_size: u64,
    /// Follow symbolic links while walking folders (loops are detected and reported).
    pub follow_links: bool,
    /// Where to report files read.
    pub progress: crate::progress::ProgressHandle,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            jsonl: JsonlOptions::default(),
            max_file_size: 4 << 30,
            follow_links: false,
            progress: crate::progress::ProgressHandle::default(),
        }
    }
}

/// What kind of input a file is, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Plain text or Markdown: one document.
    Text,
    /// JSON Lines, maybe compressed: one document per line.
    Jsonl,
    /// HTML: one document, its visible text.
    Html,
}

/// The kind of a file found in a folder walk, or `None` for files a walk passes over.
pub fn walked_kind(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    const JSONL: [&str; 8] = [
        ".jsonl",
        ".ndjson",
        ".jsonl.gz",
        ".jsonl.zst",
        ".ndjson.gz",
        ".ndjson.zst",
        ".json.gz",
        ".json.zst",
    ];
    if JSONL.iter().any(|s| name.ends_with(s)) {
        Some(FileKind::Jsonl)
    } else if name.ends_with(".txt") || name.ends_with(".md") {
        Some(FileKind::Text)
    } else if name.ends_with(".html") || name.ends_with(".htm") {
        Some(FileKind::Html)
    } else {
        None
    }
}

/// Whether a walked file is read as a document.
pub fn is_document_path(path: &Path) -> bool {
    walked_kind(path).is_some()
}

/// What reading the inputs produced, in walk order.
#[derive(Debug, Default)]
pub struct Input {
    /// Documents read.
    pub documents: Vec<Document>,
    /// Files or records deliberately skipped (binary, too large, not a regular file, read
    /// already), with the reason.
    pub skipped: Vec<Error>,
    /// Files, folders or records that could not be read.
    pub errors: Vec<Error>,
    /// Documents read but renamed because their id was taken ([`Error::DuplicateId`]).
    pub warnings: Vec<Error>,
}

/// One file to read (with its size on disk), or a problem found while walking.
enum Entry {
    File(PathBuf, FileKind, u64),
    Stdin,
    Problem(Error),
}

/// The files to read, in walk order: what [`plan`] found.
pub struct Plan {
    entries: Vec<Entry>,
    /// About how many bytes of text the files hold: their sizes on disk, with compressed
    /// JSON Lines counted five times and standard input as 256 MiB. For sizing the document
    /// frequency sketch before reading.
    pub expected_bytes: u64,
}

/// Walks `paths` (files as they are, folders in sorted order) and lists what to read, without
/// reading it.
pub fn plan<P: AsRef<Path>>(paths: &[P], options: &ReadOptions) -> Plan {
    let mut entries: Vec<Entry> = Vec::new();
    let mut seen = SeenFiles::default();
    let mut stdin_taken = false;
    for root in paths {
        let root = root.as_ref();
        if root == Path::new("-") {
            if !std::mem::replace(&mut stdin_taken, true) {
                entries.push(Entry::Stdin);
            }
            continue;
        }
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => {
                for entry in WalkDir::new(root)
                    .follow_links(options.follow_links)
                    .sort_by_file_name()
                {
                    match entry {
                        Ok(e) if e.file_type().is_file() => {
                            let Some(kind) = walked_kind(e.path()) else {
                                continue;
                            };
                            match e.metadata() {
                                Ok(m) => entries.push(seen.check(e.into_path(), &m, kind)),
                                Err(err) => entries.push(Entry::Problem(walk_error(root, err))),
                            }
                        }
                        Ok(_) => {}
                        Err(err) => entries.push(Entry::Problem(walk_error(root, err))),
                    }
                }
            }
            Ok(m) if m.is_file() => {
                let kind = walked_kind(root).unwrap_or(FileKind::Text);
                entries.push(seen.check(root.to_path_buf(), &m, kind));
            }
            Ok(_) => entries.push(Entry::Problem(Error::Decode {
                path: root.to_path_buf(),
                reason: DecodeError::NotRegular,
            })),
            Err(source) => entries.push(Entry::Problem(Error::Io {
                path: root.to_path_buf(),
                source,
            })),
        }
    }
    let expected_bytes = entries
        .iter()
        .map(|e| match e {
            Entry::File(p, FileKind::Jsonl, size) if is_compressed_name(p) => {
                size.saturating_mul(5)
            }
            Entry::File(_, _, size) => *size,
            Entry::Stdin => 256 << 20,
            Entry::Problem(_) => 0,
        })
        .sum();
    Plan {
        entries,
        expected_bytes,
    }
}

fn is_compressed_name(p: &Path) -> bool {
    let name = p.to_string_lossy().to_ascii_lowercase();
    name.ends_with(".gz") || name.ends_with(".zst")
}

/// Reads every path: files directly, folders walked in sorted order. Files are read in
/// parallel; the result keeps walk order.
pub fn read_paths<P: AsRef<Path>>(paths: &[P], options: &ReadOptions) -> Input {
    let mut documents = Vec::new();
    let mut input = plan(paths, options).read(options, usize::MAX, |batch| documents.extend(batch));
    input.documents = documents;
    input
}

impl Plan {
    /// Reads the files in walk order, handing `on_batch` the documents of about `batch_bytes`
    /// of text at a time (a plain JSON Lines file in several batches, a compressed one in
    /// one, text files grouped), so that a caller that keeps only a sketch of each holds no
    /// more text than a batch. Files of a group, and the lines of a batch, are read and parsed
    /// in parallel. The documents are renamed where their ids repeat, as for [`read_paths`];
    /// the returned [`Input`] has the problems and no documents.
    pub fn read(
        self,
        options: &ReadOptions,
        batch_bytes: usize,
        on_batch: impl FnMut(Vec<Document>),
    ) -> Input {
        let mut out = Collector::new(on_batch);
        let progress = &options.progress;
        progress.start(crate::progress::Stage::Read, self.entries.len());
        let mut entries = self.entries.into_iter().peekable();
        while let Some(first) = entries.next() {
            match first {
                Entry::File(p, FileKind::Jsonl, size) => {
                    let last = read_jsonl_file_batched(&p, size, options, batch_bytes, &mut out);
                    out.take(last);
                    progress.advance(1);
                }
                Entry::Stdin => {
                    out.take(read_stdin(options));
                    progress.advance(1);
                }
                first => {
                    // A group of one-document files, read in parallel.
                    let mut bytes = entry_size(&first);
                    let mut group = vec![first];
                    while let Some(next) = entries.peek() {
                        let single = matches!(
                            next,
                            Entry::File(_, FileKind::Text | FileKind::Html, _) | Entry::Problem(_)
                        );
                        if !single || bytes >= batch_bytes as u64 || group.len() >= 4096 {
                            break;
                        }
                        bytes += entry_size(next);
                        group.extend(entries.next());
                    }
                    let docs: Vec<Result<Document>> = group
                        .into_par_iter()
                        .map(|e| {
                            let doc = match e {
                                Entry::File(p, FileKind::Html, _) => {
                                    read_html_file(&p, options.max_file_size)
                                }
                                Entry::File(p, _, _) => read_text_file(&p, options.max_file_size),
                                Entry::Problem(err) => Err(err),
                                Entry::Stdin => unreachable!("stdin is never grouped"),
                            };
                            progress.advance(1);
                            doc
                        })
                        .collect();
                    out.take(docs);
                }
            }
        }
        progress.finish();
        out.input
    }
}

fn entry_size(e: &Entry) -> u64 {
    match e {
        Entry::File(_, _, size) => *size,
        _ => 0,
    }
}

/// Sorts read documents and problems into an [`Input`], renaming repeated ids, and hands the
/// documents on.
struct Collector<F> {
    input: Input,
    /// Every id so far, and the document that had it first (an index into `firsts`).
    ids: std::collections::HashMap<Box<str>, u32>,
    /// Where each first holder of an id came from: a file (index into `files`) and a line.
    firsts: Vec<(u32, u64)>,
    files: Vec<Source>,
    on_batch: F,
}

impl<F> Collector<F> {
    fn new(on_batch: F) -> Collector<F> {
        Collector {
            input: Input::default(),
            ids: std::collections::HashMap::new(),
            firsts: Vec::new(),
            files: Vec::new(),
            on_batch,
        }
    }

    /// Remembers where a document came from, compactly (documents of one file come one
    /// after another).
    fn remember(&mut self, source: &Source) -> u32 {
        // A line is remembered as its file and number; the file is compared, not copied.
        let (same, line) = match (self.files.last(), source) {
            (Some(Source::File(last)), Source::Line { path, line, .. }) => (last == path, *line),
            (_, Source::Line { line, .. }) => (false, *line),
            (last, other) => (last == Some(other), 0),
        };
        if !same {
            self.files.push(match source {
                Source::Line { path, .. } => Source::File(path.clone()),
                other => other.clone(),
            });
        }
        self.firsts.push((self.files.len() as u32 - 1, line));
        self.firsts.len() as u32 - 1
    }

    fn first(&self, k: u32) -> String {
        let (file, line) = self.firsts[k as usize];
        match (&self.files[file as usize], line) {
            (Source::File(path), 1..) => Source::Line {
                path: path.clone(),
                line,
                offset: None,
            }
            .to_string(),
            (s, _) => s.to_string(),
        }
    }
}

impl<F: FnMut(Vec<Document>)> Collector<F> {
    fn take(&mut self, read: Vec<Result<Document>>) {
        let mut batch = Vec::with_capacity(read.len());
        for r in read {
            match r {
                Ok(mut d) => {
                    if let Some(&k) = self.ids.get(d.id.as_str()) {
                        let here = d.source.to_string();
                        let mut renamed = format!("{}@{here}", d.id);
                        while self.ids.contains_key(renamed.as_str()) {
                            renamed.push('\'');
                        }
                        self.input.warnings.push(Error::DuplicateId {
                            source_name: here,
                            id: d.id.clone(),
                            first: self.first(k),
                            renamed: renamed.clone(),
                            path: source_path(&d.source),
                        });
                        d.id = renamed;
                    }
                    let k = self.remember(&d.source);
                    self.ids.insert(d.id.clone().into_boxed_str(), k);
                    batch.push(d);
                }
                Err(e) if e.is_skip() => self.input.skipped.push(e),
                Err(e) => self.input.errors.push(e),
            }
        }
        if !batch.is_empty() {
            (self.on_batch)(batch);
        }
    }
}

fn source_path(s: &Source) -> PathBuf {
    match s {
        Source::File(p) | Source::Line { path: p, .. } => p.clone(),
        Source::Stdin => PathBuf::from("-"),
        Source::Memory => PathBuf::new(),
    }
}

fn walk_error(root: &Path, err: walkdir::Error) -> Error {
    Error::Walk {
        path: err.path().unwrap_or(root).to_path_buf(),
        source: err,
    }
}

/// Files met so far, by device and inode, so a file reached twice is read once.
#[derive(Default)]
struct SeenFiles {
    #[cfg(unix)]
    ids: std::collections::HashMap<(u64, u64), PathBuf>,
    paths: HashSet<PathBuf>,
}

impl SeenFiles {
    fn check(&mut self, path: PathBuf, meta: &std::fs::Metadata, kind: FileKind) -> Entry {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if let Some(first) = self.ids.get(&(meta.dev(), meta.ino())) {
                return Entry::Problem(Error::Decode {
                    path,
                    reason: DecodeError::SameFile(first.clone()),
                });
            }
            self.ids.insert((meta.dev(), meta.ino()), path.clone());
        }
        #[cfg(not(unix))]
        let _ = meta;
        if !self.paths.insert(path.clone()) {
            return Entry::Problem(Error::Decode {
                reason: DecodeError::SameFile(path.clone()),
                path,
            });
        }
        Entry::File(path, kind, meta.len())
    }
}

/// Reads one text file as a document whose id is the path as given, decoding it
/// ([`super::decode::decode_text`]).
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read, [`Error::Decode`] when it is binary,
/// [`Error::TooLarge`] past `max_size` bytes.
pub fn read_text_file(path: &Path, max_size: u64) -> Result<Document> {
    let bytes = read_bytes(path, max_size)?;
    let decoded = super::decode::decode_text(bytes).map_err(|reason| Error::Decode {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok(file_document(path, decoded))
}

/// Reads one HTML file as a document: its visible text ([`super::decode::decode_html`]).
///
/// # Errors
///
/// As [`read_text_file`].
pub fn read_html_file(path: &Path, max_size: u64) -> Result<Document> {
    let bytes = read_bytes(path, max_size)?;
    let decoded = super::decode::decode_html(bytes).map_err(|reason| Error::Decode {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok(file_document(path, decoded))
}

fn file_document(path: &Path, decoded: super::decode::Decoded) -> Document {
    Document {
        id: crate::document::path_id(path),
        text: decoded.text,
        source: Source::File(path.to_path_buf()),
        encoding: decoded.encoding,
    }
}

/// A file's bytes, at most `max_size` of them.
fn read_bytes(path: &Path, max_size: u64) -> Result<Vec<u8>> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let mut bytes = Vec::new();
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    if bytes.len() as u64 > max_size {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            what: "file size",
            flag: "--max-file-size",
            limit: max_size,
        });
    }
    Ok(bytes)
}

/// Reads standard input: JSON Lines when its first non-blank byte (after decompression) is
/// `{`, one text document with id `-` otherwise.
fn read_stdin(options: &ReadOptions) -> Vec<Result<Document>> {
    let path = Path::new("-");
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let stdin = std::io::BufReader::with_capacity(1 << 16, std::io::stdin());
    let (_, mut reader) = match codec::wrap(stdin, options.max_file_size) {
        Ok(r) => r,
        Err(e) => return vec![Err(io_err(e))],
    };
    let is_jsonl = match reader.fill_buf() {
        Ok(head) => head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'),
        Err(e) => return vec![Err(io_err(e))],
    };
    if is_jsonl {
        let mut out = Vec::new();
        if let Err(e) = read_records(&mut *reader, path, &options.jsonl, |r| out.push(r)) {
            out.push(Err(io_err(e)));
        }
        return out;
    }
    let mut bytes = Vec::new();
    if let Err(e) = reader.read_to_end(&mut bytes) {
        if codec::is_limit(&e) {
            return vec![Err(Error::TooLarge {
                path: path.to_path_buf(),
                what: "input size",
                flag: "--max-file-size",
                limit: options.max_file_size,
            })];
        }
        return vec![Err(io_err(e))];
    }
    vec![
        super::decode::decode_text(bytes)
            .map(|d| Document {
                id: "-".to_string(),
                text: d.text,
                source: Source::Stdin,
                encoding: d.encoding,
            })
            .map_err(|reason| Error::Decode {
                path: path.to_path_buf(),
                reason,
            }),
    ]
}

/// Reads one file as a document with the default limits (the file is read whatever its name).
///
/// # Errors
///
/// As [`read_text_file`].
pub fn read_file(path: &Path) -> Result<Document> {
    read_text_file(path, ReadOptions::default().max_file_size)
}

/// Reads every record of a JSON Lines file (plain, gzip or zstd).
pub fn read_jsonl_file(path: &Path, options: &ReadOptions) -> Vec<Result<Document>> {
    let mut out = Vec::new();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut collect = |batch: Vec<Result<Document>>| out.extend(batch);
    let last = read_jsonl_file_batched(path, size, options, usize::MAX, &mut collect);
    out.extend(last);
    out
}

/// Something that takes batches of read documents.
trait Sink {
    fn take(&mut self, read: Vec<Result<Document>>);
}

impl<F: FnMut(Vec<Document>)> Sink for Collector<F> {
    fn take(&mut self, read: Vec<Result<Document>>) {
        Collector::take(self, read);
    }
}

impl<F: FnMut(Vec<Result<Document>>)> Sink for F {
    fn take(&mut self, read: Vec<Result<Document>>) {
        self(read);
    }
}

/// Reads a JSON Lines file, handing `sink` the records of each `batch_bytes` of lines (parsed
/// in parallel); returns what is left: the last records, or the file's error. A compressed
/// file is read in one batch, so that a file past the size limit gives nothing but the error;
/// a plain file read in batches has no size limit (only its lines do).
fn read_jsonl_file_batched(
    path: &Path,
    size: u64,
    options: &ReadOptions,
    batch_bytes: usize,
    sink: &mut impl Sink,
) -> Vec<Result<Document>> {
    let too_large = |what| {
        vec![Err(Error::TooLarge {
            path: path.to_path_buf(),
            what,
            flag: "--max-file-size",
            limit: options.max_file_size,
        })]
    };
    let parse = |lines: &[super::jsonl::RawLine<'_>], seekable: bool| -> Vec<Result<Document>> {
        lines
            .par_iter()
            .with_max_len(4)
            .filter_map(|raw| super::jsonl::parse_line(raw, path, &options.jsonl, seekable))
            .collect()
    };
    // A plain file read in batches streams whatever its size (each line is limited by
    // --max-doc-bytes); a compressed one is read whole, so its decoded size is capped.
    let streaming = batch_bytes != usize::MAX;
    let opened = if streaming {
        codec::open_streaming(path, options.max_file_size)
    } else {
        codec::open(path, options.max_file_size)
    };
    // Records of a file read whole, until its end.
    let mut held = Vec::new();
    let result = opened.and_then(|(codec, mut reader)| {
        let seekable = codec == codec::Codec::Plain;
        if size > options.max_file_size && !(seekable && streaming) {
            return Ok(false);
        }
        let batched = seekable && streaming;
        let block = if batched { batch_bytes } else { 2 << 20 };
        super::jsonl::read_line_blocks(
            &mut *reader as &mut dyn std::io::Read,
            options.jsonl.max_doc_bytes,
            block,
            |lines| {
                let records = parse(lines, seekable);
                if batched {
                    sink.take(records);
                } else {
                    held.extend(records);
                }
            },
        )?;
        Ok(true)
    });
    match result {
        Ok(true) => held,
        Ok(false) => too_large("file size"),
        // A decompression bomb or a huge shard: skip it whole, keep nothing from it.
        Err(source) if codec::is_limit(&source) => too_large("decompressed size"),
        Err(source) => {
            // Keep what was read before the error (a truncated stream), then the error.
            held.push(Err(Error::Io {
                path: path.to_path_buf(),
                source,
            }));
            held
        }
    }
}

/// The text of a document read from a file, read again (for verification and spans after its
/// text was dropped): `Ok(None)` when its source cannot be read again (standard input, a
/// compressed stream, memory). `len` is the text's length when it was read (a size hint).
///
/// # Errors
///
/// A message saying what went wrong.
pub fn reread(
    source: &Source,
    len: usize,
    options: &ReadOptions,
) -> std::result::Result<Option<String>, String> {
    match source {
        Source::File(p) => {
            let doc = match walked_kind(p).unwrap_or(FileKind::Text) {
                FileKind::Html => read_html_file(p, options.max_file_size),
                _ => read_text_file(p, options.max_file_size),
            };
            doc.map(|d| Some(d.text)).map_err(|e| e.to_string())
        }
        Source::Line {
            path,
            line,
            offset: Some(offset),
        } => super::jsonl::reread_text(path, *line, *offset, len, &options.jsonl).map(Some),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("neardupe-walk-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn walks_sorted_and_filters_extensions() {
        let d = tempdir("sorted");
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("b.txt"), "bee").unwrap();
        std::fs::write(d.join("a.md"), "ay").unwrap();
        std::fs::write(d.join("sub/c.TXT"), "see").unwrap();
        std::fs::write(d.join("image.png"), "not text").unwrap();
        let input = read_paths(&[&d], &ReadOptions::default());
        let ids: Vec<String> = input.documents.iter().map(|x| x.id.clone()).collect();
        let root = d.to_string_lossy();
        assert_eq!(
            ids,
            [
                format!("{root}/a.md"),
                format!("{root}/b.txt"),
                format!("{root}/sub/c.TXT")
            ]
        );
        assert!(input.errors.is_empty() && input.skipped.is_empty());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn bad_files_are_reported_not_fatal() {
        let d = tempdir("bad");
        std::fs::write(d.join("bin.txt"), b"abc\0def").unwrap();
        std::fs::write(d.join("latin1.txt"), b"caf\xe9").unwrap();
        std::fs::write(d.join("ok.txt"), "fine").unwrap();
        let missing = d.join("missing.txt");
        let input = read_paths(&[d.clone(), missing], &ReadOptions::default());
        assert_eq!(input.documents.len(), 2);
        assert_eq!(input.documents[0].text, "café");
        assert_eq!(input.documents[0].encoding, "windows-1252");
        assert_eq!(input.skipped.len(), 1);
        assert!(
            input.skipped[0]
                .to_string()
                .ends_with("bin.txt: binary file (NUL byte at offset 3), skipped")
        );
        assert_eq!(input.errors.len(), 1);
        assert!(input.errors[0].to_string().contains("missing.txt: "));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn named_files_are_read_whatever_their_extension() {
        let d = tempdir("named");
        let f = d.join("notes.text");
        std::fs::write(&f, "hello").unwrap();
        let input = read_paths(&[&f], &ReadOptions::default());
        assert_eq!(input.documents[0].text, "hello");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
