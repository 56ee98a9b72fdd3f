//! JSON Lines output.
//!
//! # Wire format (version 1)
//!
//! One JSON object per line on stdout, each with a `"type"`:
//!
//! - `{"type":"error","path":P,"message":S}`: a file or folder that could not be read (one per
//!   problem, in walk order, before everything else).
//! - `{"type":"skipped","path":P,"message":S}`: a file or record deliberately skipped
//!   (binary, over a size limit, not a regular file, the same file reached twice).
//! - `{"type":"warning","path":P,"message":S}`: a document read with a caveat (its id was
//!   already taken, so it was renamed `ID@FILE:LINE`).
//! - `{"type":"document","id":ID,"source":S,"bytes":N,"encoding":E}`: with `--documents`,
//!   one line per document read, in input order, with the encoding it was decoded from.
//! - `{"type":"pair","a":ID,"b":ID,"jaccard":F,"containment_a_in_b":F,"containment_b_in_a":F,
//!   "shingles_a":N,"shingles_b":N,"shared":N,"relation":S,"spans":{...}}`: one reported pair,
//!   `a` before `b` in id order, pairs sorted by `(a, b)`. `relation` is `a_in_b` (A is inside
//!   B), `b_in_a`, or `similar`. `spans` (absent with `--spans none`) is
//!   `{"a_only":[[START,END],...],"b_only":[[START,END],...],"shared":[[A_START,A_END,B_START,B_END],...]}`:
//!   half-open byte ranges into the original texts; `a_only` and `b_only` sorted by start,
//!   `shared` by its A start.
//! - `{"type":"cluster","members":[ID,...],"keep":ID}`: a group of connected documents, members
//!   in id order, clusters ordered by first member; `keep` is the longest member.
//! - `{"type":"summary","version":1,"documents":N,"skipped":N,"errors":N,"warnings":N,"pairs":N,
//!   "clusters":N,"too_short":N,"candidates":N}`: always the last line. `check` adds
//!   `"findings":N,"baselined":N,"max_duplicates":N,"passed":B`, and its `pair` lines are
//!   the findings only.
//!
//! Fields may be added in later versions; existing fields keep their names and meanings, and
//! any change to them bumps `version`.

use std::io::{self, Write};

use serde::Serialize;

use super::RunNotes;
use crate::report::{Cluster, Pair, Report};

/// The version in the summary line.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Line<'a> {
    Error {
        path: &'a str,
        message: &'a str,
    },
    Skipped {
        path: &'a str,
        message: &'a str,
    },
    Warning {
        path: &'a str,
        message: &'a str,
    },
    Document(&'a super::DocumentInfo),
    Pair(&'a Pair),
    Cluster(&'a Cluster),
    Summary {
        version: u32,
        documents: usize,
        skipped: usize,
        errors: usize,
        warnings: usize,
        pairs: usize,
        clusters: usize,
        too_short: usize,
        candidates: usize,
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        check: Option<&'a CheckOutcome>,
    },
}

/// What `check` adds to the summary line.
#[derive(Debug, Clone, Serialize)]
pub struct CheckOutcome {
    /// Pairs not accepted by the baseline.
    pub findings: usize,
    /// Pairs accepted by the baseline.
    pub baselined: usize,
    /// The `--max-duplicates` allowance.
    pub max_duplicates: usize,
    /// Whether the check passed.
    pub passed: bool,
}

fn write_line(w: &mut (impl Write + ?Sized), line: &Line<'_>) -> io::Result<()> {
    serde_json::to_writer(&mut *w, line)?;
    w.write_all(b"\n")
}

/// Writes the whole report as JSON Lines; `check` adds its outcome to the summary.
///
/// # Errors
///
/// Whatever the writer returns (a closed pipe, a full disk).
pub fn write_report(
    w: &mut (impl Write + ?Sized),
    report: &Report,
    notes: &RunNotes,
    check: Option<&CheckOutcome>,
) -> io::Result<()> {
    for (path, message) in &notes.errors {
        write_line(w, &Line::Error { path, message })?;
    }
    for (path, message) in &notes.skipped {
        write_line(w, &Line::Skipped { path, message })?;
    }
    for (path, message) in &notes.warnings {
        write_line(w, &Line::Warning { path, message })?;
    }
    for d in &notes.documents {
        write_line(w, &Line::Document(d))?;
    }
    for pair in &report.pairs {
        write_line(w, &Line::Pair(pair))?;
    }
    for cluster in &report.clusters {
        write_line(w, &Line::Cluster(cluster))?;
    }
    write_line(
        w,
        &Line::Summary {
            version: FORMAT_VERSION,
            documents: report.stats.documents,
            skipped: notes.skipped.len(),
            errors: notes.errors.len(),
            warnings: notes.warnings.len(),
            pairs: report.pairs.len(),
            clusters: report.clusters.len(),
            too_short: report.stats.too_short,
            candidates: report.stats.candidates,
            check,
        },
    )
}

/// Writes one comparison as a single `"type":"pair"` line; `relation` is null when the pair
/// would not be reported, and `reported` says which.
///
/// # Errors
///
/// Whatever the writer returns.
pub fn write_comparison(w: &mut (impl Write + ?Sized), cmp: &crate::Comparison) -> io::Result<()> {
    #[derive(Serialize)]
    struct Out<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        #[serde(flatten)]
        cmp: &'a crate::Comparison,
        reported: bool,
    }
    serde_json::to_writer(
        &mut *w,
        &Out {
            kind: "pair",
            cmp,
            reported: cmp.relation.is_some(),
        },
    )?;
    w.write_all(b"\n")
}
