//! # neardupe
//!
//! Finds near-duplicate documents in a corpus, including the case plain MinHash tools miss: an
//! article saved alone and inside its full page (headline, navigation, reader comments), where
//! Jaccard similarity is low but the article is contained whole in the page. For every pair it
//! reports exact figures and shows where the two texts differ.
//!
//! ## Pipeline
//!
//! One module per stage, each a plain function over plain data:
//!
//! 1. [`input`]: folders and files → [`Document`]s (id + text), in batches when streaming
//!    ([`Scanner`]: each batch is sketched and its texts dropped, and only the documents of
//!    candidate pairs are read again).
//! 2. [`normalize`]: Unicode-aware lowercase, NFKC, punctuation and whitespace folding, with a
//!    map back to the original bytes.
//! 3. [`shingle`]: word `k`-shingles hashed with xxh3.
//! 4. [`minhash`]: per document, a one-permutation MinHash signature and a FracMinHash
//!    containment sample, in parallel (rayon).
//! 5. [`lsh`]: candidate pairs by MinHash banding (Jaccard) and by shared sample hashes
//!    (containment).
//! 6. [`verify`]: Jaccard and containment on the whole shingle sets (as 32-bit fingerprints,
//!    spilled to a temporary file while sketching when texts are dropped).
//! 7. [`cluster`]: union–find over the reported pairs.
//! 8. [`spans`]: for each reported pair, the shared and differing byte ranges.
//! 9. [`report`] and [`output`]: the serialisable result and its renderings.
//!
//! ## Example
//!
//! ```
//! use neardupe::{Config, Document, find_duplicates};
//!
//! let article = "The council approved the new budget on Tuesday after a long debate about \
//!     school funding, road repairs and the cost of the new library, which opens next year \
//!     if the builders keep to their schedule and the weather holds through the winter months \
//!     that are usually wet in this part of the country, as everyone who lives here knows.";
//! let page = format!("Council passes budget\n\n{article}\n\nComments (2)\nGreat news for the \
//!     library, which my children have been waiting for since the old one closed its doors.\n\
//!     What about the potholes on Main Street that nobody has fixed in years? My car has lost \
//!     two tyres there since the spring, and the council never answers my letters about it.");
//! let docs = vec![
//!     Document::new("article.txt", article),
//!     Document::new("page.txt", page),
//! ];
//! let config = Config::builder().threads(Some(1)).build()?;
//! let report = find_duplicates(docs, &config);
//! assert_eq!(report.pairs().len(), 1);
//! let pair = &report.pairs()[0];
//! assert_eq!(pair.relation, neardupe::Relation::AInB);
//! assert_eq!(pair.similarity.containment_a_in_b, 1.0);
//! assert!(pair.similarity.jaccard < 0.8);
//! // The page's extra text: the headline and the comment section.
//! assert_eq!(pair.spans.as_ref().unwrap().b_only.len(), 2);
//! assert_eq!(report.clusters()[0].keep, "page.txt");
//! # Ok::<(), neardupe::Error>(())
//! ```
//!
//! ## Parameters and what they trade
//!
//! - `shingle_size` (5): longer shingles make unrelated texts share fewer shingles, and make
//!   every edit cost more shared shingles (one changed word breaks `k` of them).
//! - `jaccard_threshold` (0.8) and `containment_threshold` (0.9): what is reported. On real
//!   scraped pages an article's containment in its own page is 0.92-1.0, while unrelated pages
//!   of one site reach 0.83 through shared chrome alone.
//! - `num_hashes` (128), `bands` × `rows` (automatic): with `b` bands of `r` rows, a pair of
//!   Jaccard `s` is a candidate with probability `1 - (1 - s^r)^b`, and the threshold sits near
//!   `(1/b)^(1/r)`. More hashes cost time in signing and memory; they buy a steeper curve.
//! - `sketch_scale` (8): the containment sample keeps one shingle in `scale`. Smaller is more
//!   accurate for short documents and costs more memory and candidate work.
//! - `min_contained_shingles` (50): the smallest document that can be "inside" another.
//! - `max_postings` (1000): sample hashes shared by more documents are boilerplate for
//!   candidate generation.
//!
//! Every candidate is verified exactly, so parameters trade recall for speed, never precision.
//!
//! ## Determinism
//!
//! Documents are put in id order first and every hash is seeded from the [`Config`], so the
//! same documents give the same [`Report`] whatever their order and the thread count.

