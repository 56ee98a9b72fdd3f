//! `neardupe dedup`: a deduplicated copy of the inputs, one document kept per cluster.
//!
//! Folder input gives a folder mirroring it (relative paths kept): text files that are kept
//! are copied byte for byte, and each JSON Lines shard is rewritten with the lines of removed
//! documents left out and every other line (bad lines and blank lines included) byte for
//! byte, in the shard's own compression; a shard with nothing removed is copied as is. A
//! single input file gives a single output file. `--emit keep|remove` writes the list of ids
//! instead. Nothing is written unless every input was read: a partial read would silently drop
//! what could not be read. Every output is written atomically and refused where it would
//! replace or sit inside an input.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use neardupe::input::codec::{self, Codec};
use neardupe::{Pair, Relation, Source};
use serde::Serialize;

use super::args::{DedupArgs, Emit};
use super::atomic::{AtomicDir, check_output_path, commit_file, create_file, write_synced};
use super::exit::Exit;
use super::scan_paths;

#[derive(Serialize)]
struct Removed<'a> {
    id: &'a str,
    duplicate_of: &'a str,
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    relation: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jaccard: Option<f64>,
}

/// Runs `dedup`.
pub fn run(args: DedupArgs) -> anyhow::Result<Exit> {
    let to_stdout = args.output == Path::new("-");
    if to_stdout && args.emit == Emit::Copy {
        bail!("-o - writes to stdout, which needs --emit keep or --emit remove");
    }
    for out in std::iter::once(&args.output)
        .filter(|_| !to_stdout)
        .chain(args.removed.as_ref())
    {
        check_output_path(out, &args.paths)?;
        if out.exists() && !args.force {
            bail!(
                "{} already exists (use --force to replace it)",
                out.display()
            );
        }
    }
    let builder = args.detect.builder(false).keep(args.keep.into());
    let s = scan_paths(
        &args.paths,
        &args.input,
        builder,
        false,
        args.quiet,
        false,
        None,
    )?;
    if !s.notes.errors.is_empty() {
        eprintln!(
            "neardupe: not writing {}: {} input{} could not be read (see above), and a copy without them would lose them",
            args.output.display(),
            s.notes.errors.len(),
            if s.notes.errors.len() == 1 { "" } else { "s" }
        );
        return Ok(Exit::Error);
    }

    // Removed id -> kept id.
    let mut removed: BTreeMap<&str, &str> = BTreeMap::new();
    for c in &s.report.clusters {
        for m in c.members.iter().filter(|m| **m != c.keep) {
            removed.insert(m, &c.keep);
        }
    }
    let sources = s.sources();
    let mut ids: Vec<&String> = sources.keys().collect();
    ids.sort();

    match args.emit {
        Emit::Keep | Emit::Remove => {
            let want_removed = args.emit == Emit::Remove;
            let mut list = String::new();
            for id in ids
                .iter()
                .filter(|id| removed.contains_key(id.as_str()) == want_removed)
            {
                list.push_str(id);
                list.push('\n');
            }
            if to_stdout {
                if let Some(exit) = super::write_stdout(|out| out.write_all(list.as_bytes()))? {
                    return Ok(exit);
                }
            } else {
                let mut f = create_file(&args.output, args.force)?;
                f.write_all(list.as_bytes())?;
                commit_file(f, &args.output)?;
            }
        }
        Emit::Copy => copy(&args, &sources, &removed)?,
    }

    if let Some(path) = &args.removed {
        let pairs: HashMap<(&str, &str), &Pair> = s
            .report
            .pairs
            .iter()
            .map(|p| ((p.a.as_str(), p.b.as_str()), p))
            .collect();
        let mut f = create_file(path, args.force)?;
        for (&id, &kept) in &removed {
            let pair = pairs
                .get(&(id, kept))
                .map(|p| (p, true))
                .or_else(|| pairs.get(&(kept, id)).map(|p| (p, false)));
            let relation = pair.map(|(p, removed_is_a)| match (p.relation, removed_is_a) {
                (Relation::Similar, _) => "similar",
                (Relation::AInB, true) | (Relation::BInA, false) => "inside",
                _ => "contains",
            });
            let line = Removed {
                id,
                duplicate_of: kept,
                source: sources
                    .get(id)
                    .map(|(src, _)| src.to_string())
                    .unwrap_or_default(),
                relation,
                jaccard: pair.map(|(p, _)| p.similarity.jaccard),
            };
            serde_json::to_writer(&mut f, &line)?;
            f.write_all(b"\n")?;
        }
        commit_file(f, path)?;
    }
    if !args.quiet {
        eprintln!(
            "neardupe: kept {} of {} documents, removed {} in {} clusters; wrote {}{}",
            ids.len() - removed.len(),
            ids.len(),
            removed.len(),
            s.report.clusters.len(),
            if to_stdout {
                "stdout".to_string()
            } else {
                args.output.display().to_string()
            },
            if s.notes.skipped.is_empty() {
                String::new()
            } else {
                format!(" ({} skipped files are not in it)", s.notes.skipped.len())
            }
        );
    }
    Ok(Exit::Success)
}

