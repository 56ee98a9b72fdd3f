//! `neardupe eval`: precision, recall and F1 against a truth file, overall and per kind.
//!
//! # Truth file format
//!
//! JSON Lines. A line `{"a":ID,"b":ID,"kind":KIND}` is a true near-duplicate pair (order of
//! `a` and `b` does not matter; `kind` is any label, and recall is reported per label). A line
//! `{"id":ID,"role":ROLE}` says what a document is; false pairs are then counted by the roles
//! of their two documents (`page+template`, ...). Other lines are errors. `neardupe generate`
//! writes such a file.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{self, Write};

use anyhow::{Context, bail};
use rayon::prelude::*;
use serde::Serialize;

use super::args::{EvalArgs, Format};
use super::exit::Exit;
use super::{scan_paths, write_stdout};

/// A truth file's pairs and roles, borrowing from its text where no escape intervenes.
#[derive(Default)]
struct Truth<'a> {
    /// Kind by pair (ids in order).
    pairs: HashMap<(Cow<'a, str>, Cow<'a, str>), Cow<'a, str>>,
    /// (id, role) in file order, unhashed: only the ids of false pairs are looked up
    /// ([`Truth::roles_of`]).
    roles: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Truth<'a> {
    /// The kind of the pair `a`, `b` when it is true. (One lifetime for the map and the ids,
    /// which the map's covariance allows: its keys' type is the type looked up.)
    fn kind<'s>(&'s self, a: &'s str, b: &'s str) -> Option<&'s str>
    where
        'a: 's,
    {
        let pairs: &'s HashMap<(Cow<'s, str>, Cow<'s, str>), Cow<'s, str>> = &self.pairs;
        pairs
            .get(&ordered(Cow::Borrowed(a), Cow::Borrowed(b)))
            .map(|k| &**k)
    }

    /// The roles of `ids` (the last line naming an id wins).
    fn roles_of(&self, ids: &HashSet<&str>) -> HashMap<&str, &str> {
        self.roles
            .iter()
            .filter(|(id, _)| ids.contains(&**id))
            .map(|(id, role)| (&**id, &**role))
            .collect()
    }
}

fn ordered<'a>(a: Cow<'a, str>, b: Cow<'a, str>) -> (Cow<'a, str>, Cow<'a, str>) {
    if a <= b { (a, b) } else { (b, a) }
}

/// One line of a truth file.
enum TruthLine<'a> {
    Pair(Cow<'a, str>, Cow<'a, str>, Cow<'a, str>),
    Role(Cow<'a, str>, Cow<'a, str>),
    Blank,
}

/// Parses a truth file's `text` (read from `path`), its lines in parallel. Strings borrow from
/// the text, and only pairs are hashed: at 116,000 lines (100,000 of them roles), owned
/// strings in maps took 70-80 ms, a few percent of a whole run at 100k documents.
fn load<'a>(path: &std::path::Path, text: &'a str) -> anyhow::Result<Truth<'a>> {
    #[derive(serde::Deserialize)]
    struct Line<'a> {
        #[serde(borrow)]
        a: Option<Cow<'a, str>>,
        #[serde(borrow)]
        b: Option<Cow<'a, str>>,
        #[serde(borrow)]
        kind: Option<Cow<'a, str>>,
        #[serde(borrow)]
        id: Option<Cow<'a, str>>,
        #[serde(borrow)]
        role: Option<Cow<'a, str>>,
    }
    let parse = |i: usize, line: &'a str| -> anyhow::Result<TruthLine<'a>> {
        if line.trim().is_empty() {
            return Ok(TruthLine::Blank);
        }
        let l: Line<'a> = serde_json::from_str(line)
            .with_context(|| format!("reading truth {} line {}", path.display(), i + 1))?;
        match l {
            Line {
                a: Some(a),
                b: Some(b),
                kind,
                ..
            } => Ok(TruthLine::Pair(a, b, kind.unwrap_or(Cow::Borrowed("pair")))),
            Line {
                id: Some(id),
                role: Some(role),
                ..
            } => Ok(TruthLine::Role(id, role)),
            _ => bail!(
                "reading truth {} line {}: expected {{\"a\",\"b\",\"kind\"}} or {{\"id\",\"role\"}}",
                path.display(),
                i + 1
            ),
        }
    };
    let lines: Vec<&'a str> = text.lines().collect();
    let parsed: Vec<anyhow::Result<TruthLine<'a>>> = lines
        .par_iter()
        .enumerate()
        .map(|(i, line)| parse(i, line))
        .collect();
    let mut t = Truth::default();
    // In file order: the first bad line is the one reported, and a later line for the same
    // pair wins.
    for line in parsed {
        match line? {
            TruthLine::Pair(a, b, kind) => {
                t.pairs.insert(ordered(a, b), kind);
            }
            TruthLine::Role(id, role) => t.roles.push((id, role)),
            TruthLine::Blank => {}
        }
    }
    Ok(t)
}

