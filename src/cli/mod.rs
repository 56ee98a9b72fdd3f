//! The binary's commands: parse, configure, call the library, render, exit.

pub mod args;
pub mod atomic;
pub mod bar;
pub mod check;
pub mod dedup;
pub mod eval;
pub mod exit;
pub mod index;

use std::collections::HashMap;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use neardupe::output::{RunNotes, SpansMode, csv, escape_controls, human, json};
use neardupe::progress::ProgressHandle;
use neardupe::{ConfigBuilder, Document, Report, Source, input};

use self::args::{Cli, Command, CompareArgs, Format, InputArgs, OutputArgs, ScanArgs};
use self::exit::Exit;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Compare(args) => compare(args),
        Command::Check(args) => check::run(args),
        Command::Dedup(args) => dedup::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Index(args) => index::run(args),
        Command::Generate(args) => generate(args),
    }
}

/// What reading and scanning the inputs produced.
pub struct Scanned {
    /// The library's report.
    pub report: Report,
    /// Files skipped, failed or renamed.
    pub notes: RunNotes,
    /// Every document: its source and bytes, by id.
    documents: Documents,
    /// Texts by id (of the documents in reported pairs), when asked for.
    pub texts: HashMap<String, String>,
    /// Seconds spent reading (sketching excluded).
    pub read_seconds: f64,
    /// When the run started.
    pub started: Instant,
}

/// The documents of a run: streamed (kept by the scan, in id order) or read whole.
enum Documents {
    Scan(Box<neardupe::Scan>),
    Read(Vec<(String, Source, usize)>),
}

impl Scanned {
    /// Every document's source and bytes, by id.
    pub fn sources(&self) -> HashMap<String, (Source, usize)> {
        match &self.documents {
            Documents::Scan(scan) => scan
                .documents()
                .map(|(id, source, bytes, _)| (id.to_string(), (source, bytes)))
                .collect(),
            Documents::Read(docs) => docs
                .iter()
                .map(|(id, source, bytes)| (id.clone(), (source.clone(), *bytes)))
                .collect(),
        }
    }

    /// Bytes of text read.
    pub fn total_bytes(&self) -> usize {
        match &self.documents {
            Documents::Scan(scan) => scan.documents().map(|d| d.2).sum(),
            Documents::Read(docs) => docs.iter().map(|d| d.2).sum(),
        }
    }
}

/// A progress handle drawing bars on stderr when it is a terminal and not `quiet`.
pub fn progress(quiet: bool) -> ProgressHandle {
    if !quiet && io::stderr().is_terminal() {
        ProgressHandle(Some(Arc::new(bar::Bars::default())))
    } else {
        ProgressHandle::default()
    }
}

/// Documents read, and what went wrong reading them (already printed on stderr).
pub struct ReadInputs {
    /// Documents read.
    pub documents: Vec<Document>,
    /// Files skipped, failed or renamed.
    pub notes: RunNotes,
    /// When reading started.
    pub started: Instant,
    /// Seconds spent reading.
    pub read_seconds: f64,
}

/// Reads `paths`, printing each problem on stderr.
pub fn read_inputs(
    paths: &[PathBuf],
    input_args: &InputArgs,
    bars: &ProgressHandle,
    quiet: bool,
    list_documents: bool,
) -> ReadInputs {
    let started = Instant::now();
    let mut options = input_args.options();
    options.progress = bars.clone();
    let read = input::read_paths(paths, &options);
    let read_seconds = started.elapsed().as_secs_f64();
    let notes = RunNotes {
        errors: tell(&read.errors, ""),
        skipped: tell(&read.skipped, ""),
        warnings: tell(&read.warnings, "warning: "),
        documents: if list_documents {
            read.documents
                .iter()
                .map(|d| neardupe::output::DocumentInfo {
                    id: d.id.clone(),
                    source: d.source.to_string(),
                    bytes: d.text.len(),
                    encoding: d.encoding,
                })
                .collect()
        } else {
            Vec::new()
        },
    };
    if read.documents.is_empty() && read.errors.is_empty() && !quiet {
        eprintln!("{NO_DOCUMENTS}");
    }
    ReadInputs {
        documents: read.documents,
        notes,
        started,
        read_seconds,
    }
}

/// Text bytes read and sketched at a time when streaming.
const BATCH_BYTES: usize = 2 << 20;

