//! An index that lives between runs: build it from a corpus once, save it, and check each new
//! batch of documents against it without rescanning the corpus.
//!
//! # What it holds
//!
//! Every indexed document's id, source, encoding, sketch (LSH band keys and containment
//! sample) and text, plus the corpus's shingle document frequencies (the count–min sketch of
//! [`crate::boilerplate`]). Texts are kept so that exact verification and span reports never
//! depend on the original files still being where they were: the cost is the text itself,
//! compressed with the rest of the file by zstd. Sketches are kept so that opening an index
//! never re-reads or re-hashes the corpus.
//!
//! # Queries
//!
//! [`Index::query`] checks a batch of new documents: it merges their sketches with the index's
//! in id order, counts their shingles into a copy of the document frequencies, and runs the same
//! candidate, verification and span stages as [`crate::find_duplicates`], keeping the pairs
//! that involve a new document (new against indexed, and new against new). So a query gives
//! exactly the pairs a full scan of corpus + batch reports between them, as long as the
//! document-frequency sketch has the same width (it is sized when the index is built; an index
//! grown far past its first size can differ in rare borderline pairs; rebuild it then). A query
//! costs one pass over the index's sketches in memory (sorting band keys and sample postings),
//! not a pass over the corpus's text. Queries take `&self`; an `Index` is `Send + Sync`.
//! [`Index::insert`] adds documents, so query-then-insert is a streaming deduplicator.
//!
//! # File format (version 4)
//!
//! `NEARDUPEIDX` magic (11 bytes), format version (u32, little endian), the length and JSON of
//! every parameter that affects signatures and decisions, the length of the body and the body
//! (zstd: document count, the frequency sketch, then per document its id, source, encoding,
//! sketch and text), and last an xxh3 checksum of everything before it. Opening checks the
//! magic, the version, the checksum, and the parameters against the caller's [`Config`]; each
//! failure is its own [`IndexError`]. Saving writes a temporary file and renames it over the
//! old one ([`crate::atomic`]), so a crash midway leaves the previous index intact.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use crate::boilerplate::DocFrequency;
use crate::config::Config;
use crate::document::Document;
use crate::minhash::{MinHasher, Scratch, Sketch};
use crate::report::Report;

const MAGIC: &[u8; 11] = b"NEARDUPEIDX";
/// The file format version this build reads and writes (4: the sample chosen by fingerprint,
/// shingle counts of distinct fingerprints, and words and shingles hashed with fewer
/// multiplications, so every sketch changed; 3: words hashed as two masked halves, so every
/// sketch changed; 2: 32-bit band keys and sample fingerprints).
pub const FORMAT_VERSION: u32 = 4;

/// Why an index file could not be opened or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// Reading or writing the file failed.
    #[error("index {}: {source}", path.display())]
    Io {
        /// The index file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The file does not start with the index magic bytes.
    #[error("index {}: not a neardupe index", path.display())]
    NotAnIndex {
        /// The file.
        path: PathBuf,
    },
    /// The file was written by another format version.
    #[error("index {}: format version {found}, this neardupe reads version {expected} (rebuild it with `neardupe index build`)", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// The file ends early.
    #[error("index {}: truncated (the file ends before its checksum)", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
    },
    /// The checksum does not match: the file was damaged.
    #[error("index {}: checksum mismatch, the file is damaged", path.display())]
    Checksum {
        /// The file.
        path: PathBuf,
    },
    /// The file's content does not parse although its checksum matches.
    #[error("index {}: malformed ({what})", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        what: &'static str,
    },
    /// The index was built with parameters other than the configuration's.
    #[error("index {}: built with {name} = {in_index}, but the configuration has {in_config}", path.display())]
    Parameters {
        /// The file.
        path: PathBuf,
        /// The first parameter that differs.
        name: &'static str,
        /// Its value in the index.
        in_index: String,
        /// Its value in the configuration.
        in_config: String,
    },
}

/// The parameters recorded in an index file: everything that changes signatures or decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Params {
    normalization: String,
    shingle_size: usize,
    num_hashes: usize,
    seed: u64,
    sketch_scale: u64,
    bands: usize,
    rows: usize,
    jaccard_threshold: f64,
    containment_threshold: Option<f64>,
    min_contained_shingles: usize,
    boilerplate_df: Option<f64>,
    max_postings: usize,
    max_candidates_per_document: usize,
}

/// Names the normalisation and segmentation rules, so an index built by a build that
/// normalises differently is refused.
const NORMALIZATION: &str = "nfkc-lower-words/segments-v1/wy16-words/poly-shingles";