/// Recall of one kind.
#[derive(Debug, Serialize)]
pub struct KindScore {
    /// True pairs of this kind.
    pub truth: usize,
    /// Of those, reported.
    pub found: usize,
    /// found / truth.
    pub recall: f64,
}

/// The figures `eval` prints.
#[derive(Debug, Serialize)]
pub struct Scores {
    #[serde(rename = "type")]
    kind: &'static str,
    /// Documents read.
    pub documents: usize,
    /// True pairs in the truth file.
    pub truth_pairs: usize,
    /// Pairs reported.
    pub reported: usize,
    /// Reported and true.
    pub true_positives: usize,
    /// Reported and not true.
    pub false_positives: usize,
    /// True and not reported.
    pub false_negatives: usize,
    /// TP / (TP + FP).
    pub precision: f64,
    /// TP / (TP + FN).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Recall per kind.
    pub per_kind: BTreeMap<String, KindScore>,
    /// False pairs by the roles of their documents.
    pub false_by_roles: BTreeMap<String, usize>,
    /// Candidate pairs verified, per document.
    pub candidates_per_document: f64,
    /// The most candidates any one document took part in.
    pub max_candidates_per_document: usize,
    /// Candidate pairs dropped by the per-document cap.
    pub candidates_capped: usize,
    /// Candidate pairs dropped because their samples put them far below every threshold.
    pub candidates_pruned: usize,
    /// Wall-clock seconds of the scan (reading included).
    pub seconds: f64,
    /// Megabytes of text per second.
    pub mb_per_second: f64,
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 1.0 } else { n as f64 / d as f64 }
}

/// Runs `eval`.
pub fn run(args: EvalArgs) -> anyhow::Result<Exit> {
    // Fail early on a missing truth file, but load it after the scan, so that the two do not
    // add up in memory.
    std::fs::File::open(&args.truth)
        .with_context(|| format!("reading truth {}", args.truth.display()))?;
    let builder = args.detect.builder(false);
    let s = scan_paths(
        &args.paths,
        &args.input,
        builder,
        false,
        args.output.quiet,
        false,
        None,
    )?;
    let seconds = s.started.elapsed().as_secs_f64();
    let truth_text = std::fs::read_to_string(&args.truth)
        .with_context(|| format!("reading truth {}", args.truth.display()))?;
    let truth = load(&args.truth, &truth_text)?;
    let bytes: usize = s.total_bytes();
    // Reported pairs in (a, b) order, ids ordered within each: the order false pairs are
    // listed in.
    let mut reported: Vec<((&str, &str), &neardupe::Pair)> = s
        .report
        .pairs
        .iter()
        .map(|p| {
            let (a, b) = (p.a.as_str(), p.b.as_str());
            (if a <= b { (a, b) } else { (b, a) }, p)
        })
        .collect();
    reported.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    reported.dedup_by(|x, y| x.0 == y.0);
    let found: HashSet<(&str, &str)> = reported.iter().map(|(k, _)| *k).collect();

    let mut per_kind: BTreeMap<String, KindScore> = BTreeMap::new();
    let mut missed: Vec<((&str, &str), &str)> = Vec::new();
    for ((a, b), kind) in &truth.pairs {
        let k = per_kind.entry(kind.to_string()).or_insert(KindScore {
            truth: 0,
            found: 0,
            recall: 0.0,
        });
        k.truth += 1;
        if found.contains(&(&**a, &**b)) {
            k.found += 1;
        } else {
            missed.push(((a, b), kind));
        }
    }
    // In pair order, whatever order the hash map gave them in.
    missed.sort_unstable();
    for k in per_kind.values_mut() {
        k.recall = ratio(k.found, k.truth);
    }
    let false_pairs: Vec<&neardupe::Pair> = reported
        .iter()
        .filter(|((a, b), _)| truth.kind(a, b).is_none())
        .map(|(_, p)| *p)
        .collect();
    let roles = truth.roles_of(
        &false_pairs
            .iter()
            .flat_map(|p| [p.a.as_str(), p.b.as_str()])
            .collect(),
    );
    let mut false_by_roles: BTreeMap<String, usize> = BTreeMap::new();
    for p in &false_pairs {
        let role = |id: &str| roles.get(id).copied().unwrap_or("unknown").to_string();
        let roles: BTreeSet<String> = [role(&p.a), role(&p.b)].into();
        *false_by_roles
            .entry(roles.into_iter().collect::<Vec<_>>().join("+"))
            .or_default() += 1;
    }
    let tp = reported.len() - false_pairs.len();
    let precision = ratio(tp, reported.len());
    let recall = ratio(tp, truth.pairs.len());
    let stats = &s.report.stats;
    let scores = Scores {
        kind: "eval",
        documents: stats.documents,
        truth_pairs: truth.pairs.len(),
        reported: reported.len(),
        true_positives: tp,
        false_positives: false_pairs.len(),
        false_negatives: missed.len(),
        precision,
        recall,
        f1: if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        },
        per_kind,
        false_by_roles,
        candidates_per_document: ratio(2 * stats.candidates, stats.documents.max(1)),
        max_candidates_per_document: stats.max_candidates_per_document,
        candidates_capped: stats.candidates_capped,
        candidates_pruned: stats.candidates_pruned,
        seconds,
        mb_per_second: bytes as f64 / 1e6 / seconds.max(1e-9),
    };

    let format = args.output.format.unwrap_or(Format::Human);
    let written = write_stdout(|out| match format {
        Format::Json => {
            serde_json::to_writer(&mut *out, &scores)?;
            writeln!(out)?;
            for (pair, kind) in missed.iter().take(args.list) {
                serde_json::to_writer(
                    &mut *out,
                    &serde_json::json!({"type": "missed", "a": pair.0, "b": pair.1, "kind": kind}),
                )?;
                writeln!(out)?;
            }
            for p in false_pairs.iter().take(args.list) {
                serde_json::to_writer(
                    &mut *out,
                    &serde_json::json!({"type": "false", "a": p.a, "b": p.b, "relation": p.relation, "jaccard": p.similarity.jaccard, "containment_a_in_b": p.similarity.containment_a_in_b, "containment_b_in_a": p.similarity.containment_b_in_a}),
                )?;
                writeln!(out)?;
            }
            Ok(())
        }
        _ => write_human(out, &scores, &missed, &false_pairs, args.list),
    });
    if let Some(exit) = written? {
        return Ok(exit);
    }
    super::print_summary(&s, &args.output);
    let exit = if s.notes.errors.is_empty() {
        Exit::Success
    } else {
        Exit::Error
    };
    super::leave(truth);
    super::leave(s);
    Ok(exit)
}

