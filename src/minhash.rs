//! Shingle hashes → a [`Sketch`] per document: a MinHash [`Signature`] for Jaccard banding and
//! a scaled sample of shingles for containment.
//!
//! # Signature: one-permutation hashing with optimal densification
//!
//! A classic MinHash signature of `n` slots applies `n` hash functions to every shingle. One
//! permutation hashing (Li, Owen and Zhang, 2012) hashes each shingle once: the top bits pick
//! one of `n` bins, and each bin keeps the smallest hash it sees. Bins that stay empty (short
//! documents) borrow the value of another bin picked by a seeded probe sequence, the "optimal
//! densification" of Shrivastava (ICML 2017), which keeps `P(slot equal) = Jaccard`. The cost is
//! one comparison per shingle instead of `n` multiplications.
//!
//! # Containment sample (FracMinHash)
//!
//! The same pass keeps every shingle whose (remixed) hash falls below `u64::MAX / scale`: a
//! FracMinHash sketch (Irber et al., 2022, as in sourmash). Unlike a fixed-size signature, it
//! grows with the document, so for an article inside a page fifteen times its size, the
//! article's sampled shingles are still found in the page's sample; the shared share of the
//! smaller sample estimates containment directly. See [`crate::lsh`] for how both are used.
//!
//! Cost: one pass over each document's distinct shingles (the set is built by sorting), in
//! parallel across documents with rayon.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::shingle::shingle_set;

/// A MinHash signature; only a [`MinHasher`] makes one, so its length is always the
/// configured number of hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(Box<[u64]>);

impl Signature {
    /// The slot values.
    pub fn slots(&self) -> &[u64] {
        &self.0
    }

    /// The share of equal slots: an estimate of the Jaccard similarity of the two sets.
    ///
    /// # Panics
    ///
    /// If the two signatures come from hashers of different lengths.
    pub fn estimate_jaccard(&self, other: &Signature) -> f64 {
        assert_eq!(
            self.0.len(),
            other.0.len(),
            "signatures of different lengths"
        );
        let equal = self
            .0
            .iter()
            .zip(other.0.iter())
            .filter(|(a, b)| a == b)
            .count();
        equal as f64 / self.0.len() as f64
    }
}

/// What the signing stage keeps of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch {
    /// The MinHash signature; `None` when the document has no shingle.
    pub signature: Option<Signature>,
    /// The containment sample: sorted, distinct shingle hashes below the scale threshold.
    pub sample: Vec<u64>,
    /// Distinct shingles.
    pub shingles: usize,
}

impl AsRef<Sketch> for Sketch {
    fn as_ref(&self) -> &Sketch {
        self
    }
}

/// Computes sketches with fixed parameters.
#[derive(Debug, Clone)]
pub struct MinHasher {
    num_hashes: usize,
    shingle_size: usize,
    seed: u64,
    sample_below: u64,
}

impl MinHasher {
    /// A hasher for `num_hashes` slots over `shingle_size`-word shingles, sampling one
    /// shingle in `sketch_scale` for containment.
    pub fn new(num_hashes: usize, shingle_size: usize, sketch_scale: u64, seed: u64) -> MinHasher {
        MinHasher {
            num_hashes: num_hashes.max(1),
            shingle_size,
            seed,
            sample_below: u64::MAX / sketch_scale.max(1),
        }
    }

    /// A hasher for a [`crate::Config`].
    pub fn from_config(config: &crate::Config) -> MinHasher {
        MinHasher::new(
            config.num_hashes(),
            config.shingle_size(),
            config.sketch_scale(),
            config.seed(),
        )
    }

    /// A signature from saved slot values, or `None` when their number is not this hasher's.
    pub fn signature_from_slots(&self, slots: Vec<u64>) -> Option<Signature> {
        (slots.len() == self.num_hashes).then(|| Signature(slots.into_boxed_slice()))
    }

    /// Whether a shingle hash belongs to the containment sample.
    pub fn in_sample(&self, h: u64) -> bool {
        h.rotate_left(29) <= self.sample_below
    }