impl Params {
    fn of(c: &Config) -> Params {
        Params {
            normalization: NORMALIZATION.to_string(),
            shingle_size: c.shingle_size(),
            num_hashes: c.num_hashes(),
            seed: c.seed(),
            sketch_scale: c.sketch_scale(),
            bands: c.bands(),
            rows: c.rows(),
            jaccard_threshold: c.jaccard_threshold(),
            containment_threshold: c.containment_threshold(),
            min_contained_shingles: c.min_contained_shingles(),
            boilerplate_df: c.boilerplate_df(),
            max_postings: c.max_postings(),
            max_candidates_per_document: c.max_candidates_per_document(),
        }
    }

    /// The first field that differs, with both values.
    fn difference(&self, other: &Params) -> Option<(&'static str, String, String)> {
        macro_rules! check {
            ($($f:ident),*) => {$(
                if self.$f != other.$f {
                    return Some((stringify!($f), format!("{:?}", self.$f), format!("{:?}", other.$f)));
                }
            )*};
        }
        check!(
            normalization,
            shingle_size,
            num_hashes,
            seed,
            sketch_scale,
            bands,
            rows,
            jaccard_threshold,
            containment_threshold,
            min_contained_shingles,
            boilerplate_df,
            max_postings,
            max_candidates_per_document
        );
        None
    }
}

/// One indexed document.
#[derive(Debug, Clone)]
struct Entry {
    id: String,
    source: String,
    encoding: String,
    text: String,
    sketch: Sketch,
    /// Position in insertion order, for `KeepPolicy::First`.
    ordinal: u64,
}

impl AsRef<Sketch> for Entry {
    fn as_ref(&self) -> &Sketch {
        &self.sketch
    }
}

/// A saved-and-reopened set of documents to check new documents against.
#[derive(Debug, Clone)]
pub struct Index {
    config: Config,
    /// Sorted by id.
    entries: Vec<Entry>,
    df: DocFrequency,
    next_ordinal: u64,
}

/// A document of a query batch, or an indexed one, in the merged id order.
enum Slot<'a> {
    Indexed(&'a Entry),
    New(&'a Document, &'a Sketch),
}

impl AsRef<Sketch> for Slot<'_> {
    fn as_ref(&self) -> &Sketch {
        match self {
            Slot::Indexed(e) => &e.sketch,
            Slot::New(_, s) => s,
        }
    }
}

impl Index {
    /// An empty index with `config`'s parameters, its frequency sketch sized for a corpus of
    /// about `expected_bytes` of text (size for the corpus the index will grow to: see the
    /// module docs).
    pub fn new(config: &Config, expected_bytes: usize) -> Index {
        Index {
            config: config.clone(),
            entries: Vec::new(),
            df: DocFrequency::for_corpus(expected_bytes),
            next_ordinal: 0,
        }
    }

    /// An index of `docs`, sized for them.
    pub fn build(docs: Vec<Document>, config: &Config) -> Index {
        let bytes = docs.iter().map(|d| d.text.len()).sum();
        let mut index = Index::new(config, bytes);
        index.insert(docs);
        index
    }

    /// Documents indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether a document with this id is indexed.
    pub fn contains(&self, id: &str) -> bool {
        self.entries
            .binary_search_by(|e| e.id.as_str().cmp(id))
            .is_ok()
    }

