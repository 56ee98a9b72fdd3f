//! The persisted index (issue 8): queries equal a full scan, saving and opening change
//! nothing, and every kind of bad file has its own error.

mod util;

use neardupe::generate::{GenerateOptions, generate};
use neardupe::{Config, Document, Index, IndexError, Report, find_duplicates};
use util::scratch;

fn corpus(n: usize, seed: u64) -> Vec<Document> {
    generate(&GenerateOptions {
        documents: n,
        seed,
        pages_per_site: 100,
        ..GenerateOptions::default()
    })
    .documents
    .into_iter()
    .map(|d| Document::new(d.id, d.text))
    .collect()
}

/// The corpus split into what is indexed and a new batch.
fn split() -> (Vec<Document>, Vec<Document>) {
    let mut all = corpus(500, 9);
    let new = all.split_off(380);
    (all, new)
}

fn json(r: &Report) -> String {
    serde_json::to_string(&(&r.pairs, &r.clusters)).unwrap()
}

#[test]
fn a_query_gives_exactly_the_pairs_of_a_full_scan() {
    let (old, new) = split();
    let config = Config::default();
    let full = find_duplicates(old.iter().chain(&new).cloned(), &config);
    let new_ids: std::collections::HashSet<&str> = new.iter().map(|d| d.id.as_str()).collect();
    let expected: Vec<_> = full
        .pairs
        .iter()
        .filter(|p| new_ids.contains(p.a.as_str()) || new_ids.contains(p.b.as_str()))
        .cloned()
        .collect();
    assert!(
        expected.len() >= 10,
        "the batch has duplicates in the corpus: {}",
        expected.len()
    );
    // Sized like the full scan, so document frequencies match exactly.
    let bytes = old.iter().chain(&new).map(|d| d.text.len()).sum();
    let mut index = Index::new(&config, bytes);
    index.insert(old);
    let got = index.query(&new);
    assert_eq!(
        serde_json::to_string(&got.pairs).unwrap(),
        serde_json::to_string(&expected).unwrap()
    );
    assert_eq!(got.stats.documents, new.len());
    // Queries take &self and run from many threads.
    let same: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..3)
            .map(|_| s.spawn(|| json(&index.query(&new))))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(same.iter().all(|x| *x == json(&got)));
    // Query, then insert: the batch is now part of the index.
    index.insert(new.clone());
    assert_eq!(index.len(), 500);
    assert!(index.contains(&new[0].id));
}

