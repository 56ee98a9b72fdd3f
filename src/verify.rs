//! Candidate pairs → exact figures on the real shingle sets; pairs below every threshold are
//! dropped.
//!
//! Input: candidates and the documents' texts. Output: each pair that passes, with its exact
//! Jaccard similarity, its containment in each direction and a [`Relation`]. The shingle set of
//! every document that takes part in a candidate is built once (in parallel), and each pair is
//! a linear merge of two sorted sets.
//!
//! # When a pair is reported
//!
//! - Jaccard at least the Jaccard threshold: [`Relation::Similar`].
//! - Otherwise, in containment mode, when the larger of the two containments reaches the
//!   containment threshold and the contained document has at least `min_contained_shingles`
//!   distinct shingles: [`Relation::AInB`] or [`Relation::BInA`], naming the contained side.
//!
//! The minimum size (default 50 shingles, about a 54-word paragraph) exists because a short
//! standard text, a newsletter sign-up line or an "Advertisement" label, is contained whole in
//! every page that carries it; that is boilerplate, not a near-duplicate. Identical short texts
//! still meet through Jaccard.

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::lsh::CandidatePair;
use crate::shingle::shingle_set;

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

/// Exact figures of two sorted, distinct shingle sets.
pub fn similarity(a: &[u64], b: &[u64]) -> Similarity {
    let shared = intersection_size(a, b);
    let union = a.len() + b.len() - shared;
    let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    Similarity {
        jaccard: if union == 0 {
            1.0
        } else {
            ratio(shared, union)
        },
        containment_a_in_b: ratio(shared, a.len()),
        containment_b_in_a: ratio(shared, b.len()),
        shingles_a: a.len(),
        shingles_b: b.len(),
        shared,
    }
}

/// The size of the intersection of two sorted, distinct slices.
pub fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The relation under which a pair is reported, or `None` when it is not.
pub fn relation(sim: &Similarity, config: &Config) -> Option<Relation> {
    if sim.shared == 0 {
        return None;
    }
    if sim.jaccard >= config.jaccard_threshold() {
        return Some(Relation::Similar);
    }
    let threshold = config.containment_threshold()?;
    let (containment, contained_size, rel) = if sim.containment_a_in_b >= sim.containment_b_in_a {
        (sim.containment_a_in_b, sim.shingles_a, Relation::AInB)
    } else {
        (sim.containment_b_in_a, sim.shingles_b, Relation::BInA)
    };
    (containment >= threshold && contained_size >= config.min_contained_shingles()).then_some(rel)
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

/// Verifies `candidates` against the texts they index, keeping those that pass, in order.
pub fn verify(texts: &[&str], candidates: &[CandidatePair], config: &Config) -> Vec<VerifiedPair> {
    let mut involved = vec![false; texts.len()];
    for c in candidates {
        involved[c.a.index()] = true;
        involved[c.b.index()] = true;
    }
    let sets: Vec<Option<Vec<u64>>> = texts
        .par_iter()
        .zip(involved.par_iter())
        .map(|(text, &inv)| inv.then(|| shingle_set(text, config.shingle_size(), config.seed())))
        .collect();
    let set = |i: usize| {
        sets[i]
            .as_deref()
            .expect("every candidate's documents were built")
    };
    let progress = config.progress();
    candidates
        .par_iter()
        .filter_map(|&pair| {
            let similarity = similarity(set(pair.a.index()), set(pair.b.index()));
            progress.advance(1);
            relation(&similarity, config).map(|relation| VerifiedPair {
                pair,
                similarity,
                relation,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_of_simple_sets() {
        let s = similarity(&[1, 2, 3, 4], &[3, 4, 5, 6, 7, 8]);
        assert_eq!(s.shared, 2);
        assert!((s.jaccard - 0.25).abs() < 1e-12);
        assert!((s.containment_a_in_b - 0.5).abs() < 1e-12);
        assert!((s.containment_b_in_a - 2.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn empty_sets() {
        let s = similarity(&[], &[]);
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
}
