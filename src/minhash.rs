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
//! Cost: one pass over the words; shingles are made distinct by a bucket sort on their top
//! bits, which also leaves them in the order verification compares them in. Documents are
//! sketched in parallel with rayon.
//! What is kept is small: 32-bit LSH band keys (not the signature) and 32-bit fingerprints of
//! the sampled shingles ([`Sketch`], [`SketchStore`]).

use xxhash_rust::xxh3::xxh3_64_with_seed;

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

/// What the signing stage keeps of a document: a few hundred bytes, whatever its length.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sketch {
    /// One LSH key per band (32 bits of a hash of the band's slots); empty when the document
    /// has no shingle.
    pub bands: Box<[u32]>,
    /// The containment sample: sorted, distinct [`fingerprint`]s of the sampled shingles.
    pub sample: Box<[u32]>,
    /// Distinct shingles, as verification sees them: distinct [`fingerprint`]s (two
    /// shingles of a document share one about once in 8,000 documents of a thousand
    /// shingles).
    pub shingles: u32,
}

impl AsRef<Sketch> for Sketch {
    fn as_ref(&self) -> &Sketch {
        self
    }
}

/// Read access to many documents' sketches, by index: a slice of [`Sketch`]es, or a
/// [`SketchStore`].
pub trait Sketches: Sync {
    /// Documents.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Document `i`'s band keys.
    fn bands(&self, i: usize) -> &[u32];
    /// Document `i`'s sorted sample fingerprints.
    fn sample(&self, i: usize) -> &[u32];
    /// Document `i`'s distinct shingles.
    fn shingles(&self, i: usize) -> u32;
}

impl<S: AsRef<Sketch> + Sync> Sketches for [S] {
    fn len(&self) -> usize {
        <[S]>::len(self)
    }
    fn bands(&self, i: usize) -> &[u32] {
        &self[i].as_ref().bands
    }
    fn sample(&self, i: usize) -> &[u32] {
        &self[i].as_ref().sample
    }
    fn shingles(&self, i: usize) -> u32 {
        self[i].as_ref().shingles
    }
}

impl<S: AsRef<Sketch> + Sync> Sketches for Vec<S> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }
    fn bands(&self, i: usize) -> &[u32] {
        self.as_slice().bands(i)
    }
    fn sample(&self, i: usize) -> &[u32] {
        self.as_slice().sample(i)
    }
    fn shingles(&self, i: usize) -> u32 {
        self.as_slice().shingles(i)
    }
}

/// Many sketches in three flat arrays, with no allocation per document: what a streaming
/// scan keeps (4 bytes per band key and per sampled shingle, 12 bytes per document besides).
#[derive(Debug, Clone, Default)]
pub struct SketchStore {
    bands: Vec<u32>,
    band_end: Vec<u64>,
    sample: Vec<u32>,
    sample_end: Vec<u64>,
    shingles: Vec<u32>,
}

impl SketchStore {
    /// An empty store with room for about `bytes` of text in `documents` documents with
    /// `bands` band keys each, sampling one shingle in `scale` (reserved address space is not
    /// memory until written, and reserving once avoids copying the arrays as they grow).
    pub fn for_corpus(bytes: usize, documents: usize, bands: usize, scale: u64) -> SketchStore {
        let shingles = bytes / 6;
        SketchStore {
            bands: Vec::with_capacity(documents * bands),
            band_end: Vec::with_capacity(documents),
            sample: Vec::with_capacity(shingles / scale.max(1) as usize + 1024),
            sample_end: Vec::with_capacity(documents),
            shingles: Vec::with_capacity(documents),
        }
    }

    /// Appends a sketch.
    pub fn push(&mut self, s: &Sketch) {
        self.bands.extend_from_slice(&s.bands);
        self.band_end.push(self.bands.len() as u64);
        self.sample.extend_from_slice(&s.sample);
        self.sample_end.push(self.sample.len() as u64);
        self.shingles.push(s.shingles);
    }