#![deny(missing_docs)]

pub mod atomic;
pub mod boilerplate;
pub mod cluster;
pub mod config;
pub mod document;
pub mod error;
pub mod generate;
pub mod index;
pub mod input;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod output;
pub mod progress;
pub mod report;
pub mod shingle;
pub mod spans;
mod spill;
pub mod verify;

use rayon::prelude::*;

use crate::minhash::Sketches as _;
use serde::Serialize;

pub use crate::config::{Config, ConfigBuilder, ConfigError, KeepPolicy};
pub use crate::document::{DocId, Document, Source};
pub use crate::error::{Error, Result};
pub use crate::index::{Index, IndexError};
pub use crate::progress::{Progress, Stage};
pub use crate::report::{Cluster, Pair, Report, Stats, Timings};
pub use crate::spans::{SharedSpan, Spans};
pub use crate::verify::{Relation, Similarity};

// The README's Rust examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// Finds the near-duplicate pairs and clusters among `docs`.
///
/// Documents are sorted by id (then text) first, so the report does not depend on their
/// order. Ids should be unique; documents with equal ids are both kept and reported apart.
/// All texts stay in memory; [`Scanner`] streams documents and keeps a few hundred bytes each.
pub fn find_duplicates<I>(docs: I, config: &Config) -> Report
where
    I: IntoIterator<Item = Document>,
{
    let docs: Vec<Document> = docs.into_iter().collect();
    let bytes = docs.iter().map(|d| d.text.len() as u64).sum();
    let mut scanner = Scanner::new(config, bytes);
    scanner.add(docs);
    scanner.finish().report
}

/// A streaming scan: documents come in batches ([`Scanner::add`]), each batch is sketched in
/// parallel and its texts dropped, and [`Scanner::finish`] runs the later stages, reading
/// again only the documents of candidate pairs. Memory holds a sketch of each document (a few
/// hundred bytes: LSH band keys and the containment sample), its id and source, and the
/// document-frequency sketch (a third of a byte per shingle of the corpus), not the corpus.
///
/// Texts are dropped only with [`Scanner::rereading`], and only for documents that can be
/// read again at their [`Source`] (a text or HTML file, a line of a plain JSON Lines file);
/// the others (memory, standard input, compressed files) are kept. A document read again must
/// be byte for byte what was read first (length and xxh3 checksum); otherwise its pairs are
/// dropped and [`Scan::errors`] says so.
///
/// ```
/// use neardupe::{Config, Document, Scanner};
///
/// let text = "one two three four five six seven eight nine ten eleven twelve";
/// let mut scanner = Scanner::new(&Config::default(), 0);
/// scanner.add(vec![Document::new("a", text)]);
/// scanner.add(vec![Document::new("b", text)]);
/// let scan = scanner.finish();
/// assert_eq!(scan.report.pairs().len(), 1);
/// ```
pub struct Scanner {
    config: Config,
    hasher: minhash::MinHasher,
    reread: Option<input::ReadOptions>,
    pool: Option<rayon::ThreadPool>,
    df: Option<boilerplate::DocFrequency>,
    docs: Vec<Held>,
    files: Files,
    sketches: minhash::SketchStore,
    sketch_seconds: f64,
    /// The part of `sketch_seconds` spent counting document frequencies.
    count_seconds: f64,
    /// Each worker thread's buffers, kept from batch to batch.
    workers: Vec<Worker>,
    /// Where the fingerprints of documents whose texts are dropped go, for verification
    /// (made at the first batch, if rereading).
    spill: Option<spill::Spill>,
    /// The most bytes the spill file takes (0: no spill).
    spill_limit: u64,
}

/// What a worker thread of [`Scanner::add`] reuses from document to document and from batch
/// to batch: sketching buffers, the distinct shingles of its current document, and the
/// document-frequency increments it has not applied yet.
#[derive(Debug, Default)]
struct Worker {
    scratch: minhash::Scratch,
    /// The document's distinct fingerprints.
    set: Vec<u32>,
    pending: boilerplate::Pending,
    /// Its stretch of the spill file, with the fingerprints waiting to be written there.
    chunk: spill::Chunk,
}

