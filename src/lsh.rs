//! Sketches → candidate pairs, by two containment-aware routes.
//!
//! # Route 1: MinHash banding (Jaccard)
//!
//! Each signature is cut into `b` bands of `r` slots; two documents whose slots agree on a whole
//! band become a candidate. A pair with Jaccard `s` is a candidate with probability
//! `1 - (1 - s^r)^b` (see [`crate::config`] for how `b` and `r` are chosen). Band keys are
//! grouped by sorting `(key, document)` pairs, not by a hash map of vectors. A bucket with more
//! than `max_postings` members, or more than ten times the boilerplate threshold (its band's
//! shingles are then boilerplate: site chrome, templates; or hundreds of copies of one text),
//! pairs each member with the bucket's first member only, which keeps the work linear and
//! still puts every copy in one cluster.
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
//! invert the samples (sort `(fingerprint, document)`, one range of fingerprints at a time so
//! memory stays bounded), count the hashes each pair shares, and make a
//! pair a candidate when the shared count reaches half the containment threshold times the
//! smaller sample (or 1): at the default threshold 0.9 and scale 8, an article of 300 shingles
//! fully inside a page has ~37 sampled shingles and needs 17 of them, so a miss needs the
//! estimate to be off by half.
//!
//! Trade-offs: the sample costs ~1/scale of the shingles in memory (4 bytes each), more than a
//! fixed signature for long documents; a document with very few shingles may sample none
//! (probability `(1 - 1/scale)^n`, 0.13% at the default minimum of 50 shingles, which is why
//! route 1 also runs). Hashes shared by more than `max_postings` documents, or by more than
//! ten times the boilerplate threshold (site chrome, stock blurbs, related-link lists: they
//! weigh under a tenth, see [`crate::boilerplate`]) do not pair documents here: they say nothing about which pages hold which article, and they
//! would make the work quadratic. Every candidate is verified exactly afterwards
//! ([`crate::verify`]), so this route can only lose pairs, never report false ones.

use rayon::prelude::*;

use crate::boilerplate::{DocFrequency, Frequencies, Weights, weight};
use crate::document::DocId;
use crate::minhash::Sketches;

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
    /// Boilerplate threshold `T` of the shingle weights, or `None` for equal weights.
    pub boilerplate_df: Option<f64>,
    /// Candidates kept per document.
    pub max_per_document: usize,
    /// The lower of the Jaccard and containment thresholds: pairs whose sample says they are
    /// far below it are not verified.
    pub lowest_threshold: f64,
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
            boilerplate_df: config.boilerplate_df(),
            max_per_document: config.max_candidates_per_document(),
            lowest_threshold: config
                .jaccard_threshold()
                .min(config.containment_threshold().unwrap_or(1.0)),
        }
    }

    /// Members past which a band bucket or a sample hash is boilerplate: shared by more than
    /// `max_postings` documents, or by more than ten times the boilerplate threshold (each of
    /// its shingles weighs under a tenth).
    fn longest(&self) -> usize {
        match self.boilerplate_df {
            Some(t) => self.max_postings.min((10.0 * t) as usize),
            None => self.max_postings,
        }
    }

    fn weight(&self, df: usize) -> f64 {
        match self.boilerplate_df {
            Some(t) => weight(u32::try_from(df).unwrap_or(u32::MAX), t),
            None => 1.0,
        }
    }
}

/// Candidate pairs and what capping them cost.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidates {
    /// Pairs to verify, sorted and distinct.
    pub pairs: Vec<CandidatePair>,
    /// The most pairs any one document is in.
    pub max_per_document: usize,
    /// Pairs dropped by the per-document cap.
    pub capped: usize,
    /// Pairs dropped because their samples put them far below every threshold.
    pub pruned: usize,
}

/// Samples smaller than this are too noisy to prune on.
const MIN_SAMPLE_TO_PRUNE: usize = 16;

/// All candidate pairs of both routes, capped per document, sorted and distinct.
///
/// Every pair gets a content score: the weighted share of the smaller document's sample
/// found in the other (weights from `df`, see [`crate::boilerplate`]). Where a document is in
/// more than `max_per_document` pairs, the pairs with the lowest scores are dropped, so a page
/// whose chrome matches thousands of others still has its real duplicates verified.
pub fn candidates<K: Sketches + ?Sized>(
    sketches: &K,
    params: &CandidateParams,
    df: Option<&DocFrequency>,
) -> Candidates {
    candidates_with(sketches, params, df)
}

