//! Sketches → candidate pairs, by two containment-aware routes.
//!
//! # Route 1: MinHash banding (Jaccard)
//!
//! Each signature is cut into `b` bands of `r` slots; two documents whose slots agree on a whole
//! band become a candidate. A pair with Jaccard `s` is a candidate with probability
//! `1 - (1 - s^r)^b` (see [`crate::config`] for how `b` and `r` are chosen). Band keys are
//! grouped by sorting `(key, document)` pairs, not by a hash map of vectors. A bucket with more
//! than `max_postings` members (hundreds of copies of one text) pairs each member with the
//! bucket's first member only, which keeps the work linear and still puts every copy in one
//! cluster.
//!
//! # Route 2: the containment sample (FracMinHash)
//!
//! Banding alone cannot find an article inside its full page: the seed pair has Jaccard 0.25,
//! a candidate at 32x4 bands with probability ~7%. We considered LSH Ensemble (partition by
//! size, tune bands per partition), but its recall on real page/article pairs is 0.88-0.975 and
//! it needs one index per partition and row count. Instead every document also keeps a
//! FracMinHash sample: each shingle whose hash falls in a fixed `1/scale` of the hash space
//! ([`crate::minhash`]). Because the sampling rule is the same for every document, the sampled
//! shingles of an article are sampled in its page too, whatever the page's size: the share of
//! the smaller sample found in the larger one estimates containment with no size penalty. We
//! invert the samples (sort `(hash, document)`), count the hashes each pair shares, and make a
//! pair a candidate when the shared count reaches half the containment threshold times the
//! smaller sample (or 1): at the default threshold 0.9 and scale 8, an article of 300 shingles
//! fully inside a page has ~37 sampled shingles and needs 17 of them, so a miss needs the
//! estimate to be off by half.
//!
//! Trade-offs: the sample costs ~1/scale of the shingles in memory (8 bytes each), more than a
//! fixed signature for long documents; a document with very few shingles may sample none
//! (probability `(1 - 1/scale)^n`, 0.13% at the default minimum of 50 shingles, which is why
//! route 1 also runs). Hashes shared by more than `max_postings` documents (site chrome, stock
//! blurbs) are ignored here: they say nothing about which pages hold which article, and they
//! would make the work quadratic. Every candidate is verified exactly afterwards
//! ([`crate::verify`]), so this route can only lose pairs, never report false ones.

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::document::DocId;
use crate::minhash::Sketch;

/// Two documents to verify; always `a < b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CandidatePair {
    /// The document first in id order.
    pub a: DocId,
    /// The document second in id order.
    pub b: DocId,
}

impl CandidatePair {
    fn pack(a: u32, b: u32) -> u64 {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        (u64::from(a) << 32) | u64::from(b)
    }

    fn unpack(v: u64) -> CandidatePair {
        CandidatePair {
            a: DocId((v >> 32) as u32),
            b: DocId(v as u32),
        }
    }
}

/// Parameters of candidate generation.
#[derive(Debug, Clone, Copy)]
pub struct CandidateParams {
    /// LSH bands.
    pub bands: usize,
    /// Slots per band.
    pub rows: usize,
    /// Containment threshold, or `None` to skip route 2.
    pub containment_threshold: Option<f64>,
    /// Documents with fewer shingles cannot be the contained side of a finding.
    pub min_contained_shingles: usize,
    /// Bucket and posting-list size past which route 1 pairs with the first member only and
    /// route 2 ignores the hash.
    pub max_postings: usize,
    /// Seed of the band keys.
    pub seed: u64,
}

impl CandidateParams {
    /// The parameters a [`crate::Config`] implies.
    pub fn from_config(config: &crate::Config) -> CandidateParams {
        CandidateParams {
            bands: config.bands(),
            rows: config.rows(),
            containment_threshold: config.containment_threshold(),
            min_contained_shingles: config.min_contained_shingles(),
            max_postings: config.max_postings(),
            seed: config.seed(),
        }
    }
}

/// All candidate pairs of both routes, sorted and distinct.
pub fn candidates(sketches: &[Sketch], params: &CandidateParams) -> Vec<CandidatePair> {
    let mut packed = band_pairs(sketches, params);
    if let Some(t) = params.containment_threshold {
        packed.extend(containment_pairs(sketches, t, params));
    }
    packed.par_sort_unstable();
    packed.dedup();
    packed.into_iter().map(CandidatePair::unpack).collect()
}

