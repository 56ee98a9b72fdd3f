//! Candidate pairs → exact figures on the real shingle sets; pairs below every threshold are
//! dropped.
//!
//! Input: candidates, the documents' shingle sets (sorted 32-bit fingerprints, from their
//! texts or from a streaming scan's spill file), and the corpus's shingle document
//! frequencies.
//! Output: each pair that passes, with its exact Jaccard similarity and containment in each
//! direction, the same three figures on *content* (every shingle weighted by how rare it is in
//! the corpus, so site chrome and stock blurbs count for little; see [`crate::boilerplate`]),
//! and a [`Relation`]. Candidates are taken in runs whose documents hold a few MiB of text: the
//! shingle sets of a run's documents are built in parallel (with each shingle's document
//! frequency looked up once), and each pair is a linear merge of two sorted sets.
//!
//! # When a pair is reported
//!
//! The decision uses the content figures (equal to the plain ones when no shingle is in more
//! than `boilerplate_df` documents):
//!
//! - in containment mode, when the larger of the two content containments reaches the
//!   containment threshold and the contained document's content weighs at least
//!   `min_contained_shingles` shingles: [`Relation::AInB`] or [`Relation::BInA`], naming the
//!   contained side (or [`Relation::Similar`] when each is inside the other);
//! - otherwise, content Jaccard at least the Jaccard threshold: [`Relation::Similar`].
//!
//! The minimum size (default 50 shingles, about a 54-word paragraph) exists because a short
//! standard text, a newsletter sign-up line or an "Advertisement" label, is contained whole in
//! every page that carries it; that is boilerplate, not a near-duplicate. Identical short texts
//! still meet through Jaccard.

use rayon::prelude::*;
use serde::Serialize;

use crate::boilerplate::{DocFrequency, Frequencies};
use crate::config::Config;
use crate::lsh::CandidatePair;
use crate::shingle::fingerprint_set;

/// Exact figures of a pair, from their shingle sets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Similarity {
    /// |A ∩ B| / |A ∪ B| (1 when both sets are empty).
    pub jaccard: f64,
    /// |A ∩ B| / |A|: how much of A is in B.
    pub containment_a_in_b: f64,
    /// |A ∩ B| / |B|: how much of B is in A.
    pub containment_b_in_a: f64,
    /// Distinct shingles of A.
    pub shingles_a: usize,
    /// Distinct shingles of B.
    pub shingles_b: usize,
    /// Shingles in both.
    pub shared: usize,
    /// Weighted Jaccard of the content (boilerplate discounted).
    pub content_jaccard: f64,
    /// Weighted share of A's content found in B.
    pub content_containment_a_in_b: f64,
    /// Weighted share of B's content found in A.
    pub content_containment_b_in_a: f64,
    /// A's content weight, in shingles (two decimals).
    pub content_a: f64,
    /// B's content weight, in shingles (two decimals).
    pub content_b: f64,
}

/// How the two documents of a reported pair relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Relation {
    /// A is (almost) wholly inside B: an article in its full page.
    #[serde(rename = "a_in_b")]
    AInB,
    /// B is (almost) wholly inside A.
    #[serde(rename = "b_in_a")]
    BInA,
    /// Symmetric near-duplicates: Jaccard at or above the threshold.
    #[serde(rename = "similar")]
    Similar,
}

impl Relation {
    /// The name used in JSON and in the readable report.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::AInB => "a_in_b",
            Relation::BInA => "b_in_a",
            Relation::Similar => "similar",
        }
    }
}

/// Exact figures of two sorted, distinct shingle sets (hashes, or fingerprints as
/// [`verify`] uses), all shingles weighing the same.
pub fn similarity<T: Ord>(a: &[T], b: &[T]) -> Similarity {
    figures(a, b, |_| 1.0, |_| 1.0)
}

/// Exact figures of two sorted, distinct shingle sets; the content figures weigh each shingle
/// with `weight`.
pub fn weighted_similarity<T: Ord + Copy>(
    a: &[T],
    b: &[T],
    weight: impl Fn(T) -> f64,
) -> Similarity {
    figures(a, b, |i| weight(a[i]), |j| weight(b[j]))
}

