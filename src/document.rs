//! Documents as the pipeline sees them: an id, the text as read, and where it came from.

use std::path::PathBuf;

/// One document: its id (a path as walked, or a record id), its text as read, and its source.
///
/// Span offsets in a [`crate::Report`] are byte offsets into `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// How reports name this document. Ids should be unique within a run.
    pub id: String,
    /// The text as read, before any normalisation.
    pub text: String,
    /// Where the text came from; [`Source::Memory`] for documents built by the caller.
    pub source: Source,
}

impl Document {
    /// A document from an id and its text, with no file behind it.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            source: Source::Memory,
        }
    }
}

/// Where a document was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// Handed in by the caller.
    #[default]
    Memory,
    /// A whole file (text, Markdown).
    File(PathBuf),
    /// One line of a JSON Lines file (lines count from 1).
    Line {
        /// The JSONL file.
        path: PathBuf,
        /// Its line number, from 1.
        line: u64,
    },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Memory => f.write_str("(memory)"),
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Line { path, line } => write!(f, "{}:{line}", path.display()),
        }
    }
}

/// A document's index within one run, after documents are put in id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub u32);

impl DocId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