/// Route 1: pairs that agree on a whole band. Packed, unsorted, possibly repeated.
fn band_pairs(sketches: &[Sketch], params: &CandidateParams) -> Vec<u64> {
    let rows = params.rows;
    let mut keys: Vec<(u64, u32)> = sketches
        .par_iter()
        .enumerate()
        .flat_map_iter(|(doc, sketch)| {
            let slots = sketch.signature.as_ref().map(|s| s.slots()).unwrap_or(&[]);
            slots
                .chunks_exact(rows)
                .take(params.bands)
                .enumerate()
                .map(move |(band, chunk)| {
                    let mut bytes = Vec::with_capacity(8 * rows);
                    for v in chunk {
                        bytes.extend_from_slice(&v.to_le_bytes());
                    }
                    let key = xxh3_64_with_seed(&bytes, params.seed ^ (band as u64 + 1));
                    (key, doc as u32)
                })
        })
        .collect();
    keys.par_sort_unstable();
    pairs_in_groups(&keys, params.max_postings, true)
}

/// Route 2: pairs sharing enough sampled shingles. Packed and distinct.
fn containment_pairs(sketches: &[Sketch], threshold: f64, params: &CandidateParams) -> Vec<u64> {
    let eligible = |s: &Sketch| s.shingles >= params.min_contained_shingles;
    let mut postings: Vec<(u64, u32)> = sketches
        .par_iter()
        .enumerate()
        .filter(|(_, s)| eligible(s))
        .flat_map_iter(|(doc, s)| s.sample.iter().map(move |&h| (h, doc as u32)))
        .collect();
    postings.par_sort_unstable();
    let mut shared = pairs_in_groups(&postings, params.max_postings, false);
    drop(postings);
    shared.par_sort_unstable();
    let mut out = Vec::new();
    for run in shared.chunk_by(|x, y| x == y) {
        let pair = CandidatePair::unpack(run[0]);
        let smaller = sketches[pair.a.index()]
            .sample
            .len()
            .min(sketches[pair.b.index()].sample.len());
        let needed = ((0.5 * threshold * smaller as f64).ceil() as usize).max(1);
        if run.len() >= needed {
            out.push(run[0]);
        }
    }
    out
}

/// Every pair of documents within each run of equal keys. A run longer than `max` pairs each
/// member with its first member when `star_past_max`, and is skipped otherwise.
fn pairs_in_groups(items: &[(u64, u32)], max: usize, star_past_max: bool) -> Vec<u64> {
    let groups: Vec<&[(u64, u32)]> = items
        .chunk_by(|x, y| x.0 == y.0)
        .filter(|g| g.len() > 1)
        .collect();
    groups
        .par_iter()
        .flat_map_iter(|g| {
            let mut out = Vec::new();
            if g.len() > max {
                if star_past_max {
                    out.extend(g[1..].iter().map(|x| CandidatePair::pack(g[0].1, x.1)));
                }
            } else {
                for (i, x) in g.iter().enumerate() {
                    out.extend(g[i + 1..].iter().map(|y| CandidatePair::pack(x.1, y.1)));
                }
            }
            out.into_iter().filter(|&p| (p >> 32) != (p & 0xffff_ffff))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::MinHasher;

    fn words(range: std::ops::Range<usize>, tag: &str) -> String {
        range.map(|i| format!("{tag}{i} ")).collect()
    }

    fn params(containment: Option<f64>) -> CandidateParams {
        let config = crate::Config::builder()
            .containment_threshold(containment)
            .build()
            .unwrap();
        CandidateParams::from_config(&config)
    }

    fn run(texts: &[String], p: &CandidateParams) -> Vec<(u32, u32)> {
        let h = MinHasher::new(128, 5, 8, crate::config::DEFAULT_SEED);
        let sketches: Vec<Sketch> = texts.iter().map(|t| h.sketch(t)).collect();
        candidates(&sketches, p)
            .into_iter()
            .map(|c| (c.a.0, c.b.0))
            .collect()
    }

    #[test]
    fn identical_documents_are_candidates() {
        let t = words(0..100, "x");
        let texts = vec![t.clone(), words(0..100, "y"), t];
        assert_eq!(run(&texts, &params(None)), [(0, 2)]);
    }

    #[test]
    fn article_inside_a_much_larger_page_is_a_candidate() {
        let article = words(0..300, "a");
        let page = format!("{}{}{}", words(0..200, "h"), article, words(0..4000, "c"));
        let texts = vec![article, page, words(0..300, "z")];
        assert_eq!(run(&texts, &params(Some(0.9))), [(0, 1)]);
        // Without the containment route, banding misses it (Jaccard ~0.07).
        assert_eq!(run(&texts, &params(None)), []);
    }

    #[test]
    fn short_documents_are_not_containment_candidates() {
        let blurb = words(0..20, "b");
        let page = format!("{}{}", words(0..500, "p"), blurb);
        assert_eq!(run(&[blurb, page], &params(Some(0.9))), []);
    }

    #[test]
    fn huge_buckets_pair_with_the_first_member() {
        let items: Vec<(u64, u32)> = (0..10).map(|d| (7, d)).collect();
        let pairs = pairs_in_groups(&items, 4, true);
        assert_eq!(pairs.len(), 9);
        assert!(pairs_in_groups(&items, 4, false).is_empty());
        assert_eq!(pairs_in_groups(&items, 10, true).len(), 45);
    }
}
