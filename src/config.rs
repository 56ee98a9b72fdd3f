//! Every tunable of the pipeline, validated once.
//!
//! Build a [`Config`] with [`Config::builder`]; [`ConfigBuilder::build`] checks every value and
//! fills in what was left automatic (the LSH bands and rows), so the stages downstream never
//! re-check them. [`Config::default`] is the configuration the CLI uses without flags.
//!
//! # Choosing bands and rows
//!
//! With `b` bands of `r` rows, a pair with Jaccard similarity `s` becomes an LSH candidate with
//! probability `1 - (1 - s^r)^b`; the curve's steepest point sits near `(1/b)^(1/r)`. When bands
//! and rows are not given, [`ConfigBuilder::build`] picks the pair with `b * r <= num_hashes`
//! that minimises the weighted area of false positives (the curve below the Jaccard threshold)
//! plus false negatives (one minus the curve above it), as datasketch does. False negatives are
//! weighted [`FALSE_NEGATIVE_WEIGHT`]: every candidate is verified exactly afterwards, so a
//! false positive costs a little time while a false negative is a lost finding.

use std::fmt;

/// Weight of false negatives when bands and rows are chosen automatically (false positives
/// get one minus this).
pub const FALSE_NEGATIVE_WEIGHT: f64 = 0.75;

/// The default seed of every hash in the pipeline. Changing it changes signatures, never the
/// exact figures of a verified pair.
pub const DEFAULT_SEED: u64 = 0x6e65_6172_6475_7065;

/// Which member of a cluster to keep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeepPolicy {
    /// The longest text in bytes: keeping it never loses text only a container has.
    #[default]
    Longest,
    /// The shortest text.
    Shortest,
    /// The first in the order the documents were given.
    First,
}

/// A validated configuration. Obtain one from [`Config::builder`] or [`Config::default`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Config {
    shingle_size: usize,
    num_hashes: usize,
    bands: usize,
    rows: usize,
    jaccard_threshold: f64,
    containment_threshold: Option<f64>,
    min_contained_shingles: usize,
    sketch_scale: u64,
    max_postings: usize,
    boilerplate_df: Option<f64>,
    max_candidates_per_document: usize,
    seed: u64,
    threads: Option<usize>,
    spans: bool,
    keep: KeepPolicy,
    #[serde(skip)]
    progress: crate::progress::ProgressHandle,
}

impl Default for Config {
    fn default() -> Config {
        Config::builder()
            .build()
            .expect("the default configuration is valid")
    }
}

impl Config {
    /// A builder holding the defaults.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Words per shingle (default 5).
    pub fn shingle_size(&self) -> usize {
        self.shingle_size
    }
    /// Slots in a MinHash signature (default 128).
    pub fn num_hashes(&self) -> usize {
        self.num_hashes
    }
    /// LSH bands.
    pub fn bands(&self) -> usize {
        self.bands
    }
    /// Signature slots per LSH band.
    pub fn rows(&self) -> usize {
        self.rows
    }
    /// Pairs with at least this Jaccard similarity are reported (default 0.8).
    pub fn jaccard_threshold(&self) -> f64 {
        self.jaccard_threshold
    }
    /// Pairs where one document has at least this share of its shingles in the other are
    /// reported (default 0.9); `None` in Jaccard-only mode.
    pub fn containment_threshold(&self) -> Option<f64> {
        self.containment_threshold
    }
    /// A containment finding needs the contained document to have at least this many
    /// distinct shingles (default 50), so a one-line blurb is not "inside" every page.
    pub fn min_contained_shingles(&self) -> usize {
        self.min_contained_shingles
    }
    /// The containment sketch keeps about one shingle in `sketch_scale` (default 8).
    pub fn sketch_scale(&self) -> u64 {
        self.sketch_scale
    }
    /// A sketch hash shared by more documents than this is boilerplate for candidate
    /// generation (default 1000).
    pub fn max_postings(&self) -> usize {
        self.max_postings
    }
    /// Shingles in more documents than this count less (weight `T / df`) in the content
    /// figures; `None` turns boilerplate weighting off (see [`crate::boilerplate`]).
    pub fn boilerplate_df(&self) -> Option<f64> {
        self.boilerplate_df
    }
    /// At most this many candidate pairs are verified per document (the strongest first).
    pub fn max_candidates_per_document(&self) -> usize {
        self.max_candidates_per_document
    }
    /// The seed of every hash.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Worker threads; `None` runs in the caller's rayon pool (by default, one per core).
    pub fn threads(&self) -> Option<usize> {
        self.threads
    }
    /// Whether reported pairs carry a span report.
    pub fn spans(&self) -> bool {
        self.spans
    }
    /// Which member of a cluster to keep (ties go to the first in id order).
    pub fn keep(&self) -> KeepPolicy {
        self.keep
    }
    /// Where progress is reported.
    pub fn progress(&self) -> &crate::progress::ProgressHandle {
        &self.progress
    }
}