    /// The configuration the index was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn sketch_all(&self, docs: &[Document]) -> (Vec<Vec<u32>>, Vec<Sketch>) {
        let hasher = MinHasher::from_config(&self.config);
        docs.par_iter()
            .map_init(Scratch::default, |scratch, d| {
                let mut set = Vec::new();
                let sketch = hasher.sketch_text(&d.text, scratch, &mut set);
                (set, sketch)
            })
            .unzip()
    }

    /// Adds documents (ids should be new; a repeated id is kept beside the old one).
    pub fn insert(&mut self, docs: Vec<Document>) {
        let (sets, sketches) = self.sketch_all(&docs);
        self.df.add_documents(&sets);
        for (d, sketch) in docs.into_iter().zip(sketches) {
            self.entries.push(Entry {
                id: d.id,
                source: d.source.to_string(),
                encoding: d.encoding.to_string(),
                text: d.text,
                sketch,
                ordinal: self.next_ordinal,
            });
            self.next_ordinal += 1;
        }
        self.entries
            .sort_by(|x, y| x.id.cmp(&y.id).then_with(|| x.text.cmp(&y.text)));
    }

    /// The near-duplicate pairs that involve the new documents `docs`: each against the
    /// indexed documents and against the others of the batch, with the same figures,
    /// relations, spans and clusters as a full scan would give.
    pub fn query(&self, docs: &[Document]) -> Report {
        let config = &self.config;
        let (sets, sketches) = self.sketch_all(docs);
        let df = config.boilerplate_df().map(|_| {
            let mut df = self.df.clone();
            df.add_documents(&sets);
            df
        });
        // Merge in id order, as find_duplicates sorts its documents.
        let mut new: Vec<usize> = (0..docs.len()).collect();
        new.sort_by(|&x, &y| {
            docs[x]
                .id
                .cmp(&docs[y].id)
                .then_with(|| docs[x].text.cmp(&docs[y].text))
        });
        let mut slots: Vec<Slot<'_>> = Vec::with_capacity(self.entries.len() + docs.len());
        let mut given: Vec<usize> = Vec::with_capacity(slots.capacity());
        let (mut i, mut j) = (0, 0);
        let base = self.next_ordinal as usize;
        while i < self.entries.len() || j < new.len() {
            let take_indexed = match (self.entries.get(i), new.get(j)) {
                (Some(e), Some(&n)) => {
                    (e.id.as_str(), e.text.as_str()) <= (docs[n].id.as_str(), docs[n].text.as_str())
                }
                (Some(_), None) => true,
                _ => false,
            };
            if take_indexed {
                given.push(self.entries[i].ordinal as usize);
                slots.push(Slot::Indexed(&self.entries[i]));
                i += 1;
            } else {
                given.push(base + new[j]);
                slots.push(Slot::New(&docs[new[j]], &sketches[new[j]]));
                j += 1;
            }
        }
        let is_new: Vec<bool> = slots.iter().map(|s| matches!(s, Slot::New(..))).collect();
        let text_of = |k: usize| -> Cow<'_, str> {
            match &slots[k] {
                Slot::Indexed(e) => Cow::Borrowed(e.text.as_str()),
                Slot::New(d, _) => Cow::Borrowed(d.text.as_str()),
            }
        };
        let sketched = crate::Sketched {
            ids: slots
                .iter()
                .map(|s| match s {
                    Slot::Indexed(e) => e.id.as_str(),
                    Slot::New(d, _) => d.id.as_str(),
                })
                .collect(),
            lengths: (0..slots.len()).map(|k| text_of(k).len()).collect(),
            given: &given,
            sketches: &slots[..],
            df: df.as_ref(),
        };
        let mut report = crate::in_pool(config.threads(), || {
            crate::finish(
                &sketched,
                |k| Some(text_of(k)),
                |k| {
                    let (size, seed) = (config.shingle_size(), config.seed());
                    Some(crate::shingle::fingerprint_set(&text_of(k), size, seed))
                },
                |c| is_new[c.a.index()] || is_new[c.b.index()],
                config,
            )
        });
        report.stats.documents = docs.len();
        report.stats.too_short = sketches.iter().filter(|s| s.shingles == 0).count();
        report
    }

    /// Opens an index file, checking it against `config`.
    ///
    /// # Errors
    ///
    /// An [`IndexError`] naming what is wrong: unreadable, not an index, another format
    /// version, truncated, damaged, or built with other parameters.
    pub fn open(path: &Path, config: &Config) -> Result<Index, IndexError> {
        let bytes = std::fs::read(path).map_err(|source| IndexError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let p = || path.to_path_buf();
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(IndexError::NotAnIndex { path: p() });
        }
        let mut r = Reader {
            bytes: &bytes[MAGIC.len()..],
        };
        let version = r.u32().ok_or_else(|| IndexError::Truncated { path: p() })?;
        if version != FORMAT_VERSION {
            return Err(IndexError::Version {
                path: p(),
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        if bytes.len() < MAGIC.len() + 4 + 8 {
            return Err(IndexError::Truncated { path: p() });
        }
        let (content, tail) = bytes.split_at(bytes.len() - 8);
        let stored = u64::from_le_bytes(tail.try_into().expect("eight bytes"));
        // Read the lengths first: a cut file is "truncated", a changed one "damaged".
        let params_len = r.u32().ok_or_else(|| IndexError::Truncated { path: p() })? as usize;
        let needed = MAGIC.len() + 8 + params_len + 8;
        if bytes.len() < needed {
            return Err(IndexError::Truncated { path: p() });
        }
        let body_len =
            u64::from_le_bytes(bytes[needed - 8..needed].try_into().expect("eight bytes")) as usize;
        if bytes.len() < needed.saturating_add(body_len).saturating_add(8) {
            return Err(IndexError::Truncated { path: p() });
        }
        if xxh3_64(content) != stored {
            return Err(IndexError::Checksum { path: p() });
        }
        let malformed = |what| IndexError::Malformed { path: p(), what };
        let params: Params =
            serde_json::from_slice(r.take(params_len).ok_or_else(|| malformed("parameters"))?)
                .map_err(|_| malformed("parameters"))?;
        if let Some((name, in_index, in_config)) = params.difference(&Params::of(config)) {
            return Err(IndexError::Parameters {
                path: p(),
                name,
                in_index,
                in_config,
            });
        }
        r.u64(); // the body length, read above
        let body = zstd::decode_all(r.take(body_len).ok_or_else(|| malformed("body"))?)
            .map_err(|_| malformed("body"))?;
        let mut b = Reader { bytes: &body };
        let count = b.u64().ok_or_else(|| malformed("count"))? as usize;
        let next_ordinal = b.u64().ok_or_else(|| malformed("count"))?;
        let df_len = b.u64().ok_or_else(|| malformed("frequencies"))? as usize;
        let df = DocFrequency::from_bytes(b.take(df_len).ok_or_else(|| malformed("frequencies"))?)
            .ok_or_else(|| malformed("frequencies"))?;
        // The number of band keys a document with shingles has.
        let hasher_bands = MinHasher::from_config(config)
            .band_keys(&vec![0; config.num_hashes()])
            .len();
        let mut entries = Vec::with_capacity(count.min(1 << 24));
        for _ in 0..count {
            let e = (|| {
                let id = b.string()?;
                let source = b.string()?;
                let encoding = b.string()?;
                let text = b.string()?;
                let ordinal = b.u64()?;
                let shingles = b.u32()?;
                let bands = b.u32()? as usize;
                if bands != 0 && bands != hasher_bands {
                    return None;
                }
                let bands: Option<Box<[u32]>> = (0..bands).map(|_| b.u32()).collect();
                let n = b.u64()? as usize;
                let sample: Option<Box<[u32]>> = (0..n).map(|_| b.u32()).collect();
                Some(Entry {
                    id,
                    source,
                    encoding,
                    text,
                    sketch: Sketch {
                        bands: bands?,
                        sample: sample?,
                        shingles,
                    },
                    ordinal,
                })
            })()
            .ok_or_else(|| malformed("document"))?;
            entries.push(e);
        }
        Ok(Index {
            config: config.clone(),
            entries,
            df,
            next_ordinal,
        })
    }

    /// Writes the index in the file format above.
    ///
    /// # Errors
    ///
    /// Whatever the writer returns.
    pub fn write_to(&self, w: &mut impl Write) -> io::Result<()> {
        let params = serde_json::to_vec(&Params::of(&self.config)).map_err(io::Error::other)?;
        let mut body = Vec::new();
        body.extend((self.entries.len() as u64).to_le_bytes());
        body.extend(self.next_ordinal.to_le_bytes());
        let df = self.df.to_bytes();
        body.extend((df.len() as u64).to_le_bytes());
        body.extend(&df);
        for e in &self.entries {
            for s in [&e.id, &e.source, &e.encoding, &e.text] {
                body.extend((s.len() as u64).to_le_bytes());
                body.extend(s.as_bytes());
            }
            body.extend(e.ordinal.to_le_bytes());
            body.extend(e.sketch.shingles.to_le_bytes());
            body.extend((e.sketch.bands.len() as u32).to_le_bytes());
            for v in &e.sketch.bands {
                body.extend(v.to_le_bytes());
            }
            body.extend((e.sketch.sample.len() as u64).to_le_bytes());
            for v in &e.sketch.sample {
                body.extend(v.to_le_bytes());
            }
        }
        let body = zstd::encode_all(&body[..], 3)?;
        let mut out = Vec::with_capacity(body.len() + params.len() + 64);
        out.extend(MAGIC);
        out.extend(FORMAT_VERSION.to_le_bytes());
        out.extend((params.len() as u32).to_le_bytes());
        out.extend(&params);
        out.extend((body.len() as u64).to_le_bytes());
        out.extend(&body);
        let sum = xxh3_64(&out);
        out.extend(sum.to_le_bytes());
        w.write_all(&out)
    }

    /// Saves the index to `path` atomically (replacing an existing file).
    ///
    /// # Errors
    ///
    /// [`IndexError::Io`] when writing fails; the previous file is then untouched.
    pub fn save(&self, path: &Path) -> Result<(), IndexError> {
        let io_err = |source| IndexError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut f = crate::atomic::AtomicFile::create(path, true).map_err(io_err)?;
        self.write_to(&mut f).map_err(io_err)?;
        f.commit().map_err(io_err)
    }
}

/// Reads little-endian values from a byte slice; `None` at the end.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < n {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("four bytes")))
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("eight bytes")))
    }
    fn string(&mut self) -> Option<String> {
        let n = usize::try_from(self.u64()?).ok()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}
