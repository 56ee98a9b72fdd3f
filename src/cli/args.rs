//! Command-line arguments (clap derive) and their conversion to a [`Config`], in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use neardupe::output::SpansMode;
use neardupe::{Config, ConfigError};

/// Find near-duplicate documents, including an article inside its full page, and show where
/// two documents differ.
#[derive(Debug, Parser)]
#[command(name = "neardupe", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find near-duplicate pairs and clusters among the documents under PATHs.
    Scan(ScanArgs),
    /// Compare two files: exact figures and where they differ.
    Compare(CompareArgs),
    /// CI gate: exit 1 when PATHs hold near-duplicates beyond what is allowed, 2 on any error.
    Check(CheckArgs),
    /// Write a copy of PATHs keeping one document per cluster (inputs are never modified).
    Dedup(DedupArgs),
    /// Measure precision and recall against a truth file (see `generate`).
    Eval(EvalArgs),
    /// Build or extend a saved index, to check new documents against with `scan --against`.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Write a seeded synthetic news corpus and its truth file (for eval and benchmarks).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Index the documents under PATHs into a new index file.
    Build(IndexBuildArgs),
    /// Add the documents under PATHs to an index file (ids already indexed are skipped).
    Add(IndexAddArgs),
}

#[derive(Debug, Args)]
pub struct IndexBuildArgs {
    /// Folders or files to index.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The index file to write.
    #[arg(short, long, value_name = "INDEX")]
    pub output: PathBuf,
    /// Replace an existing index file.
    #[arg(long)]
    pub force: bool,
    /// Size the document-frequency sketch for a corpus this large (e.g. 2G) when the index
    /// will grow well past its first build.
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    pub expected_size: Option<u64>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output_args: OutputArgs,
    #[command(flatten)]
    pub detect: DetectArgs,
}