/// What a scan keeps of a document besides its sketch (about 100 bytes).
#[derive(Debug)]
struct Held {
    id: Box<str>,
    place: Place,
    encoding: &'static str,
    len: usize,
    checksum: u64,
    /// The text, unless it can be read again from its place.
    text: Option<Box<str>>,
    /// Where its shingles' fingerprints were spilled, if they were.
    spilled: spill::Offset,
}

impl Held {
    /// The text: held, or read again from its place with `reread` and checked against the
    /// length and checksum it had when first read. `Err` says why it cannot be had as it was.
    fn text<'a>(
        &'a self,
        files: &Files,
        reread: Option<&input::ReadOptions>,
    ) -> std::result::Result<std::borrow::Cow<'a, str>, String> {
        if let Some(text) = &self.text {
            return Ok(std::borrow::Cow::Borrowed(text));
        }
        let Some(options) = reread else {
            return Err("cannot be read again".to_string());
        };
        match input::walk::reread(&files.source(&self.place), self.len, options)? {
            Some(text)
                if text.len() == self.len
                    && xxhash_rust::xxh3::xxh3_64(text.as_bytes()) == self.checksum =>
            {
                Ok(std::borrow::Cow::Owned(text))
            }
            Some(_) => Err("changed since it was read".to_string()),
            None => Err("cannot be read again".to_string()),
        }
    }
}

/// A document's [`Source`], with its file as an index into the scan's file list.
#[derive(Debug)]
enum Place {
    File(u32),
    Line {
        file: u32,
        line: u64,
        offset: Option<u64>,
    },
    Other(Box<Source>),
}

/// The files documents came from, each once.
#[derive(Debug, Default)]
struct Files {
    paths: Vec<std::path::PathBuf>,
    index: std::collections::HashMap<std::path::PathBuf, u32>,
}

impl Files {
    fn place(&mut self, source: Source) -> Place {
        let mut file = |p: std::path::PathBuf| -> u32 {
            // Documents mostly come from the file of the one before.
            if self.paths.last() == Some(&p) {
                return self.paths.len() as u32 - 1;
            }
            if let Some(&i) = self.index.get(&p) {
                return i;
            }
            let i = self.paths.len() as u32;
            self.paths.push(p.clone());
            self.index.insert(p, i);
            i
        };
        match source {
            Source::File(p) => Place::File(file(p)),
            Source::Line { path, line, offset } => Place::Line {
                file: file(path),
                line,
                offset,
            },
            other => Place::Other(Box::new(other)),
        }
    }

    fn source(&self, place: &Place) -> Source {
        match place {
            Place::File(f) => Source::File(self.paths[*f as usize].clone()),
            Place::Line { file, line, offset } => Source::Line {
                path: self.paths[*file as usize].clone(),
                line: *line,
                offset: *offset,
            },
            Place::Other(s) => (**s).clone(),
        }
    }
}

impl Scanner {
    /// A scan with `config`'s parameters, its document-frequency sketch sized for about
    /// `expected_bytes` of text (a low guess costs accuracy of the boilerplate weights, not
    /// correctness; see [`boilerplate`]). It keeps every text.
    pub fn new(config: &Config, expected_bytes: u64) -> Scanner {
        let pool = config
            .threads()
            .and_then(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build().ok());
        Scanner {
            config: config.clone(),
            hasher: minhash::MinHasher::from_config(config),
            reread: None,
            pool,
            df: config.boilerplate_df().map(|_| {
                let bytes = usize::try_from(expected_bytes).unwrap_or(usize::MAX);
                boilerplate::DocFrequency::for_corpus(bytes)
            }),
            docs: Vec::new(),
            files: Files::default(),
            sketches: {
                // Documents of about 4 KB, to reserve room without knowing their number.
                let bytes = usize::try_from(expected_bytes).unwrap_or(usize::MAX);
                minhash::SketchStore::for_corpus(
                    bytes,
                    bytes / 4096,
                    config.bands(),
                    config.sketch_scale(),
                )
            },
            sketch_seconds: 0.0,
            count_seconds: 0.0,
            workers: Vec::new(),
            spill: None,
            spill_limit: Scanner::DEFAULT_SPILL_LIMIT,
        }
    }