/// Reads `paths`, prints problems on stderr, and runs the library on what was read: a
/// streaming scan ([`neardupe::Scanner`]: texts are dropped once sketched and read again for
/// verification), or with `against`, a query of the index (which holds the batch in memory).
#[allow(
    clippy::too_many_arguments,
    reason = "one call site per command, each passing its flags"
)]
pub fn scan_paths(
    paths: &[PathBuf],
    input_args: &InputArgs,
    builder: ConfigBuilder,
    keep_texts: bool,
    quiet: bool,
    list_documents: bool,
    against: Option<&Path>,
) -> anyhow::Result<Scanned> {
    // Check the options (and the index) before reading anything.
    let config = builder.clone().build().context("invalid options")?;
    let index = against
        .map(|p| neardupe::Index::open(p, &config))
        .transpose()?;
    let bars = progress(quiet);
    if let Some(index) = &index {
        let read = read_inputs(paths, input_args, &bars, quiet, list_documents);
        let texts = if keep_texts {
            read.documents
                .iter()
                .map(|d| (d.id.clone(), d.text.clone()))
                .collect()
        } else {
            HashMap::new()
        };
        let report = index.query(&read.documents);
        return Ok(Scanned {
            report,
            notes: read.notes,
            documents: Documents::Read(
                read.documents
                    .into_iter()
                    .map(|d| {
                        let len = d.text.len();
                        (d.id, d.source, len)
                    })
                    .collect(),
            ),
            texts,
            read_seconds: read.read_seconds,
            started: read.started,
        });
    }
    let started = Instant::now();
    let mut options = input_args.options();
    options.progress = bars.clone();
    let config = match bars.0 {
        Some(p) => builder.progress(p).build().context("invalid options")?,
        None => config,
    };
    let plan = input::plan(paths, &options);
    let mut scanner =
        neardupe::Scanner::new(&config, plan.expected_bytes).rereading(options.clone());
    // Reading runs on its own thread, one batch ahead of sketching: the file reads and the
    // serial bookkeeping of each batch (ids, sources) overlap the sketching of the one before,
    // instead of leaving a core idle between batches.
    let (batches, arriving) = std::sync::mpsc::sync_channel::<Vec<neardupe::Document>>(0);
    let read = std::thread::scope(|s| {
        let reader = s.spawn(|| {
            plan.read(&options, BATCH_BYTES, move |batch| {
                // The receiver lives until this thread is joined.
                let _ = batches.send(batch);
            })
        });
        for batch in arriving {
            scanner.add(batch);
        }
        reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    let read_seconds = started.elapsed().as_secs_f64() - scanner.sketch_seconds();
    let nothing = scanner.is_empty();
    let scan = scanner.finish();
    let mut errors = tell(&read.errors, "");
    errors.extend(tell(&scan.errors, ""));
    let notes = RunNotes {
        errors,
        skipped: tell(&read.skipped, ""),
        warnings: tell(&read.warnings, "warning: "),
        documents: if list_documents {
            scan.documents()
                .map(
                    |(id, source, bytes, encoding)| neardupe::output::DocumentInfo {
                        id: id.to_string(),
                        source: source.to_string(),
                        bytes,
                        encoding,
                    },
                )
                .collect()
        } else {
            Vec::new()
        },
    };
    if nothing && read.errors.is_empty() && !quiet {
        eprintln!("{NO_DOCUMENTS}");
    }
    let texts = if keep_texts {
        scan.report
            .pairs
            .iter()
            .flat_map(|p| [&p.a, &p.b])
            .filter_map(|id| Some((id.clone(), scan.text(id)?.into_owned())))
            .collect()
    } else {
        HashMap::new()
    };
    Ok(Scanned {
        report: scan.report.clone(),
        notes,
        documents: Documents::Scan(Box::new(scan)),
        texts,
        read_seconds,
        started,
    })
}

const NO_DOCUMENTS: &str = "neardupe: no documents found under the given paths (folders are searched for .txt, .md, .html and .jsonl[.gz|.zst] files)";

/// Prints one `neardupe: ...` line on stderr.
pub fn print_summary_line(line: &str) {
    eprintln!("neardupe: {line}");
}

/// Prints the summary line (and stage timings with `--stats`) on stderr.
pub fn print_summary(s: &Scanned, output: &OutputArgs) {
    if output.quiet {
        return;
    }
    let r = &s.report;
    eprintln!(
        "neardupe: {} documents read, {} skipped, {} errors, {} too short; {} candidates, {} pairs, {} clusters; {:.2} s",
        r.stats.documents,
        s.notes.skipped.len(),
        s.notes.errors.len(),
        r.stats.too_short,
        r.stats.candidates,
        r.pairs.len(),
        r.clusters.len(),
        s.started.elapsed().as_secs_f64()
    );
    if output.stats {
        let t = &r.timings;
        let memory = peak_memory_mb()
            .map(|mb| format!(", peak memory {mb:.0} MB"))
            .unwrap_or_default();
        eprintln!(
            "neardupe: stages: read {:.3} s, sketch {:.3} s (counting {:.3} s), candidates {:.3} s, verify {:.3} s, report {:.3} s{memory}",
            s.read_seconds, t.sketch, t.counting, t.candidates, t.verify, t.report
        );
    }
}

/// The process's peak resident memory so far, in MB of 10^6 bytes, the unit corpus sizes
/// are given in (Linux: `VmHWM`, which is in KiB).
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0 / 1e6)
}

