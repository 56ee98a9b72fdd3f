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
//! 1. [`input`]: folders and files → [`Document`]s (id + text).
//! 2. [`normalize`]: Unicode-aware lowercase, NFKC, punctuation and whitespace folding, with a
//!    map back to the original bytes.
//! 3. [`shingle`]: word `k`-shingles hashed with xxh3.
//! 4. [`minhash`]: per document, a one-permutation MinHash signature and a FracMinHash
//!    containment sample, in parallel (rayon).
//! 5. [`lsh`]: candidate pairs by MinHash banding (Jaccard) and by shared sample hashes
//!    (containment).
//! 6. [`verify`]: exact Jaccard and containment on the real shingle sets.
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
pub mod verify;

use rayon::prelude::*;
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
pub fn find_duplicates<I>(docs: I, config: &Config) -> Report
where
    I: IntoIterator<Item = Document>,
{
    // Remember the order given (for `KeepPolicy::First`), then work in id order.
    let mut docs: Vec<(usize, Document)> = docs.into_iter().enumerate().collect();
    docs.sort_unstable_by(|(_, x), (_, y)| x.id.cmp(&y.id).then_with(|| x.text.cmp(&y.text)));
    let (given, docs): (Vec<usize>, Vec<Document>) = docs.into_iter().unzip();
    in_pool(config.threads(), || pipeline(&docs, &given, config))
}

fn pipeline(docs: &[Document], given: &[usize], config: &Config) -> Report {
    let progress = config.progress();
    let clock = std::time::Instant::now();
    let hasher = minhash::MinHasher::from_config(config);
    progress.start(progress::Stage::Sketch, docs.len());
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let df = config
        .boilerplate_df()
        .map(|_| boilerplate::DocFrequency::for_corpus(bytes, docs.len()));
    let sketches: Vec<minhash::Sketch> = docs
        .par_iter()
        .map(|d| {
            let set = shingle::shingle_set(&d.text, config.shingle_size(), config.seed());
            if let Some(df) = &df {
                df.add_document(&set);
            }
            let s = hasher.sketch_set(&set);
            progress.advance(1);
            s
        })
        .collect();
    progress.finish();
    let too_short = sketches.iter().filter(|s| s.shingles == 0).count();
    let sketch_seconds = clock.elapsed().as_secs_f64();
    let mut report = finish(
        &Sketched {
            ids: docs.iter().map(|d| d.id.as_str()).collect(),
            lengths: docs.iter().map(|d| d.text.len()).collect(),
            given,
            sketches: &sketches,
            df: df.as_ref(),
        },
        |i| std::borrow::Cow::Borrowed(docs[i].text.as_str()),
        |_| true,
        config,
    );
    report.timings.sketch = sketch_seconds;
    report.stats.too_short = too_short;
    report
}

/// What the stages after sketching need to know of the documents, in id order.
pub(crate) struct Sketched<'a, S> {
    /// Ids.
    pub ids: Vec<&'a str>,
    /// Text lengths in bytes.
    pub lengths: Vec<usize>,
    /// Positions in the order the documents were given.
    pub given: &'a [usize],
    /// Sketches.
    pub sketches: &'a [S],
    /// Document frequencies of shingles, for the content figures.
    pub df: Option<&'a boilerplate::DocFrequency>,
}

/// Candidates, verification, clusters and spans: everything after sketching. `text_of(i)` is
/// document `i`'s text; only candidates for which `wanted` holds are verified.
pub(crate) fn finish<'t, S: AsRef<minhash::Sketch> + Sync>(
    docs: &Sketched<'_, S>,
    text_of: impl Fn(usize) -> std::borrow::Cow<'t, str> + Sync,
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
    } = lsh::candidates(
        docs.sketches,
        &lsh::CandidateParams::from_config(config),
        docs.df,
    );
    candidates.retain(|&c| wanted(c));
    lap(&mut timings.candidates);
    progress.start(progress::Stage::Verify, candidates.len());
    let n = docs.ids.len();
    let verified = verify::verify(n, &text_of, &candidates, config, docs.df);
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
        .map(|v| {
            let (a, b) = (v.pair.a.index(), v.pair.b.index());
            Pair {
                a: docs.ids[a].to_string(),
                b: docs.ids[b].to_string(),
                similarity: v.similarity,
                relation: v.relation,
                spans: config.spans().then(|| {
                    let s = spans::diff_spans(
                        &text_of(a),
                        &text_of(b),
                        config.shingle_size(),
                        config.seed(),
                    );
                    progress.advance(1);
                    s
                }),
            }
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
            || shingle::shingle_set(&a.text, k, seed),
            || shingle::shingle_set(&b.text, k, seed),
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
