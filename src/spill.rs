//! Documents' shingle fingerprints, written to temporary files while they are sketched and
//! read back for verification.
//!
//! A streaming [`crate::Scanner`] drops each text once it is sketched. Verification needs the
//! shingle sets of the documents in candidate pairs; without a spill it reads their texts
//! again, parses their records and shingles them a second time. With one, each document's
//! distinct shingles' [`crate::minhash::fingerprint`]s (four bytes a shingle, sorted, as
//! sketching leaves them) go to unnamed temporary files, one per worker thread, each thread
//! writing stretches of its own (a [`Chunk`], 1 MiB) as it sketches, and verification reads
//! them back: the same sets [`crate::shingle::fingerprint_set`] makes from the text.
//!
//! The files are made by [`tempfile::tempfile`] in the system's temporary folder (`TMPDIR` on
//! Unix): they have no name, so nothing is left behind, whatever way the process ends. They take
//! about 0.8 bytes per byte of text, and at most a limit ([`crate::Scanner::spill_limit`],
//! 1 GiB by default) so that they stay in the page cache: past a few GiB of dirty pages the
//! kernel makes writers wait for the disk (a million documents, 5 GB of fingerprints: the
//! sketch stage went from 21 to 53 s). Documents after the limit, and wherever the files cannot
//! be made or written (no space, a read-only folder), are verified from their texts as before:
//! a spill changes speed, never results.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Where a document's fingerprints start in the spill (their number is the document's count
/// of distinct shingles, which its sketch keeps): 8 bytes a document, the file's lane in the
/// top byte and the place in it below, with [`Offset::NONE`] for a document not spilled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Offset(u64);

impl Offset {
    /// Not spilled.
    pub(crate) const NONE: Offset = Offset(u64::MAX);

    /// Bits of the place in a lane's file.
    const PLACE_BITS: u32 = 56;

    fn new(lane: usize, at: u64) -> Offset {
        Offset(((lane as u64) << Offset::PLACE_BITS) | at)
    }

    fn lane(self) -> usize {
        (self.0 >> Offset::PLACE_BITS) as usize
    }

    fn at(self) -> u64 {
        self.0 & ((1 << Offset::PLACE_BITS) - 1)
    }
}

/// Files of fingerprint runs, up to a size limit in all, written by many threads at once:
/// one file per lane (a worker thread), of which its thread takes a stretch at a time
/// ([`Chunk`]) and writes it when full. (Written from one thread as each batch was kept, the
/// writes were serial time between batches: 0.1 to 0.6 s at 100k documents. Written by all
/// threads into one file, each write waited for the others' to the same file: ext4 holds
/// a file's lock for a whole write, and the waiting thread spun, 1.3% of the run's time.)
#[derive(Debug)]
pub(crate) struct Spill {
    lanes: Vec<Lane>,
    /// Bytes handed out so far, over all lanes.
    used: AtomicU64,
    /// The most bytes it takes.
    limit: u64,
    /// Whether a chunk was refused for the limit or failed to write (later documents are
    /// not spilled: a full disk stays full).
    full: AtomicBool,
    /// Stretches that failed to write, by lane: their runs are not read back.
    failed: std::sync::Mutex<Vec<(usize, std::ops::Range<u64>)>>,
}

/// One lane's file.
#[derive(Debug)]
struct Lane {
    file: std::fs::File,
    /// Where the next stretch goes.
    end: AtomicU64,
}

impl Spill {
    /// A new, empty spill of `lanes` files (at least one), of at most `limit` bytes in all,
    /// or `None` when the files cannot be made (or on a platform without positioned file
    /// I/O, or for a limit of 0, or for more lanes than an [`Offset`] tells apart).
    pub(crate) fn new(limit: u64, lanes: usize) -> Option<Spill> {
        if !cfg!(unix) || limit == 0 || lanes > 255 {
            return None;
        }
        let lanes = (0..lanes.max(1))
            .map(|_| {
                Some(Lane {
                    file: tempfile::tempfile().ok()?,
                    end: AtomicU64::new(0),
                })
            })
            .collect::<Option<Vec<Lane>>>()?;
        Some(Spill {
            lanes,
            used: AtomicU64::new(0),
            limit: limit.min(1 << Offset::PLACE_BITS),
            full: AtomicBool::new(false),
            failed: std::sync::Mutex::default(),
        })
    }