/// Builds a [`Config`]; every setter takes the value as is, and [`ConfigBuilder::build`]
/// checks them all at once.
#[derive(Debug, Clone)]
pub struct ConfigBuilder {
    shingle_size: usize,
    num_hashes: usize,
    bands: Option<usize>,
    rows: Option<usize>,
    jaccard_threshold: f64,
    containment_threshold: Option<f64>,
    min_contained_shingles: usize,
    sketch_scale: u64,
    max_postings: usize,
    boilerplate_df: Option<f64>,
    max_candidates_per_document: usize,
    seed: u64,
    threads: Option<usize>,
    spans: bool,
    keep: KeepPolicy,
    progress: crate::progress::ProgressHandle,
}

impl Default for ConfigBuilder {
    fn default() -> ConfigBuilder {
        ConfigBuilder {
            shingle_size: 5,
            num_hashes: 128,
            bands: None,
            rows: None,
            jaccard_threshold: 0.5,
            containment_threshold: Some(0.9),
            min_contained_shingles: 50,
            sketch_scale: 8,
            max_postings: 1000,
            boilerplate_df: Some(10.0),
            max_candidates_per_document: 50,
            seed: DEFAULT_SEED,
            threads: None,
            spans: true,
            keep: KeepPolicy::Longest,
            progress: crate::progress::ProgressHandle::default(),
        }
    }
}

impl ConfigBuilder {
    /// Words per shingle, 1 to [`ConfigBuilder::MAX_SHINGLE_SIZE`].
    pub fn shingle_size(mut self, words: usize) -> Self {
        self.shingle_size = words;
        self
    }
    /// Slots per MinHash signature, 1 to [`ConfigBuilder::MAX_HASHES`].
    pub fn num_hashes(mut self, hashes: usize) -> Self {
        self.num_hashes = hashes;
        self
    }
    /// LSH bands; set together with [`ConfigBuilder::rows`], or leave both automatic.
    pub fn bands(mut self, bands: usize) -> Self {
        self.bands = Some(bands);
        self
    }
    /// Signature slots per band; set together with [`ConfigBuilder::bands`].
    pub fn rows(mut self, rows: usize) -> Self {
        self.rows = Some(rows);
        self
    }
    /// The Jaccard threshold, in (0, 1].
    pub fn jaccard_threshold(mut self, threshold: f64) -> Self {
        self.jaccard_threshold = threshold;
        self
    }
    /// The containment threshold in (0, 1], or `None` for Jaccard-only mode.
    pub fn containment_threshold(mut self, threshold: Option<f64>) -> Self {
        self.containment_threshold = threshold;
        self
    }
    /// Minimum distinct shingles of the contained document in a containment finding (>= 1).
    pub fn min_contained_shingles(mut self, shingles: usize) -> Self {
        self.min_contained_shingles = shingles;
        self
    }
    /// Keep about one shingle in `scale` in the containment sketch (1 keeps all).
    pub fn sketch_scale(mut self, scale: u64) -> Self {
        self.sketch_scale = scale;
        self
    }
    /// Sketch hashes shared by more documents than this are ignored when generating
    /// containment candidates, and band buckets with more members pair each with their first
    /// member only (>= 2). With boilerplate weights, ten times their threshold caps both too.
    pub fn max_postings(mut self, documents: usize) -> Self {
        self.max_postings = documents;
        self
    }
    /// The boilerplate threshold `T` (>= 2), or `None` to weigh every shingle alike.
    pub fn boilerplate_df(mut self, documents: Option<f64>) -> Self {
        self.boilerplate_df = documents;
        self
    }
    /// The per-document cap on verified candidates (>= 1).
    pub fn max_candidates_per_document(mut self, pairs: usize) -> Self {
        self.max_candidates_per_document = pairs;
        self
    }
    /// The seed of every hash.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Worker threads (>= 1), or `None` for the caller's rayon pool.
    pub fn threads(mut self, threads: Option<usize>) -> Self {
        self.threads = threads;
        self
    }
    /// Whether to compute span reports for reported pairs.
    pub fn spans(mut self, spans: bool) -> Self {
        self.spans = spans;
        self
    }

    /// Which member of each cluster to keep.
    pub fn keep(mut self, keep: KeepPolicy) -> Self {
        self.keep = keep;
        self
    }
    /// Where to report progress (nothing by default).
    pub fn progress(mut self, progress: std::sync::Arc<dyn crate::progress::Progress>) -> Self {
        self.progress = crate::progress::ProgressHandle(Some(progress));
        self
    }

