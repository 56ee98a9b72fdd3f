//! Folders and files → documents.
//!
//! Each path given is read: a file is read whatever its name; a folder is walked (walkdir,
//! entries sorted by name, symbolic links not followed) and its `.txt` and `.md` files are read.
//! A document's id is its path as walked: the root as given joined with the relative path, so
//! `scan corpus/` names `corpus/seed/full_page.txt`.
//!
//! Text is taken as it is on disk: offsets in span reports are byte offsets into the file. A
//! file with a NUL byte is binary and skipped; a file that is not UTF-8 is an error (the file
//! is named, the run goes on).

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::document::Document;
use crate::error::{DecodeError, Error, Result};

/// What reading the inputs produced, in walk order.
#[derive(Debug, Default)]
pub struct Input {
    /// Documents read.
    pub documents: Vec<Document>,
    /// Files deliberately skipped (binary), with the reason.
    pub skipped: Vec<Error>,
    /// Files or folders that could not be read.
    pub errors: Vec<Error>,
}

/// Whether a walked file is read as a document (`.txt` or `.md`, any case).
pub fn is_document_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("md"))
}

/// Reads every path: files directly, folders walked in sorted order. Files are read in
/// parallel; the result keeps walk order.
pub fn read_paths<P: AsRef<Path>>(paths: &[P]) -> Input {
    let mut files: Vec<std::result::Result<PathBuf, Error>> = Vec::new();
    for root in paths {
        let root = root.as_ref();
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => {
                for entry in WalkDir::new(root).sort_by_file_name() {
                    match entry {
                        Ok(e) if e.file_type().is_file() && is_document_path(e.path()) => {
                            files.push(Ok(e.into_path()))
                        }
                        Ok(_) => {}
                        Err(err) => files.push(Err(Error::Walk {
                            path: err.path().unwrap_or(root).to_path_buf(),
                            source: err,
                        })),
                    }
                }
            }
            Ok(_) => files.push(Ok(root.to_path_buf())),
            Err(source) => files.push(Err(Error::Io {
                path: root.to_path_buf(),
                source,
            })),
        }
    }
    let read: Vec<Result<Document>> = files
        .into_par_iter()
        .map(|f| f.and_then(|p| read_file(&p)))
        .collect();
    let mut input = Input::default();
    for r in read {
        match r {
            Ok(d) => input.documents.push(d),
            Err(e) if e.is_skip() => input.skipped.push(e),
            Err(e) => input.errors.push(e),
        }
    }
    input
}

/// Reads one file as a document whose id is the path as given.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read, [`Error::Decode`] when it is binary or not
/// UTF-8.
pub fn read_file(path: &Path) -> Result<Document> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let decode = |reason| Error::Decode {
        path: path.to_path_buf(),
        reason,
    };
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(decode(DecodeError::Binary { offset }));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        decode(DecodeError::InvalidUtf8 {
            offset: e.utf8_error().valid_up_to(),
        })
    })?;
    Ok(Document::new(path.to_string_lossy(), text))
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
        let input = read_paths(&[&d]);
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
        let input = read_paths(&[d.clone(), missing]);
        assert_eq!(input.documents.len(), 1);
        assert_eq!(input.skipped.len(), 1);
        assert!(
            input.skipped[0]
                .to_string()
                .ends_with("bin.txt: binary file (NUL byte at offset 3), skipped")
        );
        assert_eq!(input.errors.len(), 2);
        assert!(
            input.errors[0]
                .to_string()
                .ends_with("latin1.txt: not valid UTF-8 (first bad byte at offset 3)")
        );
        assert!(input.errors[1].to_string().contains("missing.txt: "));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn named_files_are_read_whatever_their_extension() {
        let d = tempdir("named");
        let f = d.join("notes.text");
        std::fs::write(&f, "hello").unwrap();
        let input = read_paths(&[&f]);
        assert_eq!(input.documents[0].text, "hello");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