/// Where an input file goes in the output folder.
fn relative(file: &Path, roots: &[PathBuf]) -> PathBuf {
    let several = roots.len() > 1;
    for (i, root) in roots.iter().enumerate() {
        let prefix = || match root.file_name() {
            Some(n) => PathBuf::from(n),
            None => PathBuf::from(format!("input{}", i + 1)),
        };
        if file == root {
            return PathBuf::from(file.file_name().unwrap_or(file.as_os_str()));
        }
        if let Ok(rel) = file.strip_prefix(root) {
            return if several {
                prefix().join(rel)
            } else {
                rel.to_path_buf()
            };
        }
    }
    PathBuf::from(file.file_name().unwrap_or(file.as_os_str()))
}

fn copy(
    args: &DedupArgs,
    sources: &HashMap<String, (Source, usize)>,
    removed: &BTreeMap<&str, &str>,
) -> anyhow::Result<()> {
    // Files to write, in order: text files kept, and every shard with its removed lines.
    let mut text_files: Vec<&Path> = Vec::new();
    let mut shards: BTreeMap<&Path, HashSet<u64>> = BTreeMap::new();
    for (id, (source, _)) in sources {
        let gone = removed.contains_key(id.as_str());
        match source {
            Source::File(p) if !gone => text_files.push(p),
            Source::Line { path, line, .. } => {
                let lines = shards.entry(path.as_path()).or_default();
                if gone {
                    lines.insert(*line);
                }
            }
            _ => {}
        }
    }
    text_files.sort();
    let single = args.paths.len() == 1 && args.paths[0].is_file();
    if single {
        let input = &args.paths[0];
        let mut f = create_file(&args.output, args.force)?;
        match shards.get(input.as_path()) {
            Some(lines) => filter_shard(input, lines, &mut f, args.input.max_file_size)?,
            None => io::copy(&mut File::open(input)?, &mut f).map(|_| ())?,
        }
        return commit_file(f, &args.output);
    }
    let dir = AtomicDir::create(&args.output, args.force)?;
    let mut written: HashSet<PathBuf> = HashSet::new();
    let mut target = |file: &Path| -> anyhow::Result<PathBuf> {
        let rel = relative(file, &args.paths);
        if !written.insert(rel.clone()) {
            bail!(
                "two inputs map to {} in the output; give folders with different names",
                rel.display()
            );
        }
        let dest = dir.path().join(&rel);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        Ok(dest)
    };
    for file in text_files {
        let dest = target(file)?;
        fs::copy(file, &dest)
            .with_context(|| format!("copying {} to {}", file.display(), dest.display()))?;
        File::open(&dest)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("syncing {}", dest.display()))?;
    }
    for (shard, lines) in &shards {
        let dest = target(shard)?;
        if lines.is_empty() {
            let bytes = fs::read(shard).with_context(|| format!("reading {}", shard.display()))?;
            write_synced(&dest, &bytes)?;
        } else {
            let mut out =
                File::create(&dest).with_context(|| format!("creating {}", dest.display()))?;
            filter_shard(shard, lines, &mut out, args.input.max_file_size)?;
            out.sync_all()?;
        }
    }
    dir.commit()
}

/// Writes `shard` without the `removed` lines (numbered from 1), in the shard's own codec.
fn filter_shard(
    shard: &Path,
    removed: &HashSet<u64>,
    out: &mut dyn Write,
    limit: u64,
) -> anyhow::Result<()> {
    let ctx = || format!("rewriting {}", shard.display());
    // Plain shards stream whatever their size, as the scan read them; compressed ones keep
    // the decoded-size limit.
    let (codec, mut reader) = codec::open_streaming(shard, limit).with_context(ctx)?;
    let mut sink: Box<dyn Write + '_> = match codec {
        Codec::Plain => Box::new(io::BufWriter::new(out)),
        Codec::Gzip => Box::new(flate2::write::GzEncoder::new(
            out,
            flate2::Compression::default(),
        )),
        Codec::Zstd => Box::new(
            zstd::stream::write::Encoder::new(out, 3)
                .with_context(ctx)?
                .auto_finish(),
        ),
    };
    let mut line = Vec::new();
    let mut n: u64 = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).with_context(ctx)? == 0 {
            break;
        }
        n += 1;
        if !removed.contains(&n) {
            sink.write_all(&line).with_context(ctx)?;
        }
    }
    sink.flush().with_context(ctx)?;
    drop(sink);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let one = [PathBuf::from("data")];
        assert_eq!(
            relative(Path::new("data/a/b.txt"), &one),
            PathBuf::from("a/b.txt")
        );
        let two = [PathBuf::from("x/data"), PathBuf::from("y/more")];
        assert_eq!(
            relative(Path::new("y/more/c.jsonl"), &two),
            PathBuf::from("more/c.jsonl")
        );
        let file = [PathBuf::from("dir/s.jsonl.gz")];
        assert_eq!(
            relative(Path::new("dir/s.jsonl.gz"), &file),
            PathBuf::from("s.jsonl.gz")
        );
    }
}
