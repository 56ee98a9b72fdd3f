//! Documents' shingle fingerprints, written to a temporary file while they are sketched and
//! read back for verification.
//!
//! A streaming [`crate::Scanner`] drops each text once it is sketched. Verification needs the
//! shingle sets of the documents in candidate pairs; without a spill it reads their texts
//! again, parses their records and shingles them a second time. With one, each document's
//! distinct shingles' [`crate::minhash::fingerprint`]s (four bytes a shingle, sorted, as
//! sketching leaves them) are appended to an unnamed temporary file as its batch is kept, and
//! verification reads them back and drops repeated fingerprints: the same sets
//! [`crate::shingle::fingerprint_set`] makes from the text.
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

/// Where a document's fingerprints start in the spill file (their number is the document's
/// count of distinct shingles, which its sketch keeps): 8 bytes a document, with
/// [`Offset::NONE`] for a document not spilled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Offset(u64);

impl Offset {
    /// Not spilled.
    pub(crate) const NONE: Offset = Offset(u64::MAX);
}

/// An append-only file of fingerprint runs, up to a size limit.
#[derive(Debug)]
pub(crate) struct Spill {
    file: std::fs::File,
    /// Bytes written so far (where the next run goes).
    end: u64,
    /// The most bytes it takes.
    limit: u64,
    /// Whether a run was refused for the limit or failed to write (later documents are not
    /// spilled: a full disk stays full).
    full: bool,
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
            end: 0,
            limit,
            full: false,
        })
    }

    /// Whether it has refused a run for its limit, or failed to write one.
    pub(crate) fn is_full(&self) -> bool {
        self.full
    }

    /// Appends `bytes` (runs of fingerprints, little-endian, as [`append_fingerprints`] makes
    /// them); returns the offset they start at. Past the limit nothing is written: an error.
    /// After any error the spill is full.
    pub(crate) fn append(&mut self, bytes: &[u8]) -> io::Result<u64> {
        if self.end + bytes.len() as u64 > self.limit {
            self.full = true;
            return Err(io::Error::other("the spill file is at its size limit"));
        }
        let at = self.end;
        write_all_at(&self.file, bytes, at).inspect_err(|_| self.full = true)?;
        self.end += bytes.len() as u64;
        Ok(at)
    }

    /// Where a run starts that was written `start` fingerprints into a block appended at
    /// `block`.
    pub(crate) fn offset(block: u64, start: usize) -> Offset {
        Offset(block + 4 * start as u64)
    }

    /// The `count` fingerprints at `at`, sorted and distinct (an error for
    /// [`Offset::NONE`]).
    pub(crate) fn read_set(&self, at: Offset, count: usize) -> io::Result<Vec<u32>> {
        if at == Offset::NONE {
            return Err(io::ErrorKind::NotFound.into());
        }
        let mut bytes = vec![0u8; 4 * count];
        read_exact_at(&self.file, &mut bytes, at.0)?;
        let mut set: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        drop(bytes);
        // Written sorted; two distinct shingles may share a fingerprint.
        set.dedup();
        Ok(set)
    }
}

/// Appends the fingerprints of `hashes` (distinct shingle hashes, sorted) to `out`, as a
/// spill stores them.
pub(crate) fn append_fingerprints(hashes: &[u64], out: &mut Vec<u8>) {
    out.reserve(4 * hashes.len());
    for &h in hashes {
        out.extend_from_slice(&crate::minhash::fingerprint(h).to_le_bytes());
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
    fn runs_read_back_as_sorted_distinct_sets() {
        let mut spill = Spill::new(1 << 20).expect("a temporary file");
        // Sorted distinct hashes, as sketching leaves them; the first two share a fingerprint.
        let first: Vec<u64> = vec![1 << 32, (1 << 32) | 7, 3 << 32, 5 << 32];
        let second: Vec<u64> = (0..1000u64).map(|i| i << 33).collect();
        let mut block = Vec::new();
        append_fingerprints(&first, &mut block);
        append_fingerprints(&second, &mut block);
        let at = spill.append(&block).unwrap();
        let next = spill.append(&block[..8]).unwrap();
        assert_eq!((at, next), (0, block.len() as u64));
        let a = spill.read_set(Spill::offset(at, 0), 4).unwrap();
        assert_eq!(a, vec![1, 3, 5]);
        let b = spill.read_set(Spill::offset(at, 4), 1000).unwrap();
        assert_eq!(b, (0..1000u32).map(|i| i * 2).collect::<Vec<_>>());
        // Past the end of what was written: an error, not a short set.
        assert!(spill.read_set(Spill::offset(next, 1), 3).is_err());
        assert!(spill.read_set(Offset::NONE, 0).is_err());
        // At the limit: refused, and the spill says it is full.
        assert!(!spill.is_full());
        assert!(spill.append(&vec![0u8; 1 << 20]).is_err());
        assert!(spill.is_full());
        assert!(Spill::new(0).is_none());
    }

    #[test]
    fn a_failed_write_fills_the_spill() {
        // A file open for reading only: every write fails.
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        let mut spill = Spill {
            file,
            end: 0,
            limit: 1 << 20,
            full: false,
        };
        assert!(spill.append(&[1, 2, 3, 4]).is_err());
        assert!(spill.is_full());
    }
}