fn scan(args: ScanArgs) -> anyhow::Result<Exit> {
    let spans_mode: SpansMode = args.spans.into();
    let builder = args.detect.builder(spans_mode != SpansMode::None);
    let format = args.output.format.unwrap_or(Format::Human);
    let keep_texts = spans_mode == SpansMode::Full && format == Format::Human;
    let s = scan_paths(
        &args.paths,
        &args.input,
        builder,
        keep_texts,
        args.output.quiet,
        args.output.documents,
        args.against.as_deref(),
    )?;
    let written = write_stdout(|out| match format {
        Format::Json => json::write_report(out, &s.report, &s.notes, None),
        Format::Csv => csv::write_pairs(out, &s.report),
        Format::Github => check::write_github(out, &s.report, &s.notes, &s.sources()),
        Format::Human => {
            let style = human::Style {
                color: args.output.color.enabled(io::stdout().is_terminal()),
            };
            human::write_report(out, &s.report, spans_mode, style, |id| {
                s.texts.get(id).map(String::as_str)
            })
        }
    });
    if let Some(exit) = written? {
        return Ok(exit);
    }
    print_summary(&s, &args.output);
    let exit = if s.notes.errors.is_empty() {
        Exit::Success
    } else {
        Exit::Error
    };
    leave(s);
    Ok(exit)
}

/// Lets go of a command's results without freeing them: the process is about to exit, and
/// the system takes its memory back at once, where dropping a scan of 100k documents (ids,
/// sketches, pairs, one allocation each) cost 30-40 ms of a 3 s run. Temporary files are
/// unaffected: the spill is unlinked when made, so it goes when the process does.
pub(crate) fn leave<T>(results: T) {
    std::mem::forget(results);
}

fn compare(args: CompareArgs) -> anyhow::Result<Exit> {
    let config = args.detect.config(true).context("invalid options")?;
    let format = args.output.format.unwrap_or(Format::Human);
    if matches!(format, Format::Csv | Format::Github) {
        bail!("compare prints --format human or json");
    }
    let read = |p: &std::path::Path| -> anyhow::Result<Document> {
        Ok(input::read_text_file(p, args.max_file_size)?)
    };
    let (a, b) = (read(&args.a)?, read(&args.b)?);
    let cmp = neardupe::compare(&a, &b, &config);
    let written = write_stdout(|out| match format {
        Format::Json => json::write_comparison(out, &cmp),
        _ => {
            let style = human::Style {
                color: args.output.color.enabled(io::stdout().is_terminal()),
            };
            human::write_comparison(out, &cmp, &a.text, &b.text, style)
        }
    });
    Ok(written?.unwrap_or(Exit::Success))
}

/// Writes to a buffered, locked stdout. A reader that went away (`| head`) ends the run
/// quietly: `Ok(Some(Exit::Success))`; any other write error is an error.
pub fn write_stdout(
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<Option<Exit>> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match f(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(None),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Some(Exit::Success)),
        Err(e) => Err(e).context("writing output"),
    }
}

/// Prints each problem on stderr (escaped, one line each) and returns `(path, message)` pairs
/// for the machine-readable output.
fn tell(problems: &[neardupe::Error], prefix: &str) -> Vec<(String, String)> {
    problems
        .iter()
        .map(|e| {
            let message = e.to_string();
            eprintln!("neardupe: {prefix}{}", escape_controls(&message, false));
            (path_of(e), message)
        })
        .collect()
}

fn path_of(e: &neardupe::Error) -> String {
    e.path()
        .map(neardupe::document::path_id)
        .unwrap_or_default()
}

fn generate(args: args::GenerateArgs) -> anyhow::Result<Exit> {
    let options = neardupe::generate::GenerateOptions {
        documents: args.docs,
        seed: args.seed,
        full_page: args.full_page,
        syndicated: args.syndicated,
        light_edit: args.light_edit,
        truncation: args.truncation,
        reorder: args.reorder,
        template: args.template,
        blurb: args.blurb,
        pages_per_site: args.pages_per_site,
    };
    let g = neardupe::generate::generate(&options);
    let dir = atomic::AtomicDir::create(&args.output, args.force)?;
    let mut corpus = io::BufWriter::new(std::fs::File::create(dir.path().join("corpus.jsonl"))?);
    let mut bytes = 0usize;
    for d in &g.documents {
        serde_json::to_writer(
            &mut corpus,
            &serde_json::json!({"id": d.id, "text": d.text}),
        )?;
        corpus.write_all(b"\n")?;
        bytes += d.text.len();
    }
    corpus
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    let mut truth = io::BufWriter::new(std::fs::File::create(dir.path().join("truth.jsonl"))?);
    for p in &g.truth {
        serde_json::to_writer(&mut truth, p)?;
        truth.write_all(b"\n")?;
    }
    for d in &g.documents {
        serde_json::to_writer(&mut truth, &serde_json::json!({"id": d.id, "role": d.role}))?;
        truth.write_all(b"\n")?;
    }
    truth.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    dir.commit()?;
    eprintln!(
        "neardupe: wrote {} documents ({:.1} MB of text) and {} true pairs to {}",
        g.documents.len(),
        bytes as f64 / 1e6,
        g.truth.len(),
        args.output.display()
    );
    Ok(Exit::Success)
}