    /// Drops the text of every document that can be read again from its file with `options`
    /// (see the type's docs).
    ///
    /// The shingle fingerprints of those documents go to a temporary file (about 0.8 bytes
    /// per byte of text, in the system's temporary folder, up to [`Scanner::spill_limit`]),
    /// so that verification reads them back instead of reading and shingling the texts again.
    pub fn rereading(mut self, options: input::ReadOptions) -> Scanner {
        self.reread = Some(options);
        self
    }

    /// The default of [`Scanner::spill_limit`]: 1 GiB, about 1.3 GB of text.
    pub const DEFAULT_SPILL_LIMIT: u64 = 1 << 30;

    /// Caps the temporary file of fingerprints a rereading scan writes (0: none). Documents
    /// past the cap are verified from their texts, read again; results are the same. The cap
    /// keeps the file in the page cache: written past the kernel's dirty-page limits (a few
    /// GiB), it would make sketching wait for the disk.
    pub fn spill_limit(mut self, bytes: u64) -> Scanner {
        self.spill_limit = bytes;
        self
    }

    /// Sketches a batch of documents (in parallel) and counts their shingles.
    pub fn add(&mut self, mut docs: Vec<Document>) {
        let clock = std::time::Instant::now();
        let hasher = &self.hasher;
        let progress = self.config.progress();
        let counter = self.df.as_mut().map(boilerplate::DocFrequency::counter);
        let reread = self.reread.is_some();
        // Whether a document's text is dropped once sketched (read again when needed).
        let rereadable = |d: &Document| {
            reread
                && matches!(
                    d.source,
                    Source::File(_)
                        | Source::Line {
                            offset: Some(_),
                            ..
                        }
                )
        };
        let threads = self.pool.as_ref().map_or_else(
            rayon::current_num_threads,
            rayon::ThreadPool::current_num_threads,
        );
        // One set of buffers per worker thread, kept from batch to batch: sketching buffers
        // (they grow to the largest document) and the increments it owes the counters.
        // Workers take documents one at a time, so a batch's last documents spread over the
        // threads (runs of documents handed out in halves left one thread idle at the end of
        // every batch).
        self.workers.resize_with(threads.max(1), Worker::default);
        let workers: Vec<std::sync::Mutex<Worker>> = std::mem::take(&mut self.workers)
            .into_iter()
            .map(std::sync::Mutex::new)
            .collect();
        if self.reread.is_some() && self.spill.is_none() && self.docs.is_empty() {
            self.spill = spill::Spill::new(self.spill_limit, workers.len());
        }
        let spill = self.spill.as_ref();
        // Per document: its sketch, checksum and length, and where its fingerprints were
        // spilled.
        type Sketched = (minhash::Sketch, u64, usize, spill::Offset);
        let mut sketched: Vec<Sketched> = Vec::new();
        let mut run = || {
            sketched.par_extend(docs.par_iter_mut().with_max_len(1).map(|d| {
                // The pool's own thread index: each worker's buffers are used by one thread
                // at a time (a thread outside the pool, if any, shares the first).
                let t = rayon::current_thread_index().unwrap_or(0) % workers.len();
                let mut guard = workers[t].lock().unwrap_or_else(|e| e.into_inner());
                let Worker {
                    scratch,
                    set,
                    pending,
                    chunk,
                } = &mut *guard;
                set.clear();
                let sketch = hasher.sketch_text(&d.text, scratch, set);
                let checksum = xxhash_rust::xxh3::xxh3_64(d.text.as_bytes());
                if let Some(counter) = &counter {
                    counter.add(pending, set);
                }
                let len = d.text.len();
                let mut spilled_at = spill::Offset::NONE;
                if rereadable(d) {
                    // A set's size is the sketch's count of shingles, which says how many
                    // fingerprints to read back (a set too large to count is not spilled).
                    if let Some(spill) = spill
                        && u32::try_from(set.len()).is_ok_and(|n| n < u32::MAX)
                    {
                        spilled_at = chunk.append(spill, t, set);
                    }
                    drop(std::mem::take(&mut d.text));
                }
                drop(guard);
                progress.advance(1);
                (sketch, checksum, len, spilled_at)
            }));
        };
        match &self.pool {
            Some(pool) => pool.install(&mut run),
            None => run(),
        }
        if let Some(counter) = counter {
            // Thread time, spread over the threads that counted alongside sketching.
            self.count_seconds += counter.seconds() / threads.max(1) as f64;
        }
        let workers: Vec<Worker> = workers
            .into_iter()
            .map(|w| w.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect();
        // Keeping the batch: sketches into the store, documents into their records.
        let Scanner {
            sketches,
            docs: held,
            files,
            ..
        } = self;
        for ((s, checksum, len, spilled), d) in sketched.into_iter().zip(docs) {
            sketches.push(&s);
            held.push(Held {
                checksum,
                len,
                spilled,
                text: (!rereadable(&d)).then(|| d.text.into_boxed_str()),
                id: d.id.into_boxed_str(),
                place: files.place(d.source),
                encoding: d.encoding,
            });
        }
        self.workers = workers;
        self.sketch_seconds += clock.elapsed().as_secs_f64();
    }

    /// Documents added so far.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether no document was added.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Seconds spent sketching so far.
    pub fn sketch_seconds(&self) -> f64 {
        self.sketch_seconds
    }

    /// Candidates, verification, clusters and spans over every document added.
    pub fn finish(self) -> Scan {
        let Scanner {
            config,
            reread,
            pool,
            df,
            docs,
            files,
            sketches,
            mut sketch_seconds,
            mut count_seconds,
            mut workers,
            spill,
            ..
        } = self;
        // The fingerprints the workers have not written yet.
        if let Some(spill) = &spill {
            let clock = std::time::Instant::now();
            workers.iter_mut().for_each(|w| w.chunk.flush(spill));
            sketch_seconds += clock.elapsed().as_secs_f64();
        }
        // What the workers still owe the counters; then their buffers' memory is not needed.
        let mut df = df;
        if let Some(df) = &mut df {
            let counting = std::time::Instant::now();
            let mut pendings: Vec<boilerplate::Pending> =
                workers.into_iter().map(|w| w.pending).collect();
            let counter = df.counter();
            match &pool {
                Some(pool) => pool.install(|| counter.flush_all(&mut pendings)),
                None => counter.flush_all(&mut pendings),
            }
            count_seconds += counting.elapsed().as_secs_f64();
            sketch_seconds += counting.elapsed().as_secs_f64();
        } else {
            drop(workers);
        }
        // From here on the counts only give weights: the counters that weigh under 1, in a
        // fifth of the memory, and small enough to stay in the processor's cache.
        let heavy = df.zip(config.boilerplate_df()).map(|(df, t)| {
            let cutoff = t.floor().clamp(0.0, 255.0) as u8;
            match &pool {
                Some(pool) => pool.install(|| boilerplate::Heavy::new(&df, cutoff)),
                None => boilerplate::Heavy::new(&df, cutoff),
            }
        });
        // Id order (then text, then the order given), whatever order the batches came in.
        // Documents stay where they are; `order` maps positions in id order to them.
        let mut order: Vec<usize> = (0..docs.len()).collect();
        // A total order (positions break ties), so sorting in parallel gives the one result.
        let by_id = |&x: &usize, &y: &usize| {
            let (a, b) = (&docs[x], &docs[y]);
            a.id.cmp(&b.id)
                .then_with(|| match (&a.text, &b.text) {
                    (Some(s), Some(t)) => s.cmp(t),
                    _ => std::cmp::Ordering::Equal,
                })
                .then(x.cmp(&y))
        };
        match &pool {
            Some(pool) => pool.install(|| order.par_sort_unstable_by(by_id)),
            None => order.par_sort_unstable_by(by_id),
        }
        let sketches = minhash::Permuted {
            inner: &sketches,
            order: &order,
        };
        let failed: std::sync::Mutex<std::collections::BTreeMap<usize, Error>> =
            std::sync::Mutex::default();
        let text_of = |i: usize| -> Option<std::borrow::Cow<'_, str>> {
            let held = &docs[order[i]];
            held.text(&files, reread.as_ref())
                .map_err(|problem| {
                    let source = files.source(&held.place);
                    failed
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .entry(i)
                        .or_insert_with(|| Error::Changed {
                            source_name: source.to_string(),
                            reason: problem,
                            path: match &source {
                                Source::File(p) | Source::Line { path: p, .. } => p.clone(),
                                _ => std::path::PathBuf::new(),
                            },
                        });
                })
                .ok()
        };
        // Spilled fingerprints when there are, else the text shingled again.
        let set_of = |i: usize| -> Option<Vec<u32>> {
            let count = sketches.shingles(i) as usize;
            let spilled = spill
                .as_ref()
                .map(|s| s.read_set(docs[order[i]].spilled, count));
            if let Some(Ok(set)) = spilled {
                return Some(set);
            }
            let (k, seed) = (config.shingle_size(), config.seed());
            Some(shingle::fingerprint_set(&text_of(i)?, k, seed))
        };
        let too_short = (0..sketches.len())
            .filter(|&i| sketches.shingles(i) == 0)
            .count();
        let run = || {
            finish(
                &Sketched {
                    ids: order.iter().map(|&i| &*docs[i].id).collect(),
                    lengths: order.iter().map(|&i| docs[i].len).collect(),
                    given: &order,
                    sketches: &sketches,
                    df: heavy.as_ref(),
                },
                text_of,
                set_of,
                |_| true,
                &config,
            )
        };
        let mut report = match &pool {
            Some(pool) => pool.install(run),
            None => run(),
        };
        report.timings.sketch = sketch_seconds;
        report.timings.counting = count_seconds;
        report.stats.too_short = too_short;
        let errors = failed
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_values()
            .collect();
        Scan {
            report,
            errors,
            documents: docs,
            order,
            files,
            reread,
        }
    }
}