#[derive(Debug, Args)]
pub struct IndexAddArgs {
    /// The index file to extend (rewritten atomically).
    pub index: PathBuf,
    /// Folders or files to add.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output_args: OutputArgs,
    #[command(flatten)]
    pub detect: DetectArgs,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The truth file: JSON Lines of {"a":ID,"b":ID,"kind":KIND} pairs (and optional
    /// {"id":ID,"role":ROLE} lines).
    #[arg(long, value_name = "FILE")]
    pub truth: PathBuf,
    /// The corpus: folders or files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// How many missed and false pairs to list (each).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub list: usize,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub detect: DetectArgs,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Output folder: corpus.jsonl and truth.jsonl are written in it.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Documents to generate.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub docs: usize,
    /// The seed; the same seed and options give the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Share of documents in full-page/article pairs.
    #[arg(long, default_value_t = 0.10, value_name = "F")]
    pub full_page: f64,
    /// Share in syndicated pairs.
    #[arg(long, default_value_t = 0.06, value_name = "F")]
    pub syndicated: f64,
    /// Share in light-edit pairs.
    #[arg(long, default_value_t = 0.06, value_name = "F")]
    pub light_edit: f64,
    /// Share in truncation pairs.
    #[arg(long, default_value_t = 0.05, value_name = "F")]
    pub truncation: f64,
    /// Share in reordered-paragraph pairs.
    #[arg(long, default_value_t = 0.05, value_name = "F")]
    pub reorder: f64,
    /// Share of templated pages (weather, stocks, sports).
    #[arg(long, default_value_t = 0.06, value_name = "F")]
    pub template: f64,
    /// Share of standalone standard blurbs.
    #[arg(long, default_value_t = 0.002, value_name = "F")]
    pub blurb: f64,
    /// Documents per site.
    #[arg(long, default_value_t = 2_000, value_name = "N")]
    pub pages_per_site: usize,
    /// Replace an existing output folder.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Folders or files to check.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Pass while there are at most N near-duplicate pairs outside the baseline.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub max_duplicates: usize,
    /// Accept the clusters recorded in FILE (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current clusters in FILE as the accepted baseline, and pass.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Overwrite an existing --write-baseline file.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub detect: DetectArgs,
}

#[derive(Debug, Args)]
pub struct DedupArgs {
    /// Folders or files to deduplicate.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Where to write: a folder (or, for a single input file, a file); `-` for stdout with
    /// --emit keep|remove.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Which document of each cluster to keep; ties go to the first in id order.
    #[arg(long, value_enum, default_value_t = KeepArg::Longest)]
    pub keep: KeepArg,
    /// What to write: a copy of the kept documents, or the list of kept or removed ids.
    #[arg(long, value_enum, default_value_t = Emit::Copy)]
    pub emit: Emit,
    /// Also write one JSON line per removed document: its id and the kept one it duplicates.
    #[arg(long, value_name = "FILE")]
    pub removed: Option<PathBuf>,
    /// Replace existing outputs.
    #[arg(long)]
    pub force: bool,
    /// Don't print the summary line on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub detect: DetectArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeepArg {
    Longest,
    Shortest,
    First,
}

impl From<KeepArg> for neardupe::KeepPolicy {
    fn from(k: KeepArg) -> neardupe::KeepPolicy {
        match k {
            KeepArg::Longest => neardupe::KeepPolicy::Longest,
            KeepArg::Shortest => neardupe::KeepPolicy::Shortest,
            KeepArg::First => neardupe::KeepPolicy::First,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// Copy kept files; filter JSON Lines shards line by line.
    Copy,
    /// The ids of kept documents, one per line.
    Keep,
    /// The ids of removed documents, one per line.
    Remove,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Folders (walked, sorted, .txt and .md files) or files (read whatever their name).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// How much of each pair's span report to show in the readable output.
    #[arg(long, value_enum, default_value_t = SpansArg::Summary)]
    pub spans: SpansArg,
    /// Report only pairs between PATHs' documents and those of this index (see `index build`),
    /// and among PATHs' documents.
    #[arg(long, value_name = "INDEX")]
    pub against: Option<PathBuf>,
    #[command(flatten)]
    pub detect: DetectArgs,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first file (A).
    pub a: PathBuf,
    /// The second file (B).
    pub b: PathBuf,
    /// Skip files larger than this, e.g. 4G, 500M.
    #[arg(long, default_value = "4G", value_parser = parse_size, value_name = "SIZE")]
    pub max_file_size: u64,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub detect: DetectArgs,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// JSON Lines field holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_field: String,
    /// JSON Lines field holding the id (without it, documents are named FILE:LINE).
    #[arg(long, default_value = "id", value_name = "NAME")]
    pub id_field: String,
    /// Skip files larger than this (decompressed), e.g. 4G, 500M. Plain JSON Lines files are
    /// streamed and exempt (--max-doc-bytes limits their lines).
    #[arg(long, default_value = "4G", value_parser = parse_size, value_name = "SIZE")]
    pub max_file_size: u64,
    /// Follow symbolic links when walking folders (loops are detected and reported).
    #[arg(short = 'L', long)]
    pub follow: bool,
    /// Skip JSON Lines records longer than this, e.g. 64M.
    #[arg(long, default_value = "64M", value_parser = parse_size, value_name = "SIZE")]
    pub max_doc_bytes: u64,
}

impl InputArgs {
    /// The library's read options.
    pub fn options(&self) -> neardupe::input::ReadOptions {
        neardupe::input::ReadOptions {
            jsonl: neardupe::input::JsonlOptions {
                text_field: self.text_field.clone(),
                id_field: self.id_field.clone(),
                max_doc_bytes: self.max_doc_bytes,
            },
            max_file_size: self.max_file_size,
            follow_links: self.follow,
            progress: neardupe::progress::ProgressHandle::default(),
        }
    }
}

/// `4096`, `64K`, `64M`, `4G` (powers of 1024; a trailing `B`/`iB` is allowed).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, shift) = match t.chars().last() {
        Some('K' | 'k') => (&t[..t.len() - 1], 10),
        Some('M' | 'm') => (&t[..t.len() - 1], 20),
        Some('G' | 'g') => (&t[..t.len() - 1], 30),
        Some('T' | 't') => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a size (examples: 4096, 64K, 500M, 4G)"))?;
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("{s:?} is too large"))
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format: a readable report, JSON Lines (see README, "JSON output"), CSV of the
    /// pairs, or GitHub Actions annotations [default: human; github under GITHUB_ACTIONS=true
    /// for check].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// When to colour the readable output (NO_COLOR also turns it off).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
    /// Don't print the summary line on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print seconds per pipeline stage on stderr.
    #[arg(long)]
    pub stats: bool,
    /// With --format json, list every document read (id, source, bytes, encoding).
    #[arg(long)]
    pub documents: bool,
}

#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Report pairs whose content Jaccard similarity (boilerplate discounted) is at least F.
    #[arg(long, default_value_t = 0.5, value_name = "F")]
    pub jaccard: f64,
    /// Report pairs where at least this share of one document's content is in the other.
    #[arg(
        long,
        default_value_t = 0.9,
        value_name = "F",
        conflicts_with = "jaccard_only"
    )]
    pub containment: f64,
    /// Report symmetric near-duplicates only (no containment findings).
    #[arg(long)]
    pub jaccard_only: bool,
    /// Smallest contained document, in distinct shingles, for a containment finding.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub min_contained: usize,
    /// Words per shingle.
    #[arg(long, default_value_t = 5, value_name = "K")]
    pub shingle_size: usize,
    /// MinHash signature length.
    #[arg(long, default_value_t = 128, value_name = "N")]
    pub num_hashes: usize,
    /// LSH bands (with --rows; automatic from --jaccard otherwise).
    #[arg(long, requires = "rows", value_name = "B")]
    pub bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands", value_name = "R")]
    pub rows: Option<usize>,
    /// The containment sample keeps one shingle in S.
    #[arg(long, default_value_t = 8, value_name = "S")]
    pub sketch_scale: u64,
    /// Sample hashes and band buckets shared by more documents (or by more than 10 times the
    /// boilerplate threshold) are boilerplate for candidate generation.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub max_postings: usize,
    /// Shingles in more documents than T count T/df in the content figures (0 turns the
    /// boilerplate weighting off).
    #[arg(long, default_value_t = 10.0, value_name = "T")]
    pub boilerplate_df: f64,
    /// Verify at most N candidate pairs per document (the strongest first).
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub max_candidates: usize,
    /// Seed of every hash.
    #[arg(long, default_value_t = neardupe::config::DEFAULT_SEED, hide_default_value = true)]
    pub seed: u64,
    /// Worker threads (default: one per core), plus one thread that reads input ahead.
    /// Results do not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Csv,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SpansArg {
    None,
    Summary,
    Full,
}

