//! Documents as the pipeline sees them: an id and the text as read.

use serde::Serialize;

/// One document: its id (a path as walked, or a record id) and its text as read.
///
/// Span offsets in a [`crate::Report`] are byte offsets into `text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// How reports name this document. Ids should be unique within a run.
    pub id: String,
    /// The text as read, before any normalisation.
    pub text: String,
}

impl Document {
    /// A document from an id and its text.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
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