/// [`candidates`] with document frequencies from any [`Frequencies`].
pub(crate) fn candidates_with<K: Sketches + ?Sized, F: Frequencies + ?Sized>(
    sketches: &K,
    params: &CandidateParams,
    df: Option<&F>,
) -> Candidates {
    // Content scores on the samples, with corpus-wide weights.
    let weights = Weights::new(params.boilerplate_df);
    let w = |fp: u32| match df {
        Some(df) => weights.of(df.df_of_fingerprint(fp)),
        None => 1.0,
    };
    let totals: Vec<f64> = (0..sketches.len())
        .into_par_iter()
        .map(|i| match df {
            Some(df) => df.weight_of_fingerprints(sketches.sample(i), &weights),
            None => sketches.sample(i).len() as f64,
        })
        .collect();
    // The score estimates the larger of the two content containments, an upper bound of
    // content Jaccard: a pair estimated at under half the lowest threshold, on a sample big
    // enough to trust, cannot pass verification. Pairs are scored as they are found, so
    // only the ones kept are held.
    let score = |p: u64| -> Option<f64> {
        let c = CandidatePair::unpack(p);
        let (sa, sb) = (sketches.sample(c.a.index()), sketches.sample(c.b.index()));
        let smaller = totals[c.a.index()].min(totals[c.b.index()]);
        let trusted = sa.len().min(sb.len()) >= MIN_SAMPLE_TO_PRUNE;
        let needed = 0.5 * params.lowest_threshold * smaller;
        // The merge may stop once the pair cannot reach `needed`, with a margin far above
        // rounding, so a pair is dropped early only where the full sum would drop it too.
        let floor = if trusted {
            needed * (1.0 - 1e-9) - 1e-9
        } else {
            0.0
        };
        let shared = shared_weight(sa, sb, &w, floor)?;
        let score = if smaller > 0.0 { shared / smaller } else { 0.0 };
        (!trusted || score >= 0.5 * params.lowest_threshold).then_some(score)
    };
    // Pruned pairs, counted per thread (one shared counter bounced between the cores on
    // every pair).
    let pruned: Vec<std::sync::atomic::AtomicUsize> = (0..rayon::current_num_threads().max(1))
        .map(|_| std::sync::atomic::AtomicUsize::new(0))
        .collect();
    let keep = |p: u64| -> Option<(u64, f64)> {
        let s = score(p);
        if s.is_none() {
            let t = rayon::current_thread_index().unwrap_or(0) % pruned.len();
            pruned[t].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Some((p, s?))
    };
    // The two routes run side by side: route 2's serial steps (building each pass's
    // postings, merging pair lists) fill the time route 1's parallel steps leave free.
    let ((mut scored, paired), found) = rayon::join(
        || band_pairs(sketches, params, &keep),
        || {
            params
                .containment_threshold
                .map(|t| containment_pairs(sketches, t, params))
        },
    );
    if let Some(found) = found {
        // Pairs route 1 made were scored there.
        let by_band = |p: u64| paired.made(sketches, p, 0..usize::MAX);
        scored.par_extend(
            found
                .into_par_iter()
                .filter(|&p| !by_band(p))
                .filter_map(keep),
        );
    }
    let pruned = pruned.into_iter().map(|c| c.into_inner()).sum();
    // Strongest first; ties in pair order, so the cap is deterministic.
    scored.par_sort_unstable_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    let mut per_doc = vec![0usize; sketches.len()];
    let mut kept = Vec::with_capacity(scored.len());
    let mut capped = 0;
    for (p, _) in scored {
        let c = CandidatePair::unpack(p);
        let (a, b) = (c.a.index(), c.b.index());
        if per_doc[a] >= params.max_per_document || per_doc[b] >= params.max_per_document {
            capped += 1;
            continue;
        }
        per_doc[a] += 1;
        per_doc[b] += 1;
        kept.push(p);
    }
    kept.par_sort_unstable();
    Candidates {
        pairs: kept.into_iter().map(CandidatePair::unpack).collect(),
        max_per_document: per_doc.into_iter().max().unwrap_or(0),
        capped,
        pruned,
    }
}

/// The summed weight of the fingerprints two sorted samples share, or `None` as soon as it
/// cannot reach `floor` (weights are at most 1, so what is left can add at most the length
/// of the shorter rest; checked every 8 blocks of four, then every 32 steps).
fn shared_weight(a: &[u32], b: &[u32], w: &impl Fn(u32) -> f64, floor: f64) -> Option<f64> {
    let (_, sum) = weigh_matches(a, b, |k| w(a[k]), Some(floor))?;
    (sum >= floor).then_some(sum)
}

/// The number of values two sorted, distinct lists share, and the sum of their weights (`w`
/// gives the weight of `a[k]` from `k`), added in the order of `a`.
pub(crate) fn intersection(a: &[u32], b: &[u32], w: impl Fn(usize) -> f64) -> (usize, f64) {
    weigh_matches(a, b, w, None).unwrap_or((0, 0.0))
}

/// The values two sorted, distinct lists share: how many, and their weights summed in the
/// order of `a` (`w` gives the weight of `a[k]` from `k`); `None` as soon as the sum cannot
/// reach `floor`, if there is one.
#[inline(always)]
fn weigh_matches(
    a: &[u32],
    b: &[u32],
    w: impl Fn(usize) -> f64,
    floor: Option<f64>,
) -> Option<(usize, f64)> {
    let (mut i, mut j, mut shared, mut sum) = (0, 0, 0, 0.0);
    let out_of_reach = |i: usize, j: usize, sum: f64| {
        floor.is_some_and(|f| sum + ((a.len() - i).min(b.len() - j) as f64) < f)
    };
    // Four against four at a time (x86-64): each block of `a` is compared with a block of `b`
    // in every rotation, and the block with the smaller last value moves on. Matches are met
    // in the order of `a`, as below, so the sum is the same to the last bit.
    #[cfg(target_arch = "x86_64")]
    {
        let mut blocks = 0u32;
        while i + 4 <= a.len() && j + 4 <= b.len() {
            let (x, y): (&[u32; 4], &[u32; 4]) = (
                a[i..i + 4].try_into().expect("four"),
                b[j..j + 4].try_into().expect("four"),
            );
            // SAFETY: SSE2 is in the x86-64 baseline, so every x86-64 processor has it.
            let mut found = unsafe { sse2::matches(x, y) };
            while found != 0 {
                sum += w(i + found.trailing_zeros() as usize);
                shared += 1;
                found &= found - 1;
            }
            i += 4 * usize::from(x[3] <= y[3]);
            j += 4 * usize::from(y[3] <= x[3]);
            blocks += 1;
            if blocks % 8 == 0 && out_of_reach(i, j, sum) {
                return None;
            }
        }
    }
    let mut steps = 0u32;
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        // Most pairs share few hashes: advance without a data-dependent branch, and take the
        // (rare, well-predicted) branch only on a match.
        if x == y {
            sum += w(i);
            shared += 1;
        }
        i += usize::from(x <= y);
        j += usize::from(y <= x);
        steps += 1;
        if steps % 32 == 0 && out_of_reach(i, j, sum) {
            return None;
        }
    }
    Some((shared, sum))
}

