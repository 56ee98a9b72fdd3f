//! `neardupe index build|add`: a saved index to check new documents against
//! (`scan --against`).

use anyhow::{Context, bail};
use neardupe::Index;

use super::args::{IndexAddArgs, IndexBuildArgs, IndexCommand};
use super::exit::Exit;
use super::{print_summary_line, progress, read_inputs};

/// Runs `index build` or `index add`.
pub fn run(cmd: IndexCommand) -> anyhow::Result<Exit> {
    match cmd {
        IndexCommand::Build(args) => build(args),
        IndexCommand::Add(args) => add(args),
    }
}

fn build(args: IndexBuildArgs) -> anyhow::Result<Exit> {
    let config = args.detect.config(true).context("invalid options")?;
    super::atomic::check_output_path(&args.output, &args.paths)?;
    if args.output.exists() && !args.force {
        bail!(
            "{} already exists (use --force to replace it)",
            args.output.display()
        );
    }
    let quiet = args.output_args.quiet;
    let read = read_inputs(&args.paths, &args.input, &progress(quiet), quiet, false);
    if !read.notes.errors.is_empty() {
        eprintln!(
            "neardupe: not writing {}: {} input(s) could not be read (see above)",
            args.output.display(),
            read.notes.errors.len()
        );
        return Ok(Exit::Error);
    }
    let bytes: usize = read.documents.iter().map(|d| d.text.len()).sum();
    let docs = read.documents.len();
    let expected = args
        .expected_size
        .map_or(bytes, |s| (s as usize).max(bytes));
    let mut index = Index::new(&config, expected);
    index.insert(read.documents);
    index.save(&args.output)?;
    if !quiet {
        let size = std::fs::metadata(&args.output)
            .map(|m| m.len())
            .unwrap_or(0);
        eprintln!(
            "neardupe: indexed {docs} documents ({:.1} MB of text) into {} ({:.1} MB, {} bytes per document); {:.2} s",
            bytes as f64 / 1e6,
            args.output.display(),
            size as f64 / 1e6,
            size / (docs.max(1) as u64),
            read.started.elapsed().as_secs_f64()
        );
    }
    Ok(Exit::Success)
}

fn add(args: IndexAddArgs) -> anyhow::Result<Exit> {
    let config = args.detect.config(true).context("invalid options")?;
    let mut index = Index::open(&args.index, &config)?;
    let quiet = args.output_args.quiet;
    let read = read_inputs(&args.paths, &args.input, &progress(quiet), quiet, false);
    if !read.notes.errors.is_empty() {
        eprintln!(
            "neardupe: not changing {}: {} input(s) could not be read (see above)",
            args.index.display(),
            read.notes.errors.len()
        );
        return Ok(Exit::Error);
    }
    let (new, known): (Vec<_>, Vec<_>) = read
        .documents
        .into_iter()
        .partition(|d| !index.contains(&d.id));
    for d in &known {
        eprintln!(
            "neardupe: warning: {} is already indexed, skipped",
            neardupe::output::escape_controls(&d.id, false)
        );
    }
    let added = new.len();
    index.insert(new);
    index.save(&args.index)?;
    if !quiet {
        print_summary_line(&format!(
            "added {added} documents ({} already indexed) to {}; it holds {}",
            known.len(),
            args.index.display(),
            index.len()
        ));
    }
    Ok(Exit::Success)
}
