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
    /// The encoding the text was decoded from (`UTF-8`, `UTF-16LE`, `windows-1252`, ...).
    pub encoding: &'static str,
}

impl Document {
    /// A document from an id and its text, with no file behind it.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            source: Source::Memory,
            encoding: "UTF-8",
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
    /// Standard input, read whole as one text.
    Stdin,
    /// One line of a JSON Lines file (lines count from 1).
    Line {
        /// The JSONL file.
        path: PathBuf,
        /// Its line number, from 1.
        line: u64,
        /// Where the line starts in the file, for a plain (uncompressed) file that can be read
        /// again; `None` for compressed files and standard input.
        offset: Option<u64>,
    },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Memory => f.write_str("(memory)"),
            Source::Stdin => f.write_str("-"),
            Source::File(p) => f.write_str(&path_id(p)),
            Source::Line { path, line, .. } => write!(f, "{}:{line}", path_id(path)),
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

/// A path as an id: its text when it is UTF-8, and otherwise each byte that is not part of
/// valid UTF-8 written `\xHH`, so that distinct paths keep distinct ids.
pub fn path_id(path: &std::path::Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn non_utf8_paths_stay_distinct() {
        use std::os::unix::ffi::OsStrExt;
        let p = std::path::Path::new(std::ffi::OsStr::from_bytes(b"dir/caf\xe9.txt"));
        assert_eq!(path_id(p), "dir/caf\\xE9.txt");
        assert_eq!(
            path_id(std::path::Path::new("dir/café.txt")),
            "dir/café.txt"
        );
    }
}