/// Four values against four with SSE2.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        _mm_castsi128_ps, _mm_cmpeq_epi32, _mm_loadu_si128, _mm_movemask_ps, _mm_or_si128,
        _mm_shuffle_epi32,
    };

    /// Bit `k` set when `x[k]` is one of `y`'s values.
    #[target_feature(enable = "sse2")]
    pub(super) fn matches(x: &[u32; 4], y: &[u32; 4]) -> u32 {
        // SAFETY: the 16 bytes read are `x` and `y`; the load has no alignment requirement.
        let (vx, vy) = unsafe {
            (
                _mm_loadu_si128(x.as_ptr().cast()),
                _mm_loadu_si128(y.as_ptr().cast()),
            )
        };
        // `y` in its four rotations.
        let r1 = _mm_shuffle_epi32::<0b00_11_10_01>(vy);
        let r2 = _mm_shuffle_epi32::<0b01_00_11_10>(vy);
        let r3 = _mm_shuffle_epi32::<0b10_01_00_11>(vy);
        let any = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi32(vx, vy), _mm_cmpeq_epi32(vx, r1)),
            _mm_or_si128(_mm_cmpeq_epi32(vx, r2), _mm_cmpeq_epi32(vx, r3)),
        );
        _mm_movemask_ps(_mm_castsi128_ps(any)) as u32
    }
}

/// Route 1: pairs that agree on a whole band, each once (at the first band that pairs them),
/// as `keep` maps them (`None` drops a pair), and which pairs it made. One band at a time, so
/// the keys sorted at once take 8 bytes per document.
///
/// A bucket of more than [`CandidateParams::longest`] members pairs each member with its
/// first member only. Its band's four shingles are in every member, so each weighs under a
/// tenth: agreeing on them says nothing of the content (site chrome, templates, stock
/// blurbs), and pairing all members was most of the stage's work (at 100k generated
/// documents, buckets of 100 to 1,000 members made 2.2M of 3.1M pairs, nearly all pruned).
fn band_pairs<K: Sketches + ?Sized, T: Send>(
    sketches: &K,
    params: &CandidateParams,
    keep: &(impl Fn(u64) -> Option<T> + Sync),
) -> (Vec<T>, Paired) {
    let bands = (0..sketches.len())
        .map(|i| sketches.bands(i).len())
        .max()
        .unwrap_or(0);
    let longest = params.longest();
    let mut paired = Paired::new(sketches.len(), bands);
    let mut out = Vec::new();
    let mut keys: Vec<u64> = Vec::with_capacity(sketches.len());
    let mut scratch: Vec<u64> = Vec::new();
    for band in 0..bands {
        keys.clear();
        keys.par_extend((0..sketches.len()).into_par_iter().filter_map(|doc| {
            let key = *sketches.bands(doc).get(band)?;
            Some((u64::from(key) << 32) | doc as u64)
        }));
        // By key, and by document within a key: they were made in document order.
        sort_by_high_half(&mut keys, &mut scratch, 0, 1 << 32);
        let first_met_here = |p: u64| !paired.made(sketches, p, 0..band);
        let keep_here = |p: u64| if first_met_here(p) { keep(p) } else { None };
        pairs_in_groups_into(&keys, longest, &keep_here, &mut out);
        for g in keys.chunk_by(|x, y| x >> 32 == y >> 32) {
            if g.len() > longest {
                g[1..]
                    .iter()
                    .for_each(|&x| paired.mark(x as u32 as usize, band));
            }
        }
    }
    (out, paired)
}