    /// Largest accepted shingle size.
    pub const MAX_SHINGLE_SIZE: usize = 32;
    /// Largest accepted signature length.
    pub const MAX_HASHES: usize = 1024;

    /// Checks every value and fills in automatic bands and rows.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the first value out of range.
    pub fn build(self) -> Result<Config, ConfigError> {
        if !(1..=Self::MAX_SHINGLE_SIZE).contains(&self.shingle_size) {
            return Err(ConfigError::ShingleSize(self.shingle_size));
        }
        if !(1..=Self::MAX_HASHES).contains(&self.num_hashes) {
            return Err(ConfigError::NumHashes(self.num_hashes));
        }
        check_threshold("jaccard", self.jaccard_threshold)?;
        if let Some(t) = self.containment_threshold {
            check_threshold("containment", t)?;
        }
        if self.min_contained_shingles == 0 {
            return Err(ConfigError::MinContained);
        }
        if self.sketch_scale == 0 {
            return Err(ConfigError::SketchScale);
        }
        if self.max_postings < 2 {
            return Err(ConfigError::MaxPostings(self.max_postings));
        }
        if let Some(t) = self.boilerplate_df {
            if t.is_nan() || t < 2.0 {
                return Err(ConfigError::BoilerplateDf(t));
            }
        }
        if self.max_candidates_per_document == 0 {
            return Err(ConfigError::MaxCandidates);
        }
        if self.threads == Some(0) {
            return Err(ConfigError::Threads);
        }
        let (bands, rows) = match (self.bands, self.rows) {
            (None, None) => optimal_bands(self.jaccard_threshold, self.num_hashes),
            (Some(b), Some(r)) => {
                if b == 0 || r == 0 || b.saturating_mul(r) > self.num_hashes {
                    return Err(ConfigError::Bands {
                        bands: b,
                        rows: r,
                        num_hashes: self.num_hashes,
                    });
                }
                (b, r)
            }
            _ => return Err(ConfigError::BandsWithoutRows),
        };
        Ok(Config {
            shingle_size: self.shingle_size,
            num_hashes: self.num_hashes,
            bands,
            rows,
            jaccard_threshold: self.jaccard_threshold,
            containment_threshold: self.containment_threshold,
            min_contained_shingles: self.min_contained_shingles,
            sketch_scale: self.sketch_scale,
            max_postings: self.max_postings,
            boilerplate_df: self.boilerplate_df,
            max_candidates_per_document: self.max_candidates_per_document,
            seed: self.seed,
            threads: self.threads,
            spans: self.spans,
            keep: self.keep,
            progress: self.progress,
        })
    }
}

fn check_threshold(name: &'static str, value: f64) -> Result<(), ConfigError> {
    if value > 0.0 && value <= 1.0 {
        Ok(())
    } else {
        Err(ConfigError::Threshold { name, value })
    }
}

/// The probability that a pair of Jaccard similarity `s` shares at least one of `bands` bands
/// of `rows` slots.
pub fn candidate_probability(s: f64, bands: usize, rows: usize) -> f64 {
    1.0 - (1.0 - s.powi(rows as i32)).powi(bands as i32)
}

/// Bands and rows (`bands * rows <= num_hashes`) minimising the weighted false-positive plus
/// false-negative area around `threshold`.
pub fn optimal_bands(threshold: f64, num_hashes: usize) -> (usize, usize) {
    // Midpoint rule; 256 steps puts the integrals well within what separates the choices.
    fn area(lo: f64, hi: f64, f: impl Fn(f64) -> f64) -> f64 {
        const STEPS: usize = 256;
        let width = (hi - lo) / STEPS as f64;
        (0..STEPS)
            .map(|i| f(lo + (i as f64 + 0.5) * width))
            .sum::<f64>()
            * width
    }
    let mut best = (1, 1);
    let mut best_cost = f64::INFINITY;
    for bands in 1..=num_hashes {
        for rows in 1..=num_hashes / bands {
            let fp = area(0.0, threshold, |s| candidate_probability(s, bands, rows));
            let fnr = area(threshold, 1.0, |s| {
                1.0 - candidate_probability(s, bands, rows)
            });
            let cost = (1.0 - FALSE_NEGATIVE_WEIGHT) * fp + FALSE_NEGATIVE_WEIGHT * fnr;
            if cost < best_cost {
                best_cost = cost;
                best = (bands, rows);
            }
        }
    }
    best
}