    /// Whether it has refused a chunk for its limit, or failed to write one.
    pub(crate) fn is_full(&self) -> bool {
        self.full.load(Ordering::Relaxed)
    }

    /// `len` bytes of `lane`'s file, for its thread to write; `None` past the limit (the
    /// spill is full from then on).
    fn reserve(&self, lane: usize, len: u64) -> Option<u64> {
        if self.is_full() {
            return None;
        }
        let used = self.used.fetch_add(len, Ordering::Relaxed);
        if used.saturating_add(len) > self.limit {
            self.full.store(true, Ordering::Relaxed);
            return None;
        }
        Some(self.lanes[lane].end.fetch_add(len, Ordering::Relaxed))
    }

    /// Writes `bytes` at `at` of `lane`'s file (a stretch [`Spill::reserve`] gave); a failure
    /// marks the stretch unreadable and the spill full.
    fn write(&self, lane: usize, at: u64, bytes: &[u8]) {
        if write_all_at(&self.lanes[lane].file, bytes, at).is_err() {
            self.full.store(true, Ordering::Relaxed);
            self.failed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((lane, at..at + bytes.len() as u64));
        }
    }

    /// The `count` fingerprints at `at`, sorted and distinct (an error for
    /// [`Offset::NONE`], or for a run whose write failed).
    pub(crate) fn read_set(&self, at: Offset, count: usize) -> io::Result<Vec<u32>> {
        if at == Offset::NONE {
            return Err(io::ErrorKind::NotFound.into());
        }
        let (lane, place) = (at.lane(), at.at());
        let Some(file) = self.lanes.get(lane).map(|l| &l.file) else {
            return Err(io::ErrorKind::NotFound.into());
        };
        // Only a full spill can have failed writes.
        if self.is_full() {
            let failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
            if failed.iter().any(|(l, r)| *l == lane && r.contains(&place)) {
                return Err(io::Error::other("its write failed"));
            }
        }
        // Written sorted and distinct, as little-endian bytes, read straight into the values.
        let mut set = vec![0u32; count];
        read_exact_at(file, bytes_of_mut(&mut set), place)?;
        set.iter_mut().for_each(|v| *v = u32::from_le(*v));
        Ok(set)
    }
}

/// The little-endian bytes of `values`: their own memory on a little-endian machine (one
/// copy into the spill's buffer; filling a zeroed buffer four bytes at a time was 0.5% of
/// a run), a converted copy elsewhere.
fn le_bytes(values: &[u32]) -> std::borrow::Cow<'_, [u8]> {
    if cfg!(target_endian = "little") {
        // SAFETY: the bytes are those of `values`, which live as long as the slice returned;
        // `u8` has no alignment requirement and every byte of a `u32` is initialised.
        let bytes = unsafe {
            std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), std::mem::size_of_val(values))
        };
        std::borrow::Cow::Borrowed(bytes)
    } else {
        std::borrow::Cow::Owned(values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }
}

/// The memory of `values` as bytes, to read into: any bytes read make valid `u32`s.
fn bytes_of_mut(values: &mut [u32]) -> &mut [u8] {
    // SAFETY: the bytes are those of `values`, borrowed mutably for as long as the slice
    // returned; `u8` has no alignment requirement, and every pattern of four bytes written
    // through it is a valid `u32`.
    unsafe {
        std::slice::from_raw_parts_mut(
            values.as_mut_ptr().cast::<u8>(),
            std::mem::size_of_val(values),
        )
    }
}

/// One thread's stretch of a [`Spill`] lane: runs are gathered in memory and written at once
/// when the next run does not fit, or at [`Chunk::flush`].
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    /// The lane, where the stretch starts in its file and how many bytes it has, if the
    /// thread holds one.
    stretch: Option<(usize, u64, usize)>,
    bytes: Vec<u8>,
}

impl Chunk {
    /// Bytes of file a thread takes at a time.
    pub(crate) const BYTES: usize = 1 << 20;

