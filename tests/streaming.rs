//! The streaming scan: documents sketched in batches, texts dropped and read again from their
//! files for verification and spans.

use std::path::{Path, PathBuf};

use neardupe::generate::{GenerateOptions, generate};
use neardupe::input::{self, ReadOptions};
use neardupe::{Config, Report, Scan, Scanner, Source, find_duplicates};

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("streaming-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A generated corpus as one plain JSON Lines file, and as text files in a folder.
fn write_corpus(dir: &Path) -> (PathBuf, PathBuf) {
    let g = generate(&GenerateOptions {
        documents: 400,
        seed: 5,
        pages_per_site: 100,
        ..GenerateOptions::default()
    });
    let jsonl = dir.join("corpus.jsonl");
    let mut lines = String::new();
    let folder = dir.join("texts");
    std::fs::create_dir_all(&folder).unwrap();
    for d in &g.documents {
        lines.push_str(&serde_json::json!({"id": d.id, "text": d.text}).to_string());
        lines.push('\n');
        std::fs::write(folder.join(format!("{}.txt", d.id)), &d.text).unwrap();
    }
    std::fs::write(&jsonl, lines).unwrap();
    (jsonl, folder)
}

fn stream(path: &Path, batch_bytes: usize, config: &Config) -> (Scanner, input::Input) {
    stream_spilling(path, batch_bytes, config, Scanner::DEFAULT_SPILL_LIMIT)
}

fn stream_spilling(
    path: &Path,
    batch_bytes: usize,
    config: &Config,
    spill_limit: u64,
) -> (Scanner, input::Input) {
    let options = ReadOptions::default();
    let plan = input::plan(&[path], &options);
    let mut scanner = Scanner::new(config, plan.expected_bytes)
        .rereading(options.clone())
        .spill_limit(spill_limit);
    let mut batches = 0;
    let read = plan.read(&options, batch_bytes, |batch| {
        batches += 1;
        scanner.add(batch);
    });
    assert!(batches > 10, "{batches} batches");
    (scanner, read)
}

/// Rewrites a file with other words of the same length (every line still parses).
fn change_words(path: &Path) {
    let changed: Vec<u8> = std::fs::read(path)
        .unwrap()
        .iter()
        .map(|&b| if b == b'a' { b'o' } else { b })
        .collect();
    std::fs::write(path, changed).unwrap();
}

fn json(r: &Report) -> String {
    serde_json::to_string(&(&r.pairs, &r.clusters)).unwrap()
}

#[test]
fn streaming_gives_the_report_of_an_in_memory_scan() {
    let dir = scratch("same");
    let (jsonl, folder) = write_corpus(&dir);
    let config = Config::default();
    for path in [&jsonl, &folder] {
        // Everything in memory, one batch, the sketch sized the same way.
        let options = ReadOptions::default();
        let docs = input::read_paths(&[path], &options).documents;
        let mut whole = Scanner::new(&config, input::plan(&[path], &options).expected_bytes);
        whole.add(docs.clone());
        let expected = whole.finish().report;
        // Sized for the text rather than the files, figures may differ slightly; the pairs
        // are the same.
        let pairs = |r: &Report| -> Vec<(String, String)> {
            r.pairs.iter().map(|p| (p.a.clone(), p.b.clone())).collect()
        };
        assert_eq!(pairs(&find_duplicates(docs, &config)), pairs(&expected));
        assert!(expected.pairs.len() >= 20, "{}", expected.pairs.len());
        // Small batches: many batches, and every verified text read again from disk.
        let (scanner, read) = stream(path, 64 << 10, &config);
        assert!(read.errors.is_empty());
        let scan: Scan = scanner.finish();
        assert!(scan.errors.is_empty(), "{:?}", scan.errors);
        assert!(
            json(&scan.report) == json(&expected),
            "streamed and in-memory reports differ"
        );
        assert_eq!(scan.documents().count(), 400);
        // Texts come back from the files on request.
        let pair = &scan.report.pairs[0];
        let text = scan.text(&pair.a).unwrap();
        assert!(text.len() > 100);
        let (_, source, bytes, _) = scan.documents().find(|d| d.0 == pair.a).unwrap();
        assert_eq!(text.len(), bytes);
        if path == &jsonl {
            assert!(
                matches!(
                    source,
                    Source::Line {
                        offset: Some(_),
                        ..
                    }
                ),
                "{source:?}"
            );
        }
    }
}

#[test]
fn a_file_changed_during_the_run_is_an_error_not_a_wrong_pair() {
    let dir = scratch("changed");
    let (jsonl, _) = write_corpus(&dir);
    let config = Config::default();
    let (scanner, _) = stream(&jsonl, 64 << 10, &config);
    let before = std::fs::read(&jsonl).unwrap();
    change_words(&jsonl);
    let scan = scanner.finish();
    assert!(scan.report.pairs.is_empty(), "{}", scan.report.pairs.len());
    assert!(!scan.errors.is_empty());
    let message = scan.errors[0].to_string();
    assert!(
        message.contains("corpus.jsonl:") && message.contains("changed since it was read"),
        "{message}"
    );
    // A vanished file: errors again, no panic.
    std::fs::remove_file(&jsonl).unwrap();
    let (scanner, _) = {
        std::fs::write(&jsonl, &before).unwrap();
        stream(&jsonl, 64 << 10, &config)
    };
    std::fs::remove_file(&jsonl).unwrap();
    let scan = scanner.finish();
    assert!(scan.report.pairs.is_empty());
    assert!(scan.errors[0].to_string().contains("corpus.jsonl"));
}

#[test]
fn verification_reads_the_spilled_fingerprints_not_the_files() {
    let dir = scratch("spilled");
    let (jsonl, _) = write_corpus(&dir);
    let config = Config::builder().spans(false).build().unwrap();
    let expected = {
        let (scanner, _) = stream(&jsonl, 64 << 10, &config);
        json(&scanner.finish().report)
    };
    // With no span report, nothing reads the texts again once they are sketched: a file
    // changed after reading (which rereading would notice) changes nothing.
    let (scanner, _) = stream(&jsonl, 64 << 10, &config);
    change_words(&jsonl);
    let scan = scanner.finish();
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    assert!(scan.report.pairs.len() >= 20, "{}", scan.report.pairs.len());
    assert!(json(&scan.report) == expected, "reports differ");
}

#[test]
fn the_spill_limit_moves_verification_to_the_texts_not_the_results() {
    let dir = scratch("spill-limit");
    let (jsonl, _) = write_corpus(&dir);
    let config = Config::builder().spans(false).build().unwrap();
    let report = |limit| {
        let (scanner, _) = stream_spilling(&jsonl, 64 << 10, &config, limit);
        let scan = scanner.finish();
        assert!(scan.errors.is_empty(), "{:?}", scan.errors);
        json(&scan.report)
    };
    let whole = report(Scanner::DEFAULT_SPILL_LIMIT);
    // Part spilled (the first batches), part read again; none spilled.
    assert!(
        report(64 << 10) == whole,
        "a partial spill changed the report"
    );
    assert!(report(0) == whole, "no spill changed the report");
    // With no spill, verification does read the texts: a changed file is noticed.
    let (scanner, _) = stream_spilling(&jsonl, 64 << 10, &config, 0);
    change_words(&jsonl);
    let scan = scanner.finish();
    assert!(!scan.errors.is_empty());
    assert!(scan.report.pairs.is_empty(), "{}", scan.report.pairs.len());
}