/// Which pairs route 1 made: per document and band, a bit set when the document was in a
/// bucket too large to pair in full and was not its first member (a 64-bit word per
/// document up to 64 bands: 800 KB at 100k documents).
struct Paired {
    words: usize,
    bits: Vec<u64>,
}

impl Paired {
    fn new(docs: usize, bands: usize) -> Paired {
        let words = bands.div_ceil(64);
        Paired {
            words,
            bits: vec![0; docs * words],
        }
    }

    fn mark(&mut self, doc: usize, band: usize) {
        self.bits[doc * self.words + band / 64] |= 1 << (band % 64);
    }

    fn unpaired(&self, doc: usize, band: usize) -> bool {
        self.bits[doc * self.words + band / 64] >> (band % 64) & 1 == 1
    }

    /// Whether route 1 made the pair `p` at one of `bands`: both documents in one bucket,
    /// not both past its first member.
    fn made<K: Sketches + ?Sized>(
        &self,
        sketches: &K,
        p: u64,
        bands: std::ops::Range<usize>,
    ) -> bool {
        let c = CandidatePair::unpack(p);
        let (a, b) = (c.a.index(), c.b.index());
        let (x, y) = (sketches.bands(a), sketches.bands(b));
        let end = bands.end.min(x.len()).min(y.len());
        (bands.start..end).any(|k| x[k] == y[k] && !(self.unpaired(a, k) && self.unpaired(b, k)))
    }
}