/// What a [`Scanner`] found.
pub struct Scan {
    /// Pairs, clusters and figures.
    pub report: Report,
    /// Documents that could not be read again as they were first read (their pairs are not
    /// in the report).
    pub errors: Vec<Error>,
    documents: Vec<Held>,
    order: Vec<usize>,
    files: Files,
    reread: Option<input::ReadOptions>,
}

impl Scan {
    /// Every document scanned, in id order: id, source, bytes of text, and encoding.
    pub fn documents(&self) -> impl Iterator<Item = (&str, Source, usize, &'static str)> {
        self.order.iter().map(|&i| {
            let d = &self.documents[i];
            (&*d.id, self.files.source(&d.place), d.len, d.encoding)
        })
    }

    /// The text of the document `id`, read again from its file when it was dropped (`None`
    /// when there is no such document, or it cannot be read again as it was).
    pub fn text(&self, id: &str) -> Option<std::borrow::Cow<'_, str>> {
        let k = self
            .order
            .binary_search_by(|&i| (*self.documents[i].id).cmp(id))
            .ok()?;
        self.documents[self.order[k]]
            .text(&self.files, self.reread.as_ref())
            .ok()
    }
}

/// What the stages after sketching need to know of the documents, in id order.
pub(crate) struct Sketched<'a, K: ?Sized, F: ?Sized = boilerplate::DocFrequency> {
    /// Ids.
    pub ids: Vec<&'a str>,
    /// Text lengths in bytes.
    pub lengths: Vec<usize>,
    /// Positions in the order the documents were given.
    pub given: &'a [usize],
    /// Sketches.
    pub sketches: &'a K,
    /// Document frequencies of shingles, for the content figures.
    pub df: Option<&'a F>,
}

