//! Errors returned by the library.
//!
//! Every variant carries the context a user needs to act on it (the path, the line, the
//! parameter), and keeps its cause reachable through [`std::error::Error::source`].

use std::path::PathBuf;

use crate::config::ConfigError;

/// A `Result` whose error is [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder could not be read.
    #[error("reading {}: {source}", path.display())]
    Io {
        /// The file or folder that failed.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// Walking a folder failed (a loop, a vanished entry, a permission problem).
    #[error("walking {}: {source}", path.display())]
    Walk {
        /// The entry that failed, or the root when the entry is unknown.
        path: PathBuf,
        /// What walkdir said.
        #[source]
        source: walkdir::Error,
    },
    /// A file is not text the reader can decode.
    #[error("reading {}: {reason}", path.display())]
    Decode {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: DecodeError,
    },
    /// One line of a JSON Lines file was not a usable record.
    #[error("reading {} line {line}: {reason}", path.display())]
    Record {
        /// The JSONL file.
        path: PathBuf,
        /// The line, from 1.
        line: u64,
        /// What is wrong with it.
        reason: RecordError,
    },
    /// A file is over a size limit and was skipped whole.
    #[error("reading {}: {what} exceeds {flag} ({limit} bytes), file skipped", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// What was too large ("file size", "decompressed size").
        what: &'static str,
        /// The flag that sets the limit.
        flag: &'static str,
        /// The limit in bytes.
        limit: u64,
    },
    /// A document's id was used by an earlier document; this one was renamed.
    #[error("{source_name}: id {id:?} already used by {first}, renamed to {renamed:?}")]
    DuplicateId {
        /// Where the second document came from.
        source_name: String,
        /// The id both had.
        id: String,
        /// Where the first came from.
        first: String,
        /// The new id of the second.
        renamed: String,
        /// The file of the second document.
        path: PathBuf,
    },
    /// A document read earlier could not be read again as it was (to verify a candidate pair
    /// or show its spans): the file changed, moved or vanished during the run. The pairs it is
    /// in are not reported.
    #[error("{source_name}: {reason}; its pairs are not reported")]
    Changed {
        /// The document's source.
        source_name: String,
        /// What went wrong.
        reason: String,
        /// The file.
        path: PathBuf,
    },
    /// The configuration was rejected.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Why a file's bytes were not accepted as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes are not valid UTF-8.
    #[error("not valid UTF-8 (first bad byte at offset {offset})")]
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// Not a regular file (a FIFO, a socket, a device): skipped without opening it.
    #[error("not a regular file, skipped")]
    NotRegular,
    /// The same file (by device and inode) was met before under this path.
    #[error("same file as {}, read once", .0.display())]
    SameFile(PathBuf),
    /// The file holds NUL bytes, so it is binary, not text.
    #[error("binary file (NUL byte at offset {offset}), skipped")]
    Binary {
        /// Byte offset of the first NUL.
        offset: usize,
    },
}

/// Why a line of a JSON Lines file was not used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The line is not valid JSON.
    #[error("invalid JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// The line is JSON but not an object.
    #[error("not a JSON object (found {0})")]
    NotAnObject(&'static str),
    /// The object has no text field.
    #[error("no \"{0}\" field")]
    MissingText(String),
    /// The text field is not a string.
    #[error("\"{field}\" is {found}, not a string")]
    TextNotString {
        /// The text field's name.
        field: String,
        /// What it holds instead.
        found: &'static str,
    },
    /// The line is longer than the per-document limit.
    #[error("line longer than --max-doc-bytes ({0} bytes), skipped")]
    TooLong(u64),
}

impl Error {
    /// Whether this error means "deliberately skipped" (a binary file) rather than
    /// "could not be read". Skips are counted but do not fail a run.
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            Error::Decode {
                reason: DecodeError::Binary { .. }
                    | DecodeError::NotRegular
                    | DecodeError::SameFile(_),
                ..
            } | Error::TooLarge { .. }
                | Error::Record {
                    reason: RecordError::TooLong(_),
                    ..
                }
        )
    }

    /// The path this error is about, when it has one.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Error::Io { path, .. }
            | Error::Walk { path, .. }
            | Error::Decode { path, .. }
            | Error::Record { path, .. }
            | Error::TooLarge { path, .. }
            | Error::DuplicateId { path, .. }
            | Error::Changed { path, .. } => Some(path),
            Error::Config(_) => None,
        }
    }
}