impl From<SpansArg> for SpansMode {
    fn from(s: SpansArg) -> SpansMode {
        match s {
            SpansArg::None => SpansMode::None,
            SpansArg::Summary => SpansMode::Summary,
            SpansArg::Full => SpansMode::Full,
        }
    }
}

impl DetectArgs {
    /// The library configuration these flags describe.
    pub fn config(&self, spans: bool) -> Result<Config, ConfigError> {
        self.builder(spans).build()
    }

    /// A builder with these flags set, for commands that add to them.
    pub fn builder(&self, spans: bool) -> neardupe::ConfigBuilder {
        // `-j N` sizes rayon's global pool, so that reading, sketching and verifying share one
        // pool of N threads (the library's `threads` setting would start a second pool beside
        // the global one that reading uses, and each thread holds its own malloc arena). A 0
        // goes on to the library, which refuses it.
        let threads = match self.threads {
            Some(n) if n > 0 => {
                // Fails only if the pool already exists: a command builds its options first.
                let _ = rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build_global();
                None
            }
            other => other,
        };
        let mut b = Config::builder()
            .shingle_size(self.shingle_size)
            .num_hashes(self.num_hashes)
            .jaccard_threshold(self.jaccard)
            .containment_threshold((!self.jaccard_only).then_some(self.containment))
            .min_contained_shingles(self.min_contained)
            .sketch_scale(self.sketch_scale)
            .max_postings(self.max_postings)
            .boilerplate_df((self.boilerplate_df != 0.0).then_some(self.boilerplate_df))
            .max_candidates_per_document(self.max_candidates)
            .seed(self.seed)
            .threads(threads)
            .spans(spans);
        if let (Some(bands), Some(rows)) = (self.bands, self.rows) {
            b = b.bands(bands).rows(rows);
        }
        b
    }
}

impl ColorArg {
    /// Whether to colour, given whether the output is a terminal and the environment.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_match_the_library() {
        let cli = Cli::try_parse_from(["neardupe", "scan", "x"]).unwrap();
        let Command::Scan(s) = cli.command else {
            panic!("scan expected")
        };
        assert_eq!(s.detect.config(true).unwrap(), Config::default());
    }

    #[test]
    fn jaccard_only_turns_containment_off() {
        let cli = Cli::try_parse_from(["neardupe", "scan", "--jaccard-only", "x"]).unwrap();
        let Command::Scan(s) = cli.command else {
            panic!("scan expected")
        };
        assert_eq!(s.detect.config(true).unwrap().containment_threshold(), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("500MB"), Ok(500 << 20));
        assert_eq!(parse_size("4GiB"), Ok(4 << 30));
        assert!(parse_size("lots").unwrap_err().contains("not a size"));
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn never_and_always_ignore_the_terminal() {
        assert!(!ColorArg::Never.enabled(true));
        assert!(ColorArg::Always.enabled(false));
        assert!(!ColorArg::Auto.enabled(false));
    }
}