    fn range(ends: &[u64], i: usize) -> std::ops::Range<usize> {
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        start..ends[i] as usize
    }
}

impl Sketches for SketchStore {
    fn len(&self) -> usize {
        self.shingles.len()
    }
    fn bands(&self, i: usize) -> &[u32] {
        &self.bands[Self::range(&self.band_end, i)]
    }
    fn sample(&self, i: usize) -> &[u32] {
        &self.sample[Self::range(&self.sample_end, i)]
    }
    fn shingles(&self, i: usize) -> u32 {
        self.shingles[i]
    }
}

/// Sketches seen through a permutation: document `i` is `order[i]` of `inner`.
pub struct Permuted<'a, K: ?Sized> {
    /// The sketches.
    pub inner: &'a K,
    /// The permutation.
    pub order: &'a [usize],
}

impl<K: Sketches + ?Sized> Sketches for Permuted<'_, K> {
    fn len(&self) -> usize {
        self.order.len()
    }
    fn bands(&self, i: usize) -> &[u32] {
        self.inner.bands(self.order[i])
    }
    fn sample(&self, i: usize) -> &[u32] {
        self.inner.sample(self.order[i])
    }
    fn shingles(&self, i: usize) -> u32 {
        self.inner.shingles(self.order[i])
    }
}

/// What a sample keeps of a shingle hash: its top 32 bits. Document frequencies are looked up
/// by the same bits ([`crate::boilerplate::DocFrequency::df_of_fingerprint`]).
pub fn fingerprint(h: u64) -> u32 {
    (h >> 32) as u32
}

/// The one-permutation bin of a shingle hash among `n`: its place in the hash range, so
/// bins are in hash order.
fn bin_of(h: u64, n: usize) -> usize {
    ((u128::from(h) * n as u128) >> 64) as usize
}

/// The most bins a signature has.
const MAX_BINS: usize = crate::config::ConfigBuilder::MAX_HASHES;

/// One-permutation hashing in progress: each shingle hash lowers the bin it falls in.
struct BinFill<'a> {
    bins: &'a mut [u64],
    /// Whether any shingle was added.
    any: bool,
    /// Bins `u64::MAX` itself was hashed into (an empty bin holds `u64::MAX`): marked apart,
    /// and in practice never.
    max_seen: [bool; MAX_BINS],
}

impl<'a> BinFill<'a> {
    /// `n` empty bins in `bins`.
    fn new(n: usize, bins: &'a mut Vec<u64>) -> BinFill<'a> {
        bins.clear();
        bins.resize(n, u64::MAX);
        BinFill {
            bins,
            any: false,
            max_seen: [false; MAX_BINS],
        }
    }

    #[inline(always)]
    fn add(&mut self, h: u64) {
        let bin = bin_of(h, self.bins.len());
        // A minimum without a branch (which shingle lowers a bin is a coin toss); the branch
        // on `u64::MAX` is never taken in practice.
        self.bins[bin] = self.bins[bin].min(h);
        if h == u64::MAX {
            self.max_seen[bin] = true;
        }
        self.any = true;
    }

    /// Which bins are filled, or `None` when no shingle was added.
    fn finish(self) -> Option<[bool; MAX_BINS]> {
        if !self.any {
            return None;
        }
        let mut filled = [false; MAX_BINS];
        for (f, (&b, &m)) in filled.iter_mut().zip(self.bins.iter().zip(&self.max_seen)) {
            *f = b != u64::MAX || m;
        }
        Some(filled)
    }
}

/// Buffers reused from one document to the next by [`MinHasher::sketch_text`].
#[derive(Debug, Default)]
pub struct Scratch {
    words: crate::shingle::ShingleBuffers,
    fingerprints: Vec<u32>,
    distinct: crate::shingle::DistinctBuffers<u32>,
    bins: Vec<u64>,
    sample: Vec<u32>,
    bands: Vec<u32>,
}

/// Computes sketches with fixed parameters.
#[derive(Debug, Clone)]
pub struct MinHasher {
    num_hashes: usize,
    shingle_size: usize,
    bands: usize,
    rows: usize,
    seed: u64,
    sample_below: u32,
}

impl MinHasher {
    /// A hasher for `num_hashes` slots over `shingle_size`-word shingles, sampling one
    /// shingle in `sketch_scale` for containment, with `bands` LSH keys of `rows` slots each.
    pub fn new(
        num_hashes: usize,
        shingle_size: usize,
        sketch_scale: u64,
        (bands, rows): (usize, usize),
        seed: u64,
    ) -> MinHasher {
        let num_hashes = num_hashes.max(1);
        let rows = rows.clamp(1, num_hashes);
        MinHasher {
            num_hashes,
            shingle_size,
            bands: bands.min(num_hashes / rows),
            rows,
            seed,
            sample_below: (u64::from(u32::MAX) / sketch_scale.max(1)) as u32,
        }
    }