/// Candidates, verification, clusters and spans: everything after sketching. `text_of(i)` is
/// document `i`'s text and `set_of(i)` its sorted, distinct shingle fingerprints (as
/// [`shingle::fingerprint_set`] makes them; `None` when they cannot be had: its pairs are
/// dropped); only candidates for which `wanted` holds are verified.
pub(crate) fn finish<'t, K: minhash::Sketches + ?Sized, F: boilerplate::Frequencies + ?Sized>(
    docs: &Sketched<'_, K, F>,
    text_of: impl Fn(usize) -> Option<std::borrow::Cow<'t, str>> + Sync,
    set_of: impl Fn(usize) -> Option<Vec<u32>> + Sync,
    wanted: impl Fn(lsh::CandidatePair) -> bool,
    config: &Config,
) -> Report {
    let progress = config.progress();
    let mut timings = report::Timings::default();
    let mut clock = std::time::Instant::now();
    let mut lap = |slot: &mut f64| {
        *slot = clock.elapsed().as_secs_f64();
        clock = std::time::Instant::now();
    };
    let lsh::Candidates {
        pairs: mut candidates,
        max_per_document,
        capped,
        pruned,
    } = lsh::candidates_with(
        docs.sketches,
        &lsh::CandidateParams::from_config(config),
        docs.df,
    );
    candidates.retain(|&c| wanted(c));
    lap(&mut timings.candidates);
    progress.start(progress::Stage::Verify, candidates.len());
    let n = docs.ids.len();
    let verified = verify::verify_sets_with(&docs.lengths, set_of, &candidates, config, docs.df);
    progress.finish();
    lap(&mut timings.verify);

    let clusters = cluster::cluster(
        &docs.lengths,
        docs.given,
        config.keep(),
        verified.iter().map(|v| (v.pair.a, v.pair.b)),
    );
    if config.spans() {
        progress.start(progress::Stage::Spans, verified.len());
    }
    let pairs: Vec<Pair> = verified
        .par_iter()
        .filter_map(|v| {
            let (a, b) = (v.pair.a.index(), v.pair.b.index());
            let spans = if config.spans() {
                let s = spans::diff_spans(
                    &text_of(a)?,
                    &text_of(b)?,
                    config.shingle_size(),
                    config.seed(),
                );
                progress.advance(1);
                Some(s)
            } else {
                None
            };
            Some(Pair {
                a: docs.ids[a].to_string(),
                b: docs.ids[b].to_string(),
                similarity: v.similarity,
                relation: v.relation,
                spans,
            })
        })
        .collect();
    if config.spans() {
        progress.finish();
    }
    let id = |d: DocId| docs.ids[d.index()].to_string();
    lap(&mut timings.report);
    Report {
        pairs,
        clusters: clusters
            .into_iter()
            .map(|c| report::Cluster {
                members: c.members.iter().map(|&d| id(d)).collect(),
                keep: id(c.keep),
            })
            .collect(),
        stats: Stats {
            documents: n,
            too_short: 0,
            candidates: candidates.len(),
            max_candidates_per_document: max_per_document,
            candidates_capped: capped,
            candidates_pruned: pruned,
        },
        timings,
    }
}