/// Route 2: pairs whose shared sample hashes weigh at least half the containment threshold
/// times the smaller document's sample weight. Packed and distinct.
///
/// Memory stays bounded: the inverted index of samples is built for one range of fingerprints
/// at a time (at most `POSTINGS_PER_PASS` entries), and the (pair, weight) entries it yields
/// are merged into one entry per pair whenever `PAIRS_PER_MERGE` of them are waiting.
fn containment_pairs<K: Sketches + ?Sized>(
    sketches: &K,
    threshold: f64,
    params: &CandidateParams,
) -> Vec<u64> {
    let eligible = |i: usize| sketches.shingles(i) as usize >= params.min_contained_shingles;
    let entries: usize = (0..sketches.len())
        .filter(|&i| eligible(i))
        .map(|i| sketches.sample(i).len())
        .sum();
    // Each pass visits every document's cursor, so the number of passes is capped: past
    // `MAX_PASSES`, passes grow instead (a million documents: 64 passes of 2M entries).
    let passes = entries.div_ceil(POSTINGS_PER_PASS).clamp(1, MAX_PASSES) as u64;
    // A hash weighing under a tenth (in more than 10 T documents) adds almost nothing to a
    // pair's shared weight, and pairing its documents is quadratic: leave it to the totals.
    let longest = params.longest();
    // Each document's sample weight, with weights from the posting-list lengths.
    let mut total = vec![0.0f64; sketches.len()];
    let mut merged: Vec<(u64, f32)> = Vec::new();
    let mut pending: Vec<(u64, f32)> = Vec::with_capacity(PAIRS_PER_MERGE);
    let mut sort_scratch: Vec<(u64, f32)> = Vec::new();
    let mut postings: Vec<u64> = Vec::new();
    // Each eligible document, and how far the passes so far have read its sample (documents
    // only, 4 bytes each: their samples are looked up again on each pass).
    let mut samples: Vec<u32> = (0..sketches.len())
        .filter(|&i| eligible(i))
        .map(|i| i as u32)
        .collect();
    // Visit the samples in the order they lie in memory (a store keeps them in arrival order,
    // not id order), so each pass reads memory forward; postings are sorted afterwards.
    samples.sort_unstable_by_key(|&i| sketches.sample(i as usize).as_ptr() as usize);
    let mut read = vec![0u32; samples.len()];
    let mut scratch: Vec<u64> = Vec::new();
    for pass in 0..passes {
        // Fingerprints whose top bits fall in this pass's share of the range.
        let (lo, hi) = ((pass << 32) / passes, ((pass + 1) << 32) / passes);
        postings.clear();
        for (&doc, at) in samples.iter().zip(read.iter_mut()) {
            let sample = sketches.sample(doc as usize);
            let from = *at as usize;
            // A few entries per pass: a forward scan reads them in order (a binary search
            // would jump around the sample, a cache miss per probe).
            let to = from
                + sample[from..]
                    .iter()
                    .take_while(|&&fp| u64::from(fp) < hi)
                    .count();
            postings.extend(
                sample[from..to]
                    .iter()
                    .map(|&fp| (u64::from(fp) << 32) | u64::from(doc)),
            );
            *at = to as u32;
        }
        sort_by_high_half(&mut postings, &mut scratch, lo, hi - lo);
        for g in postings.chunk_by(|x, y| x >> 32 == y >> 32) {
            let w = params.weight(g.len());
            for &x in g {
                total[(x & 0xffff_ffff) as usize] += w;
            }
            if g.len() < 2 || g.len() > longest {
                continue;
            }
            // Merge before the group's pairs would take `pending` past its capacity, so it
            // never grows (a group has at most `longest` choose 2 pairs).
            if pending.len() + g.len() * (g.len() - 1) / 2 > PAIRS_PER_MERGE {
                merge_pairs(&mut merged, &mut pending, &mut sort_scratch, sketches.len());
            }
            for (i, &x) in g.iter().enumerate() {
                pending.extend(
                    g[i + 1..]
                        .iter()
                        .map(|&y| (CandidatePair::pack(x as u32, y as u32), w as f32)),
                );
            }
        }
    }
    drop(postings);
    merge_pairs(&mut merged, &mut pending, &mut sort_scratch, sketches.len());
    merged
        .into_iter()
        .filter(|&(p, weight)| {
            let pair = CandidatePair::unpack(p);
            let smaller = total[pair.a.index()].min(total[pair.b.index()]);
            let weight = f64::from(weight);
            weight > 0.0 && weight >= 0.5 * threshold * smaller
        })
        .map(|(p, _)| p)
        .collect()
}

/// Sorts entries `key << 32 | document` (route 2's postings, route 1's band keys) by key,
/// every one of which is in `lo..lo + span`: a least-significant-digit radix sort of
/// `key - lo`, 8 bits a digit (four for a pass of postings at 100k documents), with
/// `scratch` as the second buffer. Stable, so a key's documents stay in the order given;
/// and the keys are hashes, so no digit's counts are lopsided. (A comparison sort of the
/// whole entries was 0.3 s of route 2's 0.5 s at 100k documents.)
///
/// A digit's 256 write heads (16 KB) stay in the first-level cache as the entries are
/// scattered; with 11 bits (three passes, 2,048 heads) each write missed it, and route 2
/// took 0.39 s against 0.34 s now (five alternating runs at 100k documents).
fn sort_by_high_half(entries: &mut Vec<u64>, scratch: &mut Vec<u64>, lo: u64, span: u64) {
    let bits = u64::BITS - span.saturating_sub(1).leading_zeros();
    radix_sort_by(entries, scratch, bits, |&x| (x >> 32) - lo);
}

/// Sorts `entries` by `key`, which is below `2^bits` for every one: a stable
/// least-significant-digit radix sort, 8 bits a digit, with `scratch` as the second buffer
/// (see [`sort_by_high_half`] for the digit's width).
fn radix_sort_by<T: Copy + Default>(
    entries: &mut Vec<T>,
    scratch: &mut Vec<T>,
    bits: u32,
    key: impl Fn(&T) -> u64,
) {
    const DIGIT: u32 = 8;
    const MASK: u64 = (1 << DIGIT) - 1;
    let digits = bits.div_ceil(DIGIT) as usize;
    let mut counts = vec![[0usize; 1 << DIGIT]; digits];
    for x in entries.iter() {
        let k = key(x);
        for (d, c) in counts.iter_mut().enumerate() {
            c[((k >> (d as u32 * DIGIT)) & MASK) as usize] += 1;
        }
    }
    for c in &mut counts {
        let mut at = 0;
        for n in c.iter_mut() {
            (*n, at) = (at, at + *n);
        }
    }
    scratch.resize(entries.len(), T::default());
    for (d, c) in counts.iter_mut().enumerate() {
        for x in entries.iter() {
            let at = &mut c[((key(x) >> (d as u32 * DIGIT)) & MASK) as usize];
            scratch[*at] = *x;
            *at += 1;
        }
        std::mem::swap(entries, scratch);
    }
}

