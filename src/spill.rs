//! Documents' shingle fingerprints, written to a temporary file while they are sketched and
//! read back for verification.
//!
//! A streaming [`crate::Scanner`] drops each text once it is sketched. Verification needs the
//! shingle sets of the documents in candidate pairs; without a spill it reads their texts
//! again, parses their records and shingles them a second time. With one, each document's
//! distinct shingles' [`crate::minhash::fingerprint`]s (four bytes a shingle, sorted, as
//! sketching leaves them) go to an unnamed temporary file, each worker thread writing its own
//! stretches of it (a [`Chunk`], 1 MiB) as it sketches, and verification reads them back and
//! drops repeated fingerprints: the same sets [`crate::shingle::fingerprint_set`] makes from
//! the text.
//!
//! The file is made by [`tempfile::tempfile`] in the system's temporary folder (`TMPDIR` on
//! Unix): it has no name, so nothing is left behind, whatever way the process ends. It takes
//! about 0.8 bytes per byte of text, and at most a limit ([`crate::Scanner::spill_limit`],
//! 1 GiB by default) so that it stays in the page cache: past a few GiB of dirty pages the
//! kernel makes writers wait for the disk (a million documents, 5 GB of fingerprints: the
//! sketch stage went from 21 to 53 s). Documents after the limit, and wherever the file cannot
//! be made or written (no space, a read-only folder), are verified from their texts as before:
//! a spill changes speed, never results.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Where a document's fingerprints start in the spill file (their number is the document's
/// count of distinct shingles, which its sketch keeps): 8 bytes a document, with
/// [`Offset::NONE`] for a document not spilled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Offset(u64);

impl Offset {
    /// Not spilled.
    pub(crate) const NONE: Offset = Offset(u64::MAX);
}

/// A file of fingerprint runs, up to a size limit, written by many threads at once: each
/// takes a stretch of the file at a time ([`Chunk`]) and writes it when full, in parallel
/// with the others. (Written from one thread as each batch was kept, the writes were serial
/// time between batches: 0.1 to 0.6 s at 100k documents, varying with how fast the kernel
/// found page-cache pages.)
#[derive(Debug)]
pub(crate) struct Spill {
    file: std::fs::File,
    /// Bytes handed out so far (where the next chunk goes).
    end: AtomicU64,
    /// The most bytes it takes.
    limit: u64,
    /// Whether a chunk was refused for the limit or failed to write (later documents are
    /// not spilled: a full disk stays full).
    full: AtomicBool,
    /// Stretches that failed to write: their runs are not read back.
    failed: std::sync::Mutex<Vec<std::ops::Range<u64>>>,
}

impl Spill {
    /// A new, empty spill file of at most `limit` bytes, or `None` when none can be made (or
    /// on a platform without positioned file I/O, or for a limit of 0).
    pub(crate) fn new(limit: u64) -> Option<Spill> {
        if !cfg!(unix) || limit == 0 {
            return None;
        }
        let file = tempfile::tempfile().ok()?;
        Some(Spill {
            file,
            end: AtomicU64::new(0),
            limit,
            full: AtomicBool::new(false),
            failed: std::sync::Mutex::default(),
        })
    }

    /// Whether it has refused a chunk for its limit, or failed to write one.
    pub(crate) fn is_full(&self) -> bool {
        self.full.load(Ordering::Relaxed)
    }

    /// `len` bytes of the file, for one thread to write; `None` past the limit (the spill
    /// is full from then on).
    fn reserve(&self, len: u64) -> Option<u64> {
        if self.is_full() {
            return None;
        }
        let at = self.end.fetch_add(len, Ordering::Relaxed);
        if at.saturating_add(len) > self.limit {
            self.full.store(true, Ordering::Relaxed);
            return None;
        }
        Some(at)
    }

    /// Writes `bytes` at `at` (a stretch [`Spill::reserve`] gave); a failure marks the
    /// stretch unreadable and the spill full.
    fn write(&self, at: u64, bytes: &[u8]) {
        if write_all_at(&self.file, bytes, at).is_err() {
            self.full.store(true, Ordering::Relaxed);
            self.failed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(at..at + bytes.len() as u64);
        }
    }

    /// The `count` fingerprints at `at`, sorted and distinct (an error for
    /// [`Offset::NONE`], or for a run whose write failed).
    pub(crate) fn read_set(&self, at: Offset, count: usize) -> io::Result<Vec<u32>> {
        if at == Offset::NONE {
            return Err(io::ErrorKind::NotFound.into());
        }
        // Only a full spill can have failed writes.
        if self.is_full() {
            let failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
            if failed.iter().any(|r| r.contains(&at.0)) {
                return Err(io::Error::other("its write failed"));
            }
        }
        let mut bytes = vec![0u8; 4 * count];
        read_exact_at(&self.file, &mut bytes, at.0)?;
        // Written sorted and distinct.
        Ok(bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }
}

/// One thread's stretch of a [`Spill`]: runs are gathered in memory and written at once
/// when the next run does not fit, or at [`Chunk::flush`].
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    /// Where the stretch starts in the file and how many bytes it has, if the thread holds
    /// one.
    stretch: Option<(u64, usize)>,
    bytes: Vec<u8>,
}