    /// A hasher for a [`crate::Config`].
    pub fn from_config(config: &crate::Config) -> MinHasher {
        MinHasher::new(
            config.num_hashes(),
            config.shingle_size(),
            config.sketch_scale(),
            (config.bands(), config.rows()),
            config.seed(),
        )
    }

    /// Whether a shingle hash belongs to the containment sample ([`MinHasher::sampled`] of
    /// its fingerprint).
    pub fn in_sample(&self, h: u64) -> bool {
        self.sampled(fingerprint(h))
    }

    /// Whether a fingerprint belongs to the containment sample: the fingerprint times an odd
    /// constant (a bijection of 32-bit values) falls in the first `1/scale` of the range.
    /// Fingerprints are uniform, so this keeps one in `scale`, and the sample is a filter
    /// of a document's sorted distinct fingerprints: sorted and distinct with no sort.
    pub fn sampled(&self, fp: u32) -> bool {
        fp.wrapping_mul(0x9e37_79b9) <= self.sample_below
    }

    /// The sketch of one text.
    pub fn sketch(&self, text: &str) -> Sketch {
        self.sketch_text(text, &mut Scratch::default(), &mut Vec::new())
    }

    /// The sketch of one text, reusing `scratch`; the distinct [`fingerprint`]s of its
    /// shingles are appended to `distinct`, sorted, for document frequencies and
    /// verification.
    ///
    /// One pass over the words, then one over the shingles in text order with repeats: each
    /// lowers its MinHash bin (a minimum does not mind repeats) and leaves its fingerprint,
    /// so no shingle hash is stored. The fingerprints are made distinct by a radix sort
    /// (`shingle::sorted_distinct_into`) and the sample is a filter of them.
    pub fn sketch_text(
        &self,
        text: &str,
        scratch: &mut Scratch,
        distinct: &mut Vec<u32>,
    ) -> Sketch {
        let Scratch {
            words,
            fingerprints,
            bins,
            ..
        } = scratch;
        fingerprints.clear();
        let mut fill = BinFill::new(self.num_hashes, bins);
        crate::shingle::for_each_shingle_with(
            text,
            self.shingle_size,
            self.seed,
            words,
            #[inline(always)]
            |h| {
                fingerprints.push(fingerprint(h));
                fill.add(h);
            },
        );
        let filled = fill.finish();
        self.sketch_from(filled, scratch, distinct)
    }

    /// Sketches shingle hashes in any order, repeats allowed, appending their distinct
    /// fingerprints to `distinct` (sorted).
    fn sketch_hashes(
        &self,
        hashes: &[u64],
        scratch: &mut Scratch,
        distinct: &mut Vec<u32>,
    ) -> Sketch {
        scratch.fingerprints.clear();
        scratch
            .fingerprints
            .extend(hashes.iter().map(|&h| fingerprint(h)));
        let mut fill = BinFill::new(self.num_hashes, &mut scratch.bins);
        hashes.iter().for_each(|&h| fill.add(h));
        let filled = fill.finish();
        self.sketch_from(filled, scratch, distinct)
    }