    /// The sketch of one text.
    pub fn sketch(&self, text: &str) -> Sketch {
        self.sketch_set(&shingle_set(text, self.shingle_size, self.seed))
    }

    /// The sketch of a sorted, distinct shingle set.
    pub fn sketch_set(&self, set: &[u64]) -> Sketch {
        Sketch {
            signature: self.sign_set(set),
            sample: set.iter().copied().filter(|&h| self.in_sample(h)).collect(),
            shingles: set.len(),
        }
    }

    /// The signature of a set of shingle hashes (for tests and callers holding sets).
    pub fn sign_set(&self, shingles: &[u64]) -> Option<Signature> {
        let n = self.num_hashes;
        let mut bins = vec![u64::MAX; n];
        let mut filled = vec![false; n];
        for &h in shingles {
            let bin = ((u128::from(h) * n as u128) >> 64) as usize;
            if h <= bins[bin] {
                bins[bin] = h;
                filled[bin] = true;
            }
        }
        (!shingles.is_empty()).then(|| self.densify(bins, &filled))
    }

    /// Fills empty bins from non-empty ones chosen by a seeded probe sequence per bin.
    fn densify(&self, mut bins: Vec<u64>, filled: &[bool]) -> Signature {
        let n = bins.len();
        for i in 0..n {
            if filled[i] {
                continue;
            }
            let mut attempt: u64 = 0;
            loop {
                let probe =
                    xxh3_64_with_seed(&(((i as u64) << 32) | attempt).to_le_bytes(), self.seed);
                let j = ((u128::from(probe) * n as u128) >> 64) as usize;
                if filled[j] {
                    bins[i] = bins[j];
                    break;
                }
                attempt += 1;
            }
        }
        Signature(bins.into_boxed_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(words: std::ops::Range<usize>) -> String {
        words.map(|i| format!("w{i} ")).collect()
    }

    #[test]
    fn empty_text_has_no_signature() {
        let h = MinHasher::new(64, 5, 8, 1);
        let s = h.sketch("too short");
        assert_eq!(s.signature, None);
        assert!(s.sample.is_empty());
        assert_eq!(s.shingles, 0);
    }

    #[test]
    fn identical_texts_identical_sketches() {
        let h = MinHasher::new(128, 5, 8, 1);
        let t = text(0..300);
        assert_eq!(h.sketch(&t), h.sketch(&t.to_uppercase()));
    }

    #[test]
    fn short_documents_still_fill_every_slot() {
        let h = MinHasher::new(128, 5, 8, 1);
        let sig = h.sketch(&text(0..7)).signature.unwrap();
        assert!(sig.slots().iter().all(|&v| v != u64::MAX));
    }

    #[test]
    fn estimate_tracks_exact_jaccard() {
        let h = MinHasher::new(256, 5, 8, 42);
        // 0..1000 vs 500..1500: Jaccard 496/1496 (shingles, not words).
        let a = shingle_set(&text(0..1000), 5, 42);
        let b = shingle_set(&text(500..1500), 5, 42);
        let inter = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
        let exact = inter as f64 / (a.len() + b.len() - inter) as f64;
        let est = h
            .sign_set(&a)
            .unwrap()
            .estimate_jaccard(&h.sign_set(&b).unwrap());
        assert!((est - exact).abs() < 0.1, "estimate {est} vs exact {exact}");
    }

    #[test]
    fn sample_is_about_one_in_scale() {
        let h = MinHasher::new(16, 5, 8, 3);
        let s = h.sketch(&text(0..8004));
        assert!((800..1200).contains(&s.sample.len()), "{}", s.sample.len());
        assert!(s.sample.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn sketch_and_sign_set_agree() {
        let h = MinHasher::new(64, 5, 8, 5);
        let t = text(0..200);
        assert_eq!(h.sketch(&t).signature, h.sign_set(&shingle_set(&t, 5, 5)));
    }
}