fn write_human(
    out: &mut dyn Write,
    s: &Scores,
    missed: &[((&str, &str), &str)],
    false_pairs: &[&neardupe::Pair],
    list: usize,
) -> io::Result<()> {
    writeln!(
        out,
        "documents {}, true pairs {}, reported {}",
        s.documents, s.truth_pairs, s.reported
    )?;
    writeln!(
        out,
        "precision {:.4}  recall {:.4}  F1 {:.4}  (TP {}, FP {}, FN {})",
        s.precision, s.recall, s.f1, s.true_positives, s.false_positives, s.false_negatives
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<14} {:>7} {:>7} {:>8}",
        "kind", "truth", "found", "recall"
    )?;
    for (kind, k) in &s.per_kind {
        writeln!(
            out,
            "{:<14} {:>7} {:>7} {:>8.4}",
            kind, k.truth, k.found, k.recall
        )?;
    }
    if !s.false_by_roles.is_empty() {
        writeln!(out)?;
        writeln!(out, "false pairs by document roles:")?;
        for (roles, n) in &s.false_by_roles {
            writeln!(out, "    {roles}: {n}")?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "candidates verified per document {:.2} (max {}; {} dropped by the cap, {} pruned on their samples); {:.2} s, {:.1} MB/s",
        s.candidates_per_document,
        s.max_candidates_per_document,
        s.candidates_capped,
        s.candidates_pruned,
        s.seconds,
        s.mb_per_second
    )?;
    if !missed.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "missed pairs ({} of {}):",
            missed.len().min(list),
            missed.len()
        )?;
        for (pair, kind) in missed.iter().take(list) {
            writeln!(out, "    {}  {}  ({kind})", pair.0, pair.1)?;
        }
    }
    if !false_pairs.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "false pairs ({} of {}):",
            false_pairs.len().min(list),
            false_pairs.len()
        )?;
        for p in false_pairs.iter().take(list) {
            writeln!(
                out,
                "    {}  {}  {} jaccard {:.3} A in B {:.3} B in A {:.3}",
                p.a,
                p.b,
                p.relation.as_str(),
                p.similarity.jaccard,
                p.similarity.containment_a_in_b,
                p.similarity.containment_b_in_a
            )?;
        }
    }
    Ok(())
}
