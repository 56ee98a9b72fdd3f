//! The data model every output is rendered from.
//!
//! A [`Report`] derives `Serialize`; the JSON Lines output ([`crate::output::json`]) writes its
//! pairs, clusters and a summary, one object per line. Ids, not indexes, name documents, and
//! everything is sorted (pairs by `(a, b)` in id order, clusters by first member), so the same
//! input gives the same report whatever the thread count or input order.

use serde::Serialize;

use crate::spans::Spans;
use crate::verify::{Relation, Similarity};

/// One reported pair. `a` comes before `b` in id order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    /// The first document's id.
    pub a: String,
    /// The second document's id.
    pub b: String,
    /// Exact figures.
    #[serde(flatten)]
    pub similarity: Similarity,
    /// Why the pair is reported.
    pub relation: Relation,
    /// Where the two differ; `None` when spans were turned off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spans: Option<Spans>,
}

/// One group of near-duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cluster {
    /// Member ids in id order.
    pub members: Vec<String>,
    /// The member to keep under the configured [`crate::KeepPolicy`] (default: the longest;
    /// ties to the first in id order).
    pub keep: String,
}

/// Counts of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Documents given.
    pub documents: usize,
    /// Documents with fewer words than one shingle: never matched.
    pub too_short: usize,
    /// Candidate pairs verified exactly.
    pub candidates: usize,
    /// The most candidate pairs any one document took part in.
    pub max_candidates_per_document: usize,
    /// Candidate pairs dropped by the per-document cap.
    pub candidates_capped: usize,
    /// Candidate pairs dropped because their samples put them far below every threshold.
    pub candidates_pruned: usize,
}

/// Wall-clock seconds per stage. Not part of the serialised report, which must not depend on
/// the machine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings {
    /// Normalise, shingle and sketch every document, and count its shingles' document
    /// frequencies.
    pub sketch: f64,
    /// The part of `sketch` spent updating the document-frequency sketch (the rest computes
    /// signatures and samples). Threads count as they sketch, so this is their summed
    /// counting time divided by the number of threads, plus the final count.
    pub counting: f64,
    /// Candidate generation (both routes).
    pub candidates: f64,
    /// Exact verification.
    pub verify: f64,
    /// Clustering and span reports.
    pub report: f64,
}

/// The result of [`crate::find_duplicates`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Reported pairs, sorted by `(a, b)`.
    pub pairs: Vec<Pair>,
    /// Clusters of two or more documents, sorted by first member.
    pub clusters: Vec<Cluster>,
    /// Counts.
    pub stats: Stats,
    /// Seconds per stage (not serialised).
    #[serde(skip)]
    pub timings: Timings,
}

impl Report {
    /// The reported pairs.
    pub fn pairs(&self) -> &[Pair] {
        &self.pairs
    }
    /// The clusters.
    pub fn clusters(&self) -> &[Cluster] {
        &self.clusters
    }
}