/// A configuration value out of range.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ConfigError {
    /// Shingle size outside 1..=32.
    ShingleSize(usize),
    /// Signature length outside 1..=1024.
    NumHashes(usize),
    /// A threshold outside (0, 1].
    Threshold {
        /// Which threshold.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// Bands times rows exceeds the signature length, or one of them is zero.
    Bands {
        /// Bands given.
        bands: usize,
        /// Rows given.
        rows: usize,
        /// Signature length.
        num_hashes: usize,
    },
    /// Only one of bands and rows was given.
    BandsWithoutRows,
    /// `min_contained_shingles` was zero.
    MinContained,
    /// `sketch_scale` was zero.
    SketchScale,
    /// `max_postings` below 2.
    MaxPostings(usize),
    /// `boilerplate_df` below 2 (or not a number).
    BoilerplateDf(f64),
    /// `max_candidates_per_document` was zero.
    MaxCandidates,
    /// `threads` was zero.
    Threads,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::ShingleSize(n) => write!(
                f,
                "shingle size {n} is out of range (1 to {})",
                ConfigBuilder::MAX_SHINGLE_SIZE
            ),
            ConfigError::NumHashes(n) => write!(
                f,
                "number of hashes {n} is out of range (1 to {})",
                ConfigBuilder::MAX_HASHES
            ),
            ConfigError::Threshold { name, value } => {
                write!(
                    f,
                    "{name} threshold {value} is out of range (above 0, at most 1)"
                )
            }
            ConfigError::Bands {
                bands,
                rows,
                num_hashes,
            } => write!(
                f,
                "{bands} bands of {rows} rows do not fit in {num_hashes} hashes (need bands * rows <= hashes, both >= 1)"
            ),
            ConfigError::BandsWithoutRows => write!(f, "bands and rows must be given together"),
            ConfigError::MinContained => write!(f, "minimum contained shingles must be at least 1"),
            ConfigError::SketchScale => write!(f, "sketch scale must be at least 1"),
            ConfigError::MaxPostings(n) => write!(f, "max postings {n} must be at least 2"),
            ConfigError::BoilerplateDf(t) => {
                write!(f, "boilerplate document frequency {t} must be at least 2")
            }
            ConfigError::MaxCandidates => {
                write!(f, "max candidates per document must be at least 1")
            }
            ConfigError::Threads => write!(f, "thread count must be at least 1"),
        }
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let c = Config::default();
        assert_eq!(c.shingle_size(), 5);
        assert_eq!(c.num_hashes(), 128);
        assert!(c.bands() * c.rows() <= 128);
        assert_eq!(c.containment_threshold(), Some(0.9));
    }

    #[test]
    fn automatic_bands_favour_recall_at_the_threshold() {
        for t in [0.5, 0.7, 0.8, 0.9] {
            let (b, r) = optimal_bands(t, 128);
            assert!(b * r <= 128);
            // A pair a little above the threshold is a candidate most of the time.
            let p = candidate_probability((t + 0.1_f64).min(1.0), b, r);
            assert!(p > 0.9, "threshold {t}: {b}x{r} gives {p}");
            // A pair far below it rarely is.
            assert!(
                candidate_probability(t / 3.0, b, r) < 0.05,
                "threshold {t}: {b}x{r}"
            );
        }
    }

    #[test]
    fn higher_threshold_means_stricter_bands() {
        let (b1, r1) = optimal_bands(0.5, 128);
        let (b2, r2) = optimal_bands(0.9, 128);
        let knee = |b: usize, r: usize| (1.0 / b as f64).powf(1.0 / r as f64);
        assert!(knee(b1, r1) < knee(b2, r2));
    }

    #[test]
    fn rejects_bad_values() {
        assert_eq!(
            Config::builder().shingle_size(0).build(),
            Err(ConfigError::ShingleSize(0))
        );
        assert!(matches!(
            Config::builder().jaccard_threshold(1.5).build(),
            Err(ConfigError::Threshold {
                name: "jaccard",
                ..
            })
        ));
        assert!(matches!(
            Config::builder().containment_threshold(Some(0.0)).build(),
            Err(ConfigError::Threshold {
                name: "containment",
                ..
            })
        ));
        assert!(matches!(
            Config::builder().jaccard_threshold(f64::NAN).build(),
            Err(ConfigError::Threshold { .. })
        ));
        assert!(matches!(
            Config::builder().bands(20).rows(8).build(),
            Err(ConfigError::Bands { .. })
        ));
        assert_eq!(
            Config::builder().bands(4).build(),
            Err(ConfigError::BandsWithoutRows)
        );
        assert_eq!(
            Config::builder().threads(Some(0)).build(),
            Err(ConfigError::Threads)
        );
        let msg = Config::builder()
            .num_hashes(0)
            .build()
            .unwrap_err()
            .to_string();
        assert_eq!(msg, "number of hashes 0 is out of range (1 to 1024)");
    }

    #[test]
    fn explicit_bands_are_kept() {
        let c = Config::builder().bands(16).rows(8).build().unwrap();
        assert_eq!((c.bands(), c.rows()), (16, 8));
    }
}