/// The figures and spans of two documents, reported or not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The first document's id.
    pub a: String,
    /// The second document's id.
    pub b: String,
    /// Exact figures.
    #[serde(flatten)]
    pub similarity: Similarity,
    /// The relation under which `find_duplicates` would report the pair, if it would.
    pub relation: Option<Relation>,
    /// Where the two differ.
    pub spans: Spans,
}

/// Compares two documents directly, with no candidate generation: exact figures, the
/// relation they would be reported under (if any), and the span report.
pub fn compare(a: &Document, b: &Document, config: &Config) -> Comparison {
    in_pool(config.threads(), || {
        let (k, seed) = (config.shingle_size(), config.seed());
        let (sa, sb) = rayon::join(
            || shingle::fingerprint_set(&a.text, k, seed),
            || shingle::fingerprint_set(&b.text, k, seed),
        );
        let similarity = verify::similarity(&sa, &sb);
        Comparison {
            a: a.id.clone(),
            b: b.id.clone(),
            similarity,
            relation: verify::relation(&similarity, config),
            spans: spans::diff_spans(&a.text, &b.text, k, seed),
        }
    })
}

/// Runs `f` in a pool of `threads` workers, or in the caller's pool for `None` (or when a
/// pool cannot be built, which only changes speed, never results).
pub(crate) fn in_pool<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> T {
    match threads.map(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build()) {
        Some(Ok(pool)) => pool.install(f),
        _ => f(),
    }
}