    /// Adds a document's fingerprints (distinct, sorted) to `lane` of the spill (a lane one
    /// thread writes at a time); returns where they start, or [`Offset::NONE`] when the
    /// spill is full or has no such lane.
    pub(crate) fn append(&mut self, spill: &Spill, lane: usize, fingerprints: &[u32]) -> Offset {
        if lane >= spill.lanes.len() {
            return Offset::NONE;
        }
        let len = 4 * fingerprints.len();
        let at = match self.stretch {
            Some((l, at, size)) if l == lane && self.bytes.len() + len <= size => at,
            _ => {
                // A run larger than a stretch takes one of its own.
                self.flush(spill);
                let size = Chunk::BYTES.max(len);
                let Some(at) = spill.reserve(lane, size as u64) else {
                    return Offset::NONE;
                };
                self.stretch = Some((lane, at, size));
                at
            }
        };
        let from = self.bytes.len();
        self.bytes
            .extend_from_slice(le_bytes(fingerprints).as_ref());
        Offset::new(lane, at + from as u64)
    }

    /// Writes what it holds, and gives up its stretch.
    pub(crate) fn flush(&mut self, spill: &Spill) {
        if let Some((lane, at, _)) = self.stretch.take() {
            if !self.bytes.is_empty() {
                spill.write(lane, at, &self.bytes);
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
        let spill = Spill::new(6 << 20, 2).expect("temporary files");
        // Sorted distinct fingerprints, as sketching leaves them.
        let first: Vec<u32> = vec![1, 3, 5];
        let second: Vec<u32> = (0..1000u32).map(|i| i * 2).collect();
        // Two threads' chunks, interleaved in the file.
        let (mut x, mut y) = (Chunk::default(), Chunk::default());
        let a = x.append(&spill, 0, &first);
        let b = y.append(&spill, 1, &second);
        let c = x.append(&spill, 0, &second);
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
        let empty = x.append(&spill, 0, &[]);
        let small = y.append(&spill, 1, &first);
        let d = x.append(&spill, 0, &large);
        y.flush(&spill);
        x.flush(&spill);
        assert_eq!(spill.read_set(empty, 0).unwrap(), Vec::<u32>::new());
        assert_eq!(spill.read_set(small, 3).unwrap(), first);
        assert_eq!(spill.read_set(d, large.len()).unwrap(), large);
        // Past the limit: refused, and the spill says it is full.
        assert!(!spill.is_full());
        assert_eq!(x.append(&spill, 0, &large), Offset::NONE);
        assert!(spill.is_full());
        assert_eq!(y.append(&spill, 1, &first), Offset::NONE);
        assert!(Spill::new(0, 1).is_none());
    }

    #[test]
    fn a_failed_write_fills_the_spill_and_its_runs_are_not_read() {
        // Lane 0 a temporary file; lane 1 a file open for reading only: its writes fail.
        let lane = |file| Lane {
            file,
            end: AtomicU64::new(0),
        };
        let spill = Spill {
            lanes: vec![
                lane(tempfile::tempfile().unwrap()),
                lane(std::fs::File::open(std::env::current_exe().unwrap()).unwrap()),
            ],
            used: AtomicU64::new(0),
            limit: 4 << 20,
            full: AtomicBool::new(false),
            failed: std::sync::Mutex::default(),
        };
        let (mut good, mut bad) = (Chunk::default(), Chunk::default());
        let kept = good.append(&spill, 0, &[7, 8, 9]);
        good.flush(&spill);
        let at = bad.append(&spill, 1, &[1, 2]);
        assert_ne!(at, Offset::NONE);
        bad.flush(&spill);
        assert!(spill.is_full());
        // The executable's bytes are there, but they are not the run; the other lane's run,
        // at the same place of its own file, still reads.
        assert!(spill.read_set(at, 2).is_err());
        assert_eq!(kept.at(), at.at());
        assert_eq!(spill.read_set(kept, 3).unwrap(), vec![7, 8, 9]);
        assert_eq!(bad.append(&spill, 1, &[3]), Offset::NONE);
        assert_eq!(good.append(&spill, 0, &[3]), Offset::NONE);
        // No such lane.
        assert_eq!(good.append(&spill, 2, &[3]), Offset::NONE);
    }
}
