//! `neardupe check`: a CI gate over dataset folders, with baselines and GitHub annotations.
//!
//! Exit 0 when the near-duplicate pairs outside the baseline are at most `--max-duplicates`,
//! 1 when there are more, 2 when any input could not be read (a partial scan never passes).
//! A baseline (`--write-baseline`) records the current clusters; with `--baseline`, a pair
//! whose two documents are in one recorded cluster is accepted, and every other pair (a new
//! document, or two recorded clusters joined) is a finding.

use std::collections::HashMap;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, bail};
use neardupe::output::json::CheckOutcome;
use neardupe::output::{RunNotes, SpansMode, csv, escape_controls, human, json};
use neardupe::{Report, Source};
use serde::{Deserialize, Serialize};

use super::args::{CheckArgs, Format};
use super::atomic::{commit_file, create_file};
use super::exit::Exit;
use super::{Scanned, print_summary, scan_paths, write_stdout};

/// The baseline file: accepted clusters of ids.
#[derive(Debug, Serialize, Deserialize)]
pub struct Baseline {
    /// The file format version (1).
    pub version: u32,
    /// Accepted clusters, each a list of ids.
    pub clusters: Vec<Vec<String>>,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> anyhow::Result<Baseline> {
        let bytes =
            std::fs::read(path).with_context(|| format!("reading baseline {}", path.display()))?;
        let b: Baseline = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "reading baseline {}: not a neardupe baseline",
                path.display()
            )
        })?;
        if b.version != 1 {
            bail!(
                "reading baseline {}: version {} is not supported (expected 1)",
                path.display(),
                b.version
            );
        }
        Ok(b)
    }

    /// Which recorded cluster each id is in.
    fn index(&self) -> HashMap<&str, usize> {
        self.clusters
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.iter().map(move |id| (id.as_str(), i)))
            .collect()
    }
}

/// Runs `check`.
pub fn run(args: CheckArgs) -> anyhow::Result<Exit> {
    let format = args.output.format.unwrap_or_else(|| {
        if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            Format::Github
        } else {
            Format::Human
        }
    });
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    if let Some(path) = &args.write_baseline {
        super::atomic::check_output_path(path, &args.paths)?;
        if path.exists() && !args.force {
            bail!(
                "{} already exists (use --force to replace it)",
                path.display()
            );
        }
    }
    let builder = args
        .detect
        .builder(matches!(format, Format::Human | Format::Json));
    let s = scan_paths(
        &args.paths,
        &args.input,
        builder,
        false,
        args.output.quiet,
        args.output.documents,
        None,
    )?;

    if let Some(path) = &args.write_baseline {
        let b = Baseline {
            version: 1,
            clusters: s
                .report
                .clusters
                .iter()
                .map(|c| c.members.clone())
                .collect(),
        };
        let mut f = create_file(path, args.force)?;
        serde_json::to_writer_pretty(&mut f, &b)?;
        f.write_all(b"\n")?;
        commit_file(f, path)?;
        if !args.output.quiet {
            eprintln!(
                "neardupe: wrote baseline {} with {} clusters ({} documents)",
                path.display(),
                b.clusters.len(),
                b.clusters.iter().map(Vec::len).sum::<usize>()
            );
        }
        print_summary(&s, &args.output);
        return Ok(if s.notes.errors.is_empty() {
            Exit::Success
        } else {
            Exit::Error
        });
    }

    let (findings, baselined) = split(&s.report, baseline.as_ref());
    let outcome = CheckOutcome {
        findings: findings.pairs.len(),
        baselined,
        max_duplicates: args.max_duplicates,
        passed: s.notes.errors.is_empty() && findings.pairs.len() <= args.max_duplicates,
    };
    let written = write_stdout(|out| match format {
        Format::Json => json::write_report(out, &findings, &s.notes, Some(&outcome)),
        Format::Csv => csv::write_pairs(out, &findings),
        Format::Github => write_github(out, &findings, &s.notes, &s.sources()),
        Format::Human => {
            let style = human::Style {
                color: args.output.color.enabled(io::stdout().is_terminal()),
            };
            human::write_report(out, &findings, SpansMode::Summary, style, |_| None)?;
            writeln!(out, "{}", verdict(&outcome, &s.notes))
        }
    });
    if let Some(exit) = written? {
        return Ok(exit);
    }
    if format == Format::Github {
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            write_step_summary(Path::new(&path), &findings, &s, &outcome)?;
        }
    }
    print_summary(&s, &args.output);
    Ok(if !s.notes.errors.is_empty() {
        Exit::Error
    } else if outcome.passed {
        Exit::Success
    } else {
        Exit::Findings
    })
}