    /// The rest of a sketch once the fingerprints are in `scratch` and the bins filled
    /// (`filled` says which, or `None` when there were no shingles).
    fn sketch_from(
        &self,
        filled: Option<[bool; MAX_BINS]>,
        scratch: &mut Scratch,
        distinct: &mut Vec<u32>,
    ) -> Sketch {
        let from = distinct.len();
        crate::shingle::sorted_distinct_into(
            &scratch.fingerprints,
            &mut scratch.distinct,
            distinct,
        );
        let sampled = self.sample_into(&distinct[from..], &mut scratch.sample);
        scratch.bands.clear();
        if let Some(filled) = filled {
            self.densify(&mut scratch.bins, &filled[..self.num_hashes]);
            self.band_keys_into(&scratch.bins, &mut scratch.bands);
        }
        Sketch {
            bands: scratch.bands.as_slice().into(),
            sample: scratch.sample[..sampled].into(),
            shingles: u32::try_from(distinct.len() - from).unwrap_or(u32::MAX),
        }
    }

    /// The sketch of a set of shingle hashes, in any order (repeats count once).
    pub fn sketch_set(&self, set: &[u64]) -> Sketch {
        self.sketch_hashes(set, &mut Scratch::default(), &mut Vec::new())
    }

    /// The sampled ones of sorted, distinct fingerprints, into the first places of `out`,
    /// and how many: every fingerprint is written and only sampled ones are kept (no branch
    /// on a one-in-`scale` choice). `out` only grows, so no call zeroes it.
    fn sample_into(&self, fps: &[u32], out: &mut Vec<u32>) -> usize {
        if out.len() < fps.len() {
            out.resize(fps.len(), 0);
        }
        let mut kept = 0;
        for &fp in fps {
            out[kept] = fp;
            kept += usize::from(self.sampled(fp));
        }
        kept
    }

    /// The band keys of a signature's slots.
    pub fn band_keys(&self, slots: &[u64]) -> Box<[u32]> {
        let mut keys = Vec::new();
        self.band_keys_into(slots, &mut keys);
        keys.into_boxed_slice()
    }

    /// [`MinHasher::band_keys`], appended to `out`.
    fn band_keys_into(&self, slots: &[u64], out: &mut Vec<u32>) {
        // A band's slots as bytes: on the stack for up to 32 rows (the defaults use 4).
        let (mut small, mut large) = ([0u8; 256], Vec::new());
        let bytes: &mut [u8] = if 8 * self.rows <= small.len() {
            &mut small
        } else {
            large.resize(8 * self.rows, 0);
            &mut large
        };
        out.extend(
            slots
                .chunks_exact(self.rows)
                .take(self.bands)
                .enumerate()
                .map(|(band, chunk)| {
                    for (to, v) in bytes.chunks_exact_mut(8).zip(chunk) {
                        to.copy_from_slice(&v.to_le_bytes());
                    }
                    let key =
                        xxh3_64_with_seed(&bytes[..8 * chunk.len()], self.seed ^ (band as u64 + 1));
                    (key >> 32) as u32
                }),
        );
    }

    /// The signature of a set of shingle hashes (for tests and callers holding sets).
    pub fn sign_set(&self, shingles: &[u64]) -> Option<Signature> {
        if shingles.is_empty() {
            return None;
        }
        let mut bins = Vec::new();
        self.fill_bins(shingles, &mut bins);
        Some(Signature(bins.into_boxed_slice()))
    }

    /// One-permutation hashing into `bins`, then densification.
    fn fill_bins(&self, shingles: &[u64], bins: &mut Vec<u64>) {
        let mut fill = BinFill::new(self.num_hashes, bins);
        shingles.iter().for_each(|&h| fill.add(h));
        if let Some(filled) = fill.finish() {
            self.densify(bins, &filled[..self.num_hashes]);
        }
    }