/// [`weighted_similarity`] with the weights of `a[i]` and `b[j]` given by position.
fn figures<T: Ord>(
    a: &[T],
    b: &[T],
    weight_a: impl Fn(usize) -> f64,
    weight_b: impl Fn(usize) -> f64,
) -> Similarity {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    let (mut wa, mut wb, mut wshared) = (0.0f64, 0.0f64, 0.0f64);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match next {
            std::cmp::Ordering::Less => {
                wa += weight_a(i);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                wb += weight_b(j);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let w = weight_a(i);
                wa += w;
                wb += w;
                wshared += w;
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    from_counts(a.len(), b.len(), shared, (wa, wb, wshared))
}

/// The figures of sets of `na` and `nb` shingles sharing `shared`, with weights `(wa, wb,
/// wshared)`: A's, B's and the shared ones'.
fn from_counts(
    na: usize,
    nb: usize,
    shared: usize,
    (wa, wb, wshared): (f64, f64, f64),
) -> Similarity {
    let union = na + nb - shared;
    let ratio = |n: f64, d: f64| if d <= 0.0 { 0.0 } else { n / d };
    let round2 = |x: f64| (x * 100.0).round() / 100.0;
    Similarity {
        jaccard: if union == 0 {
            1.0
        } else {
            ratio(shared as f64, union as f64)
        },
        containment_a_in_b: ratio(shared as f64, na as f64),
        containment_b_in_a: ratio(shared as f64, nb as f64),
        shingles_a: na,
        shingles_b: nb,
        shared,
        content_jaccard: if union == 0 {
            1.0
        } else {
            ratio(wshared, wa + wb - wshared)
        },
        content_containment_a_in_b: ratio(wshared, wa),
        content_containment_b_in_a: ratio(wshared, wb),
        content_a: round2(wa),
        content_b: round2(wb),
    }
}

/// [`figures`] of fingerprint sets whose weights sum to `wa` and `wb` (each summed in its
/// set's order, as [`figures`] sums them, so the figures are the same to the last bit): only
/// the shared fingerprints are looked for, four against four at a time
/// ([`crate::lsh::intersection`]), and weighed (`weight_a` by place in `a`).
/// The three-way merge of [`figures`] took a mispredicted branch at most of its steps, and
/// verification is thousands of steps a pair.
fn figures_of_fingerprints(
    a: &[u32],
    b: &[u32],
    (wa, wb): (f64, f64),
    weight_a: impl Fn(usize) -> f64,
) -> Similarity {
    let (shared, wshared) = crate::lsh::intersection(a, b, weight_a);
    from_counts(a.len(), b.len(), shared, (wa, wb, wshared))
}

/// The relation under which a pair is reported, or `None` when it is not.
///
/// One-sided inclusion is named as such even when the Jaccard threshold is also met (a copy
/// cut to 60% is "B inside A", not merely "similar"); pairs included both ways, or similar
/// without inclusion, are [`Relation::Similar`].
pub fn relation(sim: &Similarity, config: &Config) -> Option<Relation> {
    if sim.shared == 0 {
        return None;
    }
    if let Some(threshold) = config.containment_threshold() {
        let (high, low, contained_size, rel) =
            if sim.content_containment_a_in_b >= sim.content_containment_b_in_a {
                (
                    sim.content_containment_a_in_b,
                    sim.content_containment_b_in_a,
                    sim.content_a,
                    Relation::AInB,
                )
            } else {
                (
                    sim.content_containment_b_in_a,
                    sim.content_containment_a_in_b,
                    sim.content_b,
                    Relation::BInA,
                )
            };
        if high >= threshold && contained_size >= config.min_contained_shingles() as f64 {
            return Some(if low >= threshold {
                Relation::Similar
            } else {
                rel
            });
        }
    }
    (sim.content_jaccard >= config.jaccard_threshold()).then_some(Relation::Similar)
}

/// A candidate that passed verification.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VerifiedPair {
    /// The two documents.
    pub pair: CandidatePair,
    /// Their exact figures.
    pub similarity: Similarity,
    /// Why they are reported.
    pub relation: Relation,
}

/// Text bytes of the documents whose shingle sets are held at once while verifying (their
/// sets take about as many bytes: a fingerprint and a count per shingle). Larger runs load
/// fewer documents twice; the stage runs well under the scan's peak, which is in sketching.
const VERIFY_BATCH_BYTES: usize = 16 << 20;

/// Verifies `candidates` among the documents of `lengths` (their text bytes), keeping those
/// that pass, in order. `text_of(i)` gives document `i`'s text (`None` drops its pairs); `df`
/// gives the shingle weights of the content figures (all 1 without it).
///
/// Candidates are taken in runs whose documents hold at most about 16 MiB of text: the
/// shingle sets of a run's documents are built (in parallel), its pairs verified (in
/// parallel), and the sets dropped, so memory does not grow with the corpus. Runs follow the
/// connected components of the candidate pairs, so a document is in several runs only when
/// its component is larger than a run; it is read and shingled once per run.
pub fn verify<'t>(
    lengths: &[usize],
    text_of: impl Fn(usize) -> Option<std::borrow::Cow<'t, str>> + Sync,
    candidates: &[CandidatePair],
    config: &Config,
    df: Option<&DocFrequency>,
) -> Vec<VerifiedPair> {
    let (k, seed) = (config.shingle_size(), config.seed());
    verify_sets(
        lengths,
        |d| Some(fingerprint_set(&text_of(d)?, k, seed)),
        candidates,
        config,
        df,
    )
}

