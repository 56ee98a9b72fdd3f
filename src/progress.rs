//! Progress reporting without printing: the library calls a [`Progress`] the caller supplies.
//!
//! The CLI draws bars on a terminal with it; a pipeline can log or export metrics. Calls come
//! from worker threads, so implementations must be `Send + Sync`; `advance` is called often and
//! should be cheap.

use std::fmt;
use std::sync::Arc;

/// A stage of a run whose progress can be followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// Reading files (units: files).
    Read,
    /// Normalising, shingling and sketching (units: documents).
    Sketch,
    /// Exact verification of candidates (units: candidate pairs).
    Verify,
    /// Span reports of reported pairs (units: pairs).
    Spans,
}

impl Stage {
    /// A short lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Read => "reading",
            Stage::Sketch => "signing",
            Stage::Verify => "verifying",
            Stage::Spans => "spans",
        }
    }
}

/// Receives progress events.
pub trait Progress: Send + Sync {
    /// A stage begins with `total` units of work.
    fn start(&self, stage: Stage, total: u64);
    /// `n` more units of the current stage are done.
    fn advance(&self, n: u64);
    /// The current stage is over.
    fn finish(&self);
}

/// An optional shared [`Progress`]; compares equal to any other handle, so it never changes
/// what a configuration means.
#[derive(Clone, Default)]
pub struct ProgressHandle(pub Option<Arc<dyn Progress>>);

impl ProgressHandle {
    pub(crate) fn start(&self, stage: Stage, total: usize) {
        if let Some(p) = &self.0 {
            p.start(stage, total as u64);
        }
    }
    pub(crate) fn advance(&self, n: u64) {
        if let Some(p) = &self.0 {
            p.advance(n);
        }
    }
    pub(crate) fn finish(&self) {
        if let Some(p) = &self.0 {
            p.finish();
        }
    }
}

impl fmt::Debug for ProgressHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "ProgressHandle(Some(..))"
        } else {
            "ProgressHandle(None)"
        })
    }
}

impl PartialEq for ProgressHandle {
    fn eq(&self, _: &ProgressHandle) -> bool {
        true
    }
}