/// Sample entries put in one inverted index at a time (8 bytes each, 16 MiB), up to
/// `MAX_PASSES`. Each pass visits every document's cursor, a cache miss each: at 100k
/// documents, 2^18 entries made 48 passes and the cursor scan 4% of the run's CPU time. The
/// stage has room for it: the counters it follows were compacted ([`crate::boilerplate::Heavy`]).
const POSTINGS_PER_PASS: usize = 1 << 21;
/// The most passes over the samples route 2 makes (a million documents: 64 passes of 2M
/// entries).
const MAX_PASSES: usize = 64;
/// (pair, weight) entries waiting to be merged (16 bytes each).
const PAIRS_PER_MERGE: usize = 1 << 17;

/// Adds `pending`'s weights into `merged` (sorted, one entry per pair) and empties it: only
/// `pending` is sorted, then the two sorted lists are merged in place from the back, so a
/// merge costs the pending entries' sort plus one pass, however large `merged` has grown.
/// Pairs are of `documents` documents; `scratch` is the sort's second buffer.
///
/// The sort is a stable radix sort on the pair's two documents (`2 log2(documents)` bits:
/// five digits at 100k documents), so a pair's weights add in the order they were found,
/// the same on every run. (A comparison sort of pair and weight was a quarter of route 2's
/// time at 100k documents.)
fn merge_pairs(
    merged: &mut Vec<(u64, f32)>,
    pending: &mut Vec<(u64, f32)>,
    scratch: &mut Vec<(u64, f32)>,
    documents: usize,
) {
    // Each document's index in `bits` bits (at most 32).
    let bits = u64::BITS - (documents.max(2) as u64 - 1).leading_zeros();
    radix_sort_by(pending, scratch, 2 * bits, |&(p, _)| {
        (p >> 32) << bits | (p & 0xffff_ffff)
    });
    let mut p = 0;
    for r in 0..pending.len() {
        if p > 0 && pending[p - 1].0 == pending[r].0 {
            pending[p - 1].1 += pending[r].1;
        } else {
            pending[p] = pending[r];
            p += 1;
        }
    }
    pending.truncate(p);
    // Pairs in both lists take one slot.
    let m = merged.len();
    let (mut a, mut b, mut both) = (0, 0, 0);
    while a < m && b < p {
        match merged[a].0.cmp(&pending[b].0) {
            std::cmp::Ordering::Less => a += 1,
            std::cmp::Ordering::Greater => b += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                a += 1;
                b += 1;
            }
        }
    }
    // Grown to size, not doubled: the list can hold most of the stage's memory.
    merged.reserve_exact(p - both);
    merged.resize(m + p - both, (0, 0.0));
    // Back to front: a slot is written only once the entry it held has been read, since the
    // unread part of `merged` never ends past the next slot to write.
    let (mut i, mut j, mut k) = (m, p, m + p - both);
    while j > 0 {
        k -= 1;
        let (old, new) = (i.checked_sub(1).map(|x| merged[x]), pending[j - 1]);
        match old {
            Some(o) if o.0 > new.0 => {
                merged[k] = o;
                i -= 1;
            }
            Some(o) if o.0 == new.0 => {
                merged[k] = (o.0, o.1 + new.1);
                i -= 1;
                j -= 1;
            }
            _ => {
                merged[k] = new;
                j -= 1;
            }
        }
    }
    pending.clear();
}

/// Every pair of documents within each run of equal keys (`key << 32 | document`, sorted);
/// a run longer than `max` pairs each member with its first member only.
#[cfg(test)]
fn pairs_in_groups(items: &[u64], max: usize) -> Vec<u64> {
    let mut out = Vec::new();
    pairs_in_groups_into(items, max, &Some, &mut out);
    out
}