/// The pairs (and clusters) not accepted by the baseline, and how many pairs it accepted.
fn split(report: &Report, baseline: Option<&Baseline>) -> (Report, usize) {
    let Some(baseline) = baseline else {
        return (report.clone(), 0);
    };
    let index = baseline.index();
    let same =
        |a: &str, b: &str| matches!((index.get(a), index.get(b)), (Some(x), Some(y)) if x == y);
    let mut out = report.clone();
    out.pairs.retain(|p| !same(&p.a, &p.b));
    out.clusters
        .retain(|c| !c.members.iter().all(|m| same(m, &c.members[0])));
    let baselined = report.pairs.len() - out.pairs.len();
    (out, baselined)
}

fn verdict(o: &CheckOutcome, notes: &RunNotes) -> String {
    let state = if o.passed { "passed" } else { "failed" };
    let mut s = format!(
        "check {state}: {} near-duplicate pair{} outside the baseline (allowed: {})",
        o.findings,
        if o.findings == 1 { "" } else { "s" },
        o.max_duplicates
    );
    if o.baselined > 0 {
        s.push_str(&format!(", {} accepted by the baseline", o.baselined));
    }
    if !notes.errors.is_empty() {
        s.push_str(&format!(
            ", {} input{} could not be read",
            notes.errors.len(),
            if notes.errors.len() == 1 { "" } else { "s" }
        ));
    }
    s
}

/// Escapes an annotation's message (GitHub's workflow command syntax).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes an annotation property value (file, title).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn location(id: &str, sources: &HashMap<String, (Source, usize)>) -> String {
    match sources.get(id).map(|(s, _)| s) {
        Some(Source::File(p)) => format!("file={}", escape_property(&p.to_string_lossy())),
        Some(Source::Line { path, line, .. }) => format!(
            "file={},line={line}",
            escape_property(&path.to_string_lossy())
        ),
        _ => format!("file={}", escape_property(id)),
    }
}

/// Writes GitHub Actions annotations: one `::error` per unreadable input, one `::warning`
/// per pair, on the first document of the pair.
pub fn write_github(
    out: &mut dyn Write,
    report: &Report,
    notes: &RunNotes,
    sources: &HashMap<String, (Source, usize)>,
) -> io::Result<()> {
    for (path, message) in &notes.errors {
        writeln!(
            out,
            "::error file={},title=unreadable input::{}",
            escape_property(path),
            escape_data(message)
        )?;
    }
    for p in &report.pairs {
        let s = &p.similarity;
        let what = match p.relation {
            neardupe::Relation::AInB => format!("{} is inside {}", p.a, p.b),
            neardupe::Relation::BInA => format!("{} is inside {}", p.b, p.a),
            neardupe::Relation::Similar => format!("{} and {} are near-duplicates", p.a, p.b),
        };
        writeln!(
            out,
            "::warning {},title=near-duplicate ({})::{}",
            location(&p.a, sources),
            p.relation.as_str(),
            escape_data(&format!(
                "{what} (jaccard {:.3}, A in B {:.3}, B in A {:.3})",
                s.jaccard, s.containment_a_in_b, s.containment_b_in_a
            ))
        )?;
    }
    Ok(())
}

fn write_step_summary(
    path: &Path,
    findings: &Report,
    s: &Scanned,
    o: &CheckOutcome,
) -> anyhow::Result<()> {
    let cell = |x: &str| {
        format!(
            "`{}`",
            escape_controls(x, false)
                .replace('|', "\\|")
                .replace('`', "'")
        )
    };
    let mut md = String::from("## neardupe check\n\n");
    md.push_str(&format!("**{}**\n\n", verdict(o, &s.notes)));
    md.push_str(&format!(
        "{} documents read, {} skipped, {} errors.\n\n",
        s.report.stats.documents,
        s.notes.skipped.len(),
        s.notes.errors.len()
    ));
    if !findings.pairs.is_empty() {
        md.push_str(
            "| A | B | relation | Jaccard | A in B | B in A |\n|---|---|---|---|---|---|\n",
        );
        for p in &findings.pairs {
            let x = &p.similarity;
            md.push_str(&format!(
                "| {} | {} | {} | {:.3} | {:.3} | {:.3} |\n",
                cell(&p.a),
                cell(&p.b),
                p.relation.as_str(),
                x.jaccard,
                x.containment_a_in_b,
                x.containment_b_in_a
            ));
        }
    }
    // GitHub hands us this file to append to; it is not ours to replace atomically.
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("writing the step summary {}", path.display()))?;
    f.write_all(md.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_escapes() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