impl Chunk {
    /// Bytes of file a thread takes at a time.
    pub(crate) const BYTES: usize = 1 << 20;

    /// Adds a document's fingerprints (distinct, sorted) to the spill; returns where they
    /// start, or [`Offset::NONE`] when the spill is full.
    pub(crate) fn append(&mut self, spill: &Spill, fingerprints: &[u32]) -> Offset {
        let len = 4 * fingerprints.len();
        let at = match self.stretch {
            Some((at, size)) if self.bytes.len() + len <= size => at,
            _ => {
                // A run larger than a stretch takes one of its own.
                self.flush(spill);
                let size = Chunk::BYTES.max(len);
                let Some(at) = spill.reserve(size as u64) else {
                    return Offset::NONE;
                };
                self.stretch = Some((at, size));
                at
            }
        };
        let from = self.bytes.len();
        // Sized first, then filled four bytes at a time (no capacity check per fingerprint).
        self.bytes.resize(from + len, 0);
        for (to, &fp) in self.bytes[from..].chunks_exact_mut(4).zip(fingerprints) {
            to.copy_from_slice(&fp.to_le_bytes());
        }
        Offset(at + from as u64)
    }

    /// Writes what it holds, and gives up its stretch.
    pub(crate) fn flush(&mut self, spill: &Spill) {
        if let Some((at, _)) = self.stretch.take() {
            if !self.bytes.is_empty() {
                spill.write(at, &self.bytes);
            }
        }
        self.bytes.clear();
    }
}

#[cfg(unix)]
fn write_all_at(file: &std::fs::File, bytes: &[u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, bytes: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, at)
}

#[cfg(not(unix))]
fn write_all_at(_: &std::fs::File, _: &[u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(not(unix))]
fn read_exact_at(_: &std::fs::File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn runs_read_back() {
        let spill = Spill::new(6 << 20).expect("a temporary file");
        // Sorted distinct fingerprints, as sketching leaves them.
        let first: Vec<u32> = vec![1, 3, 5];
        let second: Vec<u32> = (0..1000u32).map(|i| i * 2).collect();
        // Two threads' chunks, interleaved in the file.
        let (mut x, mut y) = (Chunk::default(), Chunk::default());
        let a = x.append(&spill, &first);
        let b = y.append(&spill, &second);
        let c = x.append(&spill, &second);
        // Not written yet.
        assert!(spill.read_set(a, 3).is_err());
        x.flush(&spill);
        y.flush(&spill);
        assert_eq!(spill.read_set(a, 3).unwrap(), first);
        assert_eq!(spill.read_set(b, 1000).unwrap(), second);
        assert_eq!(spill.read_set(c, 1000).unwrap(), second);
        assert!(spill.read_set(Offset::NONE, 0).is_err());
        // A run larger than a chunk takes a stretch of its own, even where the stretch held
        // has room left only for nothing (an empty run took it); the next thread's stretch
        // is not written over.
        let large: Vec<u32> = (0..(Chunk::BYTES as u32 / 2)).collect();
        let empty = x.append(&spill, &[]);
        let small = y.append(&spill, &first);
        let d = x.append(&spill, &large);
        y.flush(&spill);
        x.flush(&spill);
        assert_eq!(spill.read_set(empty, 0).unwrap(), Vec::<u32>::new());
        assert_eq!(spill.read_set(small, 3).unwrap(), first);
        assert_eq!(spill.read_set(d, large.len()).unwrap(), large);
        // Past the limit: refused, and the spill says it is full.
        assert!(!spill.is_full());
        assert_eq!(x.append(&spill, &large), Offset::NONE);
        assert!(spill.is_full());
        assert_eq!(y.append(&spill, &first), Offset::NONE);
        assert!(Spill::new(0).is_none());
    }

    #[test]
    fn a_failed_write_fills_the_spill_and_its_runs_are_not_read() {
        // A file open for reading only: every write fails.
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        let spill = Spill {
            file,
            end: AtomicU64::new(0),
            limit: 4 << 20,
            full: AtomicBool::new(false),
            failed: std::sync::Mutex::default(),
        };
        let mut chunk = Chunk::default();
        let at = chunk.append(&spill, &[1, 2]);
        assert_ne!(at, Offset::NONE);
        chunk.flush(&spill);
        assert!(spill.is_full());
        // The executable's bytes are there, but they are not the run.
        assert!(spill.read_set(at, 2).is_err());
        assert_eq!(chunk.append(&spill, &[3]), Offset::NONE);
    }
}