/// [`verify`] with each document's set given by `set_of(i)`: its shingles' sorted, distinct
/// fingerprints, as [`fingerprint_set`] makes them from its text (`None` drops its pairs).
pub fn verify_sets(
    lengths: &[usize],
    set_of: impl Fn(usize) -> Option<Vec<u32>> + Sync,
    candidates: &[CandidatePair],
    config: &Config,
    df: Option<&DocFrequency>,
) -> Vec<VerifiedPair> {
    verify_sets_with(lengths, set_of, candidates, config, df)
}

/// A set loaded for verification: its fingerprints, their document frequencies (when
/// weighted) and their summed weight.
type Loaded = (Vec<u32>, Vec<u8>, f64);

/// [`verify_sets`] with document frequencies from any [`Frequencies`].
pub(crate) fn verify_sets_with<F: Frequencies + ?Sized>(
    lengths: &[usize],
    set_of: impl Fn(usize) -> Option<Vec<u32>> + Sync,
    candidates: &[CandidatePair],
    config: &Config,
    df: Option<&F>,
) -> Vec<VerifiedPair> {
    const NONE: u32 = u32::MAX;
    let mut slot = vec![NONE; lengths.len()];
    let weighted = df.is_some() && config.boilerplate_df().is_some();
    // The weight of each document frequency.
    let weights = crate::boilerplate::Weights::new(config.boilerplate_df());
    let progress = config.progress();
    // Candidates by connected component, so that a run holds whole components and loads
    // each of their documents once. (In candidate order a run's second documents are spread
    // over the corpus: at 100k generated documents, 2.4 loads a document.)
    let order: Vec<u32> = {
        let mut components = crate::cluster::UnionFind::new(lengths.len());
        for c in candidates {
            components.union(c.a.0, c.b.0);
        }
        let mut order: Vec<(u32, u32)> = (0..candidates.len() as u32)
            .map(|i| (components.find(candidates[i as usize].a.0), i))
            .collect();
        order.sort_unstable();
        order.into_iter().map(|(_, i)| i).collect()
    };
    let mut out: Vec<(u32, VerifiedPair)> = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut involved: Vec<usize> = Vec::new();
        let mut bytes = 0usize;
        let mut end = start;
        while end < order.len() {
            let c = candidates[order[end] as usize];
            let new: usize = [c.a.index(), c.b.index()]
                .iter()
                .filter(|&&d| slot[d] == NONE)
                .map(|&d| lengths[d])
                .sum();
            if end > start && bytes + new > VERIFY_BATCH_BYTES {
                break;
            }
            for d in [c.a.index(), c.b.index()] {
                if slot[d] == NONE {
                    slot[d] = involved.len() as u32;
                    involved.push(d);
                }
            }
            bytes += new;
            end += 1;
        }
        // Each set with its shingles' document frequencies and their summed weight, looked
        // up once per document (summed in the set's order, as `figures` would).
        let sets: Vec<Option<Loaded>> = involved
            .par_iter()
            .with_max_len(1)
            .map(|&d| {
                let set = set_of(d)?;
                let mut dfs = Vec::new();
                // Equal weights sum to the count exactly.
                let mut total = set.len() as f64;
                if let (Some(df), true) = (df, weighted) {
                    df.dfs_of_fingerprints_into(&set, &mut dfs);
                    total = dfs.iter().fold(0.0, |t, &n| t + weights.of(u32::from(n)));
                }
                Some((set, dfs, total))
            })
            .collect();
        let set = |d: crate::DocId| sets[slot[d.index()] as usize].as_ref();
        out.par_extend(order[start..end].par_iter().filter_map(|&i| {
            let pair = candidates[i as usize];
            progress.advance(1);
            let ((a, da, wa), (b, _, wb)) = (set(pair.a)?, set(pair.b)?);
            let weight_a = |i: usize| match weighted {
                true => weights.of(u32::from(da[i])),
                false => 1.0,
            };
            let similarity = figures_of_fingerprints(a, b, (*wa, *wb), weight_a);
            relation(&similarity, config).map(|relation| {
                (
                    i,
                    VerifiedPair {
                        pair,
                        similarity,
                        relation,
                    },
                )
            })
        }));
        for d in involved {
            slot[d] = NONE;
        }
        start = end;
    }
    // Back in candidate order.
    out.sort_unstable_by_key(|&(i, _)| i);
    out.into_iter().map(|(_, v)| v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DocId;

    #[test]
    fn figures_of_simple_sets() {
        let s = similarity(&[1, 2, 3, 4], &[3, 4, 5, 6, 7, 8]);
        assert_eq!(s.shared, 2);
        assert!((s.jaccard - 0.25).abs() < 1e-12);
        assert!((s.containment_a_in_b - 0.5).abs() < 1e-12);
        assert!((s.containment_b_in_a - 2.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn content_figures_discount_heavy_shingles() {
        // 100 shared chrome shingles weighing 0.1, and 20 own shingles each.
        let chrome: Vec<u64> = (0..100).collect();
        let a: Vec<u64> = chrome.iter().copied().chain(1000..1020).collect();
        let b: Vec<u64> = chrome.iter().copied().chain(2000..2020).collect();
        let s = weighted_similarity(&a, &b, |h| if h < 100 { 0.1 } else { 1.0 });
        assert!((s.jaccard - 100.0 / 140.0).abs() < 1e-12);
        assert!((s.content_jaccard - 10.0 / 50.0).abs() < 1e-12);
        assert!((s.content_containment_a_in_b - 10.0 / 30.0).abs() < 1e-12);
        assert_eq!(s.content_a, 30.0);
        assert_eq!(relation(&s, &Config::default()), None);
        // Equal weights: content figures are the plain ones.
        let p = similarity(&a, &b);
        assert_eq!((p.content_jaccard, p.content_a), (p.jaccard, 120.0));
    }

    proptest::proptest! {
        /// Verification's figures (shared values found in blocks, weights summed ahead) are
        /// the merge's to the last bit.
        #[test]
        fn fingerprint_figures_are_the_merges(
            a in proptest::collection::btree_set(0u32..500, 0..200),
            b in proptest::collection::btree_set(0u32..500, 0..200),
        ) {
            let (a, b): (Vec<u32>, Vec<u32>) = (a.into_iter().collect(), b.into_iter().collect());
            let w = |x: u32| 1.0 / f64::from(x % 9 + 1);
            let total = |s: &[u32]| s.iter().fold(0.0, |t, &x| t + w(x));
            let fast = figures_of_fingerprints(&a, &b, (total(&a), total(&b)), |i| w(a[i]));
            proptest::prop_assert_eq!(fast, weighted_similarity(&a, &b, w));
        }
    }

    #[test]
    fn empty_sets() {
        let s = similarity::<u32>(&[], &[]);
        assert_eq!((s.jaccard, s.containment_a_in_b, s.shared), (1.0, 0.0, 0));
        assert_eq!(relation(&s, &Config::default()), None);
        assert_eq!(similarity(&[1], &[]).jaccard, 0.0);
    }

    #[test]
    fn relations_follow_thresholds() {
        let config = Config::default();
        let big: Vec<u64> = (0..400).collect();
        let article: Vec<u64> = (100..200).collect();
        let s = similarity(&article, &big);
        assert_eq!(relation(&s, &config), Some(Relation::AInB));
        let s = similarity(&big, &article);
        assert_eq!(relation(&s, &config), Some(Relation::BInA));
        // The same inclusion is not reported in Jaccard-only mode.
        let jonly = Config::builder()
            .containment_threshold(None)
            .build()
            .unwrap();
        assert_eq!(relation(&s, &jonly), None);
        // Nor when the contained side is below the minimum size.
        let blurb: Vec<u64> = (100..120).collect();
        assert_eq!(relation(&similarity(&blurb, &big), &config), None);
        // Near-identical sets are similar.
        let near: Vec<u64> = (5..400).collect();
        assert_eq!(
            relation(&similarity(&near, &big), &config),
            Some(Relation::Similar)
        );
        // Containment just under the threshold is not reported.
        let partial: Vec<u64> = (0..60).chain(1000..1040).collect();
        assert_eq!(relation(&similarity(&partial, &big), &config), None);
    }

    #[test]
    fn runs_follow_components_and_results_keep_candidate_order() {
        // Eight documents of 4 MiB of text: a run holds four. Document 5 is in the first
        // and the last candidate; taken in candidate order, it would be loaded twice.
        let lengths = vec![4 << 20; 8];
        let pair = |a, b| CandidatePair {
            a: DocId(a),
            b: DocId(b),
        };
        let candidates = [pair(0, 5), pair(1, 2), pair(3, 4), pair(5, 7)];
        let loads = std::sync::atomic::AtomicUsize::new(0);
        let set_of = |d: usize| {
            loads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // Document 7 shares nothing with the others.
            let from = if d == 7 { 1000 } else { 0 };
            Some((from..from + 400).collect::<Vec<u32>>())
        };
        let config = Config::default();
        let v = verify_sets(&lengths, set_of, &candidates, &config, None);
        assert_eq!(loads.into_inner(), 7);
        let found: Vec<CandidatePair> = v.iter().map(|p| p.pair).collect();
        assert_eq!(found, [pair(0, 5), pair(1, 2), pair(3, 4)]);
        assert!(v.iter().all(|p| p.relation == Relation::Similar));
    }
}
