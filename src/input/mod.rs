//! Reading documents from disk.
//!
//! Readers yield `Result<Document>` per file, so the caller decides whether one bad file stops
//! a run (the CLI reports it and carries on). The user's files are only ever opened for reading.

pub mod codec;
pub mod decode;
pub mod jsonl;
pub mod walk;

pub use jsonl::JsonlOptions;
pub use walk::{
    FileKind, Input, Plan, ReadOptions, is_document_path, plan, read_file, read_paths,
    read_text_file,
};
