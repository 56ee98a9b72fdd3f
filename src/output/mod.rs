//! Rendering a [`crate::Report`] (or a [`crate::Comparison`]) to any `io::Write`.
//!
//! [`json`] writes JSON Lines (the machine-readable contract); [`human`] writes the readable
//! report. Neither prints on its own: the caller hands in the writer.

pub mod csv;
pub mod human;
pub mod json;

use std::ops::Range;

/// What the run around the library saw besides the report: files skipped or failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunNotes {
    /// `(path, message)` of each file deliberately skipped.
    pub skipped: Vec<(String, String)>,
    /// `(path, message)` of each file or folder that could not be read.
    pub errors: Vec<(String, String)>,
    /// `(path, message)` of each document read with a caveat (a duplicate id renamed).
    pub warnings: Vec<(String, String)>,
    /// Documents to list in the JSON output (with `--documents`).
    pub documents: Vec<DocumentInfo>,
}

/// What the JSON output says of one document with `--documents`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocumentInfo {
    /// Its id.
    pub id: String,
    /// Where it came from (`path`, `path:line`, or `-`).
    pub source: String,
    /// Bytes of decoded text.
    pub bytes: usize,
    /// The encoding it was decoded from.
    pub encoding: &'static str,
}

/// How much of each pair's span report the readable output shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpansMode {
    /// None.
    None,
    /// One line per pair naming the extra spans of each side.
    #[default]
    Summary,
    /// Every span with line:column positions.
    Full,
}

/// 1-based line and column (in characters) of byte offsets in a text.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, line_starts }
    }

    /// `(line, column)` of byte `offset`, both from 1; the column counts characters.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// `"L:C-L:C"` for a half-open byte range (the end is shown inclusive, on its last byte).
    pub fn range(&self, r: &Range<usize>) -> String {
        let (l1, c1) = self.position(r.start);
        let mut last = r.end.saturating_sub(1).max(r.start).min(self.text.len());
        while last > r.start && !self.text.is_char_boundary(last) {
            last -= 1;
        }
        let (l2, c2) = self.position(last);
        format!("{l1}:{c1}-{l2}:{c2}")
    }
}

/// Replaces control characters (escape sequences, bidi overrides) with visible escapes, so
/// that a file name or a text cannot drive the terminal. Newlines and tabs are kept when
/// `keep_newlines`.
pub fn escape_controls(s: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && !(keep_newlines && (c == '\n' || c == '\t')))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
    };
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `1234567` → `"1,234,567"`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A byte count for humans: `812 B`, `6.5 KB`, `1.2 MB`.
pub fn human_bytes(n: usize) -> String {
    if n < 1000 {
        format!("{n} B")
    } else if n < 1_000_000 {
        format!("{:.1} KB", n as f64 / 1000.0)
    } else {
        format!("{:.1} MB", n as f64 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_positions() {
        let idx = LineIndex::new("ab\ncé\n\nx");
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(3), (2, 1));
        assert_eq!(idx.position(6), (2, 3));
        assert_eq!(idx.position(8), (4, 1));
        assert_eq!(idx.range(&(3..6)), "2:1-2:2");
    }

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape_controls("a\u{1b}[31mb", false), "a\\u{1b}[31mb");
        assert_eq!(escape_controls("x\u{202e}y", false), "x\\u{202e}y");
        assert_eq!(escape_controls("l1\nl2", true), "l1\nl2");
        assert_eq!(escape_controls("l1\nl2", false), "l1\\u{a}l2");
    }

    #[test]
    fn number_formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(2312), "2,312");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(6663), "6.7 KB");
    }
}