    /// Fills empty bins from non-empty ones chosen by a seeded probe sequence per bin.
    fn densify(&self, bins: &mut [u64], filled: &[bool]) {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::shingle_set;

    fn text(words: std::ops::Range<usize>) -> String {
        words.map(|i| format!("w{i} ")).collect()
    }

    fn hasher(n: usize, seed: u64) -> MinHasher {
        MinHasher::new(n, 5, 8, (n / 4, 4), seed)
    }

    proptest::proptest! {
        /// A set's sketch depends neither on its order nor on repeats (bins take minimums,
        /// the sample is sorted and deduplicated), `u64::MAX` as a value included; its count
        /// is of distinct fingerprints.
        #[test]
        fn sketches_ignore_order_and_repeats(
            mut v in proptest::collection::vec(proptest::num::u64::ANY, 0..600),
            skew in 0u32..8,
            max in proptest::bool::ANY,
        ) {
            v.iter_mut().for_each(|x| *x >>= skew);
            if max {
                v.push(u64::MAX);
            }
            let h = hasher(128, 3);
            let mut messy = v.clone();
            messy.extend_from_slice(&v[..v.len() / 2]);
            messy.reverse();
            messy.rotate_left(v.len() / 3);
            v.sort_unstable();
            v.dedup();
            let sketch = h.sketch_set(&v);
            proptest::prop_assert_eq!(&h.sketch_set(&messy), &sketch);
            let mut fps: Vec<u32> = v.iter().map(|&x| fingerprint(x)).collect();
            fps.dedup();
            proptest::prop_assert_eq!(sketch.shingles as usize, fps.len());
            let mut sampled_fps: Vec<u32> = v
                .iter()
                .filter(|&&x| h.in_sample(x))
                .map(|&x| fingerprint(x))
                .collect();
            sampled_fps.dedup();
            proptest::prop_assert_eq!(&sketch.sample[..], &sampled_fps[..]);
        }
    }

    #[test]
    fn empty_text_has_no_signature() {
        let s = hasher(64, 1).sketch("too short");
        assert!(s.bands.is_empty());
        assert!(s.sample.is_empty());
        assert_eq!(s.shingles, 0);
    }

    #[test]
    fn identical_texts_identical_sketches() {
        let h = hasher(128, 1);
        let t = text(0..300);
        let s = h.sketch(&t);
        assert_eq!(s, h.sketch(&t.to_uppercase()));
        assert_eq!(s.bands.len(), 32);
        assert_eq!(s.shingles, 296);
    }

    #[test]
    fn short_documents_still_fill_every_slot() {
        let h = hasher(128, 1);
        let sig = h.sign_set(&shingle_set(&text(0..7), 5, 1)).unwrap();
        assert!(sig.slots().iter().all(|&v| v != u64::MAX));
    }

    #[test]
    fn estimate_tracks_exact_jaccard() {
        let h = hasher(256, 42);
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
        let s = hasher(16, 3).sketch(&text(0..8004));
        assert!((800..1200).contains(&s.sample.len()), "{}", s.sample.len());
        assert!(s.sample.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn sketch_and_sign_set_agree() {
        let h = hasher(64, 5);
        let t = text(0..200);
        let set = shingle_set(&t, 5, 5);
        let sketch = h.sketch(&t);
        assert_eq!(sketch.bands, h.band_keys(h.sign_set(&set).unwrap().slots()));
        assert_eq!(sketch, h.sketch_set(&set));
        assert_eq!(sketch.shingles as usize, set.len());
        // The distinct fingerprints it hands back are the sorted set's (spills rely on the
        // order), after what the buffer held.
        let mut distinct = vec![u32::MAX];
        h.sketch_text(&t, &mut Scratch::default(), &mut distinct);
        assert_eq!(distinct[0], u32::MAX);
        let fps: Vec<u32> = set.iter().map(|&x| fingerprint(x)).collect();
        assert_eq!(distinct[1..], fps[..]);
    }
}