#[test]
fn saved_then_opened_gives_identical_answers() {
    let (old, new) = split();
    let config = Config::default();
    let index = Index::build(old, &config);
    let dir = scratch("index_roundtrip");
    let path = dir.join("corpus.ndx");
    index.save(&path).unwrap();
    let opened = Index::open(&path, &config).unwrap();
    assert_eq!(opened.len(), index.len());
    assert_eq!(json(&opened.query(&new)), json(&index.query(&new)));
    // Saving again gives the same bytes.
    let again = dir.join("again.ndx");
    opened.save(&again).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn bad_files_have_their_own_errors() {
    let config = Config::default();
    let index = Index::build(corpus(60, 2), &config);
    let dir = scratch("index_errors");
    let path = dir.join("i.ndx");
    index.save(&path).unwrap();
    let good = std::fs::read(&path).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };

    let other = Config::builder().shingle_size(4).build().unwrap();
    let e = Index::open(&path, &other).unwrap_err();
    assert!(
        matches!(
            e,
            IndexError::Parameters {
                name: "shingle_size",
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .ends_with("built with shingle_size = 5, but the configuration has 4"),
        "{e}"
    );

    let mut v = good.clone();
    v[11..15].copy_from_slice(&99u32.to_le_bytes());
    let e = Index::open(&write("version.ndx", &v), &config).unwrap_err();
    assert!(
        matches!(
            e,
            IndexError::Version {
                found: 99,
                expected: neardupe::index::FORMAT_VERSION,
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("rebuild it with `neardupe index build`"),
        "{e}"
    );

    for cut in [good.len() - 1, good.len() / 2, 20, 12] {
        let e = Index::open(&write("cut.ndx", &good[..cut]), &config).unwrap_err();
        assert!(
            matches!(e, IndexError::Truncated { .. }),
            "cut at {cut}: {e}"
        );
    }

    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    let e = Index::open(&write("flip.ndx", &flipped), &config).unwrap_err();
    assert!(matches!(e, IndexError::Checksum { .. }), "{e}");
    assert!(
        e.to_string()
            .ends_with("checksum mismatch, the file is damaged")
    );

    let e = Index::open(&write("text.ndx", b"{\"not\": \"an index\"}"), &config).unwrap_err();
    assert!(matches!(e, IndexError::NotAnIndex { .. }), "{e}");
    let e = Index::open(&dir.join("missing.ndx"), &config).unwrap_err();
    assert!(matches!(e, IndexError::Io { .. }), "{e}");
}

#[test]
fn an_interrupted_save_leaves_the_previous_index_usable() {
    use std::io::Write;
    let config = Config::default();
    let first = Index::build(corpus(60, 3), &config);
    let dir = scratch("index_interrupted");
    let path = dir.join("i.ndx");
    first.save(&path).unwrap();
    let before = std::fs::read(&path).unwrap();
    // A second save that dies halfway: its temporary file is abandoned before the rename.
    let second = Index::build(corpus(80, 4), &config);
    let mut bytes = Vec::new();
    second.write_to(&mut bytes).unwrap();
    let mut f = neardupe::atomic::AtomicFile::create(&path, true).unwrap();
    f.write_all(&bytes[..bytes.len() / 2]).unwrap();
    drop(f);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(Index::open(&path, &config).unwrap().len(), 60);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn index_commands_and_scan_against() {
    let dir = scratch("index_cli");
    let ndx = dir.join("corpus.ndx");
    let n = ndx.to_str().unwrap();
    let r = util::run(&[
        "index",
        "build",
        "corpus/seed/article_only.txt",
        "corpus/exact",
        "-o",
        n,
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("indexed 3 documents"), "{}", r.stderr());
    // An existing index is not replaced without --force.
    let r = util::run(&["index", "build", "corpus/exact", "-o", n]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("already exists"), "{}", r.stderr());
    // New documents against the index: the page holds the indexed article.
    let r = util::run(&[
        "scan",
        "--against",
        n,
        "corpus/seed/full_page.txt",
        "corpus/same_site",
        "--format",
        "json",
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let pairs: Vec<(String, String, String)> = r
        .json_lines()
        .iter()
        .filter(|l| l["type"] == "pair")
        .map(|l| {
            (
                l["a"].as_str().unwrap().into(),
                l["b"].as_str().unwrap().into(),
                l["relation"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [(
            "corpus/seed/article_only.txt".into(),
            "corpus/seed/full_page.txt".into(),
            "a_in_b".into()
        )]
    );
    // Pairs among indexed documents are not reported again.
    let r = util::run(&[
        "scan",
        "--against",
        n,
        "corpus/same_site",
        "--format",
        "json",
    ]);
    assert!(r.json_lines().iter().all(|l| l["type"] != "pair"));
    // add: new documents join, known ids are skipped with a warning.
    let r = util::run(&["index", "add", n, "corpus/unicode", "corpus/exact"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(
        r.stderr().contains("added 2 documents (2 already indexed)"),
        "{}",
        r.stderr()
    );
    assert!(
        r.stderr()
            .contains("corpus/exact/harbour.txt is already indexed, skipped")
    );
    // Other parameters: a clear error, exit 2.
    let r = util::run(&["scan", "--against", n, "corpus/seed", "--num-hashes", "64"]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr()
            .contains("built with num_hashes = 128, but the configuration has 64"),
        "{}",
        r.stderr()
    );
}