/// [`pairs_in_groups`] as `keep` maps them (`None` drops a pair), appended to `out` in the
/// same order. Pairs are made, mapped and dropped as they go, never all held: a band's
/// groups can hold half a million pairs of which `keep` lets a tenth through. Each member's
/// pairs with the members after it are one task, so a large group spreads over the threads.
fn pairs_in_groups_into<T: Send>(
    items: &[u64],
    max: usize,
    keep: &(impl Fn(u64) -> Option<T> + Sync),
    out: &mut Vec<T>,
) {
    let doc = |x: u64| x as u32;
    // Rows: a member of a group (its index in `items`) and where its group ends. A row's
    // pairs are the member with every later member of its group (only the first member's
    // row, in a group longer than `max`).
    let mut rows: Vec<(u32, u32)> = Vec::new();
    let mut start = 0;
    for g in items.chunk_by(|x, y| x >> 32 == y >> 32) {
        let end = start + g.len();
        if g.len() > 1 {
            let members = if g.len() > max { 1 } else { g.len() - 1 };
            rows.extend((start..start + members).map(|i| (i as u32, end as u32)));
        }
        start = end;
    }
    out.par_extend(
        rows.par_iter()
            .with_min_len(16)
            .flat_map_iter(|&(i, end)| {
                let x = doc(items[i as usize]);
                items[i as usize + 1..end as usize]
                    .iter()
                    .map(move |&y| CandidatePair::pack(x, doc(y)))
            })
            .filter(|&p| (p >> 32) != (p & 0xffff_ffff))
            .filter_map(keep),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::{MinHasher, Sketch};

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
        let config = crate::Config::default();
        let h = MinHasher::from_config(&config);
        let sketches: Vec<Sketch> = texts.iter().map(|t| h.sketch(t)).collect();
        candidates(&sketches, p, None)
            .pairs
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
    fn the_cap_keeps_the_strongest_pairs_per_document() {
        // Ten copies of one page: every document is in nine pairs; a cap of 3 keeps fewer.
        let t = words(0..200, "x");
        let texts: Vec<String> = (0..10).map(|_| t.clone()).collect();
        let h = MinHasher::from_config(&crate::Config::default());
        let sketches: Vec<Sketch> = texts.iter().map(|x| h.sketch(x)).collect();
        let mut p = params(Some(0.9));
        p.max_per_document = 3;
        let c = candidates(&sketches, &p, None);
        assert_eq!(c.max_per_document, 3);
        assert_eq!(c.pairs.len() + c.capped, 45);
        let mut per = [0; 10];
        for pair in &c.pairs {
            per[pair.a.index()] += 1;
            per[pair.b.index()] += 1;
        }
        assert!(per.iter().all(|&n| n <= 3), "{per:?}");
        // Same input, same result.
        assert_eq!(c, candidates(&sketches, &p, None));
    }

    #[test]
    fn shared_weight_stops_only_when_the_floor_is_out_of_reach() {
        let a: Vec<u32> = (0..200).map(|i| i * 3).collect();
        let b: Vec<u32> = (0..200).map(|i| i * 5).collect();
        // Shared: multiples of 15 below 600, 40 of them, each weighing a half.
        let half = |_| 0.5;
        assert_eq!(shared_weight(&a, &b, &half, 0.0), Some(20.0));
        assert_eq!(shared_weight(&a, &b, &half, 20.0), Some(20.0));
        assert_eq!(shared_weight(&a, &b, &half, 20.5), None);
        assert_eq!(shared_weight(&a, &b, &half, 1000.0), None);
        // Matches only at the end still count.
        let late: Vec<u32> = (0..100).map(|i| 10_000 + i).collect();
        let both: Vec<u32> = (0..100).chain(10_000..10_100).collect();
        assert_eq!(shared_weight(&late, &both, &|_| 1.0, 99.0), Some(100.0));
    }

    proptest::proptest! {
        /// The intersection's size and weight, the weight summed in the order of `a` (bit
        /// for bit), whatever the lengths (blocks of four and the tails).
        #[test]
        fn intersection_counts_and_weighs_the_shared_values(
            a in proptest::collection::btree_set(0u32..400, 0..150),
            b in proptest::collection::btree_set(0u32..400, 0..150),
        ) {
            let (a, b): (Vec<u32>, Vec<u32>) = (a.into_iter().collect(), b.into_iter().collect());
            let w = |x: u32| 1.0 / f64::from(x % 7 + 1);
            let (mut count, mut sum) = (0, 0.0);
            for &x in &a {
                if b.binary_search(&x).is_ok() {
                    count += 1;
                    sum += w(x);
                }
            }
            let got = intersection(&a, &b, |k| w(a[k]));
            proptest::prop_assert_eq!(got, (count, sum));
        }

        /// The weight shared by two sorted, distinct lists is the sum over their intersection,
        /// added in order (bit for bit), whatever the lengths (blocks of four and the tails);
        /// `None` exactly when it is below the floor.
        #[test]
        fn shared_weight_sums_the_intersection(
            a in proptest::collection::btree_set(0u32..400, 0..150),
            b in proptest::collection::btree_set(0u32..400, 0..150),
            floor in 0.0f64..60.0,
        ) {
            let (a, b): (Vec<u32>, Vec<u32>) = (a.into_iter().collect(), b.into_iter().collect());
            let w = |x: u32| 1.0 / f64::from(x % 7 + 1);
            let mut want = 0.0;
            for &x in &a {
                if b.binary_search(&x).is_ok() {
                    want += w(x);
                }
            }
            proptest::prop_assert_eq!(shared_weight(&a, &b, &w, 0.0), Some(want));
            proptest::prop_assert_eq!(
                shared_weight(&a, &b, &w, floor),
                (want >= floor).then_some(want)
            );
        }
    }

    #[test]
    fn boilerplate_buckets_pair_with_their_first_member_only() {
        // 150 documents agree on band 0 (say, their site's chrome) and on nothing else, but
        // for documents 1 and 2, which also agree on band 5.
        let sketches: Vec<Sketch> = (0..150u32)
            .map(|d| {
                let mut bands: Vec<u32> = (0..32).map(|b| 1000 + d * 32 + b).collect();
                bands[0] = 7;
                if d == 1 || d == 2 {
                    bands[5] = 9;
                }
                Sketch {
                    bands: bands.into(),
                    sample: Box::new([]),
                    shingles: 100,
                }
            })
            .collect();
        let mut p = params(None);
        p.max_per_document = usize::MAX;
        // Past ten times the boilerplate threshold (100 documents), the bucket pairs each
        // member with its first; documents 1 and 2 are still paired, at band 5.
        let c = candidates(&sketches, &p, None);
        assert_eq!(c.pairs.len(), 150);
        assert!(
            c.pairs
                .iter()
                .all(|x| x.a.0 == 0 || (x.a.0, x.b.0) == (1, 2))
        );
        // Without boilerplate weights, only `max_postings` limits a bucket.
        p.boilerplate_df = None;
        assert_eq!(candidates(&sketches, &p, None).pairs.len(), 150 * 149 / 2);
        p.max_postings = 100;
        assert_eq!(candidates(&sketches, &p, None).pairs.len(), 150);
    }

    proptest::proptest! {
        /// The radix sort of postings is a stable sort by their high halves, for any range of
        /// them (one value up to all 2^32).
        #[test]
        fn postings_sort_by_fingerprint_stably(
            entries in proptest::collection::vec((0u64..1 << 32, 0u32..50), 0..2000),
            lo in 0u64..1 << 32,
            span_bits in 0u32..=32,
        ) {
            let span = (1u64 << span_bits).min((1 << 32) - lo).max(1);
            let mut postings: Vec<u64> = entries
                .iter()
                .map(|&(f, d)| ((lo + f % span) << 32) | u64::from(d))
                .collect();
            let mut want = postings.clone();
            want.sort_by_key(|&x| x >> 32);
            sort_by_high_half(&mut postings, &mut Vec::new(), lo, span);
            proptest::prop_assert_eq!(postings, want);
        }
    }

    proptest::proptest! {
        /// Merging batches of (pair, weight) entries gives each pair once, in pair order,
        /// with its weights added in the order they came (so the sum is the same to the
        /// last bit on every run), for any number of documents up to 2^32.
        #[test]
        fn merged_pairs_add_in_arrival_order(
            pool in proptest::collection::vec((0u64..1 << 32, 0u64..1 << 32), 1..12),
            batches in proptest::collection::vec(
                proptest::collection::vec((0usize..12, 1u32..1000), 0..300),
                1..5,
            ),
            documents in proptest::prop_oneof![2u64..64, 2u64..=1 << 32],
        ) {
            // Pairs from a small pool, so that most come many times.
            let pair = |k: usize| {
                let (a, b) = pool[k % pool.len()];
                let (a, b) = (a % documents, b % documents);
                CandidatePair::pack(a.min(b) as u32, a.max(b) as u32)
            };
            let mut want: std::collections::BTreeMap<u64, f32> = Default::default();
            let (mut merged, mut scratch) = (Vec::new(), Vec::new());
            for batch in &batches {
                let mut sums: std::collections::BTreeMap<u64, f32> = Default::default();
                let mut pending: Vec<(u64, f32)> = batch
                    .iter()
                    .map(|&(k, w)| {
                        let p = pair(k);
                        // Weights whose sum depends on the order they are added in.
                        let w = 1.0 / w as f32;
                        *sums.entry(p).or_insert(0.0) += w;
                        (p, w)
                    })
                    .collect();
                for (p, w) in sums {
                    *want.entry(p).or_insert(0.0) += w;
                }
                merge_pairs(&mut merged, &mut pending, &mut scratch, documents as usize);
                proptest::prop_assert!(pending.is_empty());
            }
            let want: Vec<(u64, f32)> = want.into_iter().collect();
            proptest::prop_assert_eq!(merged, want);
        }
    }

    #[test]
    fn huge_buckets_pair_with_the_first_member() {
        let items: Vec<u64> = (0..10).map(|d| (7 << 32) | d).collect();
        let pairs = pairs_in_groups(&items, 4);
        assert_eq!(pairs.len(), 9);
        assert_eq!(pairs_in_groups(&items, 10).len(), 45);
    }
}
