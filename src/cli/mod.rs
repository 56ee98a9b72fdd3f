//! The binary's commands: parse, configure, call the library, render, exit.

pub mod args;
pub mod exit;

use std::collections::HashMap;
use std::io::{self, IsTerminal, Write};
use std::time::Instant;

use anyhow::Context;
use neardupe::output::{RunNotes, SpansMode, human, json};
use neardupe::{Document, input};

use self::args::{Cli, Command, CompareArgs, Format, ScanArgs};
use self::exit::Exit;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Compare(args) => compare(args),
    }
}

fn scan(args: ScanArgs) -> anyhow::Result<Exit> {
    let started = Instant::now();
    let spans_mode: SpansMode = args.spans.into();
    let want_spans = spans_mode != SpansMode::None;
    let config = args.detect.config(want_spans).context("invalid options")?;

    let read = input::read_paths(&args.paths, &args.input.options());
    let read_seconds = started.elapsed().as_secs_f64();
    let notes = RunNotes {
        errors: tell(&read.errors, ""),
        skipped: tell(&read.skipped, ""),
        warnings: tell(&read.warnings, "warning: "),
    };
    if read.documents.is_empty() && read.errors.is_empty() && !args.output.quiet {
        eprintln!(
            "neardupe: no documents found under the given paths (folders are searched for .txt, .md and .jsonl[.gz|.zst] files)"
        );
    }
    let texts: HashMap<String, String> =
        if spans_mode == SpansMode::Full && args.output.format == Format::Human {
            read.documents
                .iter()
                .map(|d| (d.id.clone(), d.text.clone()))
                .collect()
        } else {
            HashMap::new()
        };
    let report = neardupe::find_duplicates(read.documents, &config);

    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = match args.output.format {
        Format::Json => json::write_report(&mut out, &report, &notes),
        Format::Human => {
            let style = human::Style {
                color: args.output.color.enabled(io::stdout().is_terminal()),
            };
            human::write_report(&mut out, &report, spans_mode, style, |id| {
                texts.get(id).map(String::as_str)
            })
        }
    }
    .and_then(|()| out.flush());
    if let Err(e) = written {
        return quiet_on_broken_pipe(e);
    }
    if !args.output.quiet {
        eprintln!(
            "neardupe: {} documents read, {} skipped, {} errors, {} too short; {} candidates, {} pairs, {} clusters; {:.2} s",
            report.stats.documents,
            notes.skipped.len(),
            notes.errors.len(),
            report.stats.too_short,
            report.stats.candidates,
            report.pairs.len(),
            report.clusters.len(),
            started.elapsed().as_secs_f64()
        );
    }
    if args.output.stats {
        let t = &report.timings;
        eprintln!(
            "neardupe: stages: read {read_seconds:.3} s, sketch {:.3} s, candidates {:.3} s, verify {:.3} s, report {:.3} s",
            t.sketch, t.candidates, t.verify, t.report
        );
    }
    Ok(if notes.errors.is_empty() {
        Exit::Success
    } else {
        Exit::Error
    })
}

fn compare(args: CompareArgs) -> anyhow::Result<Exit> {
    let config = args.detect.config(true).context("invalid options")?;
    let read = |p: &std::path::Path| -> anyhow::Result<Document> { Ok(input::read_file(p)?) };
    let (a, b) = (read(&args.a)?, read(&args.b)?);
    let cmp = neardupe::compare(&a, &b, &config);
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = match args.output.format {
        Format::Json => json::write_comparison(&mut out, &cmp),
        Format::Human => {
            let style = human::Style {
                color: args.output.color.enabled(io::stdout().is_terminal()),
            };
            human::write_comparison(&mut out, &cmp, &a.text, &b.text, style)
        }
    }
    .and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(Exit::Success),
        Err(e) => quiet_on_broken_pipe(e),
    }
}

/// Prints each problem on stderr (escaped, one line each) and returns `(path, message)` pairs
/// for the machine-readable output.
fn tell(problems: &[neardupe::Error], prefix: &str) -> Vec<(String, String)> {
    problems
        .iter()
        .map(|e| {
            let message = e.to_string();
            eprintln!(
                "neardupe: {prefix}{}",
                neardupe::output::escape_controls(&message, false)
            );
            (path_of(e), message)
        })
        .collect()
}

fn path_of(e: &neardupe::Error) -> String {
    e.path()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A reader that went away (`| head`) ends the run quietly; any other write error is one.
fn quiet_on_broken_pipe(e: io::Error) -> anyhow::Result<Exit> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(Exit::Success)
    } else {
        Err(e).context("writing output")
    }
}
