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
    /// The file holds NUL bytes, so it is binary, not text.
    #[error("binary file (NUL byte at offset {offset}), skipped")]
    Binary {
        /// Byte offset of the first NUL.
        offset: usize,
    },
}

impl Error {
    /// Whether this error means "deliberately skipped" (a binary file) rather than
    /// "could not be read". Skips are counted but do not fail a run.
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            Error::Decode {
                reason: DecodeError::Binary { .. },
                ..
            }
        )
    }

    /// The path this error is about, when it has one.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Error::Io { path, .. } | Error::Walk { path, .. } | Error::Decode { path, .. } => {
                Some(path)
            }
            Error::Config(_) => None,
        }
    }
}
